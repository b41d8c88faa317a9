"""First-maintenance return rate: cars sold, back here for their first maintenance within the window."""
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from app.core import stages
from app.warranty.kpis import first_maintenance_cohort, first_maintenance_return_rate
from tests import factories
from tests.warranty.helpers import car, noon, order, staff

TODAY = date(2026, 11, 20)


@pytest.fixture
def people(shop):
    return staff(shop)


@pytest.fixture
def maintenance(shop):
    return factories.make_canned_job(shop, code='M5K', name='5,000 km maintenance')


def _maintained(shop, people, job, vehicle, day, km, stage=stages.CLOSED):
    ro, (line,) = order(shop, people['advisor'], vehicle, noon(day), odometer=km, stage=stage,
                        jobs=[('maintenance', '240', [])])
    line.canned_job = job
    line.save()
    return ro


def test_return_rate_is_exact(shop, people, maintenance):
    """Seven cars sold: 3 back in time, 2 late or too far, 1 elsewhere, 1 still inside its window."""
    sold = date(2025, 12, 1)                     # window: up to 2026-09-01, 7,500 km
    in_time = [car(shop, sold=sold) for _ in range(3)]
    _maintained(shop, people, maintenance, in_time[0], date(2026, 3, 1), 5000)
    _maintained(shop, people, maintenance, in_time[1], date(2026, 9, 1), 7500)        # the last day, the last km
    _maintained(shop, people, maintenance, in_time[2], date(2025, 12, 20), 900)       # early still counts
    late = car(shop, sold=sold)
    _maintained(shop, people, maintenance, late, date(2026, 9, 2), 6000)              # one day late
    far = car(shop, sold=sold)
    _maintained(shop, people, maintenance, far, date(2026, 5, 1), 7501)               # one km over
    elsewhere = car(shop, sold=sold)
    ro, _lines = order(shop, people['advisor'], elsewhere, noon(date(2026, 4, 1)), odometer=4000,
                       jobs=[('brake noise', '300', [])])                              # here, but no maintenance
    car(shop, sold=date(2026, 6, 1), mileage=3000)                                     # inside its window: pending
    car(shop, sold=date(2024, 1, 1))                                                   # sold before the period
    cohort = first_maintenance_cohort(shop, date(2025, 1, 1), date(2026, 10, 31), today=TODAY)
    assert (len(cohort.returned), len(cohort.missed), len(cohort.pending)) == (3, 3, 1)
    rate = first_maintenance_return_rate(shop, date(2025, 1, 1), date(2026, 10, 31), today=TODAY)
    assert (rate.numerator, rate.denominator, rate.value) == (3, 6, Fraction(1, 2))
    assert rate.percent == Decimal('50.0') and not rate.meets(Decimal('0.95'))


def test_window_closes_by_distance_before_the_date(shop, people, maintenance):
    """A car already past 7,500 km without its maintenance has missed it, even inside the 9 months."""
    v = car(shop, sold=date(2026, 8, 1), mileage=8000)
    assert [c.id for c in first_maintenance_cohort(shop, date(2026, 1, 1), TODAY, today=TODAY).missed] == [v.id]


def test_cancelled_or_unsigned_orders_do_not_count(shop, people, maintenance):
    """A maintenance booked and cancelled is no return."""
    v = car(shop, sold=date(2025, 12, 1))
    _maintained(shop, people, maintenance, v, date(2026, 3, 1), 5000, stage=stages.CANCELLED)
    rate = first_maintenance_return_rate(shop, date(2025, 12, 1), date(2025, 12, 1), today=TODAY)
    assert (rate.numerator, rate.denominator) == (0, 1)


def test_nothing_to_count(shop):
    """No cars sold in the period: no rate, not 0 % or 100 %."""
    rate = first_maintenance_return_rate(shop, date(2020, 1, 1), date(2020, 2, 1), today=TODAY)
    assert rate.value is None and rate.percent is None and not rate.meets(Decimal('0.95'))
