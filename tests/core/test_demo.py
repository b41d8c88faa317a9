"""flask demo loads a realistic shop, and running it twice duplicates nothing."""
from contextlib import nullcontext
from datetime import time, timedelta

import pytest

from app.aftercare.models import Complaint
from app.aftercare.rules import answer_state, due_tasks
from app.core.db import utcnow
from app.core.timeutil import local_now
from app.kpi import engine
from app.kpi.specs import INSURANCE_FIGURES
from app.parts.purchasing import below_safety
from app.reports.business import business_report
from app.core.periods import DAY, MONTH, period_of
from app.accounts.models import User, UserRole
from app.core.access import ROLES
from app.core.models import Event, Shop
from app.core.validators import phone_problem, plate_problem, vin_problem
from app.customers.models import Customer, Vehicle
from app.reception.models import RepairOrder
from tests.helpers import at_local


def _counts():
    return [m.select().count() for m in (Shop, User, Customer, Vehicle, RepairOrder, Event)]


def test_demo_is_realistic_and_idempotent(runner):
    """A newcomer running `make run` must see a full shop, and a second run must not double it."""
    result = runner.invoke(args=['demo'])
    assert result.exit_code == 0, result.output
    assert 'advisor' in result.output and 'servicebay' in result.output
    first = _counts()
    assert Customer.select().count() == 40 and Vehicle.select().count() == 50
    assert {r.role for r in UserRole.select()} == set(ROLES)
    for car in Vehicle.select():
        assert vin_problem(car.vin) is None and plate_problem(car.plate) is None
    assert any(len(car.plate) == 8 for car in Vehicle.select())  # new-energy plates too
    for c in Customer.select():
        assert phone_problem(c.phone) is None
    assert RepairOrder.select(RepairOrder.stage).distinct().count() >= 8
    runner.invoke(args=['demo'])
    assert _counts() == first



# The date run's hard days (scripts/test_dates.py), pinned so they are tried on every day of the calendar;
# None is the real clock. On these days the demo used to have no car handed back this month (00:55 on the 1st: the
# month's first insurance job).
HARD_DAYS = [None, ('2027-03-01 00:05', 'Asia/Shanghai'), ('2027-03-01 00:55', 'Asia/Shanghai'),
             ('2027-03-01 10:30', 'Asia/Shanghai'),
             ('2027-01-02 08:00', 'Asia/Shanghai'), ('2028-02-29 23:40', 'Asia/Shanghai'),
             ('2026-12-13 23:40', 'Asia/Shanghai'), ('2027-03-28 03:10', 'Europe/Berlin')]


@pytest.mark.parametrize('when', HARD_DAYS, ids=lambda w: 'now' if w is None else '%s %s' % w)
def test_demo_shows_a_working_shop_whatever_the_date(runner, when):
    """On the 1st of a month, a Sunday night or any other day, `make run` must show every area at work."""
    with (at_local(*when, tick=True) if when else nullcontext()):
        result = runner.invoke(args=['demo'] + (['--timezone', when[1]] if when else []))
        assert result.exit_code == 0, result.output
        _a_working_shop(Shop.get(Shop.code == 'XH01'))


def _a_working_shop(shop):
    now = local_now(shop.timezone)
    today = now.date()
    month = period_of(MONTH, today, shop.timezone)
    if now.time() >= time(10, 0):          # the shop has been open a while: cars were handed back today
        assert business_report(shop, period_of(DAY, today, shop.timezone)).vehicles_out.count >= 1
        assert business_report(shop, month).vehicles_out.count >= 1
    elif today.day > 1:                    # before opening on the 2nd or later: earlier this month
        assert business_report(shop, month).vehicles_out.count >= 1
    # a full previous month: cars handed back on every working day (the demo's shop closes on Sundays)
    last = business_report(shop, month.shifted(-1))
    busy = {row.day for row in last.rows if row.vehicles_out}
    working = {d for d in month.shifted(-1).days if d.weekday() != 6}
    assert working <= busy, sorted(working - busy)
    assert last.revenue['total'] > 0
    # the call list has calls for today, a complaint is about to breach, stock needs reordering
    assert due_tasks(shop, today).count() >= 1
    assert any(answer_state(c, utcnow()) == 'due_soon' for c in Complaint.for_shop(shop))
    assert below_safety(shop)
    # nothing happened in the future
    assert not RepairOrder.select().where(RepairOrder.delivered_at > utcnow() + timedelta(seconds=5)).exists()
    # the KPI dashboard's month shows insurance work: an insurer's bill past its month always, and from the month's
    # first hour a job settled this month (with its revenue and its days from the assessment)
    figs = engine.compute([shop.id], month.start, today + timedelta(days=1), list(INSURANCE_FIGURES))
    assert figs['insurer_overdue'].value > 0
    if today.day > 1 or now.time() >= time(0, 50):
        assert figs['insurance_jobs'].value >= 1 and figs['insurance_revenue'].value > 0
        assert figs['insurance_days'].value is not None
