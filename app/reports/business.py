"""The business report (营业统计): vehicles in and out by type and repair category, revenue by payer,
money taken and receivables, for a local day, week or month; per day inside a week or month.

Every figure is one grouped SQL query (about a dozen for a report, whatever the period's size).
Revenue, payments and what "settled" means come from app.settlement.queries, so they are the same
numbers the settlement pages show.
"""
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import JOIN, fn

from app.catalogue.models import CannedJob
from app.core import stages
from app.core.money import money
from app.core.periods import Buckets
from app.customers.makes import make_and_model
from app.core.db import utcnow
from app.customers.models import Vehicle
from app.insurance import queries as insurance_queries
from app.reception.models import OrderLine, RepairOrder
from app.settlement import queries as settlement_queries
from app.settlement.models import CATEGORIES, MINOR, PAYERS, Settlement
from app.settlement.receivables import owed_at

ZERO = Decimal('0.00')


def dec(value):
    """A SUM from the database as money (SQLite answers in floats, PostgreSQL in Decimals)."""
    return money(Decimal(str(value))) if value is not None else ZERO


@dataclass
class Flow:
    """Vehicles in (signed in) or out (handed back) in a period: the count and its splits."""
    count: int = 0
    by_type: list = field(default_factory=list)          # [(make, model, n)], most first
    by_category: dict = field(default_factory=dict)      # category -> orders with a job of that category


@dataclass
class DayRow:
    day: object
    vehicles_in: int = 0
    vehicles_out: int = 0
    revenue: Decimal = ZERO


@dataclass
class BusinessReport:
    shop: object
    period: object
    vehicles_in: Flow
    vehicles_out: Flow
    revenue: dict                # labour, parts, discount, tax, total, per payer, settlements, credited
    payments: dict               # method -> amount
    receivable: Decimal
    receivable_count: int
    rows: list                   # DayRow per day (week and month)
    insurance: dict = None       # insurance jobs: app.insurance.queries.figures

    @property
    def payments_total(self):
        return sum(self.payments.values(), ZERO)

    @property
    def payer_revenue(self):
        return [(p, self.revenue[p]) for p in PAYERS]


def _signed(shop, start, end):
    return ((RepairOrder.shop == shop) & (RepairOrder.checked_in_at >= start) & (RepairOrder.checked_in_at < end)
            & (RepairOrder.stage.not_in([stages.DRAFT, stages.CANCELLED])))


def _delivered(shop, start, end):
    return ((RepairOrder.shop == shop) & (RepairOrder.delivered_at >= start) & (RepairOrder.delivered_at < end))


def _flow(where):
    # Grouped by the shop's list of makes and models (app.customers.makes), so "丰田" and "丰田 Toyota" are one make.
    query, make, model = make_and_model(RepairOrder.select().join(Vehicle, JOIN.LEFT_OUTER))
    by_type = list(query.select(make, model, fn.COUNT(RepairOrder.id).alias('n')).where(where)
                   .group_by(make, model).order_by(fn.COUNT(RepairOrder.id).desc(), make, model).tuples())
    cats = (OrderLine.select(CannedJob.category, fn.COUNT(fn.DISTINCT(OrderLine.order)).alias('n'))
            .join(RepairOrder, on=(OrderLine.order == RepairOrder.id))
            .join_from(OrderLine, CannedJob, JOIN.LEFT_OUTER).where(where)
            .group_by(CannedJob.category).tuples())
    by_category = OrderedDict((c, 0) for c in CATEGORIES)
    for category, n in cats:
        # A job outside the catalogue (or of another category) is "minor and other repairs".
        by_category[category if category in CATEGORIES else MINOR] += n
    return Flow(sum(n for _m, _mo, n in by_type), [(m or '', mo or '', n) for m, mo, n in by_type], by_category)


def receivable_at(shop, at):
    """What customers owed at a UTC time and on how many bills (app.settlement.receivables, the one rule)."""
    return owed_at([shop.id], at)


def _per_day(shop, period):
    """In, out and settled revenue for each local day of the period: three grouped queries."""
    b = Buckets.of(shop, period)
    rows = [DayRow(day) for day in b.starts]
    start, end = period.start_utc, period.end_utc
    settled = ((Settlement.shop == shop) & Settlement.settled_where()
               & (Settlement.settled_at >= start) & (Settlement.settled_at < end))
    counted = ((RepairOrder.checked_in_at, fn.COUNT(RepairOrder.id), _signed(shop, start, end), 'vehicles_in', int),
               (RepairOrder.delivered_at, fn.COUNT(RepairOrder.id), _delivered(shop, start, end), 'vehicles_out', int),
               (Settlement.settled_at, fn.SUM(Settlement.total), settled, 'revenue', dec))
    for at, total, where, column, value_of in counted:
        k = b.bucket(at.model.shop, at)
        for i, value in at.model.select(k, total).where(where).group_by(k).tuples():
            setattr(rows[int(i)], column, value_of(value))
    return rows


def business_report(shop, period):
    """The business report of a shop for a period (app.core.periods.Period)."""
    start, end = period.start_utc, period.end_utc
    receivable, receivable_count = receivable_at(shop, end)
    return BusinessReport(
        shop=shop, period=period,
        vehicles_in=_flow(_signed(shop, start, end)),
        vehicles_out=_flow(_delivered(shop, start, end)),
        revenue=settlement_queries.revenue(shop, start, end),
        payments=settlement_queries.payments_received(shop, start, end),
        receivable=receivable, receivable_count=receivable_count,
        rows=_per_day(shop, period) if period.kind != 'day' else [],
        insurance=insurance_queries.figures(shop, start, end, now=min(end, utcnow())),
    )
