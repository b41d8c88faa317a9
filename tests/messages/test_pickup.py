"""Pickup notice (通知客户接车): 1 h ahead for jobs under two days, 4 h for longer ones; a late car as early before its new time."""
from datetime import datetime, timedelta

from app.core import stages
from app.core.db import utcnow
from app.core.models import Setting
from app.messages import pickup
from app.messages.models import Message
from app.messages.rules import send
from app.reception.models import RepairOrder
from app.reception.models import StatusLink
from app.workshop.models import ProgressCheck
from tests import factories

T0 = datetime(2026, 3, 2, 1, 0)          # 09:00 in Shenzhen


def _order(shop, by, days, **kw):
    return factories.make_order(shop, by, checked_in_at=T0, promised_at=T0 + timedelta(days=days), **kw)


def _sign_in(client, user):
    with client.session_transaction() as s:
        s['_user_id'] = user.get_id()
        s['_fresh'] = True


def test_one_day_job_is_announced_one_hour_ahead(app, shop, staff):
    """A same-day or next-day job: the customer hears an hour before, enough to come over."""
    order = _order(shop, staff['advisor'], 1)
    assert pickup.pickup_notice_due_at(order, now=T0) == T0 + timedelta(days=1) - timedelta(hours=1)


def test_three_day_job_is_announced_four_hours_ahead(app, shop, staff):
    """A long job: four hours ahead, the customer has to plan the trip."""
    order = _order(shop, staff['advisor'], 3)
    assert pickup.pickup_notice_due_at(order, now=T0) == T0 + timedelta(days=3) - timedelta(hours=4)
    two_days = _order(shop, staff['advisor'], 2)        # "two days or more" is long
    assert pickup.pickup_notice_due_at(two_days, now=T0) == T0 + timedelta(days=2) - timedelta(hours=4)


def test_the_hours_are_settings(app, shop, staff):
    """A shop that wants to warn earlier changes the setting, not the code."""
    Setting.create(shop=shop, key='pickup_notice_short_hours', value='2')
    Setting.create(shop=shop, key='long_job_days', value='4')
    order = _order(shop, staff['advisor'], 3)
    assert pickup.pickup_notice_due_at(order, now=T0) == T0 + timedelta(days=3) - timedelta(hours=2)


def test_late_order_is_announced_as_early_before_the_new_time_with_the_reason(app, shop, staff):
    """A one-day job put back to the next afternoon: an hour before the new time, saying why."""
    order = _order(shop, staff['advisor'], 1)
    new_time = T0 + timedelta(days=1, hours=6)
    ProgressCheck.create(shop=shop, order=order, checked_by=staff['advisor'], checked_at=T0 + timedelta(hours=12),
                         on_track=False, old_promised_at=order.promised_at, new_promised_at=new_time,
                         reason='配件延迟到货')
    assert pickup.pickup_notice_due_at(order, now=T0) == new_time - timedelta(hours=1)
    notice = pickup.notice_for(order, check=pickup._latest_checks([order.id])[order.id], now=T0)
    assert notice.kind == Message.LATE_NOTICE and notice.reason == '配件延迟到货' and notice.ready_at == new_time
    subject, body = pickup.preview(notice)
    assert '交车时间调整' in subject and '配件延迟到货' in body and '抱歉' in body
    # a long job keeps its four hours before the new time, even when the delay is short
    long_job = _order(shop, staff['advisor'], 3)
    later = long_job.promised_at + timedelta(hours=2)
    ProgressCheck.create(shop=shop, order=long_job, checked_by=staff['advisor'], on_track=False,
                         old_promised_at=long_job.promised_at, new_promised_at=later, reason='x')
    assert pickup.pickup_notice_due_at(long_job, now=T0) == later - timedelta(hours=4)


def test_late_by_the_workshops_timing_without_a_new_time(app, shop, staff):
    """Past the promise with no new time yet: a late notice at the usual moment, saying the advisor will call."""
    order = _order(shop, staff['advisor'], 1)
    now = order.promised_at + timedelta(minutes=30)
    notice = pickup.notice_for(order, now=now)
    assert notice.kind == Message.LATE_NOTICE and notice.ready_at is None
    assert notice.due_at == order.promised_at - timedelta(hours=1)
    subject, body = pickup.preview(notice)
    assert '致电告知新的交车时间' in body


def test_list_of_notices_due_and_one_tap_send(client, shop, staff):
    """The advisor sees the notices due with the text ready; one tap sends it and it leaves the list."""
    soon = factories.make_order(shop, staff['advisor'], checked_in_at=utcnow() - timedelta(hours=5),
                                promised_at=utcnow() + timedelta(minutes=30), lines=0)   # work done: on time
    later = factories.make_order(shop, staff['advisor'], checked_in_at=utcnow() - timedelta(hours=1),
                                 promised_at=utcnow() + timedelta(hours=5))
    assert [n.order.id for n in pickup.notices_due(shop)] == [soon.id]
    _sign_in(client, staff['advisor'])
    links_before = StatusLink.select().count()
    page = client.get('/messages/pickup-notices').get_data(as_text=True)
    assert soon.number in page and later.number not in page
    assert StatusLink.select().count() == links_before         # the preview (a GET) wrote nothing
    assert '尊敬的' in page                                   # the prepared text, in the customer's language
    resp = client.post('/messages/pickup-notices/%d/send' % soon.id, data={'idem': 'k1'},
                       headers={'HX-Request': 'true'})
    fragment = resp.get_data(as_text=True)
    assert resp.status_code == 200 and fragment.lstrip().startswith('<div id="pickup-notices">')
    assert 'id="notice-%d"' % soon.id not in fragment and 'hx-swap-oob' in fragment
    assert pickup.notices_due(shop) == []
    message = Message.get(Message.order == soon)
    assert message.kind == Message.PICKUP_NOTICE and message.status == Message.SENT
    assert StatusLink.select().where(StatusLink.order == soon).exists()   # the sent notice carries the link
    # a repeated tap (flaky Wi-Fi) sends nothing twice
    client.post('/messages/pickup-notices/%d/send' % soon.id, data={'idem': 'k1'})
    client.post('/messages/pickup-notices/%d/send' % soon.id, data={'idem': 'k2'})
    assert Message.select().where(Message.order == soon).count() == 1


def test_failed_notice_stays_on_the_list(client, app, shop, staff):
    """If the message could not go out, the advisor still sees the customer to tell."""
    order = factories.make_order(shop, staff['advisor'], checked_in_at=utcnow() - timedelta(hours=5),
                                 promised_at=utcnow() + timedelta(minutes=30))
    app.config['MESSAGE_SENDER'] = 'smtp'                    # no e-mail address: fails
    _sign_in(client, staff['advisor'])
    client.post('/messages/pickup-notices/%d/send' % order.id)
    assert Message.get(Message.order == order).status == Message.FAILED
    assert [n.order.id for n in pickup.notices_due(shop)] == [order.id]


def test_a_new_delay_after_the_notice_brings_the_order_back(app, shop, staff):
    """Told 'ready at five', then the car is late: the customer must hear again, with the new time."""
    order = factories.make_order(shop, staff['advisor'], checked_in_at=utcnow() - timedelta(hours=5),
                                 promised_at=utcnow() + timedelta(minutes=30), lines=0)
    notice = pickup.notices_due(shop)[0]
    assert notice.kind == Message.PICKUP_NOTICE
    pickup.send_notice(notice, staff['advisor'])
    assert pickup.notices_due(shop) == []
    ProgressCheck.create(shop=shop, order=order, checked_by=staff['advisor'], on_track=False,
                         old_promised_at=order.promised_at, new_promised_at=utcnow() + timedelta(minutes=40),
                         reason='test drive found a noise')
    again = pickup.notices_due(shop)
    assert [n.kind for n in again] == [Message.LATE_NOTICE]
    pickup.send_notice(again[0], staff['advisor'])
    assert pickup.notices_due(shop) == []


def test_a_car_ready_early_is_due_at_once(app, shop, staff, make_user):
    """The car is done hours before the promise: the customer may come now."""
    boss = make_user('boss', ['advisor', 'foreman', 'technician', 'qc'])
    order = factories.make_order(shop, staff['advisor'], checked_in_at=utcnow() - timedelta(hours=1),
                                 promised_at=utcnow() + timedelta(hours=8))
    assert pickup.notices_due(shop) == []
    for to in (stages.DISPATCHED, stages.IN_PROGRESS, stages.READY_FOR_QC, stages.READY_FOR_WASH,
               stages.READY_FOR_PICKUP):
        stages.move(order, to, by=boss)
    due = pickup.notices_due(shop)
    assert [n.order.id for n in due] == [order.id] and due[0].ready
    subject, body = pickup.preview(due[0])
    assert '已可提车' in subject


def test_delivered_orders_need_no_notice(app, shop, staff):
    """Nobody is told to pick up a car already handed back."""
    order = _order(shop, staff['advisor'], 1)
    RepairOrder.update(stage=stages.DELIVERED).where(RepairOrder.id == order.id).execute()
    assert pickup.pickup_notice_due_at(RepairOrder.get_by_id(order.id)) is None
    assert send is not None
