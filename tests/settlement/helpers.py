"""The settlement tests' own helpers: a finished order to settle and deliver, and a settlement action as the page
posts it (shared by tests/settlement, tests/security and tests/ops)."""
import uuid
from decimal import Decimal

from app.catalogue.models import CannedJob
from app.core import stages
from app.core.db import transaction
from app.labels.models import KeyHook, KeyTag
from app.reception import checkin
from app.reception.models import Belonging, OrderLine, PartLine, RepairOrder
from app.settlement.models import Settlement
from tests import factories


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


def version_of(order):
    s = Settlement.get_or_none(Settlement.order == order)
    return s.version if s else 0


def act(client, order, action, version=None, **data):
    """POST a settlement action the way the page does: with the version it was drawn with and a fresh key."""
    data.setdefault('idem', uuid.uuid4().hex)
    data['version'] = version_of(order) if version is None else version
    return client.post('/orders/%d/settlement/%s' % (order.id, action), data=data)


def settle(client, order):
    resp = act(client, order, 'settle')
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return Settlement.get(Settlement.order == order)
