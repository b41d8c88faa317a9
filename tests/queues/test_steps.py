"""One definition of "due" and "late" (app.core.deadlines): for each rulebook step, a record left past its deadline
is red in the queue of the person who must act, leaves the queue once done, and the process-compliance figure counts
the step late or skipped. Walk-around and belongings are signed with the order at the counter (no queue item)."""
import json
from datetime import timedelta
from decimal import Decimal

import pytest

from app.aftercare import complaints, followups
from app.aftercare.models import FollowUpTask
from app.appointments.models import Appointment
from app.appointments.rules import mark_reminded
from app.approvals.rules import record_progress_check
from app.catalogue.models import CannedJob
from app.core import audit, stages
from app.core.db import utcnow
from app.dispatch.rules import assign_order
from app.messages.models import Message
from app.reception.models import OrderLine, RepairOrder
from app.settlement.models import Settlement
from app.workshop.models import AddedWork
from tests import factories
from tests.helpers import at_stage, reload
from tests.queues.helpers import clock, queue, state, step_mark

pytestmark = pytest.mark.shop_tz('Asia/Shanghai')
START = '2026-03-10 09:00'          # a Tuesday morning in the shop


@pytest.fixture
def people(make_user):
    return {r: make_user('q_' + r, [r]) for r in ('advisor', 'foreman', 'technician', 'customer_service')}


def deliver(order, at=None):
    RepairOrder.update(stage=stages.DELIVERED, delivered_at=at or utcnow()).where(RepairOrder.id == order.id).execute()
    audit.record('order.stage', 'repair_order', order.id, shop=order.shop_id, actor=None,
                 before={'stage': order.stage}, after={'stage': stages.DELIVERED})
    return reload(order)


def test_acceptance_late_is_red_for_the_foreman_and_late_on_the_dashboard(shop, people):
    """A car not signed into the workshop within the setting's minutes would not be red for the foreman first."""
    with clock(START) as t:
        order = factories.make_order(shop, people['advisor'])
        key = 'acceptance:%d' % order.id
        t.shift(timedelta(minutes=9))
        assert state('foreman', shop, people['foreman'], key) in ('open', 'soon')
        t.shift(timedelta(minutes=2))
        assert state('foreman', shop, people['foreman'], key) == 'late'
        assign_order(reload(order), people['foreman'], people['technician'])
        assert key not in queue('foreman', shop, people['foreman'])
        order = deliver(order)
        assert step_mark(shop, 'compliance_acceptance', order.number, order.delivered_at) == 'late'


def test_acceptance_in_time_is_never_red_and_on_time(shop, people):
    """The foreman's item would turn red (or the figure count late) for a car signed in within the minutes."""
    with clock(START) as t:
        order = factories.make_order(shop, people['advisor'])
        t.shift(timedelta(minutes=10))
        assert state('foreman', shop, people['foreman'], 'acceptance:%d' % order.id) == 'soon'
        assign_order(reload(order), people['foreman'], people['technician'])
        order = deliver(order)
        assert step_mark(shop, 'compliance_acceptance', order.number, order.delivered_at) == 'on_time'


def test_progress_check_after_the_window_is_red_and_late(shop, people):
    """An order past 80 % of its promised time without a check would not be red for the advisor first."""
    with clock(START) as t:
        order = factories.make_order(shop, people['advisor'], promised_at=utcnow() + timedelta(hours=10))
        key = 'progress:%d' % order.id
        t.shift(timedelta(hours=4, minutes=50))
        assert key not in queue('advisor', shop, people['advisor'])          # the window opens at 50 %
        t.shift(timedelta(minutes=20))
        assert state('advisor', shop, people['advisor'], key) in ('open', 'soon')
        t.shift(timedelta(hours=3))                                          # 81.7 %
        assert state('advisor', shop, people['advisor'], key) == 'late'
        record_progress_check(reload(order), people['advisor'], on_track=True, expected_version=reload(order).version)
        assert key not in queue('advisor', shop, people['advisor'])
        order = deliver(order)
        assert step_mark(shop, 'compliance_progress', order.number, order.delivered_at) == 'late'


def test_pickup_notice_after_its_lead_is_red_and_late(shop, people):
    """A pickup notice not sent an hour before the promised time would not be red for the advisor first."""
    with clock(START) as t:
        order = factories.make_order(shop, people['advisor'], promised_at=utcnow() + timedelta(hours=6))
        key = 'pickup:%d' % order.id
        t.shift(timedelta(hours=4, minutes=30))                              # due at 5 h: shown an hour ahead
        assert state('advisor', shop, people['advisor'], key) in ('open', 'soon')
        t.shift(timedelta(minutes=40))
        item = queue('advisor', shop, people['advisor'])[key]
        assert item.state == 'late' and item.kind == Message.LATE_NOTICE      # more work left than time
        Message.create(shop=shop, order=order, kind=item.kind, channel=Message.LOG, status=Message.SENT,
                       sent_at=utcnow())
        assert key not in queue('advisor', shop, people['advisor'])
        t.shift(timedelta(hours=2))
        order = deliver(order)
        assert step_mark(shop, 'compliance_pickup', order.number, order.delivered_at) == 'late'


def test_maintenance_order_unsettled_after_its_days_is_red_and_late(shop, people):
    """A maintenance order still unsettled three days after it was ready would not be red for the advisor first."""
    job = CannedJob.create(shop=shop, code='M', name='Maintenance', hours=Decimal('1'), category='maintenance')
    with clock(START) as t:
        order = factories.make_order(shop, people['advisor'])
        OrderLine.update(canned_job=job.id).where(OrderLine.order == order.id).execute()
        t.shift(timedelta(hours=2))
        order = at_stage(order, stages.READY_FOR_PICKUP)
        audit.record('order.stage', 'repair_order', order.id, shop=shop, actor=None,
                     before={'stage': stages.READY_FOR_WASH}, after={'stage': stages.READY_FOR_PICKUP})
        key = 'settle:%d' % order.id
        t.shift(timedelta(days=2, hours=23))
        assert state('advisor', shop, people['advisor'], key) == 'soon'
        t.shift(timedelta(hours=2))
        assert state('advisor', shop, people['advisor'], key) == 'late'
        Settlement.create(shop=shop, order=order, status=Settlement.SETTLED, settled_at=utcnow(), number='ST-1')
        assert key not in queue('advisor', shop, people['advisor'])
        order = deliver(order)
        assert step_mark(shop, 'compliance_settlement', order.number, order.delivered_at) == 'late'


def test_follow_up_call_past_its_window_is_red_then_skipped_then_late(shop, people):
    """A first follow-up call not made by its last day would not be red for customer service first."""
    cs = people['customer_service']
    with clock(START) as t:
        order = deliver(factories.make_order(shop, people['advisor']))
        task = followups.schedule_followups(order, people['advisor'])
        key = 'call:%d' % task.id
        assert key not in queue('customer_service', shop, cs)                # not due before day 2
        t.shift(timedelta(days=7))                                           # the last day
        assert state('customer_service', shop, cs, key) == 'soon'
        t.shift(timedelta(days=1))
        assert state('customer_service', shop, cs, key) == 'late'
        assert step_mark(shop, 'compliance_followup', order.number, order.delivered_at) == 'skipped'
        followups.record_call(reload(task), cs, outcome='reached', satisfaction=5)
        assert key not in queue('customer_service', shop, cs)
        assert reload(task).status == FollowUpTask.DONE
        assert step_mark(shop, 'compliance_followup', order.number, order.delivered_at) == 'late'


def test_complaint_without_first_answer_is_red_then_skipped_then_late(shop, people):
    """A complaint without a first answer by its deadline would not be red for its owner first."""
    cs = people['customer_service']
    with clock(START) as t:
        order = factories.make_order(shop, people['advisor'])
        c = complaints.log_complaint(shop, cs, channel='phone', content='等太久', order=order)
        key = 'complaint:%d' % c.id
        assert state('customer_service', shop, cs, key) == 'open'
        t.shift(timedelta(hours=20))
        assert state('customer_service', shop, cs, key) == 'soon'
        t.shift(timedelta(hours=5))                                          # 25 h: past the 24 h of 003
        assert state('customer_service', shop, cs, key) == 'late'
        assert step_mark(shop, 'compliance_complaint_answer', order.number, c.logged_at) == 'skipped'
        complaints.first_answer(reload(c), cs, answer='已道歉', told_channel='phone')
        assert key not in queue('customer_service', shop, cs)
        assert step_mark(shop, 'compliance_complaint_answer', order.number, c.logged_at) == 'late'


def test_appointment_reminder_after_half_a_day_is_red_and_late(shop, people):
    """An appointment not reminded half a day ahead would not be red for the advisor first."""
    adv = people['advisor']
    with clock(START) as t:
        customer = factories.make_customer(shop)
        appt = Appointment.create(shop=shop, customer=customer, start_at=utcnow() + timedelta(hours=20),
                                  duration=Decimal('1'))
        key = 'reminder:%d' % appt.id
        assert state('advisor', shop, adv, key) == 'open'
        t.shift(timedelta(hours=9))
        assert state('advisor', shop, adv, key) == 'late'
        mark_reminded(reload(appt), adv, channel=Appointment.PHONE)
        assert key not in queue('advisor', shop, adv)
        assert step_mark(shop, 'compliance_reminder', '', appt.start_at) == 'late'


def test_added_work_undecided_is_red_and_skipped_when_the_car_leaves(shop, people):
    """Added work left without the customer's answer would not be red for the advisor before the figure says so."""
    adv = people['advisor']
    with clock(START) as t:
        order = factories.make_order(shop, adv)
        work = AddedWork.create(shop=shop, order=order, requested_by=people['technician'], description='刹车片',
                                hours=Decimal('1'))
        key = 'added_work:%d' % work.id
        t.shift(timedelta(minutes=12))
        assert state('advisor', shop, adv, key) == 'soon'
        t.shift(timedelta(minutes=4))
        assert state('advisor', shop, adv, key) == 'late'
        order = deliver(order)
        assert step_mark(shop, 'compliance_added_work', order.number, work.requested_at) == 'skipped'
        AddedWork.update(status=AddedWork.DECLINED, decided_at=utcnow()).where(AddedWork.id == work.id).execute()
        assert key not in queue('advisor', shop, adv)


def test_the_deadline_moves_with_the_setting_on_both_sides(shop, people):
    """A shop that allows 30 minutes for acceptance would still see red after 10 (or the figure count it late)."""
    from app.core.models import Setting
    Setting.create(shop=shop, key='foreman_acceptance_minutes', value='30')
    with clock(START) as t:
        order = factories.make_order(shop, people['advisor'])
        t.shift(timedelta(minutes=20))
        assert state('foreman', shop, people['foreman'], 'acceptance:%d' % order.id) != 'late'
        assign_order(reload(order), people['foreman'], people['technician'])
        order = deliver(order)
        assert step_mark(shop, 'compliance_acceptance', order.number, order.delivered_at) == 'on_time'
    assert json.dumps(Setting.get().value) == '"30"'
