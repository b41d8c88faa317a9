"""Fixtures for the parts counter: the clerk, a technician, a car in the workshop and its parts requests."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core import stages
from app.core.db import utcnow
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import PartsRequest
from tests import factories


@pytest.fixture
def staff(make_user):
    return {'parts': make_user('pat', ['parts'], display_name='Pat Parts'),
            'technician': make_user('tom', ['technician'], display_name='Tom Tech'),
            'foreman': make_user('fred', ['foreman'], display_name='Fred Foreman'),
            'advisor': make_user('amy', ['advisor'], display_name='Amy Advisor')}


def sign_in(client, username):
    client.post('/logout')
    resp = client.post('/login', data={'username': username, 'password': factories.PASSWORD})
    assert resp.status_code == 302


@pytest.fixture
def clerk_client(client, staff):
    sign_in(client, 'pat')
    return client


def at_stage(order, stage):
    """Put a test order in a stage directly (the workshop's own moves are not under test here)."""
    RepairOrder.update(stage=stage).where(RepairOrder.id == order.id).execute()
    return RepairOrder.get_by_id(order.id)


@pytest.fixture
def order(shop, staff):
    car = factories.make_vehicle(shop, factories.make_customer(shop), plate='粤B22222')
    ro = factories.make_order(shop, staff['advisor'], vehicle=car)
    return at_stage(ro, stages.IN_PROGRESS)


@pytest.fixture
def line(order):
    return OrderLine.get(OrderLine.order == order)


def make_request(order, technician, line=None, number='04465-33471', name='前刹车片 Brake pads', qty='1',
                 minutes_ago=10):
    return PartsRequest.create(shop=order.shop_id, order=order, line=line, requested_by=technician,
                               part_number=number, name=name, quantity=Decimal(qty),
                               requested_at=utcnow() - timedelta(minutes=minutes_ago))


# --- stock -------------------------------------------------------------------------------

def make_part(shop, number='04465-33471', name_zh='前刹车片', name_en='Front brake pads', **kw):
    from app.parts.models import Part
    kw.setdefault('cost_price', Decimal('300'))
    kw.setdefault('sell_price', Decimal('680'))
    kw.setdefault('bin', 'A-01-1')
    return Part.create(shop=shop, number=number, name_zh=name_zh, name_en=name_en, **kw)


def post(part, kind, qty, by, unit_cost=None, at=None, **kw):
    """One ledger row in its own transaction (what a user action does)."""
    from app.core.db import transaction
    from app.parts import stock
    with transaction():
        return stock.post(part, kind, Decimal(str(qty)), by=by, unit_cost=None if unit_cost is None
                          else Decimal(str(unit_cost)), at=at, **kw)


def level(part):
    from app.parts.models import StockLevel
    return StockLevel.get_or_none(StockLevel.part == part.id)
