"""Added work (追加维修项目): the approval queue and the customer's answer, recorded by the advisor."""
import json
from datetime import timedelta
from decimal import Decimal

from app.approvals import rules
from app.core import photos, stages
from app.core.db import utcnow
from app.core.models import Event
from app.core.timeutil import to_local
from app.core.models import Photo
from app.reception.models import OrderLine, PartLine, Recommendation, RepairOrder
from app.settlement.models import Settlement
from app.workshop.models import AddedWork, Finding
from tests import factories
from tests.approvals.helpers import make_work
from tests.helpers import HX, at_stage, sign_in



def _now_local():
    return to_local(utcnow(), factories.SHOP_TZ).strftime('%Y-%m-%dT%H:%M')


def _answer(work, decision='approved', **kw):
    data = {'version': str(AddedWork.get_by_id(work.id).version), 'decision': decision, 'channel': 'phone',
            'spoke_with': '王芳', 'at': _now_local(), 'idem': 'k-%s-%s' % (work.id, decision)}
    data.update(kw)
    return data


def _events(order, action):
    return list(Event.select().where((Event.record_type == 'repair_order') & (Event.record_id == order.id)
                                     & (Event.action == action)))


def test_queue_shows_photos_hours_parts_price_and_delay(advisor_client, order, staff):
    """The advisor must see what the technician found, what it costs and how much later the car will be."""
    finding = Finding.create(shop=order.shop_id, order=order, technician=staff['technician'], severity='red',
                             note='前刹车片剩 2 mm')
    name, w, h = photos.store(factories.tiny_jpeg())
    photo = Photo.create(shop=order.shop_id, record_type='finding', record_id=finding.id, filename=name, width=w,
                         height=h)
    make_work(order, staff['technician'], safety=True, finding=finding)
    body = advisor_client.get('/approvals').get_data(as_text=True)
    assert '粤B12345' in body and '更换前刹车片' in body
    assert '/photos/%d?thumb=1' % photo.id in body
    # labour 360 + parts 680 + 13 % tax: the price the settlement charges (it told ¥1,040.00, then billed ¥1,175.20)
    assert '¥1,175.20' in body and '¥1,040.00' not in body
    assert '1 h 30 min' in body and 'Safety' in body
    assert 'every 5s' in body


def test_item_panel_shows_parts_promise_and_a_filled_form(advisor_client, order, staff):
    """Opening an item shows the parts, the promise before and after, and the customer's name ready to keep."""
    work = make_work(order, staff['technician'])
    resp = advisor_client.get('/approvals/%d' % work.id, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="decision"' in body and '<html' not in body
    assert '04465-33471' in body and '¥680.00' in body and '¥135.20' in body and '¥1,175.20' in body
    assert 'value="王芳"' in body and 'name="idem"' in body and 'name="version"' in body
    full = advisor_client.get('/approvals/%d' % work.id).get_data(as_text=True)
    assert '<html' in full and 'id="approval-queue"' in full


def test_approval_adds_the_line_with_parts_moves_the_promise_and_is_on_the_timeline(advisor_client, order, staff):
    """An approved item must appear on the order as a job for the same technician, and the car be promised later."""
    work = make_work(order, staff['technician'])
    before = RepairOrder.get_by_id(order.id).promised_at
    resp = advisor_client.post('/approvals/%d/decide' % work.id, data=_answer(work, price_told='1175.20'))
    assert resp.status_code == 302
    line = OrderLine.get(OrderLine.added_work_id == work.id)
    assert line.description == work.description and line.labour_hours == Decimal('1.2')
    assert line.labour_price == Decimal('360.00') and line.technician_id == staff['technician'].id
    assert line.status == stages.LINE_ASSIGNED
    parts = list(PartLine.select().where(PartLine.line == line))
    assert [(p.part_number, p.quantity, p.unit_price) for p in parts] == [('04465-33471', Decimal('1'), Decimal('680'))]
    ro = RepairOrder.get_by_id(order.id)
    assert ro.promised_at == before + timedelta(minutes=90)
    work = AddedWork.get_by_id(work.id)
    assert (work.status, work.channel, work.spoke_with) == ('approved', 'phone', '王芳')
    assert work.decided_by == staff['advisor'].id
    assert work.price_told == Decimal('1175.20') and work.delay_told_minutes == 90
    [event] = _events(order, 'added_work.approved')
    assert json.loads(event.before)['promised_at'] == before.isoformat()
    assert json.loads(event.after)['promised_at'] == ro.promised_at.isoformat()
    assert json.loads(event.after)['line'] == line.id
    assert ro.stage == stages.IN_PROGRESS         # nothing else pending
    timeline = advisor_client.get('/orders/%d' % order.id).get_data(as_text=True)
    assert 'Added work approved' in timeline and 'added_work.approved' not in timeline   # words for the advisor
    # the decided item's panel shows the one promised time the order holds, not the delay applied a second time
    # (the order said 15:57 while the panel read "promised 15:57, then 17:27")
    panel = advisor_client.get('/approvals/%d' % work.id, headers=HX).get_data(as_text=True)
    now_promised = to_local(ro.promised_at, factories.SHOP_TZ).strftime('%m-%d %H:%M')
    twice = to_local(ro.promised_at + timedelta(minutes=90), factories.SHOP_TZ).strftime('%m-%d %H:%M')
    assert 'data-testid="promised-now"' in panel and now_promised in panel and twice not in panel
    # the customer agreed to the delay: timeliness counts from the promise moved by it
    assert RepairOrder.get_by_id(order.id).original_promised_at == before + timedelta(minutes=90)


def test_the_delay_told_is_the_one_promised(advisor_client, order, staff):
    """If the advisor tells the customer two hours, the promise moves by two hours, not by the workshop's guess."""
    work = make_work(order, staff['technician'], delay=90)
    before = order.promised_at
    advisor_client.post('/approvals/%d/decide' % work.id, data=_answer(work, delay_told_minutes='120'))
    assert RepairOrder.get_by_id(order.id).promised_at == before + timedelta(minutes=120)


def test_declined_item_is_kept_on_the_vehicle_and_a_safety_decline_flags_the_order(advisor_client, order, staff):
    """Declined work must come up again at the next visit, and a declined safety item must be on record."""
    plain = make_work(order, staff['technician'], description='更换雨刮片', parts=())
    safety = make_work(order, staff['technician'], description='更换前刹车片', safety=True)
    advisor_client.post('/approvals/%d/decide' % plain.id, data=_answer(plain, 'declined'))
    assert RepairOrder.get_by_id(order.id).safety_declined is False
    advisor_client.post('/approvals/%d/decide' % safety.id, data=_answer(safety, 'declined'))
    recs = {r.description: r for r in Recommendation.select().where(Recommendation.vehicle == order.vehicle_id)}
    assert set(recs) == {'更换雨刮片', '更换前刹车片'}
    assert recs['更换前刹车片'].safety is True and recs['更换前刹车片'].price == Decimal('1175.20')
    assert recs['更换前刹车片'].order_id == order.id
    ro = RepairOrder.get_by_id(order.id)
    assert ro.safety_declined is True and ro.stage == stages.IN_PROGRESS
    assert not OrderLine.select().where(OrderLine.added_work_id.is_null(False)).exists()
    [event] = [e for e in _events(order, 'added_work.declined') if json.loads(e.after)['work'] == safety.id]
    assert json.loads(event.after)['safety_declined'] is True
    panel = advisor_client.get('/approvals/%d' % safety.id).get_data(as_text=True)
    assert 'Safety item declined' in panel


def test_could_not_reach_keeps_the_item_pending_with_the_attempt(advisor_client, order, staff):
    """An unanswered call must not decide anything, but the next advisor sees it was tried."""
    work = make_work(order, staff['technician'])
    resp = advisor_client.post('/approvals/%d/decide' % work.id, data=_answer(work, 'unreachable', spoke_with=''))
    assert resp.status_code == 302
    work = AddedWork.get_by_id(work.id)
    assert work.status == AddedWork.PENDING and work.decided_at is None
    assert len(_events(order, 'added_work.unreachable')) == 1
    assert RepairOrder.get_by_id(order.id).stage == stages.WAITING_APPROVAL
    body = advisor_client.get('/approvals').get_data(as_text=True)
    assert 'Not reached 1×' in body
    assert 'Could not reach' in advisor_client.get('/approvals/%d' % work.id).get_data(as_text=True)


def test_order_goes_back_in_progress_only_when_nothing_is_pending(advisor_client, order, staff):
    """The technician may carry on only once every item on the order has the customer's answer."""
    first = make_work(order, staff['technician'])
    second = make_work(order, staff['technician'], description='更换空调滤芯', parts=())
    advisor_client.post('/approvals/%d/decide' % first.id, data=_answer(first))
    assert RepairOrder.get_by_id(order.id).stage == stages.WAITING_APPROVAL
    advisor_client.post('/approvals/%d/decide' % second.id, data=_answer(second, 'unreachable'))
    assert RepairOrder.get_by_id(order.id).stage == stages.WAITING_APPROVAL
    advisor_client.post('/approvals/%d/decide' % second.id, data=_answer(second, 'declined', idem='again'))
    assert RepairOrder.get_by_id(order.id).stage == stages.IN_PROGRESS


def test_decision_on_an_order_not_waiting_leaves_its_stage(advisor_client, order, staff):
    """An item decided while the car waits for parts must not pull it back into progress."""
    at_stage(order, stages.WAITING_PARTS)
    work = make_work(order, staff['technician'])
    advisor_client.post('/approvals/%d/decide' % work.id, data=_answer(work))
    assert RepairOrder.get_by_id(order.id).stage == stages.WAITING_PARTS


def test_stale_version_is_refused_with_409(advisor_client, order, staff):
    """Two advisors answering the same item: the second must be told, not overwrite the first."""
    work = make_work(order, staff['technician'])
    old = _answer(work)
    assert advisor_client.post('/approvals/%d/decide' % work.id, data=old).status_code == 302
    stale = dict(old, decision='declined', idem='another-key')
    resp = advisor_client.post('/approvals/%d/decide' % work.id, data=stale)
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)                  # the item as it is now, saying why
    assert 'changed this a moment ago' in page and 'id="decision"' in page
    assert AddedWork.get_by_id(work.id).status == 'approved'
    assert not Recommendation.select().exists()


def test_a_repeated_submit_records_one_decision(advisor_client, order, staff):
    """A double tap on flaky Wi-Fi must not add the job twice."""
    work = make_work(order, staff['technician'])
    data = _answer(work, idem='same-key')
    first = advisor_client.post('/approvals/%d/decide' % work.id, data=data, headers=HX)
    again = advisor_client.post('/approvals/%d/decide' % work.id, data=data, headers=HX)
    assert first.status_code == again.status_code == 200
    assert 'Approved' in again.get_data(as_text=True)
    assert first.headers['HX-Trigger'] == 'approvals-changed'
    assert OrderLine.select().where(OrderLine.added_work_id == work.id).count() == 1
    assert PartLine.select().where(PartLine.order == order).count() == 1
    assert len(_events(order, 'added_work.approved')) == 1


def test_missing_answer_details_are_explained_and_typed_values_kept(advisor_client, order, staff):
    """A form sent without who answered must say so and keep the rest of what was typed."""
    work = make_work(order, staff['technician'])
    resp = advisor_client.post('/approvals/%d/decide' % work.id, headers=HX,
                               data=_answer(work, spoke_with='', note='客户说下周再来'))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'Enter who gave the answer.' in body and '客户说下周再来' in body
    assert AddedWork.get_by_id(work.id).status == 'pending'
    future = to_local(utcnow() + timedelta(hours=3), factories.SHOP_TZ).strftime('%Y-%m-%dT%H:%M')
    resp = advisor_client.post('/approvals/%d/decide' % work.id, data=_answer(work, at=future))
    assert resp.status_code == 400 and 'cannot be in the future' in resp.get_data(as_text=True)


def test_poll_answers_204_until_the_queue_changes(advisor_client, order, staff):
    """A queue left open polls every 5 s: unchanged costs nothing, a new request shows at once."""
    token = rules.queue_token(order.shop_id)
    resp = advisor_client.get('/approvals/queue?v=%s' % token, headers=HX)
    assert resp.status_code == 204 and resp.get_data() == b''
    make_work(order, staff['technician'], description='更换刹车油')
    resp = advisor_client.get('/approvals/queue?v=%s' % token, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and '更换刹车油' in body and 'id="approval-queue"' in body and '<html' not in body
    assert rules.queue_token(order.shop_id) in body


def test_a_call_attempt_changes_the_poll_token(advisor_client, order, staff):
    """Another advisor's screen must show that the customer was already tried."""
    work = make_work(order, staff['technician'])
    token = rules.queue_token(order.shop_id)
    advisor_client.post('/approvals/%d/decide' % work.id, data=_answer(work, 'unreachable'))
    assert rules.queue_token(order.shop_id) != token


def test_only_advisors_and_managers_record_answers(client, order, staff):
    """A technician must not approve their own added work; the manager may stand in for an advisor."""
    work = make_work(order, staff['technician'])
    sign_in(client, 'tom')
    assert client.get('/approvals').status_code == 403
    assert client.post('/approvals/%d/decide' % work.id, data=_answer(work)).status_code == 403
    sign_in(client, 'pat')
    assert client.get('/approvals/queue').status_code == 403
    assert AddedWork.get_by_id(work.id).status == 'pending'
    sign_in(client, 'mia')
    assert client.post('/approvals/%d/decide' % work.id, data=_answer(work)).status_code == 302
    assert AddedWork.get_by_id(work.id).status == 'approved'


def test_another_shops_item_does_not_exist(advisor_client, staff):
    """Changing the id in the address must not open or decide another shop's added work."""
    other = factories.make_shop('S2')
    ro = factories.make_order(other, staff['advisor'])
    work = make_work(ro, staff['technician'])
    assert advisor_client.get('/approvals/%d' % work.id).status_code == 404
    assert advisor_client.post('/approvals/%d/decide' % work.id, data=_answer(work)).status_code == 404


def test_approving_on_a_settled_order_is_refused_and_nothing_changes(advisor_client, order, staff):
    """Work approved after the bill is settled would be done for free or billed twice."""
    work = make_work(order, staff['technician'])
    Settlement.create(shop=order.shop_id, order=order, status=Settlement.SETTLED, number='JS-2026-000001',
                      settled_at=utcnow(), created_by=staff['advisor'].id)
    RepairOrder.update(settled_at=utcnow()).where(RepairOrder.id == order.id).execute()   # as settling does
    lines_before = OrderLine.select().where(OrderLine.order == order).count()
    resp = advisor_client.post('/approvals/%d/decide' % work.id, data=_answer(work), headers=HX)
    assert resp.status_code == 400
    assert 'This order is settled' in resp.get_data(as_text=True)
    assert AddedWork.get_by_id(work.id).status == AddedWork.PENDING
    assert OrderLine.select().where(OrderLine.order == order).count() == lines_before
    declined = advisor_client.post('/approvals/%d/decide' % work.id, data=_answer(work, 'declined'), headers=HX)
    assert declined.status_code == 200          # a "no" changes no bill: it is still recorded
