"""The rulebook numbers of aftercare read right (issue 16): complaints answered within 24 hours and major problems
handled within 48 (003), the second follow-up call 7 to 14 days after the first (001 "一周后7天以内"), activities
announced a week ahead (001 "提前一周")."""
from datetime import timedelta

import pytest

from app.aftercare import complaints, events, followups
from app.aftercare.shared import local_day
from app.aftercare.models import CallRecord, Complaint, FollowUpTask, ShopEvent
from app.core.db import utcnow
from app.core.timeutil import shop_today
from tests import factories
from tests.aftercare.helpers import delivered_order, staff
from tests.helpers import reload, sign_in
from tests.queues.helpers import clock, state, step_mark


@pytest.fixture
def people(shop):
    return staff(shop)


def _log(client, order, severity):
    resp = client.post('/aftercare/complaints/new', data={
        'channel': 'phone', 'severity': severity, 'contact': '', 'order_number': order.number,
        'content': '发动机故障灯亮', 'idem': 'log-%s' % severity})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return Complaint.select().order_by(Complaint.id.desc()).get()


def test_a_complaint_is_answered_within_24_hours_and_a_major_one_handled_within_48(client, shop, people):
    """A complaint would wait two days for its first answer, and a major problem would have no handling deadline."""
    order = factories.make_order(shop, people['advisor'])
    sign_in(client, people['cs'])
    normal = _log(client, order, 'normal')
    assert normal.first_answer_due_at == normal.logged_at + timedelta(hours=24)
    assert normal.handled_due_at is None
    major = _log(client, order, 'major')
    assert (major.severity, major.first_answer_due_at, major.handled_due_at) == (
        Complaint.MAJOR, major.logged_at + timedelta(hours=24), major.logged_at + timedelta(hours=48))
    html = client.get('/aftercare/complaints/%d' % major.id).get_data(as_text=True)
    assert 'data-testid="complaint-handled-due"' in html and 'Major problem' in html
    assert 'data-testid="complaint-handled-due"' not in client.get(
        '/aftercare/complaints/%d' % normal.id).get_data(as_text=True)
    assert 'data-testid="complaint-major"' in client.get('/aftercare/complaints?show=all').get_data(as_text=True)


def test_a_bad_severity_is_refused_in_place(client, shop, people):
    """A complaint logged with a severity nobody knows would have no deadline for handling."""
    sign_in(client, people['cs'])
    resp = client.post('/aftercare/complaints/new', data={
        'channel': 'phone', 'severity': 'apocalyptic', 'contact': '钱先生 13800000000', 'content': '洗车没洗干净',
        'idem': 'bad'})
    assert resp.status_code == 400 and '洗车没洗干净' in resp.get_data(as_text=True)
    assert Complaint.select().count() == 0


def test_investigation_that_finds_a_major_problem_sets_the_48_hour_deadline(client, shop, people):
    """A complaint found to be a major problem on investigation would keep no handling deadline."""
    order = factories.make_order(shop, people['advisor'])
    c = complaints.log_complaint(shop, people['cs'], channel='phone', content='刹车失灵', order=order)
    sign_in(client, people['cs'])
    resp = client.post('/aftercare/complaints/%d/investigate' % c.id, data={
        'version': c.version, 'investigation': '路试确认', 'cause_category': 'quality', 'service_fault': 'yes',
        'severity': 'major', 'idem': 'inv'})
    assert resp.status_code == 302
    c = reload(c)
    assert c.severity == Complaint.MAJOR and c.handled_due_at == c.logged_at + timedelta(hours=48)


def test_a_major_problem_stays_in_the_queue_until_handled_and_counts_in_the_kpi(shop, people):
    """A major complaint answered but not handled in 48 hours would leave the queue and never count as late."""
    cs = people['cs']
    with clock('2026-03-02 09:00') as t:
        order = factories.make_order(shop, people['advisor'])
        c = complaints.log_complaint(shop, cs, channel='phone', content='高速动力不足', order=order,
                                     severity=Complaint.MAJOR)
        key = 'complaint:%d' % c.id
        t.shift(timedelta(hours=2))
        complaints.first_answer(reload(c), cs, answer='明早接车', told_channel='phone')
        assert state('customer_service', shop, cs, key) == 'open'            # still to handle, 46 h left
        t.shift(timedelta(hours=40))
        assert state('customer_service', shop, cs, key) == 'soon'
        t.shift(timedelta(hours=7))                                          # 49 h
        assert state('customer_service', shop, cs, key) == 'late'
        assert step_mark(shop, 'compliance_complaint_handled', order.number, c.logged_at) == 'skipped'
        assert step_mark(shop, 'compliance_complaint_answer', order.number, c.logged_at) == 'on_time'
        c = reload(c)
        complaints.investigate(c, cs, investigation='火花塞', cause_category='quality', service_fault=True)
        complaints.resolve(reload(c), cs, resolution='更换火花塞', told_channel='phone', satisfaction=4)
        assert state('customer_service', shop, cs, key) is None
        assert step_mark(shop, 'compliance_complaint_handled', order.number, c.logged_at) == 'late'


def test_a_major_problem_handled_in_time_is_on_time(shop, people):
    """A major problem resolved within 48 hours would not count as handled in time."""
    cs = people['cs']
    with clock('2026-03-02 09:00') as t:
        order = factories.make_order(shop, people['advisor'])
        c = complaints.log_complaint(shop, cs, channel='phone', content='异响', order=order, severity=Complaint.MAJOR)
        complaints.investigate(c, cs, investigation='x', cause_category='quality', service_fault=True)
        t.shift(timedelta(hours=30))
        complaints.resolve(reload(c), cs, resolution='已修复', told_channel='phone', satisfaction=5)
        assert step_mark(shop, 'compliance_complaint_handled', order.number, c.logged_at) == 'on_time'


@pytest.mark.shop_tz('Asia/Shanghai')
def test_second_call_window_is_days_7_to_14_after_the_first_through_the_form(client, shop, people):
    """The second follow-up call would fall due the day after the first, not in the week after the following week."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow() - timedelta(days=3)),
                                        people['advisor'])
    sign_in(client, people['cs'])
    resp = client.post('/aftercare/tasks/%d/call' % task.id, data={
        'version': task.version, 'outcome': 'reached', 'satisfaction': '5', 'notes': '满意', 'idem': 'c1'})
    assert resp.status_code == 302
    day = local_day(shop, CallRecord.get(CallRecord.task == task.id).called_at)
    second = FollowUpTask.get((FollowUpTask.order == task.order_id) & (FollowUpTask.kind == FollowUpTask.SECOND))
    assert (second.due_from - day, second.due_by - day) == (timedelta(days=7), timedelta(days=14))


def test_activities_are_announced_a_week_ahead_not_the_day_before(client, shop, people):
    """A call task for an activity would be due the day before it, too late to tell the customer a week ahead."""
    today = shop_today(shop)
    event = ShopEvent.create(shop=shop, title='冬季检测', starts_on=today + timedelta(days=10))
    customer = factories.make_customer(shop, consent_contact=True)
    factories.make_order(shop, people['advisor'], vehicle=factories.make_vehicle(shop, customer))
    sign_in(client, people['cs'])
    resp = client.post('/aftercare/events/%d/notify' % event.id, data={
        'via': 'call', 'customer_id': customer.id, 'idem': 'ev'})
    assert resp.status_code == 302
    task = FollowUpTask.get(FollowUpTask.kind == FollowUpTask.EVENT)
    assert task.due_by == event.starts_on - timedelta(days=7)
    html = client.get('/aftercare/events/%d' % event.id).get_data(as_text=True)
    assert (event.starts_on - timedelta(days=7)).isoformat() in html
    # an event less than a week away: the notice is late already, due today
    soon = ShopEvent.create(shop=shop, title='周末活动', starts_on=today + timedelta(days=3))
    assert events.notice_due_by(soon, today) == today
