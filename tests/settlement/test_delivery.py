"""Delivery (交车) with the customer, and closing: the checklist, the key tag back in the pool, the signature,
satisfaction, the next maintenance on the vehicle, the stage moves and their refusals."""
import base64
import os
import uuid
from datetime import date
from decimal import Decimal

from app.aftercare.models import FollowUpTask
from app.core import photos, stages
from app.core.db import utcnow
from app.core.models import Event
from app.core.timeutil import to_local
from app.reception import checkin
from app.core.models import Signature
from app.customers.models import Vehicle
from app.labels.models import KeyHook, KeyTag
from app.reception.models import Belonging, RepairOrder
from app.settlement.models import BelongingReturn, Settlement, VehicleDelivery
from app.core.timeutil import add_months
from app.settlement.totals import order_money
from tests import factories
from tests.helpers import signed_in as login
from tests.settlement.helpers import build_order
from tests.settlement.helpers import act, settle

SIGNATURE = 'data:image/png;base64,' + base64.b64encode(factories.tiny_png()).decode()


def checklist(order, **changes):
    """The delivery form as the customer and advisor fill it: everything ticked and signed."""
    data = {'version': RepairOrder.get_by_id(order.id).version, 'idem': uuid.uuid4().hex, 'key_returned': 'y',
            'documents_returned': 'y', 'old_parts': 'returned', 'satisfaction': '4', 'comment': 'Quick and clean',
            'signer': '王芳', 'signature': SIGNATURE}
    for b in Belonging.select().where(Belonging.order == order):
        data['ret_%d' % b.id] = 'y'
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def paid(desk, order):
    settle(desk, order)
    act(desk, order, 'payments', method='mobile', amount=str(order_money(order).balance))


def test_delivery_checklist_hands_the_car_over(app, desk, order, shop, advisor):
    """Handing over must record every item (a missing one with its note), free the key tag for the next car,
    keep the signature and satisfaction, and save the next maintenance on the vehicle."""
    paid(desk, order)
    page = desk.get('/orders/%d/delivery' % order.id).get_data(as_text=True)
    assert 'Umbrella' in page and 'Dashcam' in page and 'class="sigpad"' in page
    today = to_local(utcnow(), shop.timezone).date()
    due = add_months(today, 6)
    assert 'value="%s"' % due.isoformat() in page and 'value="47000"' in page   # 42,000 km + 5,000
    dashcam = Belonging.get((Belonging.order == order) & (Belonging.name == 'Dashcam'))
    resp = desk.post('/orders/%d/delivery' % order.id, data=checklist(
        order, **{'ret_%d' % dashcam.id: None, 'note_%d' % dashcam.id: 'Customer took it home at check-in',
                  'next_service_date': due.isoformat(), 'next_service_km': '47000'}))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    ro = RepairOrder.get_by_id(order.id)
    assert ro.stage == stages.DELIVERED and ro.delivered_at is not None
    delivery = VehicleDelivery.get(VehicleDelivery.order == ro)
    assert (delivery.satisfaction, delivery.comment, delivery.old_parts) == (4, 'Quick and clean', 'returned')
    missing = BelongingReturn.get((BelongingReturn.delivery == delivery) & (BelongingReturn.returned == False))  # noqa: E712
    assert missing.name == 'Dashcam' and missing.note == 'Customer took it home at check-in'
    assert {b.name: b.returned for b in Belonging.select().where(Belonging.order == ro)} == \
        {'Umbrella': True, 'Dashcam': False}
    # The key tag and hook are free again; the order still says which it had.
    tag, hook = KeyTag.get_by_id(ro.key_tag_id), KeyHook.get_by_id(ro.key_hook_id)
    assert tag.order_id is None and hook.order_id is None
    sig = Signature.get((Signature.order == ro) & (Signature.purpose == 'delivery'))
    assert sig.signer == '王芳' and delivery.signature_id == sig.id
    assert os.path.exists(os.path.join(photos.photo_dir(), sig.filename))
    car = Vehicle.get_by_id(ro.vehicle_id)
    assert (car.next_service_date, car.next_service_km) == (due, 47000)
    assert FollowUpTask.select().where(FollowUpTask.order == ro.id).count() == 1
    assert Event.select().where((Event.action == 'order.delivered') & (Event.record_id == ro.id)).count() == 1
    # The freed tag goes straight onto the next car checked in.
    draft = checkin.start_checkin(shop, advisor, customer=ro.customer, vehicle=ro.vehicle)
    checkin.assign_key(draft, advisor, tag=tag, hook=hook)
    assert KeyTag.get_by_id(tag.id).order_id == draft.id
    record = desk.get('/orders/%d/delivery' % ro.id).get_data(as_text=True)
    assert 'Customer took it home at check-in' in record and 'Handed over at' in record


def test_delivery_refused_when_not_ready_or_not_settled(desk, shop, advisor):
    """A car still in the wash, or one without a settled bill, must not be handed over."""
    washing = build_order(shop, advisor, stage=stages.READY_FOR_WASH)[0]
    settle(desk, washing)
    resp = desk.post('/orders/%d/delivery' % washing.id, data=checklist(washing))
    assert resp.status_code == 400 and 'not ready for pickup' in resp.get_data(as_text=True)
    unsettled = build_order(shop, advisor)[0]
    page = desk.get('/orders/%d/delivery' % unsettled.id).get_data(as_text=True)
    assert 'Settle the order before the car is handed over' in page and 'disabled' in page
    resp = desk.post('/orders/%d/delivery' % unsettled.id, data=checklist(unsettled))
    assert resp.status_code == 400
    assert RepairOrder.get_by_id(unsettled.id).stage == stages.READY_FOR_PICKUP
    assert KeyTag.get_by_id(unsettled.key_tag_id).order_id == unsettled.id


def test_checklist_must_be_complete(desk, order):
    """An unticked belonging needs a note, the key must be handed back, the customer must sign and answer."""
    paid(desk, order)
    umbrella = Belonging.get((Belonging.order == order) & (Belonging.name == 'Umbrella'))
    for changes, message in [({'ret_%d' % umbrella.id: None}, 'note what happened to it'),
                             ({'key_returned': None}, 'Hand the key to the customer'),
                             ({'signature': ''}, 'has not signed yet'),
                             ({'satisfaction': None}, 'how satisfied'),
                             ({'documents_returned': None}, 'Tick the documents returned')]:
        resp = desk.post('/orders/%d/delivery' % order.id, data=checklist(order, **changes))
        assert resp.status_code == 400 and message in resp.get_data(as_text=True), message
    assert RepairOrder.get_by_id(order.id).stage == stages.READY_FOR_PICKUP
    assert VehicleDelivery.select().count() == 0 and Signature.select().count() == 0
    assert 'value="王芳"' in resp.get_data(as_text=True)                       # what was typed is kept


def test_outstanding_balance_leaves_only_on_account(desk, order):
    """With money still owed the car leaves only with a reason, and the debt stays in receivables."""
    settle(desk, order)
    act(desk, order, 'payments', method='cash', amount='1000')
    resp = desk.post('/orders/%d/delivery' % order.id, data=checklist(order))
    assert resp.status_code == 400 and 'is still owed' in resp.get_data(as_text=True)
    resp = desk.post('/orders/%d/delivery' % order.id,
                     data=checklist(order, on_account_reason='Company pays by transfer on Friday'))
    assert resp.status_code == 302
    delivery = VehicleDelivery.get()
    assert delivery.balance == Decimal('1133.44')
    body = desk.get('/receivables').get_data(as_text=True)
    assert 'Company pays by transfer on Friday' in body and '¥1,133.44' in body


def test_stale_and_repeated_delivery(desk, order):
    """A checklist drawn before someone else changed the order gets 409; a double tap hands the car over once."""
    paid(desk, order)
    stale = checklist(order, version=str(RepairOrder.get_by_id(order.id).version - 1))
    assert desk.post('/orders/%d/delivery' % order.id, data=stale).status_code == 409
    assert RepairOrder.get_by_id(order.id).stage == stages.READY_FOR_PICKUP
    data = checklist(order, idem='tap-tap')
    assert desk.post('/orders/%d/delivery' % order.id, data=data).status_code == 302
    again = desk.post('/orders/%d/delivery' % order.id, data=data)
    assert again.status_code == 302 and again.headers['Location'].endswith('/orders/%d/delivery' % order.id)
    assert VehicleDelivery.select().count() == 1 and Signature.select().count() == 1


def test_closing_when_paid_or_by_the_manager_with_a_reason(app, desk, boss, shop, advisor):
    """A delivered order closes once paid; with money owed only the manager closes it, and says why."""
    done = build_order(shop, advisor)[0]
    paid(desk, done)
    desk.post('/orders/%d/delivery' % done.id, data=checklist(done))
    resp = desk.post('/orders/%d/close' % done.id, data={'version': RepairOrder.get_by_id(done.id).version,
                                                         'idem': 'c1'})
    assert resp.status_code == 302 and RepairOrder.get_by_id(done.id).stage == stages.CLOSED
    owing = build_order(shop, advisor)[0]
    settle(desk, owing)
    desk.post('/orders/%d/delivery' % owing.id, data=checklist(owing, on_account_reason='Fleet account'))
    version = RepairOrder.get_by_id(owing.id).version
    resp = desk.post('/orders/%d/close' % owing.id, data={'version': version, 'idem': 'c2'})
    assert resp.status_code == 400 and 'only the service manager' in resp.get_data(as_text=True)
    resp = boss.post('/orders/%d/close' % owing.id, data={'version': version, 'idem': 'c3'})
    assert resp.status_code == 400 and 'Say why' in resp.get_data(as_text=True)
    resp = boss.post('/orders/%d/close' % owing.id, data={'version': version, 'idem': 'c4',
                                                          'reason': 'Fleet customer, monthly invoice'})
    assert resp.status_code == 302 and RepairOrder.get_by_id(owing.id).stage == stages.CLOSED
    assert Event.select().where((Event.action == 'order.closed') & (Event.note == 'Fleet customer, monthly invoice')).exists()
    assert order_money(owing).balance > 0                                      # still a receivable
    assert Settlement.get(Settlement.order == owing).status == Settlement.SETTLED


def test_close_refused_before_delivery(desk, order):
    """An order not yet handed over cannot be closed."""
    paid(desk, order)
    resp = desk.post('/orders/%d/close' % order.id, data={'version': order.version, 'idem': 'x'})
    assert resp.status_code == 400 and 'Only a delivered order' in resp.get_data(as_text=True)


def test_next_maintenance_without_maintenance_keeps_what_is_on_file(desk, shop, advisor):
    """A repair without maintenance must not invent a new due date: the vehicle's own stays proposed."""
    ro, maint_line, _ = build_order(shop, advisor)
    maint_line.delete_instance(recursive=True)
    Vehicle.update(next_service_date=date(2031, 5, 1), next_service_km=60000).where(Vehicle.id == ro.vehicle_id).execute()
    page = desk.get('/orders/%d/delivery' % ro.id).get_data(as_text=True)
    assert 'value="2031-05-01"' in page and 'value="60000"' in page


def test_customer_service_reads_but_does_not_deliver(app, order, make_user):
    """Customer service may read the settlement but not hand a car over."""
    make_user('cara', ['customer_service'])
    care = login(app, 'cara')
    assert care.get('/orders/%d/delivery' % order.id).status_code == 403
    assert care.post('/orders/%d/delivery' % order.id, data=checklist(order)).status_code == 403
