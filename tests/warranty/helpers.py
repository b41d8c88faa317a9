"""Small builders for warranty tests: staff, a sold car, finished orders with decided lines."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.core import stages
from app.core.access import ADVISOR, MANAGER, TECHNICIAN, WARRANTY
from app.core.db import transaction
from app.reception.checkin import create_signed_order
from app.reception.models import OrderLine, PartLine
from app.warranty.coverage import decide_coverage
from app.warranty.models import LineCoverage
from tests import factories


def staff(shop):
    return {
        'clerk': factories.make_user('clerk', [WARRANTY], [shop], display_name='冯静 Feng Jing'),
        'manager': factories.make_user('boss', [MANAGER], [shop], display_name='王经理 Wang'),
        'advisor': factories.make_user('adv', [ADVISOR], [shop], display_name='李娜 Li Na'),
        'tech': factories.make_user('tech', [TECHNICIAN], [shop], display_name='刘洋 Liu Yang'),
    }


def car(shop, sold=date(2025, 3, 10), mileage=10000, **kw):
    return factories.make_vehicle(shop, factories.make_customer(shop), sale_date=sold, mileage=mileage, **kw)


def noon(day):
    """Noon in Shanghai on a local day, as naive UTC (04:00): no date shifts in the tests."""
    return datetime(day.year, day.month, day.day, 4, 0)


def order(shop, by, vehicle, checked_in, *, delivered=None, odometer=1000, stage=stages.CLOSED, jobs=()):
    """An order signed at `checked_in` (naive UTC); `jobs`: (description, labour price, [(part price, qty,
    supplied_by)]) tuples. Closed orders get `delivered` (default: same moment + 2 hours)."""
    with transaction():
        ro = create_signed_order(shop=shop, by=by, customer=vehicle.owner, vehicle=vehicle, advisor=by,
                                         complaint='异响', odometer=odometer, checked_in_at=checked_in,
                                         promised_at=checked_in + timedelta(hours=6))
        lines = []
        for description, labour, parts in jobs:
            line = OrderLine.create(shop=shop, order=ro, description=description, labour_hours=Decimal('1'),
                                    labour_price=Decimal(labour))
            for price, qty, supplied_by in parts:
                PartLine.create(shop=shop, order=ro, line=line, name='part', quantity=Decimal(qty),
                                unit_price=Decimal(price), supplied_by=supplied_by)
            lines.append(line)
        ro.stage = stage
        if stage in (stages.CLOSED, stages.DELIVERED):
            ro.delivered_at = delivered or checked_in + timedelta(hours=2)
        ro.save()
    return ro, lines


def decide(line, by, kind=LineCoverage.WARRANTY, system='brakes', reason='quality fault'):
    current = LineCoverage.get_or_none(LineCoverage.line == line.id)
    return decide_coverage(line, by=by, kind=kind, system=system, reason=reason,
                           expected_version=current.version if current else 0)


def repair(shop, by, clerk, vehicle, checked_in, days_long, system='brakes', kind=LineCoverage.WARRANTY,
           odometer=1000):
    """A finished repair `days_long` x 24 hours long with one decided line of `system`."""
    ro, (line,) = order(shop, by, vehicle, checked_in, delivered=checked_in + timedelta(days=days_long),
                        odometer=odometer, jobs=[('job', '300', [])])
    decide(line, clerk, kind=kind, system=system)
    return ro
