"""Buying parts in: purchase orders to suppliers, receiving against them with inspection, rejected goods, and
replenishment (reorder level = factor x last month's outflow of a part, the shop's own rule; parts below it with
a suggested quantity, one tap to draft purchase orders). A purchase order goes draft → ordered → partly received → received, or is cancelled
before anything arrives: PURCHASE_ORDERS."""
import math
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from app.core import audit
from app.core.db import transaction, utcnow
from app.core.machine import Machine
from app.core.models import Counter
from app.core.settings import get_setting
from app.core.timeutil import shop_today, to_local, to_utc
from app.parts import stock
from app.parts.models import (Part, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, StockLevel, StockMove,
                              Supplier)

PO_STATUSES = {
    PurchaseOrder.DRAFT: _l('Draft'),
    PurchaseOrder.ORDERED: _l('Ordered'),
    PurchaseOrder.PARTLY: _l('Partly received'),
    PurchaseOrder.RECEIVED: _l('Received'),
    PurchaseOrder.CANCELLED: _l('Cancelled'),
}
OPEN_PO = (PurchaseOrder.DRAFT, PurchaseOrder.ORDERED, PurchaseOrder.PARTLY)
RECEIVABLE = (PurchaseOrder.ORDERED, PurchaseOrder.PARTLY)
PURCHASE_ORDERS = Machine(
    field='status', labels=PO_STATUSES,
    moves={PurchaseOrder.DRAFT: {PurchaseOrder.ORDERED, PurchaseOrder.CANCELLED},
           PurchaseOrder.ORDERED: {PurchaseOrder.PARTLY, PurchaseOrder.RECEIVED, PurchaseOrder.CANCELLED},
           PurchaseOrder.PARTLY: {PurchaseOrder.PARTLY, PurchaseOrder.RECEIVED}},
    illegal=lambda a, b: _l('A purchase order cannot go from "%(a)s" to "%(b)s".', a=a, b=b))


def _refuse_unless(po, to, message):
    """Refuse with `message` unless the declaration lets the purchase order go to `to`."""
    if to not in PURCHASE_ORDERS.targets(po.status):
        raise stock.StockError(message)


def _number(shop_id, name, prefix):
    year = utcnow().year
    return '%s-%d-%05d' % (prefix, year, Counter.next(shop_id, name, year))


def _positive(value, field, message=None):
    try:
        value = Decimal(value)
    except Exception:  # noqa: BLE001 - anything that is not a number
        raise stock.StockError(_l('Enter a number.'), field) from None
    if not value.is_finite() or value <= 0:
        raise stock.StockError(message or _l('The quantity must be more than 0.'), field)
    return value


def add_supplier(shop, by, **fields):
    """A supplier of this shop, once by name."""
    if Supplier.for_shop(shop).where(Supplier.name == fields.get('name')).exists():
        raise stock.StockError(_l('This supplier is already on the list.'), 'name')
    with transaction():
        supplier = Supplier.create(shop=shop, **fields)
        audit.record('parts.supplier_added', 'supplier', supplier.id, shop=supplier.shop_id, actor=by,
                     after={'name': supplier.name})
    return supplier


# --- purchase orders ------------------------------------------------------------------------

def create_po(shop, supplier, by, *, expected_on=None, note='', lines=()):
    """A draft purchase order; `lines` are (part, quantity, unit cost)."""
    with transaction():
        po = PurchaseOrder.create(shop=shop, number=_number(getattr(shop, 'id', shop), 'purchase_order', 'PO'),
                                  supplier=supplier, expected_on=expected_on, created_by=by, note=(note or '')[:200])
        for part, qty, unit_cost in lines:
            add_line(po, part, qty, unit_cost, _in_transaction=True)
        audit.record('parts.po_created', 'purchase_order', po.id, shop=po.shop_id, actor=by,
                     after={'number': po.number, 'supplier': supplier.name, 'lines': len(lines)})
    return po


def add_line(po, part, qty, unit_cost=None, *, _in_transaction=False):
    qty = _positive(qty, 'quantity')
    unit_cost = stock.cost(part.cost_price if unit_cost in (None, '') else unit_cost)
    if unit_cost < 0:
        raise stock.StockError(_l('The unit cost cannot be negative.'), 'unit_cost')
    if po.status != PurchaseOrder.DRAFT:
        raise stock.StockError(_l('Only a draft purchase order takes new lines.'))
    if part.shop_id != po.shop_id:
        raise stock.StockError(_l('Unknown part number.'), 'part_number')
    return PurchaseOrderLine.create(po=po, part=part, quantity=stock.quantity(qty), unit_cost=unit_cost)


def send_po(po, by, *, expected_on=None):
    """The order goes to the supplier: it is now expected, and can be received."""
    _refuse_unless(po, PurchaseOrder.ORDERED, _l('This purchase order has already been sent.'))
    if not po.lines.count():
        raise stock.StockError(_l('Add at least one line first.'))
    expected_on = expected_on or po.expected_on
    if expected_on is None:
        raise stock.StockError(_l('Enter the date the delivery is expected.'), 'expected_on')
    with transaction():
        PURCHASE_ORDERS.move(po, PurchaseOrder.ORDERED, ordered_at=utcnow(), expected_on=expected_on)
        audit.record('parts.po_sent', 'purchase_order', po.id, shop=po.shop_id, actor=by,
                     after={'number': po.number, 'expected_on': expected_on})
    return po


def cancel_po(po, by, note=''):
    """Cancel a purchase order nothing has been received on."""
    _refuse_unless(po, PurchaseOrder.CANCELLED, _l('A purchase order already being received cannot be cancelled.'))
    with transaction():
        PURCHASE_ORDERS.move(po, PurchaseOrder.CANCELLED)
        audit.record('parts.po_cancelled', 'purchase_order', po.id, shop=po.shop_id, actor=by, note=note)
    return po


def po_list(shop):
    return (PurchaseOrder.for_shop(shop).select(PurchaseOrder, Supplier).join(Supplier)
            .order_by(PurchaseOrder.status.in_(OPEN_PO).desc(), PurchaseOrder.expected_on, PurchaseOrder.id.desc()))


def po_lines(po):
    return (PurchaseOrderLine.select(PurchaseOrderLine, Part).join(Part)
            .where(PurchaseOrderLine.po == po).order_by(PurchaseOrderLine.id))


def po_total(po):
    return sum(((ln.quantity * ln.unit_cost).quantize(Decimal('0.01')) for ln in po_lines(po)), Decimal('0.00'))


def overdue(po, today):
    return po.status in RECEIVABLE and po.expected_on is not None and po.expected_on < today


# --- receiving ------------------------------------------------------------------------------

def receive(po, by, entries, *, delivery_note=''):
    """Take a delivery in against a purchase order, inspected line by line.

    `entries` maps a PO line id to (delivered, rejected, reason): the accepted quantity (delivered - rejected)
    goes into stock at the line's cost; rejected goods are listed for return with their reason. A line may not
    take more than is still outstanding. Nothing delivered at all is refused.
    """
    rows = []
    for line in po_lines(po):
        delivered, rejected, reason = entries.get(line.id, (None, None, ''))
        delivered = Decimal(delivered) if delivered not in (None, '') else Decimal('0')
        rejected = Decimal(rejected) if rejected not in (None, '') else Decimal('0')
        field = 'l%d' % line.id
        if delivered < 0 or rejected < 0:
            raise stock.StockError(_l('Quantities received cannot be negative.'), field)
        if rejected > delivered:
            raise stock.StockError(_l('More cannot be rejected than was delivered.'), field)
        if rejected > 0 and not (reason or '').strip():
            raise stock.StockError(_l('Say why the goods are rejected.'), field)
        if delivered - rejected > line.outstanding:
            raise stock.StockError(_l('More than is still on order cannot be accepted.'), field)
        if delivered > 0:
            rows.append((line, delivered, rejected, (reason or '').strip()[:200]))
    if not rows:
        raise stock.StockError(_l('Enter what was delivered.'))
    with transaction():
        fresh = PurchaseOrder.select().where(PurchaseOrder.id == po.id).get()
        if fresh.status not in RECEIVABLE:
            raise stock.StockError(_l('This purchase order is not open for receiving.'))
        receipt = Receipt.create(shop=po.shop_id, number=_number(po.shop_id, 'receipt', 'GR'), po=po,
                                 supplier=po.supplier_id, received_by=by, delivery_note=(delivery_note or '')[:60])
        for line, delivered, rejected, reason in rows:
            accepted = delivered - rejected
            # the outstanding check again, under the lock, against the line as it is now
            updated = (PurchaseOrderLine.update(received_qty=PurchaseOrderLine.received_qty + accepted,
                                                rejected_qty=PurchaseOrderLine.rejected_qty + rejected)
                       .where((PurchaseOrderLine.id == line.id)
                              & (PurchaseOrderLine.received_qty + accepted <= PurchaseOrderLine.quantity))
                       .execute())
            if updated != 1:
                raise stock.StockError(_l('More than is still on order cannot be accepted.'), 'l%d' % line.id)
            rl = ReceiptLine.create(receipt=receipt, po_line=line, part=line.part, delivered_qty=delivered,
                                    accepted_qty=accepted, rejected_qty=rejected, reject_reason=reason,
                                    unit_cost=line.unit_cost)
            if accepted > 0:
                stock.post(line.part, StockMove.RECEIPT, accepted, by=by, unit_cost=line.unit_cost,
                           reference=po.number, reason=receipt.number, receipt_line=rl.id, at=receipt.received_at)
        left = (PurchaseOrderLine.select()
                .where((PurchaseOrderLine.po == po) & (PurchaseOrderLine.received_qty < PurchaseOrderLine.quantity))
                .exists())
        PURCHASE_ORDERS.move(fresh, PurchaseOrder.PARTLY if left else PurchaseOrder.RECEIVED)
        audit.record('parts.received', 'purchase_order', po.id, shop=po.shop_id, actor=by,
                     after={'receipt': receipt.number, 'lines': [[r[0].part.number, r[1], r[2]] for r in rows]})
    return receipt


def receive_direct(part, qty, unit_cost, by, *, supplier=None, delivery_note='', reason=''):
    """A delivery without a purchase order (a counter purchase): one line, straight into stock."""
    qty = _positive(qty, 'quantity', _l('A receipt must bring in more than 0.'))
    if unit_cost in (None, ''):
        raise stock.StockError(_l('Enter the unit cost.'), 'unit_cost')
    unit_cost = Decimal(unit_cost)
    if unit_cost < 0:
        raise stock.StockError(_l('The unit cost cannot be negative.'), 'unit_cost')
    with transaction():
        receipt = Receipt.create(shop=part.shop_id, number=_number(part.shop_id, 'receipt', 'GR'),
                                 supplier=supplier, received_by=by, delivery_note=(delivery_note or '')[:60])
        rl = ReceiptLine.create(receipt=receipt, part=part, delivered_qty=qty, accepted_qty=qty, unit_cost=unit_cost)
        move = stock.post(part, StockMove.RECEIPT, qty, by=by, unit_cost=unit_cost, reference=receipt.number,
                          reason=reason, receipt_line=rl.id, at=receipt.received_at)
        audit.record('parts.received', 'part', part.id, shop=part.shop_id, actor=by,
                     after={'receipt': receipt.number, 'quantity': qty, 'unit_cost': unit_cost, 'move': move.id})
    return receipt


def rejected_goods(shop):
    """Rejected goods still waiting to go back to the supplier, oldest first."""
    return (ReceiptLine.select(ReceiptLine, Receipt, Part, Supplier)
            .join_from(ReceiptLine, Receipt).join_from(ReceiptLine, Part)
            .join_from(Receipt, Supplier, JOIN.LEFT_OUTER)
            .where((Receipt.shop == shop) & (ReceiptLine.rejected_qty > 0) & ReceiptLine.returned_at.is_null())
            .order_by(Receipt.received_at, ReceiptLine.id))


def mark_returned(receipt_line, by):
    with transaction():
        changed = (ReceiptLine.update(returned_at=utcnow(), returned_by=by.id)
                   .where((ReceiptLine.id == receipt_line.id) & ReceiptLine.returned_at.is_null()).execute())
        if changed:
            audit.record('parts.rejected_returned', 'receipt', receipt_line.receipt_id,
                         shop=receipt_line.receipt.shop_id, actor=by,
                         after={'part': receipt_line.part.number, 'quantity': receipt_line.rejected_qty})
    return changed


# --- replenishment --------------------------------------------------------------------------

def last_month(shop, now=None):
    """[start, end) in UTC of the calendar month before this one, in the shop's time zone."""
    local = to_local(now or utcnow(), shop.timezone)
    this_month = datetime(local.year, local.month, 1)
    prev = (this_month - timedelta(days=1)).replace(day=1)
    return to_utc(prev, shop.timezone), to_utc(this_month, shop.timezone)


def outflow(shop, start, end):
    """Net quantity issued to orders per part id in [start, end) (issues minus returns)."""
    rows = (StockMove.select(StockMove.part, fn.SUM(StockMove.quantity))
            .where((StockMove.shop == shop) & StockMove.kind.in_((StockMove.ISSUE, StockMove.RETURN))
                   & (StockMove.at >= start) & (StockMove.at < end))
            .group_by(StockMove.part).tuples())
    return {part_id: -Decimal(str(total)) for part_id, total in rows if total and Decimal(str(total)) < 0}


def on_order(shop):
    """Quantity still outstanding on open purchase orders, per part id."""
    rows = (PurchaseOrderLine.select(PurchaseOrderLine.part,
                                     fn.SUM(PurchaseOrderLine.quantity - PurchaseOrderLine.received_qty))
            .join(PurchaseOrder)
            .where((PurchaseOrder.shop == shop) & PurchaseOrder.status.in_(OPEN_PO))
            .group_by(PurchaseOrderLine.part).tuples())
    return {part_id: Decimal(str(total or 0)) for part_id, total in rows}


def below_safety(shop, now=None):
    """Parts whose stock plus what is on order is below their reorder level, with a suggested order quantity.

    Reorder level = `reorder_cover_factor` x last month's net outflow of the part (or the part's minimum, when
    higher): the shop's own rule per part (the rulebook's safety stock is a value for the whole shop:
    app.parts.reports.safety_stock). The suggestion tops up to the larger of the reorder level and the part's
    maximum, in whole units.
    """
    factor = Decimal(str(get_setting(shop, 'reorder_cover_factor')))
    start, end = last_month(shop, now)
    used = outflow(shop, start, end)
    coming = on_order(shop)
    candidates = (Part.for_shop(shop).select(Part, StockLevel, Supplier)
                  .join_from(Part, StockLevel, JOIN.LEFT_OUTER, attr='lv')
                  .join_from(Part, Supplier, JOIN.LEFT_OUTER)
                  .where((Part.active == True) & (Part.id.in_(list(used)) | (Part.min_qty > 0)))  # noqa: E712
                  .order_by(Part.bin, Part.number))
    rows = []
    for part in candidates:
        level = getattr(part, 'lv', None)
        on_hand = level.on_hand if level is not None and level.on_hand is not None else Decimal('0')
        safety = max(factor * used.get(part.id, Decimal('0')), part.min_qty)
        have = on_hand + coming.get(part.id, Decimal('0'))
        if safety <= 0 or have >= safety:
            continue
        target = max(safety, part.max_qty)
        suggested = Decimal(math.ceil(target - have))
        rows.append({'part': part, 'on_hand': on_hand, 'on_order': coming.get(part.id, Decimal('0')),
                     'outflow': used.get(part.id, Decimal('0')), 'safety': safety, 'suggested': suggested})
    return rows


def draft_from_suggestions(shop, by, rows, expected_in_days=None):
    """One tap: a draft purchase order per supplier with the suggested quantities (parts without a supplier
    are left out and returned, to be ordered by hand)."""
    by_supplier, skipped = {}, []
    for row in rows:
        part = row['part']
        if part.supplier_id is None:
            skipped.append(part)
            continue
        by_supplier.setdefault(part.supplier_id, []).append((part, row['suggested'], part.cost_price))
    made = []
    with transaction():
        for supplier_id, lines in sorted(by_supplier.items()):
            supplier = Supplier.get_by_id(supplier_id)
            days = supplier.lead_days if expected_in_days is None else expected_in_days
            made.append(create_po(shop, supplier, by, lines=lines, note=str(_l('Replenishment')),
                                  expected_on=shop_today(shop) + timedelta(days=days)))
    return made, skipped
