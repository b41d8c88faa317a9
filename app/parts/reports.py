"""The parts clerk's reports: stock value, slow-moving parts, turnover, fill rate and stock accuracy.

Every figure is counted from the ledger (or the count sheets, or the parts requests through app.parts.kpi),
so the dashboard and these pages agree.
"""
from datetime import timedelta
from decimal import Decimal

from peewee import JOIN, fn

from app.core.settings import get_setting
from app.core.timeutil import to_local
from app.parts import kpi
from app.parts.purchasing import last_month
from app.parts.models import Part, StockLevel, StockMove

DAYS_PER_MONTH = 30


def stock_value(shop, at=None):
    """Total stock value now (from the stock levels), or at a moment (from the ledger: each part's last row
    before it; rows are posted in time order)."""
    if at is None:
        total = StockLevel.select(fn.SUM(StockLevel.value)).where(StockLevel.shop == shop).scalar()
        return Decimal(str(total or 0)).quantize(Decimal('0.01'))
    last = (StockMove.select(fn.MAX(StockMove.id))
            .where((StockMove.shop == shop) & (StockMove.at < at)).group_by(StockMove.part))
    total = StockMove.select(fn.SUM(StockMove.value_after)).where(StockMove.id.in_(last)).scalar()
    return Decimal(str(total or 0)).quantize(Decimal('0.01'))


def safety_stock(shop, now=None):
    """The shop's safety stock (004 "控制安全库存(当月出库金额的1.5倍)"): a stock VALUE of `safety_stock_factor` x
    last calendar month's outflow value (parts issued to orders at cost, less returns), against the stock value
    now. `cover` is the stock in months of that outflow; `gap` the stock value above (+) or below (-) the target."""
    start, end = last_month(shop, now)
    factor = Decimal(str(get_setting(shop, 'safety_stock_factor')))
    outflow_value = kpi.parts_cost([shop.id if hasattr(shop, 'id') else shop], start, end)
    target = (factor * outflow_value).quantize(Decimal('0.01'))
    value = stock_value(shop)
    return {'factor': factor, 'month': to_local(start, shop.timezone).date(), 'outflow_value': outflow_value, 'target': target, 'stock_value': value,
            'gap': value - target, 'below': value < target,
            'cover': (value / outflow_value).quantize(Decimal('0.1')) if outflow_value else None}


def slow_moving(shop, now, months):
    """Parts in stock with no receipt, issue, return or transfer for `months` months (30-day months)."""
    cutoff = now - timedelta(days=DAYS_PER_MONTH * months)
    return (Part.for_shop(shop).select(Part, StockLevel).join(StockLevel, attr='lv')
            .where((StockLevel.on_hand > 0)
                   & (StockLevel.last_activity_at.is_null() | (StockLevel.last_activity_at < cutoff)))
            .order_by(StockLevel.value.desc(), Part.number))


def slow_moving_summary(shop, now):
    """For 6 and 12 months: the parts, their value and their share of the stock value, against the target."""
    total = stock_value(shop)
    target = Decimal(str(get_setting(shop, 'slow_moving_share_target')))
    out = {'total': total, 'target': target}
    for months in (6, 12):
        rows = list(slow_moving(shop, now, months))
        value = sum((r.lv.value for r in rows), Decimal('0.00'))
        share = (value / total) if total else Decimal('0')
        out[months] = {'rows': rows, 'value': value, 'share': share, 'within': share <= target}
    return out


def turnover(shop, start, end):
    """Stock turnover over [start, end), per year: cost of parts issued to orders / average stock value
    ((opening + closing) / 2), scaled to 365 days. None when there was no stock."""
    issued = kpi.parts_cost([shop.id if hasattr(shop, 'id') else shop], start, end)
    opening, closing = stock_value(shop, start), stock_value(shop, end)
    average = (opening + closing) / 2
    if not average:
        return {'issued': issued, 'opening': opening, 'closing': closing, 'average': average, 'per_year': None}
    days = Decimal((end - start).total_seconds()) / Decimal(86400)
    per_year = (issued / average * Decimal(365) / days).quantize(Decimal('0.01'))
    return {'issued': issued, 'opening': opening, 'closing': closing, 'average': average, 'per_year': per_year}


def accuracy(shop, start, end):
    """Stock accuracy from the count sheets approved in [start, end): 1 - |variance| / book value counted, and
    the share of lines counted exactly right."""
    shop_id = shop.id if hasattr(shop, 'id') else shop
    variance, book = kpi.stock_variance([shop_id], start, end)
    lines = list(kpi.stock_variance_rows([shop_id], start, end))
    exact = sum(1 for ln in lines if ln.counted_qty == ln.book_qty)
    rate = (variance / book) if book else None
    return {'variance': variance, 'book': book, 'rate': rate, 'accuracy': (1 - rate) if rate is not None else None,
            'lines': len(lines), 'exact': exact}


def fill_rate(shop, start, end):
    shop_id = shop.id if hasattr(shop, 'id') else shop
    served, requests = kpi.fill_rate([shop_id], start, end)
    return {'served': served, 'requests': requests,
            'rate': (Decimal(served) / Decimal(requests)) if requests else None}


def in_stock_count(shop):
    return StockLevel.select().where((StockLevel.shop == shop) & (StockLevel.on_hand > 0)).count()


def unused_parts(shop):
    """Catalogue parts never moved (no stock level yet)."""
    return (Part.for_shop(shop).select(Part.id).join(StockLevel, JOIN.LEFT_OUTER)
            .where(StockLevel.part.is_null()))
