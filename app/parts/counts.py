"""Stock counts (盘点): a count sheet by bin, counted quantities, the gain/loss sheet with value, the variance
rate against the target, and the manager's approval that adjusts the ledger.

Book quantities and unit costs are frozen when the sheet is opened; on approval each difference
(counted - book) is posted as one `count` ledger row, so the shelf and the ledger agree again. A sheet goes
open → submitted → approved, or is cancelled before approval: COUNTS.
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import JOIN

from app.core import audit
from app.core.db import transaction, utcnow
from app.core.machine import Machine
from app.core.models import Counter
from app.core.settings import get_setting
from app.parts import stock
from app.parts.kpi import line_variance_value
from app.parts.models import Part, StockCount, StockCountLine, StockLevel, StockMove

STATUSES = {
    StockCount.OPEN: _l('Counting'),
    StockCount.SUBMITTED: _l('Awaiting approval'),
    StockCount.APPROVED: _l('Approved'),
    StockCount.CANCELLED: _l('Cancelled'),
}
COUNTS = Machine(field='status', labels=STATUSES,
                 moves={StockCount.OPEN: {StockCount.SUBMITTED, StockCount.CANCELLED},
                        StockCount.SUBMITTED: {StockCount.APPROVED, StockCount.CANCELLED}},
                 illegal=lambda a, b: _l('A count sheet cannot go from "%(a)s" to "%(b)s".', a=a, b=b))


def _refuse_unless(sheet, to, message):
    """Refuse with `message` unless the declaration lets the sheet go to `to`."""
    if to not in COUNTS.targets(sheet.status):
        raise stock.StockError(message)


def open_sheet(shop, by, bins=''):
    """A new count sheet for the parts in bins starting with `bins` (comma-separated prefixes; '' = all)."""
    prefixes = [p.strip() for p in (bins or '').split(',') if p.strip()]
    query = (Part.for_shop(shop).select(Part, StockLevel).join(StockLevel, JOIN.LEFT_OUTER, attr='lv')
             .where(Part.active == True))  # noqa: E712
    if prefixes:
        cond = None
        for p in prefixes:
            c = Part.bin.startswith(p)
            cond = c if cond is None else (cond | c)
        query = query.where(cond)
    parts = list(query.order_by(Part.bin, Part.number))
    if not parts:
        raise stock.StockError(_l('No parts are kept in these bins.'), 'bins')
    with transaction():
        year = utcnow().year
        sheet = StockCount.create(shop=shop, number='SC-%d-%04d' % (year, Counter.next(shop, 'stock_count', year)),
                                  bins=', '.join(prefixes)[:100], created_by=by)
        rows = []
        for part in parts:
            level = part.lv if getattr(part, 'lv', None) is not None and part.lv.part_id else None
            on_hand = level.on_hand if level else Decimal('0')
            unit = (level.avg_cost if level and level.avg_cost else part.cost_price)
            rows.append({'sheet': sheet.id, 'part': part.id, 'bin': part.bin, 'book_qty': on_hand, 'unit_cost': unit})
        for i in range(0, len(rows), 500):
            StockCountLine.insert_many(rows[i:i + 500]).execute()
        audit.record('parts.count_opened', 'stock_count', sheet.id, shop=sheet.shop_id, actor=by,
                     after={'number': sheet.number, 'bins': sheet.bins, 'lines': len(rows)})
    return sheet


def sheet_lines(sheet):
    return (StockCountLine.select(StockCountLine, Part).join(Part)
            .where(StockCountLine.sheet == sheet).order_by(StockCountLine.bin, Part.number))


def enter(sheet, line, counted, by):
    """One counted quantity (a phone in the aisle saves line by line)."""
    if sheet.status != StockCount.OPEN:
        raise stock.StockError(_l('This count sheet is no longer open for counting.'))
    try:
        counted = Decimal(counted)
    except Exception:  # noqa: BLE001
        raise stock.StockError(_l('Enter a number.'), 'counted') from None
    if not counted.is_finite() or counted < 0:
        raise stock.StockError(_l('A counted quantity cannot be negative.'), 'counted')
    with transaction():
        (StockCountLine.update(counted_qty=stock.quantity(counted), counted_by=by.id, counted_at=utcnow())
         .where((StockCountLine.id == line.id) & (StockCountLine.sheet == sheet.id)).execute())
    return StockCountLine.get_by_id(line.id)


def summary(sheet):
    """The gain/loss sheet: counted lines, gains and losses with value, the variance rate against the target."""
    lines = list(sheet_lines(sheet))
    counted = [ln for ln in lines if ln.counted_qty is not None]
    gains = [ln for ln in counted if ln.counted_qty > ln.book_qty]
    losses = [ln for ln in counted if ln.counted_qty < ln.book_qty]
    gain_value = sum((line_variance_value(ln) for ln in gains), Decimal('0.00'))
    loss_value = sum((line_variance_value(ln) for ln in losses), Decimal('0.00'))
    book_value = sum(((ln.book_qty * ln.unit_cost).quantize(Decimal('0.01')) for ln in counted), Decimal('0.00'))
    rate = ((gain_value + loss_value) / book_value) if book_value else Decimal('0')
    target = Decimal(str(get_setting(sheet.shop, 'stock_variance_target')))
    return {'lines': lines, 'counted': len(counted), 'total': len(lines), 'gains': gains, 'losses': losses,
            'gain_value': gain_value, 'loss_value': loss_value, 'net_value': gain_value - loss_value,
            'book_value': book_value, 'rate': rate, 'target': target, 'within': rate <= target}


def submit(sheet, by):
    """Counting done: the sheet waits for the manager. Every line must be counted."""
    _refuse_unless(sheet, StockCount.SUBMITTED, _l('This count sheet is no longer open for counting.'))
    missing = StockCountLine.select().where((StockCountLine.sheet == sheet) & StockCountLine.counted_qty.is_null())
    if missing.exists():
        raise stock.StockError(_l('%(n)d lines are not counted yet.', n=missing.count()))
    with transaction():
        COUNTS.move(sheet, StockCount.SUBMITTED, submitted_at=utcnow())
        audit.record('parts.count_submitted', 'stock_count', sheet.id, shop=sheet.shop_id, actor=by)
    return sheet


def approve(sheet, by):
    """The manager's approval: each difference becomes one `count` ledger row at the moving average cost
    (the frozen cost when the part has none yet). Approving twice posts once."""
    _refuse_unless(sheet, StockCount.APPROVED, _l('Only a submitted count sheet can be approved.'))
    with transaction():
        COUNTS.move(sheet, StockCount.APPROVED, approved_by=by.id, approved_at=utcnow())
        posted = 0
        for line in sheet_lines(sheet):
            diff = line.difference
            if diff:
                stock.post(line.part, StockMove.COUNT, diff, by=by, reference=sheet.number, unit_cost=line.unit_cost,
                           reason=str(_l('Count gain')) if diff > 0 else str(_l('Count loss')),
                           count_line=line.id, at=sheet.approved_at, allow_negative=True)
                posted += 1
        audit.record('parts.count_approved', 'stock_count', sheet.id, shop=sheet.shop_id, actor=by,
                     after={'number': sheet.number, 'adjusted_lines': posted})
    return sheet


def cancel(sheet, by):
    """Drop a sheet that is not approved yet: nothing is posted."""
    _refuse_unless(sheet, StockCount.CANCELLED, _l('An approved count sheet cannot be cancelled.'))
    with transaction():
        COUNTS.move(sheet, StockCount.CANCELLED)
        audit.record('parts.count_cancelled', 'stock_count', sheet.id, shop=sheet.shop_id, actor=by)
    return sheet
