"""Demo: three months of finished orders up to this hour, so the dashboard's trends have weeks to show.

The rest of the demo is a single busy day; the KPIs count finished work over weeks and months. Every
order here is closed: checked in, accepted, worked, inspected, settled, paid and handed back, with the
usual slips (a late foreman, a missed progress check, a call made too late). The history runs up to the
moment the demo is loaded, whatever the date: cars were handed back earlier today (once the shop has been
open a while) and on every working day before, so this month's and last month's reports are full on the
1st as on the 28th. Only what is still ahead stays open: the follow-up calls of the last week's cars are
on the call list, due or coming. Idempotent: an audit event marks the shop as done.
"""
import json
from datetime import datetime, time, timedelta
from decimal import Decimal

from app.accounts.models import User
from app.aftercare.models import CallRecord, Complaint, FollowUpTask
from app.appointments.models import Appointment
from app.catalogue.models import CannedJob
from app.core import audit, deadlines
from app.core.access import ADVISOR, CUSTOMER_SERVICE, TECHNICIAN
from app.core.db import transaction, utcnow
from app.core.models import Counter, Event, Shop, Signature
from app.core.money import bill
from app.core.timeutil import to_local, to_utc
from app.customers.models import Vehicle
from app.kpi import facts
from app.messages.models import Message
from app.reception.models import OrderLine, RepairOrder
from app.settlement.models import Payment, Settlement, SettlementLine, VehicleDelivery
from app.workshop.models import ProgressCheck, TimeEntry

MARK = 'kpi.demo_history'
DAYS = 91
PER_DAY = (1, 2, 2, 3, 3, 4)


def _people(shop):
    def role(r):
        return [u for u in User.with_role(shop, r)]
    return role(ADVISOR), role(TECHNICIAN), (role(CUSTOMER_SERVICE) or role(ADVISOR))


def load(rng):
    _history(rng)
    facts.rebuild()     # the KPI facts of every shop, from what the demo recorded (app.kpi.facts)
    return []       # no demo logins of its own


def _history(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or Event.select().where((Event.action == MARK) & (Event.shop == shop)).exists():
        return
    advisors, techs, callers = _people(shop)
    cars = list(Vehicle.for_shop(shop))
    jobs = list(CannedJob.for_shop(shop).where(CannedJob.active == True))  # noqa: E712
    if not (advisors and techs and cars and jobs):
        return
    tz = shop.timezone
    now = utcnow()
    today = to_local(now, tz).date()
    made = []
    with transaction():
        for back in range(DAYS, -1, -1):
            day = today - timedelta(days=back)
            if day.weekday() == 6 and back:
                continue        # closed on Sundays, but today is always a working day in the demo
            for _n in range(rng.choice(PER_DAY) + (2 if back == 0 else 0)):
                times = _times(tz, day, rng, now)
                if times is None:
                    continue    # this car could not have been handed back yet
                made.append(_order(shop, times, rng, rng.choice(advisors), techs, rng.choice(callers),
                                   rng.choice(cars), jobs, now))
        audit.record(MARK, 'shop', shop.id, shop=shop, after={'orders': len(made)})


def _times(tz, day, rng, now):
    """Checked in, promised, ready and handed back on `day` (or later), all before `now`; None if impossible.

    A car that could not be back yet at this hour becomes a short job that came in early enough.
    """
    opens = to_utc(datetime.combine(day, time(8, 40)), tz)
    latest = now - timedelta(minutes=5)
    checked_in = opens + timedelta(minutes=rng.randrange(0, 420))
    hours = rng.choice([2, 3, 3, 4, 5, 6, 8, 50])
    promised = checked_in + timedelta(hours=hours)
    ready = checked_in + timedelta(hours=hours * rng.uniform(0.5, 1.04))
    delivered = ready + timedelta(minutes=rng.randrange(5, 45))
    if delivered < latest:
        return checked_in, promised, ready, delivered
    room = (latest - opens).total_seconds() / 60
    if room < 60:
        return None                      # the shop opened less than an hour ago
    checked_in = opens + timedelta(minutes=rng.uniform(0, min(room - 60, 240)))
    delivered = checked_in + timedelta(minutes=rng.uniform(60, (latest - checked_in).total_seconds() / 60))
    ready = checked_in + (delivered - checked_in) * 0.85
    promised = checked_in + timedelta(hours=rng.choice([1, 2, 2, 3]))
    return checked_in, promised, ready, delivered


def _order(shop, times, rng, advisor, techs, caller, car, jobs, now):
    checked_in, promised, ready, delivered = times
    hours = (promised - checked_in).total_seconds() / 3600
    ro = RepairOrder.create(
        shop=shop, number=RepairOrder.next_number(shop, checked_in), customer=car.owner_id, vehicle=car,
        advisor=advisor, stage='closed', checkin_step='done', complaint='保养 / 检查', odometer=car.mileage or 0,
        checks='{"body": "ok", "interior": "ok"}' if rng.random() < 0.93 else '{}',
        valuables_reminded=rng.random() < 0.92, checked_in_at=checked_in, created_at=checked_in,
        promised_at=promised, original_promised_at=promised, delivered_at=delivered,
        accepted_at=checked_in + timedelta(minutes=rng.choice([2, 4, 6, 8, 9, 14])) if rng.random() < 0.95 else None,
        accepted_by=None)
    if rng.random() < 0.95:
        Signature.create(shop=shop, order=ro, purpose='repair_order', filename='demo-sig.png', signer=car.owner.name,
                         signed_at=checked_in - timedelta(minutes=3))
    if rng.random() < 0.8:
        ProgressCheck.create(shop=shop, order=ro, checked_by=advisor,
                             checked_at=checked_in + timedelta(hours=hours * rng.uniform(0.45, 0.85)))
    if rng.random() < 0.88:
        Message.create(shop=shop, order=ro, customer=car.owner_id, kind='pickup_notice', channel='log',
                       status='sent', subject='', body='', created_at=ready,
                       sent_at=min(ready, promised - timedelta(minutes=rng.choice([20, 70, 90, 260]))))
    labour, parts, hours_sold = Decimal(0), Decimal(0), Decimal(0)
    start = checked_in + timedelta(minutes=20)
    for job in rng.sample(jobs, rng.choice([1, 1, 2])):
        tech = rng.choice(techs)
        price = (job.hours * Decimal(300)).quantize(Decimal('0.01'))
        line = OrderLine.create(shop=shop, order=ro, canned_job=job, description=job.name, system=job.system,
                                labour_hours=job.hours, labour_rate=Decimal(300), labour_price=price,
                                technician=tech, status='done', qc_failures=1 if rng.random() < 0.05 else 0)
        minutes = int(float(job.hours) * 60 * rng.uniform(0.75, 1.25))
        # a clock never runs past the moment the car was ready (nor past now, for today's cars)
        begun = min(start, ready - timedelta(minutes=2))
        TimeEntry.create(shop=shop, technician=tech, order=ro, line=line, started_at=begun,
                         ended_at=max(min(start + timedelta(minutes=minutes), ready), begun + timedelta(minutes=1)),
                         end_reason='done')
        start += timedelta(minutes=minutes + 10)
        labour += price
        hours_sold += job.hours
        parts += sum((p.quantity * p.unit_price for p in job.parts), Decimal(0))
    Event.create(shop=shop, at=ready, actor=advisor.id, actor_name=advisor.display_name, action='order.stage',
                 record_type='repair_order', record_id=ro.id, before=json.dumps({'stage': 'ready_for_wash'}),
                 after=json.dumps({'stage': 'ready_for_pickup'}, sort_keys=True))
    settled_at = ready + timedelta(minutes=10) if rng.random() < 0.97 else ready + timedelta(days=4)
    settled_at = min(settled_at, now - timedelta(minutes=1))
    lines = [SettlementLine(kind='labour', key='labour', description='工时', hours=hours_sold, amount=labour)]
    if parts:
        lines.append(SettlementLine(kind='part', key='parts', description='配件', amount=parts))
    t = bill(lines, [], Decimal('0.13'))          # the bill's own arithmetic, as settling would
    tax, total = t['tax'], t['customer_total']
    st = Settlement.create(shop=shop, order=ro, number='ST-%d-%06d' % (settled_at.year, Counter.next(
                               shop, 'settlement', settled_at.year)), status='settled', labour=labour,
                           parts=parts, tax=tax, tax_rate=Decimal('0.13'), total=total, customer_total=total,
                           settled_at=settled_at, settled_by=advisor, created_at=ready)
    for line in lines:
        line.shop, line.settlement = shop, st
        line.save(force_insert=True)
    RepairOrder.update(settled_at=settled_at).where(RepairOrder.id == ro.id).execute()
    Payment.create(shop=shop, settlement=st, method='mobile', amount=total, paid_at=delivered, received_by=advisor)
    VehicleDelivery.create(shop=shop, order=ro, delivered_at=delivered, delivered_by=advisor, key_returned=True,
                           satisfaction=rng.choice([5, 5, 5, 4, 4, 4, 3, 2]))
    local_day = to_local(delivered, shop.timezone).date()
    called = delivered + timedelta(days=rng.choice([2, 3, 3, 4, 5, 8]))
    if called > now:
        # not called yet: on the call list, due or still ahead (the aftercare rule's window)
        FollowUpTask.create(shop=shop, order=ro, customer=car.owner_id, vehicle=car, kind='first',
                            due_from=local_day + timedelta(days=2), due_by=local_day + timedelta(days=7),
                            assigned_to=caller, created_at=delivered)
    elif rng.random() < 0.9:
        task = FollowUpTask.create(shop=shop, order=ro, customer=car.owner_id, vehicle=car, kind='first',
                                   due_from=local_day + timedelta(days=2), due_by=local_day + timedelta(days=7),
                                   assigned_to=caller, status='done', done_at=called, attempts=1, created_at=delivered)
        CallRecord.create(shop=shop, task=task, order=ro, customer=car.owner_id, caller=caller, called_at=called,
                          outcome='reached', satisfaction=rng.choice([5, 5, 4, 4, 3]))
    if rng.random() < 0.03 and delivered + timedelta(days=4) < now:
        logged = delivered + timedelta(days=1)
        Complaint.create(shop=shop, logged_at=logged, logged_by=caller, owner=caller, channel='phone',
                         customer=car.owner_id, order=ro, content='等待时间太长', cause_category='waiting',
                         service_fault=rng.random() < 0.6,
                         first_answer_due_at=deadlines.complaint_dues(logged, False, deadlines.shop_settings(shop))[0],
                         first_answer_at=logged + timedelta(hours=rng.choice([5, 20, 60])), first_answer='已致歉',
                         customer_told_at=logged + timedelta(days=1), told_channel='phone',
                         customer_satisfaction=rng.choice([4, 5, 3]), status='closed')
    if rng.random() < 0.4:
        Appointment.create(shop=shop, customer=car.owner_id, vehicle=car, advisor=advisor, start_at=checked_in,
                           duration=Decimal(2), status='arrived', order_id=ro.id, created_at=checked_in - timedelta(days=3),
                           reminded_at=(checked_in - timedelta(hours=rng.choice([3, 20, 26]))) if rng.random() < 0.9 else None)
    return ro
