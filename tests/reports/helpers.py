"""A known month (October 2026, shop time zone Asia/Shanghai = UTC+8) whose report totals and scorecards
the tests assert to the exact value. Times below are UTC; the comments give the local time."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from app.aftercare.models import CallRecord, Complaint, FollowUpTask
from app.catalogue.models import CannedJob
from app.core import stages
from app.reception.models import OrderLine, RepairOrder
from app.settlement.models import CreditNote, Payment, Settlement, VehicleDelivery
from app.warranty.models import Claim
from app.workshop.models import PartsRequest, QCInspection, TimeEntry
from tests import factories

D = Decimal


def at(*args):
    return datetime(*args)


@dataclass
class Month:
    shop: object
    users: dict
    orders: dict = field(default_factory=dict)


def _order(shop, key, advisor, vehicle, checked_in, promised=None, delivered=None, stage=stages.CLOSED, **kw):
    return RepairOrder.create(shop=shop, number='RO-T-%s' % key, customer=vehicle.owner, vehicle=vehicle,
                              advisor=advisor, stage=stage, checkin_step='done', checked_in_at=checked_in,
                              promised_at=promised, delivered_at=delivered, **kw)


def _line(order, job, tech, hours, price, qc_failures=0):
    return OrderLine.create(shop=order.shop, order=order, canned_job=job, description='job', labour_hours=D(hours),
                            labour_rate=D('300'), labour_price=D(price), technician=tech, qc_failures=qc_failures,
                            status=OrderLine.DONE)


def _settle(order, by, when, **figures):
    s = Settlement.create(shop=order.shop, order=order, number='ST-T-%d' % order.id, status=Settlement.SETTLED,
                          settled_at=when, settled_by=by, created_at=when, tax_rate=D('0.13'),
                          **{k: D(v) for k, v in figures.items()})
    return s


def build_month():
    shop = factories.make_shop('RP', name='Report shop', timezone='Asia/Shanghai')   # the month is worked out in UTC+8
    roles = {'adv': 'advisor', 'adv2': 'advisor', 't1': 'technician', 't2': 'technician', 'fm': 'foreman',
             'qc': 'qc', 'pc': 'parts', 'wc': 'warranty', 'cs': 'customer_service', 'boss': 'manager'}
    u = {k: factories.make_user('rp_' + k, [role], [shop], display_name='RP %s' % k) for k, role in roles.items()}
    maint = CannedJob.create(shop=shop, code='M', name='保养', hours=D('1.5'), category='maintenance')
    major = CannedJob.create(shop=shop, code='X', name='大修', hours=D('3'), category='major')
    camry = lambda: factories.make_vehicle(shop, factories.make_customer(shop), make='丰田 Toyota', model='凯美瑞 Camry')  # noqa: E731
    accord = factories.make_vehicle(shop, factories.make_customer(shop), make='本田 Honda', model='雅阁 Accord')
    corolla = factories.make_vehicle(shop, factories.make_customer(shop), make='丰田 Toyota', model='卡罗拉 Corolla')
    m = Month(shop, u)

    # o1: in and out on 5 Oct, on time, paid in full, satisfaction 5; foreman signed it in after 8 minutes.
    o1 = _order(shop, 1, u['adv'], camry(), at(2026, 10, 5, 1), at(2026, 10, 5, 9), at(2026, 10, 5, 8),
                accepted_at=at(2026, 10, 5, 1, 8), accepted_by=u['fm'].id)
    l1 = _line(o1, maint, u['t1'], '1.5', '450')
    s1 = _settle(o1, u['adv'], at(2026, 10, 5, 7, 50), labour='450', parts='200', tax='84.50', total='734.50',
                 customer_total='734.50')
    Payment.create(shop=shop, settlement=s1, method='mobile', amount=D('734.50'), paid_at=at(2026, 10, 5, 7, 55),
                   received_by=u['adv'])
    VehicleDelivery.create(shop=shop, order=o1, delivered_at=o1.delivered_at, delivered_by=u['adv'], satisfaction=5)
    # o2: in 31 Oct 10:00, handed back 31 Oct 23:30 local (15:30 UTC), late; 300 paid of 678; satisfaction 3.
    o2 = _order(shop, 2, u['adv'], accord, at(2026, 10, 31, 2), at(2026, 10, 31, 10), at(2026, 10, 31, 15, 30),
                accepted_at=at(2026, 10, 31, 2, 15), accepted_by=u['fm'].id)
    l2 = _line(o2, None, u['t2'], '2.0', '600', qc_failures=1)
    s2 = _settle(o2, u['adv'], at(2026, 10, 31, 15, 20), labour='600', tax='78', total='678', customer_total='678')
    Payment.create(shop=shop, settlement=s2, method='cash', amount=D('300'), paid_at=at(2026, 10, 31, 15, 25),
                   received_by=u['adv'])
    VehicleDelivery.create(shop=shop, order=o2, delivered_at=o2.delivered_at, delivered_by=u['adv'], satisfaction=3)
    # o3: in 31 Oct, handed back 1 Nov 00:30 local (31 Oct 16:30 UTC): November's, warranty pays.
    o3 = _order(shop, 3, u['adv2'], camry(), at(2026, 10, 31, 3), at(2026, 10, 31, 12), at(2026, 10, 31, 16, 30))
    _line(o3, maint, u['t1'], '1.0', '300')
    _settle(o3, u['adv2'], at(2026, 10, 31, 16, 20), labour='100', tax='13', total='113', warranty_total='113')
    # o4: in 30 Sep 23:30 local (September's), out 2 Oct on time; insurance pays most; a credit note on 3 Oct.
    o4 = _order(shop, 4, u['adv2'], camry(), at(2026, 9, 30, 15, 30), at(2026, 10, 2, 6), at(2026, 10, 2, 4))
    _line(o4, major, u['t1'], '3.0', '900')
    s4 = _settle(o4, u['adv2'], at(2026, 10, 2, 3, 50), labour='900', parts='1000', discount='100', tax='234',
                 total='2034', customer_total='1000', insurance_total='1034')
    Payment.create(shop=shop, settlement=s4, method='card', amount=D('1000'), paid_at=at(2026, 10, 2, 3, 55),
                   received_by=u['adv2'])
    CreditNote.create(shop=shop, settlement=s4, number='CN-T-1', reason='x', net=D('100'), tax=D('13'),
                      total=D('113'), created_by=u['boss'], created_at=at(2026, 10, 3, 2))
    VehicleDelivery.create(shop=shop, order=o4, delivered_at=o4.delivered_at, delivered_by=u['adv2'], satisfaction=4)
    # o5: signed 31 Oct 00:30 local (30 Oct 16:30 UTC), still in the workshop.
    o5 = _order(shop, 5, u['adv'], corolla, at(2026, 10, 30, 16, 30), at(2026, 11, 2, 2), stage=stages.IN_PROGRESS)
    m.orders = {'o1': o1, 'o2': o2, 'o3': o3, 'o4': o4, 'o5': o5}

    # clocks: t1 2 h + 1.5 h; t2 2.5 h + 0.5 h started 23:45 local 31 Oct; t2's 1 h on 30 Sep 23:00 local is September's.
    for tech, order, line, start, end in (
            ('t1', o1, l1, at(2026, 10, 5, 2), at(2026, 10, 5, 4)),
            ('t1', o1, l1, at(2026, 10, 1, 1), at(2026, 10, 1, 2, 30)),
            ('t2', o2, l2, at(2026, 10, 31, 3), at(2026, 10, 31, 5, 30)),
            ('t2', o2, l2, at(2026, 10, 31, 15, 45), at(2026, 10, 31, 16, 15)),
            ('t2', o2, l2, at(2026, 9, 30, 15), at(2026, 9, 30, 16))):
        TimeEntry.create(shop=shop, technician=u[tech], order=order, line=line, started_at=start, ended_at=end)
    # QC: o1 pass, o2 fail then pass, o4 pass (all by the inspector, in October)
    for order, result, first, when in ((o1, 'pass', True, at(2026, 10, 5, 5)), (o2, 'fail', True, at(2026, 10, 31, 6)),
                                       (o2, 'pass', False, at(2026, 10, 31, 8)), (o4, 'pass', True, at(2026, 10, 1, 9))):
        QCInspection.create(shop=shop, order=order, inspector=u['qc'], result=result, first_time=first, created_at=when)
    # parts requests: t2 one issued, one cancelled; t1 one backordered
    for who, order, status, expected in (('t2', o2, 'issued', None), ('t2', o2, 'cancelled', None),
                                         ('t1', o1, 'backordered', at(2026, 10, 8))):
        PartsRequest.create(shop=shop, order=order, requested_by=u[who], name='p', status=status,
                            requested_at=at(2026, 10, 10), answered_by=u['pc'].id, answered_at=at(2026, 10, 10, 1),
                            expected_at=expected)
    # complaints: two owned by the advisor (one answered late, one on time; o1's is service's fault),
    # one owned by customer service (customer satisfied), a quality complaint on o2.
    for owner, order, logged, due, answered, extra in (
            ('adv', o1, at(2026, 10, 10), at(2026, 10, 12), at(2026, 10, 11), {'service_fault': True}),
            ('adv', None, at(2026, 10, 20), at(2026, 10, 22), at(2026, 10, 25), {}),
            ('cs', None, at(2026, 10, 15), at(2026, 10, 17), at(2026, 10, 16), {'customer_satisfaction': 5}),
            ('cs', o2, at(2026, 10, 31, 16, 30), at(2026, 11, 2), None, {'cause_category': 'quality'})):
        Complaint.create(shop=shop, logged_at=logged, logged_by=u[owner], owner=u[owner], channel='phone',
                         content='c', order=order, first_answer_due_at=due, first_answer_at=answered, **extra)
    # follow-up calls by customer service: reached, no answer, reached (a request answered in time)
    task = FollowUpTask.create(shop=shop, order=o1, customer=o1.customer, kind='first', due_from=date(2026, 10, 7),
                               due_by=date(2026, 10, 12), assigned_to=u['cs'], status='done', done_at=at(2026, 10, 9))
    # a second call assigned to customer service, due by 20 Oct and never made
    FollowUpTask.create(shop=shop, order=o1, customer=o1.customer, kind='second', due_from=date(2026, 10, 13),
                        due_by=date(2026, 10, 20), assigned_to=u['cs'])
    for outcome, when, answered in (('reached', at(2026, 10, 7), at(2026, 10, 8)), ('no_answer', at(2026, 10, 8), None),
                                    ('reached', at(2026, 10, 9), None)):
        CallRecord.create(shop=shop, task=task, order=o1, customer=o1.customer, caller=u['cs'], called_at=when,
                          outcome=outcome, answered_by=u['cs'] if answered else None, answered_at=answered,
                          request_due_at=at(2026, 10, 9) if answered else None)
    # warranty claims decided at first submission in October: one approved, one rejected
    for n, result in ((1, 'approved'), (2, 'rejected')):
        Claim.create(shop=shop, number='CL-T-%d' % n, order=o1 if n == 1 else o2, created_by=u['wc'],
                     status=result, first_result=result, first_decided_at=at(2026, 10, 20))
    return m
