"""A known month (March 2026, shop in Asia/Shanghai, UTC+8) whose every KPI is worked out by hand.

Times below are naive UTC, as stored. Local midnight of 1 March is 28 Feb 16:00 UTC and the month ends
31 March 16:00 UTC. The expected values are in tests/kpi/test_figures.py next to the assertions.
"""
import json
from datetime import date, datetime
from decimal import Decimal

from app.aftercare.models import CallRecord, Complaint, FollowUpTask
from app.appointments.models import Appointment
from app.catalogue.models import CannedJob
from app.core.models import Event, Signature
from app.messages.models import Message
from app.parts.models import Part, StockCount, StockCountLine, StockMove
from app.reception.models import OrderLine, RepairOrder, WalkaroundMark
from app.settlement.models import (
    CreditNote,
    Payment,
    Settlement,
    SettlementLine,
    VehicleDelivery,
)
from app.warranty.models import Claim
from app.workshop.models import AddedWork, PartsRequest, ProgressCheck, TimeEntry
from tests import factories

START, END = date(2026, 3, 1), date(2026, 4, 1)
NOW = datetime(2026, 4, 3, 2, 0)     # "today" is 3 April local: a call due by 7 April is not late yet


def T(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute)


class Month:
    pass


def build():
    m = Month()
    shop = m.shop = factories.make_shop('KM', name='Known month', timezone='Asia/Shanghai')
    amy = m.amy = factories.make_user('amy', ['advisor'], [shop])
    bob = m.bob = factories.make_user('bob', ['advisor'], [shop])
    t1 = m.t1 = factories.make_user('tina', ['technician'], [shop])
    t2 = m.t2 = factories.make_user('tom', ['technician'], [shop])
    cs = m.cs = factories.make_user('cara', ['customer_service'], [shop])
    maint = CannedJob.create(shop=shop, code='M10', name='10k maintenance', hours=Decimal('2'), category='maintenance')

    def car(sale_date=None, mileage=0):
        return factories.make_vehicle(shop, factories.make_customer(shop), sale_date=sale_date, mileage=mileage)

    def order(vehicle, advisor, checked_in, promised, delivered, **kw):
        return RepairOrder.create(shop=shop, customer=vehicle.owner, vehicle=vehicle, advisor=advisor,
                                  stage=kw.pop('stage', 'closed'), number=kw.pop('number'), checkin_step='done',
                                  checked_in_at=checked_in, promised_at=promised, delivered_at=delivered, **kw)

    def line(o, hours, tech=None, status='done', qc_failures=0, canned=None, added=None):
        return OrderLine.create(shop=shop, order=o, description='job', labour_hours=Decimal(hours),
                                technician=tech, status=status, qc_failures=qc_failures, canned_job=canned,
                                added_work_id=added)

    def clock(o, ln, tech, start, end):
        return TimeEntry.create(shop=shop, technician=tech, order=o, line=ln, started_at=start, ended_at=end)

    def sign(o, at):
        Signature.create(shop=shop, order=o, purpose='repair_order', filename='s%d.png' % o.id, signed_at=at)

    # O1: a maintenance order done by the book.
    v1 = m.v1 = car(sale_date=date(2026, 3, 1), mileage=3000)
    o1 = m.o1 = order(v1, amy, T(3, 2, 1), T(3, 2, 9), T(3, 2, 8, 30), number='RO-1', accepted_at=T(3, 2, 1, 5),
                      checks='{"body": "ok"}', valuables_reminded=True, odometer=3000)
    sign(o1, T(3, 2, 0, 55))
    ProgressCheck.create(shop=shop, order=o1, checked_by=amy, checked_at=T(3, 2, 5))
    Message.create(shop=shop, order=o1, kind='pickup_notice', channel='log', status='sent', sent_at=T(3, 2, 7, 30))
    l1 = line(o1, '2.0', t1, canned=maint)
    clock(o1, l1, t1, T(3, 2, 1, 30), T(3, 2, 3))
    # The timeline says when it became ready (written as app.core.stages.move writes it, at a chosen time).
    Event.create(shop=shop, at=T(3, 2, 8), action='order.stage', record_type='repair_order', record_id=o1.id,
                 before=json.dumps({'stage': 'ready_for_wash'}), after=json.dumps({'stage': 'ready_for_pickup'}))
    s1 = Settlement.create(shop=shop, order=o1, number='ST-1', status='settled', labour=Decimal('600'),
                           parts=Decimal('400'), tax=Decimal('130'), total=Decimal('1130'),
                           customer_total=Decimal('1130'), settled_at=T(3, 2, 8, 20))
    SettlementLine.create(shop=shop, settlement=s1, kind='labour', key='line:1', description='x', hours=Decimal('2'),
                          amount=Decimal('600'))
    SettlementLine.create(shop=shop, settlement=s1, kind='part', key='part:1', description='y', amount=Decimal('400'))
    Payment.create(shop=shop, settlement=s1, method='cash', amount=Decimal('1130'), paid_at=T(3, 2, 8, 25),
                   received_by=amy)
    VehicleDelivery.create(shop=shop, order=o1, delivered_at=T(3, 2, 8, 30), delivered_by=amy, satisfaction=5)
    f1 = FollowUpTask.create(shop=shop, order=o1, customer=v1.owner, kind='first', due_from=date(2026, 3, 4),
                             due_by=date(2026, 3, 9), status='done', done_at=T(3, 5, 2), assigned_to=cs)
    CallRecord.create(shop=shop, task=f1, order=o1, customer=v1.owner, caller=cs, called_at=T(3, 5, 2),
                      outcome='reached', satisfaction=5)
    FollowUpTask.create(shop=shop, order=o1, customer=v1.owner, kind='second', due_from=date(2026, 3, 6),
                        due_by=date(2026, 3, 12), status='open', assigned_to=cs)
    aw1 = AddedWork.create(shop=shop, order=o1, requested_by=t1, description='wipers', status='approved',
                           requested_at=T(3, 2, 3), decided_at=T(3, 2, 3, 30))
    l3 = line(o1, '0.5', t1, status='active', added=aw1.id)
    clock(o1, l3, t1, T(3, 2, 3, 40), T(3, 2, 4, 10))

    # O2: delivered at 23:30 local on 31 March (15:30 UTC): March's, and late on every step.
    v2 = car()
    o2 = m.o2 = order(v2, amy, T(3, 31, 1), T(3, 31, 10), T(3, 31, 15, 30), number='RO-2',
                      accepted_at=T(3, 31, 1, 30), checks='{}', valuables_reminded=False)
    sign(o2, T(3, 31, 0, 50))
    l2 = line(o2, '2.0', t2, qc_failures=1)
    clock(o2, l2, t2, T(3, 31, 2), T(3, 31, 5))
    s2 = Settlement.create(shop=shop, order=o2, number='ST-2', status='settled', labour=Decimal('900'),
                           parts=Decimal('0'), discount=Decimal('100'), tax=Decimal('104'), total=Decimal('904'),
                           customer_total=Decimal('904'), settled_at=T(3, 31, 15))
    SettlementLine.create(shop=shop, settlement=s2, kind='labour', key='line:2', description='x', hours=Decimal('3'),
                          amount=Decimal('900'))
    Payment.create(shop=shop, settlement=s2, method='cash', amount=Decimal('400'), paid_at=T(3, 31, 16, 30),
                   received_by=amy)     # 1 April local: after the month
    VehicleDelivery.create(shop=shop, order=o2, delivered_at=T(3, 31, 15, 30), delivered_by=amy, satisfaction=3)
    FollowUpTask.create(shop=shop, order=o2, customer=v2.owner, kind='first', due_from=date(2026, 4, 2),
                        due_by=date(2026, 4, 7), status='open', assigned_to=cs)
    AddedWork.create(shop=shop, order=o2, requested_by=t2, description='belt', status='pending',
                     requested_at=T(3, 31, 3))

    # O3: delivered at 23:30 local on 28 February: not March's. Its bill is still partly owed.
    v3 = car()
    o3 = order(v3, amy, T(2, 28, 1), T(2, 28, 10), T(2, 28, 15, 30), number='RO-3', accepted_at=T(2, 28, 1, 2))
    l6 = line(o3, '1.0', t1)
    clock(o3, l6, t1, T(2, 28, 2), T(2, 28, 3))
    s3 = Settlement.create(shop=shop, order=o3, number='ST-3', status='settled', labour=Decimal('500'),
                           total=Decimal('500'), customer_total=Decimal('500'), settled_at=T(2, 28, 15))
    Payment.create(shop=shop, settlement=s3, method='cash', amount=Decimal('200'), paid_at=T(3, 3, 2),
                   received_by=amy)
    CreditNote.create(shop=shop, settlement=s3, number='CN-1', reason='r', net=Decimal('100'), tax=Decimal('0'),
                      total=Decimal('100'), created_by=amy, created_at=T(3, 4, 2))
    VehicleDelivery.create(shop=shop, order=o3, delivered_at=T(2, 28, 15, 30), delivered_by=amy, satisfaction=5)

    # O4: delivered at 00:30 local on 1 April: April's.
    order(car(), amy, T(3, 31, 2), T(3, 31, 12), T(3, 31, 16, 30), number='RO-4', accepted_at=T(3, 31, 2, 1))

    # O5: a two-day maintenance job; notice late, first call late, never settled, never accepted.
    v5 = car()
    o5 = m.o5 = order(v5, amy, T(3, 10, 2), T(3, 12, 2), T(3, 12, 1), number='RO-5', valuables_reminded=True)
    sign(o5, T(3, 10, 1, 50))
    WalkaroundMark.create(shop=shop, order=o5, x=Decimal('10'), y=Decimal('10'), kind='scratch')
    ProgressCheck.create(shop=shop, order=o5, checked_by=amy, checked_at=T(3, 11, 8))
    Message.create(shop=shop, order=o5, kind='pickup_notice', channel='log', status='sent', sent_at=T(3, 11, 23))
    l5 = line(o5, '3.0', t1, canned=maint)
    clock(o5, l5, t1, T(3, 10, 2), T(3, 10, 4))
    clock(o5, l5, t1, T(3, 11, 2), T(3, 11, 3))
    f5 = FollowUpTask.create(shop=shop, order=o5, customer=v5.owner, kind='first', due_from=date(2026, 3, 14),
                             due_by=date(2026, 3, 19), status='done', done_at=T(3, 20, 1), assigned_to=cs)
    CallRecord.create(shop=shop, task=f5, order=o5, customer=v5.owner, caller=cs, called_at=T(3, 20, 1),
                      outcome='reached')
    FollowUpTask.create(shop=shop, order=o5, customer=v5.owner, kind='second', due_from=date(2026, 3, 21),
                        due_by=date(2026, 3, 27), status='cancelled')
    aw2 = AddedWork.create(shop=shop, order=o5, requested_by=t1, description='pads', status='approved',
                           requested_at=T(3, 10, 5), decided_at=T(3, 10, 6))
    l4 = line(o5, '1.0', t1, status='active', added=aw2.id)
    clock(o5, l4, t1, T(3, 10, 5, 30), T(3, 10, 6, 30))

    # O6: bob's; the promise was moved at a progress check: late against the first promise.
    v6 = car()
    o6 = m.o6 = order(v6, bob, T(3, 20, 0), T(3, 20, 12), T(3, 20, 10), number='RO-6', accepted_at=T(3, 20, 0, 10),
                      original_promised_at=T(3, 20, 8))   # the promise signed for; the check moved promised_at
    ProgressCheck.create(shop=shop, order=o6, checked_by=bob, checked_at=T(3, 20, 4), on_track=False,
                         old_promised_at=T(3, 20, 8), new_promised_at=T(3, 20, 12))
    Message.create(shop=shop, order=o6, kind='late_notice', channel='log', status='sent', sent_at=T(3, 20, 4, 5))
    line(o6, '1.0', status='pending')

    # A cancelled order is never counted.
    order(car(), amy, T(3, 5, 1), T(3, 5, 5), T(3, 5, 4), number='RO-7', stage='cancelled')

    # Complaints.
    Complaint.create(shop=shop, logged_at=T(3, 5, 2), owner=cs, channel='phone', content='a', service_fault=True,
                     order=o1, first_answer_due_at=T(3, 7, 2), first_answer_at=T(3, 6, 2), customer_satisfaction=5)
    Complaint.create(shop=shop, logged_at=T(3, 25, 2), owner=cs, channel='phone', content='b', service_fault=False,
                     first_answer_due_at=T(3, 27, 2))
    Complaint.create(shop=shop, logged_at=T(3, 30, 15), owner=cs, channel='phone', content='c', service_fault=True,
                     order=o6, first_answer_due_at=T(4, 1, 15), first_answer_at=T(4, 2, 1))

    # Appointments.
    for start, reminded, status in ((T(3, 3, 2), T(3, 2, 1), 'arrived'), (T(3, 15, 2), T(3, 14, 20), 'arrived'),
                                    (T(3, 16, 2), None, 'no_show'), (T(3, 17, 2), None, 'cancelled')):
        Appointment.create(shop=shop, customer=v1.owner, advisor=amy, start_at=start, duration=Decimal('1'),
                           reminded_at=reminded, status=status)

    # Parts: requests, a count sheet and the cost of parts issued.
    for status, expected in (('issued', None), ('substituted', None), ('issued', T(3, 12, 0)),
                             ('cancelled', None), ('requested', None)):
        PartsRequest.create(shop=shop, order=o5, requested_by=t1, name='p', status=status, requested_at=T(3, 10, 3),
                            expected_at=expected)
    part = Part.create(shop=shop, number='P-1', name_zh='机油')
    sheet = StockCount.create(shop=shop, number='SC-1', status='approved', created_by=amy, approved_at=T(3, 28, 2))
    StockCountLine.create(sheet=sheet, part=part, book_qty=Decimal('10'), unit_cost=Decimal('5'),
                          counted_qty=Decimal('9'))
    StockMove.create(shop=shop, part=part, kind='issue', quantity=Decimal('-5'), unit_cost=Decimal('50'),
                     value=Decimal('-250'), on_hand_after=Decimal('0'), value_after=Decimal('0'), at=T(3, 2, 2),
                     moved_by=amy, order=o1)

    # Warranty: two first answers in March, and the first-maintenance cohort of cars sold in March.
    Claim.create(shop=shop, number='CL-1', order=o1, status='approved', first_result='approved',
                 first_decided_at=T(3, 10, 2))
    Claim.create(shop=shop, number='CL-2', order=o5, status='rejected', first_result='rejected',
                 first_decided_at=T(3, 31, 15, 59))
    car(sale_date=date(2026, 3, 5), mileage=8000)      # over the km limit without a maintenance: missed
    car(sale_date=date(2026, 3, 20), mileage=100)      # still inside its window: pending
    return m



def build_more(m, n=5):
    """More of the same in March (orders, lines, clocks, calls, settlements): returns how many orders."""
    shop = m.shop
    for i in range(n):
        v = factories.make_vehicle(shop, factories.make_customer(shop))
        o = RepairOrder.create(shop=shop, customer=v.owner, vehicle=v, advisor=m.amy, stage='closed',
                               number='RO-X%d' % i, checkin_step='done', checked_in_at=T(3, 6 + i, 1),
                               promised_at=T(3, 6 + i, 9), delivered_at=T(3, 6 + i, 8), accepted_at=T(3, 6 + i, 1, 3))
        ln = OrderLine.create(shop=shop, order=o, description='job', labour_hours=Decimal('1'), technician=m.t1,
                              status='done')
        TimeEntry.create(shop=shop, technician=m.t1, order=o, line=ln, started_at=T(3, 6 + i, 2),
                         ended_at=T(3, 6 + i, 3))
        s = Settlement.create(shop=shop, order=o, number='ST-X%d' % i, status='settled', labour=Decimal('300'),
                              total=Decimal('300'), customer_total=Decimal('300'), settled_at=T(3, 6 + i, 7))
        Payment.create(shop=shop, settlement=s, method='cash', amount=Decimal('300'), paid_at=T(3, 6 + i, 7),
                       received_by=m.amy)
        t = FollowUpTask.create(shop=shop, order=o, customer=v.owner, kind='first', due_from=date(2026, 3, 10 + i),
                                due_by=date(2026, 3, 15 + i), status='done', done_at=T(3, 11 + i, 2))
        CallRecord.create(shop=shop, task=t, order=o, customer=v.owner, called_at=T(3, 11 + i, 2), outcome='reached')
    return n
