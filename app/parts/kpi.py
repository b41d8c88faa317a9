"""The parts figures the KPI dashboard counts (DOMAIN.md "Targets": the parts clerk's stock accuracy, fill rate,
parts cost). One definition each, here; `shop_ids` is a list of shop ids, `start`/`end` naive UTC, [start, end).

- fill rate: parts requests made in the period and answered (not cancelled, not still waiting for an answer);
  served at once = issued or substituted from stock without having been backordered first.
- stock variance: count sheets approved in the period; |counted - book| x unit cost over book value counted.
- parts cost: the cost of parts issued to orders minus parts returned from orders, in the period.
"""
from decimal import Decimal

from peewee import fn

from app.parts.models import StockCount, StockCountLine, StockMove
from app.workshop.models import PartsRequest

SERVED = (PartsRequest.ISSUED, PartsRequest.SUBSTITUTED)
ANSWERED = (PartsRequest.ISSUED, PartsRequest.SUBSTITUTED, PartsRequest.BACKORDERED)


def _served_at_once():
    # A backorder is the only answer that sets expected_at, and nothing clears it: a request issued after
    # waiting keeps it, so "no expected date" means it was served the first time it was answered.
    return PartsRequest.status.in_(SERVED) & PartsRequest.expected_at.is_null()


def fill_rate_rows(shop_ids, start, end):
    """The parts requests the fill rate counts (for drill-down), oldest first."""
    return (PartsRequest.select()
            .where(PartsRequest.shop.in_(list(shop_ids)) & (PartsRequest.requested_at >= start)
                   & (PartsRequest.requested_at < end) & PartsRequest.status.in_(ANSWERED))
            .order_by(PartsRequest.requested_at, PartsRequest.id))


def fill_rate(shop_ids, start, end):
    """(requests served from stock at once, requests) in the period."""
    rows = fill_rate_rows(shop_ids, start, end).order_by()
    requests = rows.count()
    served = rows.where(_served_at_once()).count() if requests else 0
    return served, requests


def stock_variance_rows(shop_ids, start, end):
    """The counted lines of the count sheets approved in the period, with their sheet."""
    return (StockCountLine.select(StockCountLine, StockCount)
            .join(StockCount)
            .where(StockCount.shop.in_(list(shop_ids)) & (StockCount.status == StockCount.APPROVED)
                   & (StockCount.approved_at >= start) & (StockCount.approved_at < end)
                   & StockCountLine.counted_qty.is_null(False))
            .order_by(StockCount.approved_at, StockCountLine.id))


def line_variance_value(line):
    return (abs(line.counted_qty - line.book_qty) * line.unit_cost).quantize(Decimal('0.01'))


def stock_variance(shop_ids, start, end):
    """(absolute variance value, book value counted) of the count sheets approved in the period."""
    variance, book = Decimal('0.00'), Decimal('0.00')
    for line in stock_variance_rows(shop_ids, start, end):
        variance += line_variance_value(line)
        book += (line.book_qty * line.unit_cost).quantize(Decimal('0.01'))
    return variance, book


def parts_cost(shop_ids, start, end):
    """Net cost of parts issued to orders in the period (issues minus returns), as a positive amount."""
    total = (StockMove.select(fn.SUM(StockMove.value))
             .where(StockMove.shop.in_(list(shop_ids))
                    & StockMove.kind.in_((StockMove.ISSUE, StockMove.RETURN))
                    & (StockMove.at >= start) & (StockMove.at < end))
             .scalar())
    return (Decimal('0') - Decimal(str(total or 0))).quantize(Decimal('0.01'))
