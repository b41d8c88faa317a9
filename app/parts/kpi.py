"""The parts figures the KPI dashboard counts (DOMAIN.md "Targets": the parts clerk's stock accuracy, fill rate,
parts cost). One definition each, here; `shop_ids` is a list of shop ids, `start`/`end` naive UTC, [start, end).

- fill rate: parts requests made in the period and answered (not cancelled, not still waiting for an answer);
  served at once = issued or substituted from stock without having been backordered first.
- stock variance: count sheets approved in the period; |counted - book| x unit cost over book value counted.
- parts cost: the cost of parts issued to orders minus parts returned from orders, in the period.
"""
from decimal import Decimal

from peewee import SQL, Case, fn

from app.parts.models import StockCount, StockCountLine, StockMove
from app.workshop.models import PartsRequest

SERVED = (PartsRequest.ISSUED, PartsRequest.SUBSTITUTED)
ANSWERED = (PartsRequest.ISSUED, PartsRequest.SUBSTITUTED, PartsRequest.BACKORDERED)


def _served_at_once():
    # A backorder is the only answer that sets expected_at, and nothing clears it: a request issued after
    # waiting keeps it, so "no expected date" means it was served the first time it was answered.
    return PartsRequest.status.in_(SERVED) & PartsRequest.expected_at.is_null()


def _in(model_shop, at, shop_ids, start, end):
    return model_shop.in_(list(shop_ids)) & (at >= start) & (at < end)


def fill_rate_rows(shop_ids, start, end):
    """The parts requests the fill rate counts (for drill-down), oldest first."""
    return (PartsRequest.select()
            .where(_in(PartsRequest.shop, PartsRequest.requested_at, shop_ids, start, end)
                   & PartsRequest.status.in_(ANSWERED))
            .order_by(PartsRequest.requested_at, PartsRequest.id))


def fill_rate(shop_ids, start, end):
    """(requests served from stock at once, requests) in the period."""
    rows = fill_rate_rows(shop_ids, start, end).order_by()
    requests = rows.count()
    served = rows.where(_served_at_once()).count() if requests else 0
    return served, requests


def stock_variance_rows(shop_ids, start, end, *, within=None):
    """The counted lines of the count sheets approved in the period, with their sheet. `within`: the SQL that
    narrows the sheets instead (a KPI period's buckets, `by_bucket`)."""
    if within is None:
        within = _in(StockCount.shop, StockCount.approved_at, shop_ids, start, end)
    return (StockCountLine.select(StockCountLine, StockCount)
            .join(StockCount)
            .where(within & (StockCount.status == StockCount.APPROVED) & StockCountLine.counted_qty.is_null(False))
            .order_by(StockCount.approved_at, StockCountLine.id))


def line_variance_value(line):
    return (abs(line.counted_qty - line.book_qty) * line.unit_cost).quantize(Decimal('0.01'))


def _book_value(line):
    return (line.book_qty * line.unit_cost).quantize(Decimal('0.01'))


def stock_variance(shop_ids, start, end):
    """(absolute variance value, book value counted) of the count sheets approved in the period."""
    variance, book = Decimal('0.00'), Decimal('0.00')
    for line in stock_variance_rows(shop_ids, start, end):
        variance += line_variance_value(line)
        book += _book_value(line)
    return variance, book


def _issued_and_returned():
    return StockMove.kind.in_((StockMove.ISSUE, StockMove.RETURN))


def _cost(total):
    return (Decimal('0') - Decimal(str(total or 0))).quantize(Decimal('0.01'))


def parts_cost(shop_ids, start, end):
    """Net cost of parts issued to orders in the period (issues minus returns), as a positive amount."""
    total = (StockMove.select(fn.SUM(StockMove.value))
             .where(_in(StockMove.shop, StockMove.at, shop_ids, start, end) & _issued_and_returned())
             .scalar())
    return _cost(total)


def by_bucket(buckets):
    """fill_rate, stock_variance and parts_cost of each bucket of a KPI period (app.core.periods.Buckets, its
    shops in their own zones) in three queries: {bucket: {'served', 'requests', 'variance', 'book', 'parts_cost'}},
    every bucket present."""
    out = {k: {'served': 0, 'requests': 0, 'variance': Decimal('0.00'), 'book': Decimal('0.00'),
               'parts_cost': Decimal('0.00')} for k in range(len(buckets))}
    R = PartsRequest
    for k, requests, served in (R.select(buckets.bucket(R.shop, R.requested_at), fn.COUNT(SQL('1')),
                                         fn.SUM(Case(None, [(_served_at_once(), 1)], 0)))
                                .where(buckets.within(R.shop, R.requested_at) & R.status.in_(ANSWERED))
                                .group_by(SQL('1')).tuples()):
        out[int(k)].update(served=int(served or 0), requests=requests)
    k_sheet = buckets.bucket(StockCount.shop, StockCount.approved_at)
    for line in (stock_variance_rows(None, None, None, within=buckets.within(StockCount.shop, StockCount.approved_at))
                 .select_extend(k_sheet.alias('k'))):
        d = out[int(line.k)]
        d['variance'] += line_variance_value(line)
        d['book'] += _book_value(line)
    for k, total in (StockMove.select(buckets.bucket(StockMove.shop, StockMove.at), fn.SUM(StockMove.value))
                     .where(buckets.within(StockMove.shop, StockMove.at) & _issued_and_returned())
                     .group_by(SQL('1')).tuples()):
        out[int(k)]['parts_cost'] = _cost(total)
    for d in out.values():          # nothing counted reads 0, not 0.00, as the dashboard has always shown it
        for key in ('variance', 'book', 'parts_cost'):
            d[key] = d[key] or Decimal('0')
    return out
