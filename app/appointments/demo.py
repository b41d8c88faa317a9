"""Demo: about 25 appointments over today and the next six days for the first shop's two advisors.

Some are due for a reminder, one did not come yesterday, one arrived this morning (its draft check-in
is open), a few have parts to order with a deposit.
"""
from datetime import datetime, time, timedelta
from decimal import Decimal

from app.accounts.models import User
from app.appointments import rules
from app.appointments.models import Appointment, AppointmentJob, AppointmentPart
from app.core import audit
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.timeutil import shop_today, to_utc
from app.catalogue.models import CannedJob
from app.customers.models import Customer

WORK = [
    ('做 1 万公里保养 10,000 km service', Decimal('1')),
    ('刹车异响，检查前刹车 Brake noise, check front brakes', Decimal('1.5')),
    ('空调不凉 A/C not cooling', Decimal('1')),
    ('更换四条轮胎并做四轮定位 Four new tyres and alignment', Decimal('2')),
    ('首保 First service', Decimal('1')),
    ('发动机故障灯亮 Engine warning light on', Decimal('1')),
    ('左前门划痕钣喷 Scratch on the left front door, body and paint', Decimal('4')),
    ('更换雨刮片 Wiper blades', Decimal('0.5')),
]
PARTS = [  # part number, name, quantity, unit price
    [('04465-33450', '前刹车片 Front brake pads', Decimal('1'), Decimal('680'))],
    [('88450-06390', '空调压缩机 A/C compressor', Decimal('1'), Decimal('4200'))],
    [('42611-06C60', '铝合金轮毂 Alloy wheel', Decimal('1'), Decimal('2350')),
     ('90915-YZZN1', '机油滤清器 Oil filter', Decimal('1'), Decimal('58'))],
    [('TY-MIC-215', '米其林轮胎 Michelin tyre 215/55R17', Decimal('4'), Decimal('1050'))],
]
# (days from today, local start, advisor index, work index, parts index or None)
PLAN = [
    (0, '09:30', 0, 0, None), (0, '10:30', 1, 1, 0), (0, '13:30', 0, 5, None), (0, '14:30', 1, 2, None),
    (0, '15:30', 0, 7, None), (0, '16:30', 1, 4, None),
    (1, '08:30', 0, 0, None), (1, '09:30', 1, 3, 3), (1, '10:30', 0, 6, None), (1, '13:30', 1, 4, None),
    (1, '14:30', 0, 1, None), (1, '16:30', 1, 2, 1),
    (2, '09:30', 0, 0, None), (2, '10:30', 1, 5, None), (2, '14:30', 0, 1, 2),
    (3, '08:30', 1, 4, None), (3, '11:30', 0, 2, None), (3, '15:30', 1, 7, None),
    (4, '09:30', 0, 3, None), (4, '13:30', 1, 0, None),
    (5, '09:30', 1, 6, None), (5, '10:30', 0, 0, None),
    (6, '10:30', 0, 1, None), (6, '14:30', 1, 5, None),
]


def _at(shop, day, clock):
    hours, minutes = (int(x) for x in clock.split(':'))
    return to_utc(datetime.combine(day, time(hours, minutes)), shop.timezone)


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or Appointment.for_shop(shop).exists():
        return []
    advisors = [User.get_or_none(User.username == name) for name in ('advisor', 'advisor2')]
    advisors = [a for a in advisors if a is not None]
    people = list(Customer.for_shop(shop).order_by(Customer.id))
    if not advisors or not people:
        return []
    jobs = list(CannedJob.for_shop(shop).where(CannedJob.active == True).order_by(CannedJob.code))  # noqa: E712
    today = shop_today(shop)
    now = utcnow()
    made = []
    with transaction():
        for i, (days, clock, who, work, parts) in enumerate(PLAN):
            start = _at(shop, today + timedelta(days=days), clock)
            if start < now and days == 0 and i > 1:
                start = start + timedelta(days=7)   # past slots of today go a week later instead
            made.append(_create(shop, advisors[who % len(advisors)], people[(i * 7) % len(people)], start,
                                WORK[work], PARTS[parts] if parts is not None else [], jobs, rng, i))
        # yesterday's customer who did not come
        missed = _create(shop, advisors[0], people[3], _at(shop, today - timedelta(days=1), '10:30'),
                         WORK[0], [], jobs, rng, 99)
        missed.status = Appointment.NO_SHOW
        missed.save()
        audit.record('appointment.no_show', 'appointment', missed.id, shop=shop, actor=advisors[0],
                     before={'status': Appointment.BOOKED}, after={'status': Appointment.NO_SHOW})
        # reminders already done for a few of tomorrow's
        for appt in (made[6], made[10]):
            appt.reminded_at, appt.reminded_by = now - timedelta(hours=2), appt.advisor_id
            appt.reminder_channel, appt.reminder_note = Appointment.PHONE, '客户确认准时到 Confirmed'
            appt.save()
            audit.record('appointment.reminded', 'appointment', appt.id, shop=shop, actor=appt.advisor,
                         after={'channel': Appointment.PHONE})
    # this morning's first car is here: its check-in is open (the rule makes the draft order)
    rules.arrive(made[0], advisors[0])
    return []


def _create(shop, advisor, customer, start, work, parts, jobs, rng, i):
    description, hours = work
    vehicle = customer.vehicles.first()
    canned = jobs[i % len(jobs)] if jobs and i % 3 == 0 else None
    deposit, method = Decimal('0'), None
    if parts:
        deposit, _total = rules.required_deposit(shop, parts)
        method = rng.choice(list(Appointment.DEPOSIT_METHOD_LABELS)) if deposit else None
    appt = Appointment.create(shop=shop, customer=customer, vehicle=vehicle, advisor=advisor, start_at=start,
                              duration=hours + (canned.hours if canned else 0), requested_work=description,
                              deposit=deposit, deposit_method=method,
                              created_at=min(start, utcnow()) - timedelta(days=rng.randint(1, 6)))
    if canned is not None:
        AppointmentJob.create(shop=shop, appointment=appt, canned_job=canned, description=canned.name,
                              hours=canned.hours)
    for part_number, name, quantity, unit_price in parts:
        AppointmentPart.create(shop=shop, appointment=appt, part_number=part_number, name=name,
                               quantity=quantity, unit_price=unit_price)
    audit.record('appointment.booked', 'appointment', appt.id, shop=shop, actor=advisor,
                 after={'customer': customer.id, 'start_at': start, 'duration': appt.duration})
    return appt
