"""Appointment rules: bay capacity per slot, the deposit for expensive parts, reminders, no-shows, arrival.

Each function that changes something is one user action: one transaction with its audit event.
Times are stored in naive UTC; slots are laid out in the shop's own time zone.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.db import is_sqlite, transaction, utcnow
from app.core.errors import IllegalMove, Refused
from app.core.machine import Machine
from app.core.models import Shop
from app.core.money import format_money, money
from app.core.settings import get_setting
from app.core.timeutil import to_local, to_utc
from app.appointments.models import Appointment, AppointmentJob, AppointmentPart
from app.core.money import hours_text
from app.reception.checkin import start_checkin
from app.reception.models import OrderLine, PartLine

HOUR = Decimal('1')


class BookingRefused(Refused):
    """A booking the rules do not allow; `field` says which part of the form the message belongs to."""

    def __init__(self, message, field='start'):
        super().__init__(message, field)


# --- opening hours and slots ------------------------------------------------------------

def _clock(value):
    hours, _, minutes = str(value).strip().partition(':')
    return time(int(hours), int(minutes or 0))


@dataclass
class Hours:
    """The workshop's day as the settings describe it."""
    open: time
    close: time
    slot_minutes: int
    bays: int

    @classmethod
    def of(cls, shop):
        return cls(open=_clock(get_setting(shop, 'workday_start')), close=_clock(get_setting(shop, 'workday_end')),
                   slot_minutes=max(int(get_setting(shop, 'slot_minutes')), 5),
                   bays=max(int(get_setting(shop, 'bays')), 0))

    @property
    def day_hours(self):
        """Length of the working day in hours."""
        span = datetime.combine(date.min, self.close) - datetime.combine(date.min, self.open)
        return Decimal(int(span.total_seconds())) / 3600

    def slot_starts(self):
        """Local wall-clock starts of the day's slots (for the booking form's time hints)."""
        out, at = [], datetime.combine(date.min, self.open)
        end = datetime.combine(date.min, self.close)
        while at < end:
            out.append(at.time())
            at += timedelta(minutes=self.slot_minutes)
        return out


@dataclass
class Slot:
    """One slot of one day: its bays, how many are taken, and the appointments that start in it."""
    start: datetime                  # local, naive
    end: datetime
    start_utc: datetime
    end_utc: datetime
    bays: int
    used: int = 0
    appointments: list = field(default_factory=list)

    @property
    def hours(self):
        return Decimal(int((self.end - self.start).total_seconds())) / 3600

    @property
    def hours_available(self):
        """Bay hours the workshop has in this slot: bays x slot length."""
        return _hours(self.bays * self.hours)

    @property
    def hours_booked(self):
        """Bay hours taken: an appointment holds a whole bay for each slot it touches."""
        return _hours(self.used * self.hours)

    @property
    def full(self):
        return self.used >= self.bays

    @property
    def load(self):
        """free / busy / full, for the colour of the capacity bar."""
        if self.full:
            return 'full'
        return 'busy' if self.bays and self.used * 4 >= self.bays * 3 else 'free'

    @property
    def label(self):
        return '%s %s–%s' % (self.start.strftime('%Y-%m-%d'), self.start.strftime('%H:%M'), self.end.strftime('%H:%M'))

    def overlaps(self, start_utc, end_utc):
        return start_utc < self.end_utc and end_utc > self.start_utc


def _hours(value):
    return hours_text(value)


def _empty_slots(shop, day, hours=None):
    hours = hours or Hours.of(shop)
    tz = shop.timezone
    slots = []
    at = datetime.combine(day, hours.open)
    close = datetime.combine(day, hours.close)
    while at < close:
        end = min(at + timedelta(minutes=hours.slot_minutes), close)
        slots.append(Slot(at, end, to_utc(at, tz), to_utc(end, tz), hours.bays))
        at = end
    return slots


def _occupy(slots, appointments):
    for appt in appointments:
        if appt.status not in Appointment.HOLDS_BAY:
            continue
        for slot in slots:
            if slot.overlaps(appt.start_at, appt.end_at):
                slot.used += 1


def day_slots(shop, day, advisor=None):
    """The slots of a local day with the bays taken (whole shop) and the appointments starting in each.

    `advisor` narrows the appointments shown, not the capacity: the bays are the workshop's.
    """
    slots = _empty_slots(shop, day)
    if not slots:
        return slots
    tz = shop.timezone
    day_start_utc = to_utc(datetime.combine(day, time.min), tz)
    day_end_utc = to_utc(datetime.combine(day + timedelta(days=1), time.min), tz)
    # A long appointment that started the evening before could still reach into this morning.
    nearby = list(Appointment.between(shop, day_start_utc - timedelta(days=1), day_end_utc))
    _occupy(slots, nearby)
    for appt in nearby:
        if advisor is not None and appt.advisor_id != advisor.id:
            continue
        if not (day_start_utc <= appt.start_at < day_end_utc):
            continue
        local = to_local(appt.start_at, tz).replace(tzinfo=None)
        slot = next((s for s in slots if s.start <= local < s.end), None)
        if slot is None:   # outside today's hours (the settings changed after it was booked)
            slot = slots[0] if local < slots[0].start else slots[-1]
        slot.appointments.append(appt)
    return slots


def week_days(day):
    """The Monday-to-Sunday week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


def week_slots(shop, day, advisor=None):
    """[(day, slots)] for the week holding `day`."""
    return [(d, day_slots(shop, d, advisor)) for d in week_days(day)]


# --- booking ----------------------------------------------------------------------------

def required_deposit(shop, parts):
    """(deposit needed, price of the expensive parts): parts at or over the threshold need a share paid up front.

    `parts`: objects or tuples with quantity and unit price ((part_number, name, quantity, unit_price)).
    """
    threshold = Decimal(get_setting(shop, 'expensive_part_threshold'))
    share = Decimal(get_setting(shop, 'appointment_deposit_share'))
    expensive = Decimal('0')
    for part in parts:
        quantity, unit_price = _qty_price(part)
        if unit_price >= threshold:
            expensive += quantity * unit_price
    return money(expensive * share), money(expensive)


def _qty_price(part):
    if isinstance(part, (tuple, list)):
        return Decimal(part[2]), Decimal(part[3])
    return Decimal(part.quantity), Decimal(part.unit_price)


def check_opening_hours(shop, start_utc, duration, now=None):
    """Refuse a start in the past or a visit outside the workshop's hours."""
    hours = Hours.of(shop)
    local_start = to_local(start_utc, shop.timezone).replace(tzinfo=None)
    local_end = local_start + timedelta(hours=float(duration))
    if start_utc < (now or utcnow()) - timedelta(minutes=1):
        raise BookingRefused(_l('%(start)s has already passed. Choose a time from now on.',
                                start=local_start.strftime('%Y-%m-%d %H:%M')))
    opens = datetime.combine(local_start.date(), hours.open)
    closes = datetime.combine(local_start.date(), hours.close)
    if local_start < opens or local_end > closes:
        raise BookingRefused(_l(
            'The workshop takes cars from %(open)s to %(close)s; %(start)s to %(end)s is outside opening hours.',
            open=hours.open.strftime('%H:%M'), close=hours.close.strftime('%H:%M'),
            start=local_start.strftime('%Y-%m-%d %H:%M'), end=local_end.strftime('%H:%M')))


def check_capacity(shop, start_utc, duration):
    """Refuse when any slot the visit covers has no bay left; the message names the first full slot."""
    end_utc = start_utc + timedelta(hours=float(duration))
    local_start = to_local(start_utc, shop.timezone).replace(tzinfo=None)
    local_end = to_local(end_utc, shop.timezone).replace(tzinfo=None)
    day = local_start.date()
    slots = []
    while day <= local_end.date():
        slots.extend(s for s in day_slots(shop, day) if s.overlaps(start_utc, end_utc))
        day += timedelta(days=1)
    for slot in slots:
        if slot.full:
            raise BookingRefused(_l(
                'The slot %(slot)s is full: %(booked)s of %(available)s bay hours are booked. Choose another time.',
                slot=slot.label, booked=slot.hours_booked, available=slot.hours_available))
    return slots


def check_deposit(shop, parts, deposit, method):
    """Expensive parts need at least the deposit share of their price, and how it was paid."""
    deposit = money(deposit or 0)
    needed, expensive = required_deposit(shop, parts)
    threshold = money(get_setting(shop, 'expensive_part_threshold'))
    if deposit < needed:
        raise BookingRefused(_l(
            'Parts costing %(threshold)s or more each need a deposit of at least %(needed)s '
            '(%(share)s%% of %(total)s); %(paid)s was entered.',
            threshold=format_money(threshold), needed=format_money(needed),
            share=_percent(get_setting(shop, 'appointment_deposit_share')), total=format_money(expensive),
            paid=format_money(deposit)), field='deposit')
    if deposit > 0 and method not in Appointment.DEPOSIT_METHOD_LABELS:
        raise BookingRefused(_l('Say how the deposit was paid.'), field='deposit_method')


def _percent(share):
    return _hours(Decimal(share) * 100)


def deposit_terms(shop):
    """(price from which a part needs a deposit, share of its price in percent), from the settings."""
    return (money(get_setting(shop, 'expensive_part_threshold')),
            _percent(get_setting(shop, 'appointment_deposit_share')))


def booking_problems(shop, start_at, duration, parts=(), deposit=Decimal('0'), deposit_method=None, now=None):
    """Every reason the rules refuse this booking (opening hours, then capacity, and the deposit), as BookingRefused."""
    problems = []
    try:
        check_opening_hours(shop, start_at, duration, now=now)
        check_capacity(shop, start_at, duration)
    except BookingRefused as refused:
        problems.append(refused)
    try:
        check_deposit(shop, parts, deposit, deposit_method)
    except BookingRefused as refused:
        problems.append(refused)
    return problems


def _lock_shop(shop):
    """Serialise bookings of one shop, so two advisors cannot both take the last bay.

    SQLite already serialises writers (IMMEDIATE transactions); PostgreSQL locks the shop's row.
    """
    if not is_sqlite():
        list(Shop.select(Shop.id).where(Shop.id == shop.id).for_update())


def book(shop, by, *, customer, start_at, duration, vehicle=None, advisor=None, requested_work='',
         jobs=(), parts=(), deposit=Decimal('0'), deposit_method=None, now=None):
    """Book a visit: checks opening hours, bay capacity and the deposit, then records it with its jobs and parts.

    `start_at`: naive UTC. `jobs`: (canned_job or None, description, hours) tuples.
    `parts`: (part_number, name, quantity, unit_price) tuples. Raises BookingRefused.
    """
    duration = Decimal(duration)
    if duration <= 0:
        raise BookingRefused(_l('The expected duration must be more than zero hours.'), field='duration')
    if customer.shop_id != shop.id or (vehicle is not None and vehicle.owner_id != customer.id):
        raise BookingRefused(_l('Choose a customer of this shop and one of their vehicles.'), field='pick')
    with transaction():
        _lock_shop(shop)
        problems = booking_problems(shop, start_at, duration, parts, deposit, deposit_method, now=now)
        if problems:
            raise problems[0]
        deposit = money(deposit or 0)
        appt = Appointment.create(
            shop=shop, customer=customer, vehicle=vehicle, advisor=advisor, start_at=start_at,
            duration=duration, requested_work=(requested_work or '').strip(), deposit=deposit,
            deposit_method=deposit_method if deposit > 0 else None)
        for canned, description, hours in jobs:
            AppointmentJob.create(shop=shop, appointment=appt, canned_job=canned,
                                  description=(description or (canned.name if canned else ''))[:200],
                                  hours=Decimal(hours if hours is not None else (canned.hours if canned else 0)))
        for part_number, name, quantity, unit_price in parts:
            AppointmentPart.create(shop=shop, appointment=appt, part_number=part_number or '', name=name,
                                   quantity=Decimal(quantity), unit_price=money(unit_price))
        audit.record('appointment.booked', 'appointment', appt.id, shop=shop, actor=by, after={
            'customer': customer.id, 'vehicle': getattr(vehicle, 'id', None), 'advisor': getattr(advisor, 'id', None),
            'start_at': start_at, 'duration': duration, 'jobs': len(jobs), 'parts': len(parts),
            'deposit': deposit, 'deposit_method': appt.deposit_method})
    return appt


# --- reminders --------------------------------------------------------------------------

def reminder_hours(shop):
    """(a day ahead, half a day ahead) in hours, from the settings."""
    return (int(get_setting(shop, 'appointment_reminder_hours')),
            int(get_setting(shop, 'appointment_reminder_half_day_hours')))


def reminders_due(shop, now=None):
    """Booked appointments starting within the reminder window (a day, or half a day) not yet reminded."""
    now = now or utcnow()
    horizon = max(reminder_hours(shop))
    return (Appointment.between(shop, now, now + timedelta(hours=horizon))
            .where((Appointment.status == Appointment.BOOKED) & Appointment.reminded_at.is_null()))


def reminder_groups(shop, now=None):
    """The due reminders split into (within half a day, within a day), soonest first."""
    now = now or utcnow()
    _day, half = reminder_hours(shop)
    soon, later = [], []
    for appt in reminders_due(shop, now):
        (soon if appt.start_at <= now + timedelta(hours=half) else later).append(appt)
    return soon, later


# --- status changes ---------------------------------------------------------------------

# The appointment's status: from -> the statuses it may move to, declared once.
STATUSES = Machine(
    field='status', labels=Appointment.STATUS_LABELS,
    moves={Appointment.BOOKED: {Appointment.ARRIVED, Appointment.NO_SHOW, Appointment.CANCELLED},
           Appointment.ARRIVED: set(), Appointment.NO_SHOW: set(), Appointment.CANCELLED: set()},
    illegal=lambda a, b: _l('This appointment is already "%(a)s"; it cannot be marked "%(b)s".', a=a, b=b))


def allowed_moves(appt, now=None):
    """What can be done with an appointment now (a no-show only once its time has passed)."""
    moves = set(STATUSES.allowed(appt.status))
    if appt.start_at > (now or utcnow()):
        moves.discard(Appointment.NO_SHOW)
    return moves


def mark_reminded(appt, by, *, channel, note='', expected_version=None):
    """Record that the customer was reminded: who, when, how, and what they said."""
    if channel not in Appointment.CHANNEL_LABELS:
        raise IllegalMove(_l('Choose how the customer was reminded.'))
    if appt.status != Appointment.BOOKED:
        raise IllegalMove(_l('Only a booked appointment can be reminded; this one is "%(a)s".', a=appt.status_label))
    with transaction():
        appt.update_versioned(expected_version, where=(Appointment.status == appt.status), reminded_at=utcnow(),
                              reminded_by=by.id, reminder_channel=channel, reminder_note=(note or '').strip()[:200])
        audit.record('appointment.reminded', 'appointment', appt.id, shop=appt.shop_id, actor=by,
                     after={'channel': channel, 'note': appt.reminder_note, 'at': appt.reminded_at})
    return appt


def mark_no_show(appt, by, *, expected_version=None, now=None):
    """The customer did not come: only once the appointment's time has passed. The bay is freed."""
    STATUSES.check(appt, Appointment.NO_SHOW)
    if appt.start_at > (now or utcnow()):
        raise IllegalMove(_l('The appointment has not started yet; mark a no-show after its start time.'))
    with transaction():
        STATUSES.move(appt, Appointment.NO_SHOW, expected_version=expected_version)
        audit.record('appointment.no_show', 'appointment', appt.id, shop=appt.shop_id, actor=by,
                     before={'status': Appointment.BOOKED}, after={'status': Appointment.NO_SHOW})
    return appt


def cancel(appt, by, *, note='', expected_version=None):
    """Cancel a booked appointment (the customer called it off); the bay is freed."""
    with transaction():
        STATUSES.move(appt, Appointment.CANCELLED, expected_version=expected_version)
        audit.record('appointment.cancelled', 'appointment', appt.id, shop=appt.shop_id, actor=by,
                     before={'status': Appointment.BOOKED}, after={'status': Appointment.CANCELLED},
                     note=(note or '').strip()[:200])
    return appt


def arrive(appt, by, *, expected_version=None):
    """The car is here: open a draft repair order carrying customer, vehicle, work, jobs and parts.

    The requested parts go onto the order's first job line; the deposit stays on the appointment.
    Returns the new order.
    """
    STATUSES.check(appt, Appointment.ARRIVED)      # before a repair order is opened for it
    with transaction():
        jobs = [(j.canned_job, j.description, j.hours) for j in appt.job_list]
        parts = appt.part_list
        if not jobs and (appt.requested_work or parts):
            first = appt.requested_work.strip().splitlines()[0] if appt.requested_work.strip() else ''
            jobs = [(None, (first or str(_l('Requested work')))[:200], appt.duration)]
        order = start_checkin(appt.shop, by, customer=appt.customer, vehicle=appt.vehicle,
                              complaint=appt.requested_work, jobs=jobs, appointment_id=appt.id)
        line = (OrderLine.select().where(OrderLine.order == order)
                .order_by(OrderLine.position, OrderLine.id).first())
        for p in parts:
            PartLine.create(shop=appt.shop, order=order, line=line, part_number=p.part_number, name=p.name,
                            quantity=p.quantity, unit_price=p.unit_price)
        STATUSES.move(appt, Appointment.ARRIVED, expected_version=expected_version, order_id=order.id)
        audit.record('appointment.arrived', 'appointment', appt.id, shop=appt.shop_id, actor=by,
                     before={'status': Appointment.BOOKED},
                     after={'status': Appointment.ARRIVED, 'order': order.id, 'deposit': appt.deposit})
    return order
