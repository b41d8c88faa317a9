"""Fixtures for the technician's phone: a dispatched order with two jobs for Tom, and the people around him."""
from contextlib import contextmanager
from datetime import timedelta

import pytest

from app.core import stages
from app.core.db import db, utcnow
from app.labels.models import KeyTag
from app.reception.models import OrderLine, RepairOrder
from tests import factories

HTMX = {'HX-Request': 'true'}


@pytest.fixture
def advisor(make_user):
    return make_user('amy', ['advisor'], display_name='Amy')


@pytest.fixture
def tech(make_user):
    return make_user('tom', ['technician'], display_name='Tom')


@pytest.fixture
def tech2(make_user):
    return make_user('tina', ['technician'], display_name='Tina')


@pytest.fixture
def foreman(make_user):
    return make_user('fred', ['foreman'], display_name='Fred')


def sign_in(client, user):
    """Sign the test client in as `user` (the session the login form would set)."""
    with client.session_transaction() as s:
        s['_user_id'] = user.get_id()
        s['_fresh'] = True
    return client


@pytest.fixture
def as_tech(client, tech):
    return sign_in(client, tech)


def dispatch(order, tech, stage=stages.DISPATCHED, status=stages.LINE_ASSIGNED):
    """What the foreman's dispatch does: every job of the order to `tech`, the order dispatched."""
    OrderLine.update(technician=tech.id, status=status).where(OrderLine.order == order.id).execute()
    RepairOrder.update(stage=stage).where(RepairOrder.id == order.id).execute()
    return RepairOrder.get_by_id(order.id)


def make_job(shop, advisor, tech, lines=2, promised_in=timedelta(hours=6), **kw):
    order = factories.make_order(shop, advisor, lines=lines, promised_at=utcnow() + promised_in, **kw)
    return dispatch(order, tech)


@pytest.fixture
def order(shop, advisor, tech):
    car = factories.make_vehicle(shop, factories.make_customer(shop, name='王芳', phone='+8613800138000'),
                                 plate='粤B12345', model='凯美瑞 Camry', colour='白 White')
    ro = make_job(shop, advisor, tech, vehicle=car, complaint='刹车时有异响')
    tag = KeyTag.create(shop=shop, number=17, order_id=ro.id)
    RepairOrder.update(key_tag=tag.id, advisor_notes='Customer waits in the lounge').where(
        RepairOrder.id == ro.id).execute()
    return RepairOrder.get_by_id(ro.id)


def lines_of(order):
    return list(OrderLine.select().where(OrderLine.order == order.id).order_by(OrderLine.position, OrderLine.id))


def line_url(order, line, action):
    return '/jobs/%d/lines/%d/%s' % (order.id, line.id, action)


def tap(client, order, line, action, htmx=True, **data):
    """One tap on a line's button, as the phone sends it (htmx, with the line's version and a fresh key)."""
    line = OrderLine.get_by_id(line.id)
    data.setdefault('version', line.version)
    return client.post(line_url(order, line, action), data=data, headers=HTMX if htmx else {})


def reload(record):
    return type(record).get_by_id(record.id)


@contextmanager
def count_queries():
    """The SQL statements run inside the block."""
    database = db.obj
    real = database.execute_sql
    seen = []

    def counting(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return real(sql, params, *args, **kwargs)

    database.execute_sql = counting
    try:
        yield seen
    finally:
        del database.execute_sql
