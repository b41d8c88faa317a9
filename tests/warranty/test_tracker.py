"""The three-guarantee tracker: days in repair, repairs of the same problem, the loaner car, early failures."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from app.core import stages
from app.core.db import utcnow
from app.core.errors import IllegalMove, Refused, StaleRecord
from app.core.models import Setting
from app.warranty.eligibility import LEMON_NEAR_DAYS, LEMON_NEAR_REPAIRS
from app.warranty.models import LineCoverage, LoanerRecord
from app.warranty.tracker import (open_long_repairs, order_days, order_warranty, record_loaner, repair_days,
                                  vehicle_status, vehicles_near_limits)
from tests.warranty.helpers import car, decide, noon, order, repair, staff

SOLD = date(2025, 6, 1)
NOW = datetime(2026, 6, 1, 4)        # a year after the sale, inside the three-guarantee period


@pytest.fixture
def people(shop):
    return staff(shop)


@pytest.fixture
def vehicle(shop):
    return car(shop, sold=SOLD, mileage=20000)


def _codes(flags):
    return sorted(f.code for f in flags)


@pytest.mark.parametrize('start, end, days', [
    (datetime(2026, 1, 1, 1), datetime(2026, 1, 1, 3), 1),        # two hours: one day
    (datetime(2026, 1, 1, 1), datetime(2026, 1, 2, 1), 1),        # exactly 24 hours
    (datetime(2026, 1, 1, 1), datetime(2026, 1, 2, 1, 1), 2),     # 24 hours and a minute: a second day begun
    (datetime(2026, 1, 1, 1), datetime(2026, 1, 6, 1), 5),
    (datetime(2026, 1, 1, 1), datetime(2026, 1, 1, 1), 1),        # no time recorded: the minimum
])
def test_repair_days_count_started_24_hours(start, end, days):
    """The regulation counts a repair under 24 hours as a day; every started 24 hours is another."""
    assert repair_days(start, end) == days


def test_days_end_when_ready_for_pickup(shop, people):
    """A customer slow to collect the car does not add days: the repair ended when it was ready for pickup."""
    from app.core import audit
    # sold a year ago, so the repair is inside the three-guarantee period whatever today's date (a car sold
    # on a fixed date ran out of its period in June 2027 and the test with it: found by the date run)
    vehicle = car(shop, sold=utcnow().date() - timedelta(days=365), mileage=20000)
    checked_in = utcnow() - timedelta(days=3, hours=1)
    ro, (line,) = order(shop, people['advisor'], vehicle, checked_in, stage=stages.READY_FOR_PICKUP,
                        jobs=[('job', '300', [])])
    decide(line, people['clerk'])
    later = utcnow() + timedelta(days=5)
    assert order_days(ro, later) == 9                   # no completion recorded: counts up to "now"
    audit.record('order.stage', 'repair_order', ro.id, shop=shop.id, after={'stage': stages.READY_FOR_PICKUP})
    assert order_days(ro, later) == 4                   # 3 days 1 hour: four started days
    assert vehicle_status(vehicle, later).days == 4
    ro.delivered_at = checked_in + timedelta(hours=30)        # delivered before the event: the earlier one wins
    assert order_days(ro, later) == 2


def test_cumulative_days_thresholds(shop, people, vehicle):
    """24 days: quiet; 25: a warning; 35: still a warning; 36: over, the customer may ask for a replacement."""
    clerk, adv = people['clerk'], people['advisor']
    repair(shop, adv, clerk, vehicle, noon(date(2025, 8, 1)), 10, system='engine')
    repair(shop, adv, clerk, vehicle, noon(date(2025, 9, 1)), 14, system='electrical')
    status = vehicle_status(vehicle, NOW)
    assert (status.days, status.level, status.days_left) == (24, '', 11)
    repair(shop, adv, clerk, vehicle, noon(date(2025, 10, 1)), 1, system='body')
    status = vehicle_status(vehicle, NOW)
    assert (status.days, _codes(status.flags)) == (25, ['days_near'])
    repair(shop, adv, clerk, vehicle, noon(date(2025, 11, 1)), 10, system='steering')
    status = vehicle_status(vehicle, NOW)
    assert (status.days, status.level) == (35, 'near')
    repair(shop, adv, clerk, vehicle, noon(date(2025, 12, 1)), 1, system='other')
    status = vehicle_status(vehicle, NOW)
    assert (status.days, _codes(status.flags)) == (36, ['days_over'])
    assert 'replacement' in status.flags[0].text


def test_same_problem_counts(shop, people, vehicle):
    """The 3rd brake repair is quiet, the 4th and 5th warn, the 6th is over the limit."""
    clerk, adv = people['clerk'], people['advisor']
    for month in (7, 8, 9):
        repair(shop, adv, clerk, vehicle, noon(date(2025, month, 1)), 1, system='brakes')
    repair(shop, adv, clerk, vehicle, noon(date(2025, 9, 15)), 1, system='engine')
    assert vehicle_status(vehicle, NOW).flags == []
    repair(shop, adv, clerk, vehicle, noon(date(2025, 10, 1)), 1, system='brakes')
    status = vehicle_status(vehicle, NOW)
    assert status.problems == {'brakes': 4, 'engine': 1} and _codes(status.flags) == ['repairs_near']
    assert status.worst_problem == ('brakes', 4)
    repair(shop, adv, clerk, vehicle, noon(date(2025, 11, 1)), 1, system='brakes')
    assert _codes(vehicle_status(vehicle, NOW).flags) == ['repairs_near']
    repair(shop, adv, clerk, vehicle, noon(date(2025, 12, 1)), 1, system='brakes')
    assert _codes(vehicle_status(vehicle, NOW).flags) == ['repairs_over']


def test_what_is_not_counted(shop, people, vehicle):
    """Customer-pay jobs, repairs after the period, cancelled orders and a second brake line on the same
    order do not add repairs of the same problem."""
    clerk, adv = people['clerk'], people['advisor']
    # two brake lines on one order: one repair
    ro, lines = order(shop, adv, vehicle, noon(date(2025, 7, 1)), jobs=[('pads', '300', []), ('discs', '300', [])])
    decide(lines[0], clerk), decide(lines[1], clerk)
    # the customer pays (wear): not a quality problem
    repair(shop, adv, clerk, vehicle, noon(date(2025, 8, 1)), 3, kind=LineCoverage.CUSTOMER_PAY)
    # goodwill inside the period counts
    repair(shop, adv, clerk, vehicle, noon(date(2025, 9, 1)), 1, kind=LineCoverage.GOODWILL)
    # cancelled order: never a repair
    cancelled = repair(shop, adv, clerk, vehicle, noon(date(2025, 10, 1)), 1)
    cancelled.stage = stages.CANCELLED
    cancelled.save()
    # after the 50,000 km of the period: warranty still, but no longer counted for the three guarantees
    repair(shop, adv, clerk, vehicle, noon(date(2025, 11, 1)), 1, odometer=50001)
    status = vehicle_status(vehicle, NOW)
    assert status.problems == {'brakes': 2} and status.days == 2
    # a vehicle whose period has ended shows no "near" warnings any more
    assert vehicle_status(vehicle, datetime(2027, 6, 2, 4)).in_period is False


def test_open_repair_counts_up_to_now(shop, people, vehicle):
    """A car still in the workshop adds its days so far."""
    ro, (line,) = order(shop, people['advisor'], vehicle, datetime(2026, 5, 20, 4), stage=stages.WAITING_PARTS,
                        jobs=[('job', '300', [])])
    decide(line, people['clerk'])
    assert vehicle_status(vehicle, NOW).days == 12


def test_near_thresholds_are_settings_like(shop, people, vehicle):
    """A shop that wants an earlier warning stores its own number under the constant's key."""
    Setting.create(shop=shop, key='lemon_near_repairs', value='2')
    clerk, adv = people['clerk'], people['advisor']
    repair(shop, adv, clerk, vehicle, noon(date(2025, 7, 1)), 1)
    repair(shop, adv, clerk, vehicle, noon(date(2025, 8, 1)), 1)
    assert _codes(vehicle_status(vehicle, NOW).flags) == ['repairs_near']
    assert LEMON_NEAR_DAYS == 25 and LEMON_NEAR_REPAIRS == 4


def _open_order(shop, people, vehicle, days_ago, hours=0, kind=LineCoverage.WARRANTY, system='engine'):
    now = utcnow()
    ro, (line,) = order(shop, people['advisor'], vehicle, now - timedelta(days=days_ago, hours=hours),
                        stage=stages.IN_PROGRESS, odometer=20000, jobs=[('job', '300', [])])
    if kind:
        decide(line, people['clerk'], kind=kind, system=system)
    return ro


@pytest.fixture
def recent(shop):
    """Sold last year: inside the warranty today."""
    return car(shop, sold=date.today() - timedelta(days=300), mileage=20000)


def test_loaner_flags(shop, people, recent):
    """Day 5 warns the advisor; past 5 days a loaner car is owed until one is recorded."""
    day5 = _open_order(shop, people, recent, 4, hours=2)
    assert _codes(order_warranty(day5).flags) == ['loaner_tomorrow']
    day6 = _open_order(shop, people, recent, 5, hours=2)
    info = order_warranty(day6)
    assert (info.days, _codes(info.flags)) == (6, ['loaner_owed'])
    assert [i.order.id for i in open_long_repairs(shop)] == [day6.id]
    record_loaner(day6, by=people['advisor'], kind=LoanerRecord.LOANER_CAR, given_at=utcnow(), expected_count=0)
    assert _codes(order_warranty(day6).flags) == ['loaner_given']
    # customer-pay work is no quality repair: nothing owed
    paid = _open_order(shop, people, recent, 8, kind=LineCoverage.CUSTOMER_PAY)
    assert order_warranty(paid).flags == []
    # nothing decided yet inside the warranty: the advisor is told to have it decided
    undecided = _open_order(shop, people, recent, 8, kind=None)
    assert _codes(order_warranty(undecided).flags) == ['loaner_maybe']


def test_loaner_record_rules(shop, people, recent):
    """Transport money needs an amount; a repeat from a stale form is refused; the advisor records it."""
    ro = _open_order(shop, people, recent, 7)
    with pytest.raises(Refused):
        record_loaner(ro, by=people['advisor'], kind=LoanerRecord.TRANSPORT, given_at=utcnow())
    with pytest.raises(IllegalMove):
        record_loaner(ro, by=people['tech'], kind=LoanerRecord.LOANER_CAR, given_at=utcnow())
    record_loaner(ro, by=people['advisor'], kind=LoanerRecord.TRANSPORT, given_at=utcnow(),
                  amount=Decimal('300'), expected_count=0)
    with pytest.raises(StaleRecord):
        record_loaner(ro, by=people['advisor'], kind=LoanerRecord.TRANSPORT, given_at=utcnow(),
                      amount=Decimal('300'), expected_count=0)


def test_early_failure_is_flagged_for_the_manager(shop, people):
    """A brake failure 60 days after sale is flagged; day 61, 3,001 km or a non-serious system is not."""
    def case(days_after, km, system):
        v = car(shop, sold=SOLD, mileage=km)
        ro, (line,) = order(shop, people['advisor'], v, noon(SOLD + timedelta(days=days_after)), odometer=km,
                            jobs=[('job', '300', [])])
        decide(line, people['clerk'], system=system)
        return order_warranty(ro, NOW)
    flagged = case(60, 3000, 'brakes')
    assert flagged.early == ['brakes'] and _codes(flagged.flags) == ['early_failure']
    assert flagged.flags[0].audience == 'manager'
    assert case(61, 100, 'brakes').early == []
    assert case(10, 3001, 'steering').early == []
    assert case(10, 100, 'air_conditioning').early == []
    assert case(10, 100, 'fuel_system').early == ['fuel_system']
    assert case(10, 100, 'body').early == ['body']


def test_tracker_lists_vehicles_near_limits_worst_first(shop, people):
    """The dashboard shows the car over the limit above the car near it, and leaves quiet cars out."""
    clerk, adv = people['clerk'], people['advisor']
    near, over, quiet = (car(shop, sold=SOLD) for _ in range(3))
    repair(shop, adv, clerk, near, noon(date(2025, 7, 1)), 26)
    repair(shop, adv, clerk, over, noon(date(2025, 7, 1)), 36)
    repair(shop, adv, clerk, quiet, noon(date(2025, 7, 1)), 2)
    assert [s.vehicle.id for s in vehicles_near_limits(shop, NOW)] == [over.id, near.id]
