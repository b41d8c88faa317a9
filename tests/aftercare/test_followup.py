"""Follow-up calls (跟踪服务): the call windows, the lists of calls due, call outcomes and requests."""
from datetime import date, datetime, timedelta

import pytest

from app.aftercare import call_requests, followups, shared
from app.aftercare.models import CallRecord, FollowUpTask
from app.core.db import utcnow
from app.core.errors import Refused
from app.core.models import Event
from app.core.timeutil import shop_today
from tests import factories
from tests.aftercare.helpers import delivered_order, staff, utc
from tests.helpers import HX, sign_in


@pytest.fixture
def people(shop):
    return staff(shop)


@pytest.mark.shop_tz('Asia/Shanghai')
def test_first_call_window_is_2_to_7_days_after_pickup_in_the_shops_calendar(shop, people):
    """A car picked up just after midnight in Shanghai would get its call window a day early if UTC were used."""
    # 17:30 UTC on 1 March is 01:30 on 2 March in Shanghai: pickup day is 2 March.
    order = delivered_order(shop, people['advisor'], utc(2026, 3, 1, 17, 30))
    task = followups.schedule_followups(order, people['advisor'])
    assert (task.kind, task.status) == (FollowUpTask.FIRST, FollowUpTask.OPEN)
    assert task.due_from == date(2026, 3, 4)
    assert task.due_by == date(2026, 3, 9)
    assert task.customer_id == order.customer_id and task.assigned_to_id is None


def test_scheduling_twice_keeps_one_task_and_shows_on_the_orders_timeline(shop, people):
    """Delivery retried on flaky Wi-Fi must not put the customer on the call list twice."""
    order = delivered_order(shop, people['advisor'], utcnow())
    first = followups.schedule_followups(order, people['advisor'])
    again = followups.schedule_followups(order, people['advisor'])
    assert first.id == again.id
    assert FollowUpTask.select().where(FollowUpTask.order == order.id).count() == 1
    events = list(Event.for_record('repair_order', order.id).where(Event.action == 'followup.scheduled'))
    assert len(events) == 1 and events[0].after_data['due_from']


@pytest.mark.shop_tz('Asia/Shanghai')
def test_second_call_is_due_in_the_week_after_the_week_following_the_first_call(shop, people):
    """The second call must come 7 to 14 days after the first (001 "一周后7天以内"), not before and not forgotten."""
    order = delivered_order(shop, people['advisor'], utc(2026, 3, 1, 2, 0))
    first = followups.schedule_followups(order, people['advisor'])
    assert FollowUpTask.select().where(FollowUpTask.kind == FollowUpTask.SECOND).count() == 0
    # 16:30 UTC on 5 March is 00:30 on 6 March in Shanghai.
    followups.record_call(first, people['cs'], outcome=CallRecord.REACHED, satisfaction=5,
                          called_at=utc(2026, 3, 5, 16, 30), expected_version=first.version)
    first = FollowUpTask.get_by_id(first.id)
    assert first.status == FollowUpTask.DONE and first.done_at == utc(2026, 3, 5, 16, 30)
    second = FollowUpTask.get((FollowUpTask.order == order.id) & (FollowUpTask.kind == FollowUpTask.SECOND))
    assert (second.due_from, second.due_by) == (date(2026, 3, 13), date(2026, 3, 20))   # the first on 6 March
    # the second call reached: no third
    followups.record_call(second, people['cs'], outcome=CallRecord.REACHED, called_at=utc(2026, 3, 14, 3, 0))
    assert FollowUpTask.select().where(FollowUpTask.order == order.id).count() == 2


def test_no_answer_keeps_the_task_open_and_counts_attempts(shop, people):
    """A customer who did not pick up must stay on the list, with the tries counted."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow() - timedelta(days=3)),
                                        people['advisor'])
    followups.record_call(task, people['cs'], outcome=CallRecord.NO_ANSWER, satisfaction=4)
    followups.record_call(task, people['cs'], outcome=CallRecord.NO_ANSWER)
    task = FollowUpTask.get_by_id(task.id)
    assert task.status == FollowUpTask.OPEN and task.attempts == 2
    assert [c.satisfaction for c in task.calls] == [None, None]   # nobody answered, nobody rated
    assert FollowUpTask.select().where(FollowUpTask.kind == FollowUpTask.SECOND).count() == 0


def test_call_back_schedules_the_task_at_the_time_asked(shop, people):
    """'Call me back tomorrow at three' must put the call on tomorrow's list, not today's."""
    now = utcnow()
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], now - timedelta(days=3)),
                                        people['advisor'])
    today = shop_today(shop)
    assert followups.task_state(task, shop, today) == followups.DUE_TODAY
    back = now + timedelta(days=1)
    with pytest.raises(Refused):
        followups.record_call(task, people['cs'], outcome=CallRecord.CALL_BACK, call_back_at=None)
    followups.record_call(task, people['cs'], outcome=CallRecord.CALL_BACK, call_back_at=back)
    task = FollowUpTask.get_by_id(task.id)
    assert task.status == FollowUpTask.OPEN and task.call_back_at == back and task.attempts == 1
    assert followups.task_state(task, shop, today) == followups.UPCOMING
    assert task.id not in [t.id for t in followups.due_tasks(shop, today)]
    assert followups.task_state(task, shop, today + timedelta(days=1)) == followups.DUE_TODAY
    assert followups.task_state(task, shop, today + timedelta(days=2)) == followups.OVERDUE


def test_wrong_number_closes_the_task_without_a_second_call(shop, people):
    """A wrong number cannot be called again until the file is corrected: the call leaves the list."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow() - timedelta(days=3)),
                                        people['advisor'])
    followups.record_call(task, people['cs'], outcome=CallRecord.WRONG_NUMBER, notes='空号')
    task = FollowUpTask.get_by_id(task.id)
    assert task.status == FollowUpTask.CANCELLED
    assert FollowUpTask.select().where(FollowUpTask.kind == FollowUpTask.SECOND).count() == 0
    with pytest.raises(Refused):
        followups.record_call(task, people['cs'], outcome=CallRecord.REACHED)


def _task(shop, customer_order, due_from, due_by, who=None):
    return FollowUpTask.create(shop=shop, order=customer_order, customer=customer_order.customer_id,
                               kind=FollowUpTask.FIRST, due_from=due_from, due_by=due_by, assigned_to=who)


def test_calls_due_today_and_overdue_per_person(shop, people):
    """Each caller must see their own calls for today and the ones they missed, and nobody's calls separately."""
    today = date(2026, 5, 10)
    adv = people['advisor']
    overdue = _task(shop, factories.make_order(shop, adv), today - timedelta(days=7), today - timedelta(days=1),
                    people['cs'])
    due_today = _task(shop, factories.make_order(shop, adv), today - timedelta(days=1), today + timedelta(days=4),
                      people['cs'])
    last_day = _task(shop, factories.make_order(shop, adv), today - timedelta(days=5), today)
    starts_today = _task(shop, factories.make_order(shop, adv), today, today + timedelta(days=5), people['cs2'])
    _task(shop, factories.make_order(shop, adv), today + timedelta(days=1), today + timedelta(days=6))   # not yet
    done = _task(shop, factories.make_order(shop, adv), today - timedelta(days=3), today + timedelta(days=3))
    done.status = FollowUpTask.DONE
    done.save()

    groups = followups.calls_due_by_person(shop, today)
    by_person = {g.user.id if g.user else None: g for g in groups}
    assert groups[0].user is None                                   # the shared pile first
    assert [t.id for t in by_person[None].today] == [last_day.id] and by_person[None].overdue == []
    assert [t.id for t in by_person[people['cs'].id].overdue] == [overdue.id]
    assert [t.id for t in by_person[people['cs'].id].today] == [due_today.id]
    assert [t.id for t in by_person[people['cs2'].id].today] == [starts_today.id]
    mine = followups.calls_due_by_person(shop, today, people['cs'].id)
    assert len(mine) == 1 and mine[0].count == 2
    nobody = followups.calls_due_by_person(shop, today, 'unassigned')
    assert [t.id for g in nobody for t in g.today + g.overdue] == [last_day.id]


@pytest.mark.shop_tz('Asia/Shanghai')
def test_today_is_the_shops_local_day(shop, people):
    """A call-back at 00:30 Shanghai time belongs on that Shanghai day's list, not the UTC day before."""
    assert shared.day_bounds(shop, date(2026, 5, 10)) == (datetime(2026, 5, 9, 16, 0), datetime(2026, 5, 10, 16, 0))
    order = factories.make_order(shop, people['advisor'])
    task = _task(shop, order, date(2026, 5, 1), date(2026, 5, 20))
    task.call_back_at = datetime(2026, 5, 9, 16, 30)          # 00:30 on 10 May in Shanghai
    task.save()
    assert followups.task_state(task, shop, date(2026, 5, 9)) == followups.UPCOMING
    assert followups.task_state(task, shop, date(2026, 5, 10)) == followups.DUE_TODAY
    assert [t.id for t in followups.due_tasks(shop, date(2026, 5, 9))] == []
    assert [t.id for t in followups.due_tasks(shop, date(2026, 5, 10))] == [task.id]


def test_calls_page_lists_per_person_and_filters_mine(client, shop, people):
    """The caller's page must list their due calls under their name, and 'Mine' must hide the others'."""
    today = shop_today(shop)
    adv = people['advisor']
    a = _task(shop, factories.make_order(shop, adv), today - timedelta(days=8), today - timedelta(days=1), people['cs'])
    b = _task(shop, factories.make_order(shop, adv), today, today + timedelta(days=5), people['cs2'])
    sign_in(client, people['cs'])
    html = client.get('/aftercare/calls').get_data(as_text=True)
    assert 'task-%d' % a.id in html and 'task-%d' % b.id in html
    assert 'Overdue' in html and 'Second Caller' in html
    html = client.get('/aftercare/calls?who=me').get_data(as_text=True)
    assert 'task-%d' % a.id in html and 'task-%d' % b.id not in html


def test_request_deadline_about_to_breach_and_breached(shop, people):
    """A request nobody answered must turn amber a day before its 2-day deadline and red after it."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utc(2026, 3, 1, 2)), people['advisor'])
    called = utc(2026, 3, 5, 2, 0)
    call = followups.record_call(task, people['cs'], outcome=CallRecord.REACHED, satisfaction=3,
                                 request='想知道保修期到哪天', called_at=called)
    assert call.request_status == CallRecord.R_OPEN
    assert call.request_due_at == called + timedelta(days=2)
    assert call_requests.request_state(call, called + timedelta(hours=23, minutes=59)) == 'open'
    assert call_requests.request_state(call, called + timedelta(hours=24)) == 'due_soon'
    assert call_requests.request_state(call, called + timedelta(hours=47)) == 'due_soon'
    assert call_requests.request_state(call, called + timedelta(hours=48)) == 'breached'
    watch = call_requests.requests_to_watch(shop, called + timedelta(hours=50))
    assert [(c.id, c.state) for c in watch] == [(call.id, 'breached')]


def test_request_answered_during_the_call_is_closed_at_once(shop, people):
    """A question the caller answered on the phone must not show up as waiting."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow()), people['advisor'])
    call = followups.record_call(task, people['cs'], outcome=CallRecord.REACHED, request='下次保养时间？',
                                 answer='半年或五千公里')
    assert call.request_status == CallRecord.R_ANSWERED and call.answered_at == call.called_at
    assert call.told_channel == 'phone' and call_requests.requests_to_watch(shop, utcnow()) == []


def test_escalate_records_who_and_when_and_answer_records_how(shop, people):
    """The supervisor must get the request with who escalated it and when; the answer says when and how."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow()), people['advisor'])
    call = followups.record_call(task, people['cs'], outcome=CallRecord.REACHED, request='要求赔偿洗车费')
    with pytest.raises(Refused):
        call_requests.escalate_request(call, people['cs'], to=people['cs2'])          # not a supervisor
    call_requests.escalate_request(call, people['cs'], to=people['manager'], expected_version=call.version)
    call = CallRecord.get_by_id(call.id)
    assert call.request_status == CallRecord.R_ESCALATED
    assert call.escalated_by_id == people['cs'].id and call.escalated_to_id == people['manager'].id
    assert call.escalated_at is not None
    watch = call_requests.requests_to_watch(shop, utcnow())
    assert [c.state for c in watch] == ['escalated']
    call_requests.answer_request(call, people['manager'], answer='同意免费洗车一次', told_channel='message')
    call = CallRecord.get_by_id(call.id)
    assert (call.request_status, call.told_channel) == ('answered', 'message')
    assert call.answered_by_id == people['manager'].id
    assert call.answered_at is not None and call_requests.requests_to_watch(shop, utcnow()) == []
    actions = [e.action for e in Event.for_record('repair_order', task.order_id).order_by(Event.id)]
    assert actions[-3:] == ['followup.call', 'followup.request_escalated', 'followup.request_answered']


def test_record_call_through_the_form(client, shop, people):
    """A caller fills the call form and the call is saved with the request and its deadline."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow() - timedelta(days=3)),
                                        people['advisor'])
    sign_in(client, people['cs'])
    page = client.get('/aftercare/tasks/%d' % task.id)
    assert page.status_code == 200 and 'name="idem"' in page.get_data(as_text=True)
    resp = client.post('/aftercare/tasks/%d/call' % task.id, data={
        'version': task.version, 'outcome': 'reached', 'satisfaction': '4', 'notes': '满意',
        'request': '发票重开', 'answer': '', 'idem': 'k1'})
    assert resp.status_code == 302
    call = CallRecord.get(CallRecord.task == task.id)
    assert (call.satisfaction, call.request_status, call.caller_id) == (4, 'open', people['cs'].id)
    html = client.get('/aftercare/requests').get_data(as_text=True)
    assert '发票重开' in html


def test_call_back_without_a_time_is_refused_and_keeps_what_was_typed(client, shop, people):
    """A 'call back' without a time would lose the call: the form says so and keeps the notes."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow()), people['advisor'])
    sign_in(client, people['cs'])
    resp = client.post('/aftercare/tasks/%d/call' % task.id, data={
        'version': task.version, 'outcome': 'call_back', 'notes': '在开会', 'idem': 'k2'})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'Enter when to call back' in html and '在开会' in html
    assert CallRecord.select().count() == 0


def test_assign_a_call_from_the_list_swaps_the_row(client, shop, people):
    """Giving a call to a colleague from the list must change only that row."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow() - timedelta(days=3)),
                                        people['advisor'])
    sign_in(client, people['manager'])
    resp = client.post('/aftercare/tasks/%d/assign' % task.id, headers=HX,
                       data={'version': task.version, 'assigned_to': str(people['cs2'].id), 'idem': 'a1'})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert html.strip().startswith('<tr id="task-%d"' % task.id)
    assert FollowUpTask.get_by_id(task.id).assigned_to_id == people['cs2'].id
    # an advisor is no caller
    resp = client.post('/aftercare/tasks/%d/assign' % task.id,
                       data={'version': task.version + 1, 'assigned_to': str(people['advisor'].id), 'idem': 'a2'})
    assert resp.status_code == 400


def test_stale_assign_from_the_list_gets_the_fresh_row(client, shop, people):
    """Two managers handing out the same call: the second sees that row as it is now, not an error page."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow() - timedelta(days=3)),
                                        people['advisor'])
    followups.assign_task(task, people['cs'], people['manager'])
    sign_in(client, people['manager'])
    resp = client.post('/aftercare/tasks/%d/assign' % task.id, headers=HX,
                       data={'version': task.version - 1, 'assigned_to': str(people['cs2'].id), 'idem': 'a3'})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and html.strip().startswith('<tr id="task-%d"' % task.id)
    assert 'Someone else changed this' in html
    assert FollowUpTask.get_by_id(task.id).assigned_to_id == people['cs'].id
