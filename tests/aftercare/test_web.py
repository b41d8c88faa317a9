"""Aftercare pages for every role, a repeated submit done once, a stale form refused with 409."""
from datetime import timedelta

import pytest

from app.aftercare import complaints, followups
from app.aftercare.models import CallRecord, Complaint, ComplaintHandover
from app.core.access import ANY_STAFF, ROLES
from app.core.db import utcnow
from app.core.models import Event
from tests.aftercare.helpers import delivered_order, staff
from tests.core.world import build_world, url_for_rule
from tests.helpers import sign_in


@pytest.fixture
def people(shop):
    return staff(shop)


def _aftercare_rules(app, method):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith('aftercare.') and method in r.methods]


@pytest.mark.parametrize('who', ROLES)
def test_aftercare_pages_for_every_role(app, who):
    """Each role sees the aftercare pages it works with and is refused the others, never a crash."""
    world = build_world()
    client = app.test_client()
    sign_in(client, world.users[who])
    for rule in _aftercare_rules(app, 'GET'):
        audience = app.view_functions[rule.endpoint].access_rule
        resp = client.get(url_for_rule(rule, world.records))
        expected = 200 if (ANY_STAFF in audience or who in audience) else 403
        assert resp.status_code == expected, (who, rule.rule, resp.status_code)


@pytest.mark.parametrize('who', ['technician', 'parts', 'advisor', 'foreman'])
def test_post_actions_refuse_roles_that_do_not_make_calls(app, who):
    """Only customer service and managers record calls, answer requests and send reminders."""
    world = build_world()
    client = app.test_client()
    sign_in(client, world.users[who])
    before = Event.select().count()
    for endpoint in ('record_call', 'assign', 'answer_request', 'escalate_request', 'remind', 'notify_event',
                     'new_event'):
        rule = next(r for r in _aftercare_rules(app, 'POST') if r.endpoint == 'aftercare.' + endpoint)
        resp = client.post(url_for_rule(rule, world.records), data={'version': '1', 'outcome': 'reached',
                                                                    'via': 'message'})
        assert resp.status_code == 403, (who, rule.rule)
    assert Event.select().count() == before


def test_other_shops_records_are_not_found(app):
    """A caller of shop A must never open shop B's calls or complaints."""
    world = build_world()
    client = app.test_client()
    sign_in(client, world.users['customer_service'])
    for path in ('/aftercare/tasks/%d' % world.foreign['task_id'], '/aftercare/calls/%d' % world.foreign['call_id'],
                 '/aftercare/complaints/%d' % world.foreign['complaint_id'],
                 '/aftercare/events/%d' % world.foreign['event_id']):
        assert client.get(path).status_code == 404, path
    html = client.get('/aftercare/requests').get_data(as_text=True) + \
        client.get('/aftercare/complaints?show=all').get_data(as_text=True)
    for marker in world.markers:
        assert marker not in html


def test_repeated_call_submit_is_recorded_once(client, shop, people):
    """A double tap on 'Save call' on flaky Wi-Fi must log one call, not two."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow() - timedelta(days=3)),
                                        people['advisor'])
    sign_in(client, people['cs'])
    data = {'version': task.version, 'outcome': 'no_answer', 'idem': 'tap-1'}
    first = client.post('/aftercare/tasks/%d/call' % task.id, data=data)
    again = client.post('/aftercare/tasks/%d/call' % task.id, data=data)
    assert first.status_code == 302 and again.status_code == 302
    assert CallRecord.select().count() == 1


def test_repeated_handover_submit_is_recorded_once(client, shop, people):
    """A retried handover must not record two handovers."""
    c = complaints.log_complaint(shop, people['cs'], channel='phone', content='x', contact='y')
    sign_in(client, people['cs'])
    data = {'version': c.version, 'to_user': str(people['advisor'].id), 'idem': 'same'}
    for _ in range(2):
        assert client.post('/aftercare/complaints/%d/handover' % c.id, data=data).status_code == 302
    assert ComplaintHandover.select().count() == 1


def test_stale_call_form_is_refused_with_409(client, shop, people):
    """Two callers on the same task: the second, with an old page, must be told it changed, not overwrite it."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow() - timedelta(days=3)),
                                        people['advisor'])
    old_version = task.version
    followups.record_call(task, people['cs2'], outcome='no_answer')
    sign_in(client, people['cs'])
    resp = client.post('/aftercare/tasks/%d/call' % task.id, data={'version': old_version, 'outcome': 'reached',
                                                                   'idem': 'x1'})
    assert resp.status_code == 409 and 'Someone else changed this' in resp.get_data(as_text=True)
    assert 'Record this call' in resp.get_data(as_text=True)              # the task as it is now, to try again
    assert CallRecord.select().count() == 1


def test_stale_complaint_form_is_refused_with_409(client, shop, people):
    """An investigation saved over a colleague's newer one would lose their notes."""
    c = complaints.log_complaint(shop, people['cs'], channel='phone', content='x', contact='y')
    complaints.investigate(c, people['cs'], investigation='第一版', cause_category='price', service_fault=None)
    sign_in(client, people['manager'])
    resp = client.post('/aftercare/complaints/%d/investigate' % c.id, data={
        'version': 1, 'investigation': '旧页面', 'cause_category': 'other', 'idem': 'x2'})
    assert resp.status_code == 409 and 'Someone else changed this' in resp.get_data(as_text=True)
    assert '第一版' in resp.get_data(as_text=True) and '旧页面' not in resp.get_data(as_text=True)
    assert Complaint.get_by_id(c.id).investigation == '第一版'


def test_request_escalation_and_answer_through_the_pages(client, shop, people):
    """The caller escalates from the call page and the manager records the answer there."""
    task = followups.schedule_followups(delivered_order(shop, people['advisor'], utcnow()), people['advisor'])
    call = followups.record_call(task, people['cs'], outcome='reached', request='能否上门取车')
    sign_in(client, people['cs'])
    resp = client.post('/aftercare/calls/%d/escalate' % call.id, data={
        'version': call.version, 'to': str(people['advisor'].id), 'idem': 'e0'})
    assert resp.status_code == 400                                  # an advisor is not the supervisor
    resp = client.post('/aftercare/calls/%d/escalate' % call.id, data={
        'version': call.version, 'to': str(people['manager'].id), 'idem': 'e1'})
    assert resp.status_code == 302
    sign_in(client, people['manager'])
    html = client.get('/aftercare/calls/%d' % call.id).get_data(as_text=True)
    assert '王经理 Wang' in html and 'Escalated' in html
    resp = client.post('/aftercare/calls/%d/answer' % call.id, data={
        'version': call.version + 1, 'answer': '可以，周六上门', 'told_channel': 'phone', 'idem': 'e2'})
    assert resp.status_code == 302
    assert CallRecord.get_by_id(call.id).request_status == 'answered'


def test_repeated_complaint_submit_logs_one_complaint(client, shop, people):
    """A double tap on 'Log complaint' must not open the same complaint twice."""
    sign_in(client, people['advisor'])
    data = {'channel': 'phone', 'contact': '冯先生 13800138000', 'content': '等太久', 'idem': 'c-1'}
    assert client.post('/aftercare/complaints/new', data=data).status_code == 302
    assert client.post('/aftercare/complaints/new', data=data).status_code == 302
    assert Complaint.select().count() == 1
