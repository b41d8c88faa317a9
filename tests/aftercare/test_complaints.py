"""Complaints (投诉): ownership and handover, the first-answer deadline and escalation, the analysis."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from app.aftercare import analysis, complaints, shared
from app.aftercare.models import Complaint, ComplaintHandover
from app.core.db import utcnow
from app.core.errors import Refused
from app.core.models import Event
from tests import factories
from tests.aftercare.helpers import staff
from tests.helpers import sign_in


@pytest.fixture
def people(shop):
    return staff(shop)


def test_anyone_logs_a_complaint_and_owns_it(client, shop, people):
    """A technician who takes a complaint at the car owns it (首问负责制) and sees the answer deadline."""
    order = factories.make_order(shop, people['advisor'])
    sign_in(client, people['tech'])
    assert client.get('/aftercare/complaints/new?order_id=%d' % order.id).status_code == 200
    resp = client.post('/aftercare/complaints/new', data={
        'channel': 'in_person', 'contact': '', 'order_number': order.number, 'content': '洗车没洗干净'})
    assert resp.status_code == 302
    c = Complaint.get()
    assert (c.owner_id, c.logged_by_id, c.order_id, c.customer_id) == (people['tech'].id, people['tech'].id,
                                                                       order.id, order.customer_id)
    assert c.contact.startswith(order.customer.name)
    assert c.first_answer_due_at == c.logged_at + timedelta(hours=24)      # 003: first response within 24 hours
    assert c.severity == Complaint.NORMAL and c.handled_due_at is None
    assert Event.for_record('repair_order', order.id).where(Event.action == 'complaint.logged').exists()


def test_complaint_form_keeps_what_was_typed_on_error(client, shop, people):
    """A mistyped order number must not lose the complaint the customer just dictated."""
    sign_in(client, people['advisor'])
    resp = client.post('/aftercare/complaints/new', data={
        'channel': 'phone', 'contact': '周先生 13800138000', 'order_number': 'RO-1999-000001', 'content': '电话没人接'})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'No repair order with this number' in html and '电话没人接' in html and '周先生' in html
    assert Complaint.select().count() == 0


def test_handover_is_recorded_and_moves_ownership(client, shop, people):
    """Handing a complaint on must say who gave it to whom and when; the old owner can no longer act on it."""
    c = complaints.log_complaint(shop, people['tech'], channel='phone', content='配件等了一周', contact='吴女士 139')
    sign_in(client, people['tech'])
    resp = client.post('/aftercare/complaints/%d/handover' % c.id, data={
        'version': c.version, 'to_user': str(people['advisor'].id), 'note': '请跟进配件', 'idem': 'h1'})
    assert resp.status_code == 302
    c = Complaint.get_by_id(c.id)
    h = ComplaintHandover.get()
    assert (h.from_user_id, h.to_user_id, h.note) == (people['tech'].id, people['advisor'].id, '请跟进配件')
    assert c.owner_id == people['advisor'].id and c.logged_by_id == people['tech'].id
    # the technician handed it on: no more handing over for them
    resp = client.post('/aftercare/complaints/%d/handover' % c.id, data={
        'version': c.version, 'to_user': str(people['cs'].id), 'idem': 'h2'})
    assert resp.status_code == 403
    # another advisor is not the owner: refused; the owner may act
    other = factories.make_user('adv2', ['advisor'], [shop])
    with pytest.raises(shared.NotYours):
        complaints.first_answer(c, other, answer='x', told_channel='phone')
    sign_in(client, other)
    resp = client.post('/aftercare/complaints/%d/answer' % c.id, data={
        'version': c.version, 'answer': '已联系供应商', 'told_channel': 'phone', 'idem': 'h3'})
    assert resp.status_code == 403
    sign_in(client, people['advisor'])
    resp = client.post('/aftercare/complaints/%d/answer' % c.id, data={
        'version': c.version, 'answer': '已联系供应商，明天到货', 'told_channel': 'phone', 'idem': 'h4'})
    assert resp.status_code == 302
    assert Complaint.get_by_id(c.id).status == Complaint.ANSWERED


def test_first_answer_due_and_escalation_to_the_manager(shop, people):
    """A complaint without a first answer in 24 hours (003) must go to the service manager, on the record, once."""
    logged = datetime(2026, 4, 1, 2, 0)
    c = complaints.log_complaint(shop, people['advisor'], channel='phone', content='态度差', contact='钱先生',
                                 logged_at=logged)
    answered = complaints.log_complaint(shop, people['advisor'], channel='phone', content='价格', contact='孙',
                                        logged_at=logged)
    complaints.first_answer(answered, people['advisor'], answer='正在核实', told_channel='phone',
                            at=logged + timedelta(hours=3))
    assert complaints.answer_state(c, logged + timedelta(hours=17)) == 'open'
    assert complaints.answer_state(c, logged + timedelta(hours=19)) == 'due_soon'     # the last quarter
    assert complaints.escalate_overdue_complaints(shop, logged + timedelta(hours=24) - timedelta(seconds=1)) == []
    done = complaints.escalate_overdue_complaints(shop, logged + timedelta(hours=24))
    assert [x.id for x in done] == [c.id]
    c = Complaint.get_by_id(c.id)
    assert c.escalated_to_id == people['manager'].id and c.escalated_at == logged + timedelta(hours=24)
    assert c.owner_id == people['advisor'].id                          # still owned by who received it
    event = Event.get(Event.action == 'complaint.escalated')
    assert event.after_data['escalated_to'] == people['manager'].id and 'within 24 hours' in event.note
    assert complaints.escalate_overdue_complaints(shop, logged + timedelta(days=5)) == []   # once only
    assert complaints.may_handle(c, people['manager'])


def test_escalation_without_a_manager_is_still_recorded(shop):
    """A shop without a manager must still see the breach on the complaint, never silently."""
    tech = factories.make_user('lonely', ['technician'], [shop])
    c = complaints.log_complaint(shop, tech, channel='letter', content='x', contact='y', logged_at=datetime(2026, 1, 1))
    complaints.escalate_overdue_complaints(shop, datetime(2026, 1, 4))
    c = Complaint.get_by_id(c.id)
    assert c.escalated_at == datetime(2026, 1, 4) and c.escalated_to_id is None
    assert 'no service manager' in Event.get(Event.action == 'complaint.escalated').note


def test_complaint_list_and_cli_escalate_overdue_ones(client, runner, shop, people):
    """Opening the list or the nightly command must escalate what is overdue."""
    late = complaints.log_complaint(shop, people['advisor'], channel='phone', content='慢', contact='a',
                                    logged_at=utcnow() - timedelta(days=3))
    sign_in(client, people['cs'])
    html = client.get('/aftercare/complaints').get_data(as_text=True)
    assert 'escalated to the service manager' in html
    assert Complaint.get_by_id(late.id).escalated_to_id == people['manager'].id
    later = complaints.log_complaint(shop, people['advisor'], channel='phone', content='慢2', contact='b',
                                     logged_at=utcnow() - timedelta(days=3))
    result = runner.invoke(args=['aftercare-escalate'])
    assert result.exit_code == 0 and 'S1: 1 escalated' in result.output
    assert Complaint.get_by_id(later.id).escalated_at is not None


def test_resolve_needs_a_cause_and_records_how_the_customer_was_told(shop, people):
    """A complaint resolved without a cause would be missing from the analysis."""
    c = complaints.log_complaint(shop, people['cs'], channel='online', content='漆面有色差', contact='郑')
    with pytest.raises(Refused):
        complaints.resolve(c, people['cs'], resolution='重喷', told_channel='phone', satisfaction=4)
    complaints.investigate(c, people['cs'], investigation='调色不准', cause_category='quality', service_fault=True)
    complaints.resolve(c, people['cs'], resolution='免费重喷', told_channel='phone', satisfaction=4)
    c = Complaint.get_by_id(c.id)
    assert (c.status, c.customer_satisfaction, c.told_channel) == ('resolved', 4, 'phone')
    assert c.customer_told_at and c.first_answer_at == c.customer_told_at
    complaints.close_complaint(c, people['manager'])
    assert Complaint.get_by_id(c.id).status == 'closed'


def _complaint(shop, by, at, cause, fault=None, answer_hours=None, satisfaction=None):
    c = complaints.log_complaint(shop, by, channel='phone', content=cause, contact='x', logged_at=at)
    complaints.investigate(c, by, investigation='', cause_category=cause, service_fault=fault)
    if answer_hours is not None:
        complaints.first_answer(c, by, answer='ok', told_channel='phone', at=at + timedelta(hours=answer_hours))
    if satisfaction is not None:
        complaints.resolve(c, by, resolution='done', told_channel='phone', satisfaction=satisfaction)
    return c


@pytest.mark.shop_tz('Asia/Shanghai')
def test_analysis_counts_by_cause_and_month_in_the_shops_calendar(shop, people):
    """The monthly complaint review must count each complaint once, in the right month and cause."""
    by = people['cs']
    today = date(2026, 3, 15)
    # 16:30 UTC on 31 January is 00:30 on 1 February in Shanghai
    _complaint(shop, by, datetime(2026, 1, 31, 16, 30), 'waiting', fault=True, answer_hours=2, satisfaction=4)
    _complaint(shop, by, datetime(2026, 1, 20, 3, 0), 'waiting', fault=False, answer_hours=10)
    _complaint(shop, by, datetime(2026, 3, 2, 3, 0), 'quality', fault=True, answer_hours=60, satisfaction=2)
    _complaint(shop, by, datetime(2025, 3, 31, 3, 0), 'price')                # more than 12 months ago
    complaints.log_complaint(shop, by, channel='phone', content='?', contact='y', logged_at=datetime(2026, 3, 10, 3))
    a = analysis.complaint_analysis(shop, today)
    assert a.months[0] == (2025, 4) and a.months[-1] == (2026, 3) and len(a.months) == 12
    assert a.counts['waiting'][(2026, 2)] == 1 and a.counts['waiting'][(2026, 1)] == 1
    assert a.counts['quality'][(2026, 3)] == 1 and a.cause_totals['price'] == 0
    assert a.counts[''][(2026, 3)] == 1                                       # not yet categorised
    assert a.month_totals[(2026, 3)] == 2 and a.total == 4
    assert a.service_fault == 2 and a.service_fault_share == Decimal('0.5')
    assert a.avg_satisfaction == Decimal('3.0')
    assert a.median_first_answer_hours == Decimal('10.0')
    assert a.answered_late == 1


def test_analysis_page_draws_a_table_and_an_svg_chart(client, shop, people):
    """The manager's analysis page must show the numbers and the chart without any script."""
    _complaint(shop, people['cs'], utcnow() - timedelta(days=1), 'attitude', fault=True, answer_hours=1,
               satisfaction=5)
    sign_in(client, people['manager'])
    resp = client.get('/aftercare/complaints/analysis')
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and '<svg' in html and 'ac-c-attitude' in html
    assert '<script' not in html.split('</head>')[1]
    assert 'Service attitude' in html
    sign_in(client, people['tech'])
    assert client.get('/aftercare/complaints/analysis').status_code == 403
