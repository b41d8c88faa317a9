"""Fixtures for settlement and delivery: staff, a finished order with jobs, parts, belongings and a key tag."""
from decimal import Decimal

import pytest

from app.core import stages
from app.core.db import transaction
from app.reception import checkin
from app.catalogue.models import CannedJob
from app.labels.models import KeyHook, KeyTag
from app.reception.models import Belonging, OrderLine, PartLine, RepairOrder
from tests import factories


@pytest.fixture
def advisor(make_user):
    return make_user('amy', ['advisor'], display_name='Amy Advisor')


@pytest.fixture
def manager(make_user):
    return make_user('max', ['manager'], display_name='Max Manager')


def login(app, username):
    """A fresh client signed in as `username`."""
    c = app.test_client()
    resp = c.post('/login', data={'username': username, 'password': factories.PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return c


@pytest.fixture
def desk(app, advisor):
    """The advisor's tablet, signed in."""
    return login(app, 'amy')


@pytest.fixture
def boss(app, manager):
    return login(app, 'max')


def build_order(shop, advisor, *, stage=stages.READY_FOR_PICKUP, language='zh'):
    """A finished order: a 10,000 km maintenance (labour 1.2 h at 300, oil and filter), front brake pads
    (minor), a part the customer brought, two belongings, documents, and a key tag on a hook (7 on 3 for the first)."""
    with transaction():
        customer = factories.make_customer(shop, name='王芳', language=language)
        car = factories.make_vehicle(shop, customer, mileage=42000)
        ro = factories.make_order(shop, advisor, vehicle=car, lines=0, odometer=42000)
        maint = CannedJob.get_or_none((CannedJob.shop == shop) & (CannedJob.code == 'M10K')) or \
            factories.make_canned_job(shop, code='M10K', name='10,000 km maintenance', hours=Decimal('1.2'),
                                      parts=[('90915-YZZD2', 'Oil filter', Decimal('1'), Decimal('68')),
                                             ('08880-83715', 'Engine oil 5W-30 (4L)', Decimal('1'), Decimal('420'))])
        line1 = checkin.add_line(ro, canned_job=maint, rate=Decimal('300'))
        line2 = OrderLine.create(shop=shop, order=ro, description='Front brake pads', labour_hours=Decimal('1.2'),
                                 labour_rate=Decimal('300'), labour_price=Decimal('360.00'), position=1)
        PartLine.create(shop=shop, order=ro, line=line2, part_number='04465-33471', name='Front brake pads',
                        quantity=Decimal('1'), unit_price=Decimal('680.00'))
        PartLine.create(shop=shop, order=ro, line=line2, name='Wiper blade (brought by the customer)',
                        quantity=Decimal('2'), unit_price=Decimal('95.00'), supplied_by=PartLine.CUSTOMER)
        Belonging.create(shop=shop, order=ro, preset='umbrella', name='Umbrella', quantity=1)
        Belonging.create(shop=shop, order=ro, preset='dashcam', name='Dashcam', quantity=1)
        number = KeyTag.select().where(KeyTag.shop == shop).count() + 7
        tag = KeyTag.create(shop=shop, number=number, order_id=ro.id)
        hook = KeyHook.create(shop=shop, number=number - 4, order_id=ro.id)
        ro.key_tag, ro.key_hook = tag, hook
        ro.documents = '["licence", "service_book"]'
        ro.stage = stage
        ro.save()
    return RepairOrder.get_by_id(ro.id), line1, line2


@pytest.fixture
def order(shop, advisor):
    return build_order(shop, advisor)[0]
