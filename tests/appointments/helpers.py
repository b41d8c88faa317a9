"""Shared helpers for the appointment tests: local times in the shop's zone, booking form data."""
from datetime import datetime, time, timedelta
from decimal import Decimal

from app.appointments import rules
from app.appointments.models import Appointment
from app.core.db import utcnow
from app.core.models import Setting
from app.core.timeutil import local_now, to_utc


def local_day(shop, days=1):
    """A date `days` from today in the shop's time zone (tomorrow by default: always bookable)."""
    return local_now(shop.timezone).date() + timedelta(days=days)


def utc_at(shop, clock, days=1):
    hours, minutes = (int(x) for x in clock.split(':'))
    return to_utc(datetime.combine(local_day(shop, days), time(hours, minutes)), shop.timezone)


def set_setting(shop, key, value):
    Setting.create(shop=shop, key=key, value=str(value))


def form_data(pick, shop, clock='10:30', days=1, **over):
    """What the booking form posts."""
    data = {'pick': pick, 'q': '', 'date': local_day(shop, days).isoformat(), 'time': clock, 'duration': '1',
            'advisor': '', 'requested_work': '做保养 10,000 km service', 'deposit': '', 'deposit_method': ''}
    for i in range(3):
        for name in ('part_number', 'name', 'quantity', 'unit_price'):
            data['parts-%d-%s' % (i, name)] = ''
    data.update(over)
    return data


def pick_of(customer, vehicle=None):
    return '%d:%s' % (customer.id, vehicle.id if vehicle else '')


def book(shop, by, customer, vehicle=None, clock='10:30', days=1, duration='1', **kw):
    """Book through the rule (the setup of a test, not what it checks)."""
    return rules.book(shop, by, customer=customer, vehicle=vehicle, start_at=utc_at(shop, clock, days),
                      duration=Decimal(duration), requested_work=kw.pop('requested_work', 'service'), **kw)


def appointment_in(shop, customer, vehicle=None, hours=5.0, **kw):
    """An appointment starting `hours` from now (may be outside opening hours: for reminder and no-show tests)."""
    return Appointment.create(shop=shop, customer=customer, vehicle=vehicle,
                              start_at=utcnow() + timedelta(hours=hours), duration=Decimal('1'),
                              requested_work=kw.pop('requested_work', 'service'), **kw)
