"""Fixtures for the advisor's desk: staff, a car in the workshop and the technician's added-work requests."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core import stages
from app.core.db import utcnow
from app.reception.models import RepairOrder
from app.workshop.models import AddedWork, AddedWorkPart
from tests import factories


@pytest.fixture
def staff(make_user):
    return {'advisor': make_user('amy', ['advisor'], display_name='Amy Advisor'),
            'technician': make_user('tom', ['technician'], display_name='Tom Tech'),
            'parts': make_user('pat', ['parts'], display_name='Pat Parts'),
            'manager': make_user('mia', ['manager'], display_name='Mia Manager')}


def sign_in(client, username):
    client.post('/logout')
    resp = client.post('/login', data={'username': username, 'password': factories.PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]


@pytest.fixture
def advisor_client(client, staff):
    sign_in(client, 'amy')
    return client


def at_stage(order, stage):
    """Put a test order in a stage directly (the workshop's own moves are not under test here)."""
    RepairOrder.update(stage=stage).where(RepairOrder.id == order.id).execute()
    return RepairOrder.get_by_id(order.id)


@pytest.fixture
def order(shop, staff):
    car = factories.make_vehicle(shop, factories.make_customer(shop, name='王芳'), plate='粤B12345')
    ro = factories.make_order(shop, staff['advisor'], vehicle=car, promised_at=utcnow() + timedelta(hours=4))
    return at_stage(ro, stages.WAITING_APPROVAL)


def make_work(order, technician, description='更换前刹车片 Front brake pads', safety=False, delay=90,
              parts=(('04465-33471', '前刹车片 Brake pads', '1', '680'),), **kw):
    work = AddedWork.create(shop=order.shop_id, order=order, requested_by=technician, description=description,
                            hours=kw.pop('hours', Decimal('1.2')), labour_price=kw.pop('labour_price', Decimal('360')),
                            parts_price=sum((Decimal(q) * Decimal(p) for _n, _m, q, p in parts), Decimal(0)),
                            delay_minutes=delay, safety=safety, **kw)
    for number, name, qty, price in parts:
        AddedWorkPart.create(shop=order.shop_id, added_work=work, part_number=number, name=name,
                             quantity=Decimal(qty), unit_price=Decimal(price))
    return work
