"""The workshop tests' own helpers: a dispatched order for a technician, its lines, a tap on a line's button."""
from datetime import timedelta

from app.core import stages
from app.core.db import utcnow
from app.reception.models import OrderLine, RepairOrder
from tests import factories
from tests.helpers import HX


def dispatch(order, tech, stage=stages.DISPATCHED, status=stages.LINE_ASSIGNED):
    """What the foreman's dispatch does: every job of the order to `tech`, the order dispatched."""
    OrderLine.update(technician=tech.id, status=status).where(OrderLine.order == order.id).execute()
    RepairOrder.update(stage=stage).where(RepairOrder.id == order.id).execute()
    return RepairOrder.get_by_id(order.id)


def make_job(shop, advisor, tech, lines=2, promised_in=timedelta(hours=6), **kw):
    order = factories.make_order(shop, advisor, lines=lines, promised_at=utcnow() + promised_in, **kw)
    return dispatch(order, tech)


def lines_of(order):
    return list(OrderLine.select().where(OrderLine.order == order.id).order_by(OrderLine.position, OrderLine.id))


def line_url(order, line, action):
    return '/jobs/%d/lines/%d/%s' % (order.id, line.id, action)


def tap(client, order, line, action, htmx=True, **data):
    """One tap on a line's button, as the phone sends it (htmx, with the line's version and a fresh key)."""
    line = OrderLine.get_by_id(line.id)
    data.setdefault('version', line.version)
    return client.post(line_url(order, line, action), data=data, headers=HX if htmx else {})
