"""Parts out to repair orders and back: the ledger side of an issue, returns from an order, old-part records.

`issue_to_line` runs inside the transaction of the clerk's answer (app.parts.rules.answer): the stock row,
the part on the order (reception's PartLine, which settlement bills) and the old-part record go together.
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from app.core import audit
from app.core.db import transaction, utcnow
from app.parts import stock
from app.parts.models import OldPart, Part, StockLevel, StockMove
from app.reception.models import OrderFrozen, OrderLine, PartLine, RepairOrder


def catalogue_part(shop_id, number):
    """The shop's catalogue entry for a part number (as typed or scanned), or None."""
    number = (number or '').strip()
    if not number:
        return None
    return (Part.select().where((Part.shop == shop_id) & Part.number.in_(sorted({number, number.upper()}))
                                & (Part.active == True))  # noqa: E712
            .order_by(Part.number.desc()).first())     # exact spelling first ('a' sorts after 'A')


def known_part(shop_id, number):
    """The catalogue part a person typed or scanned; refused in words when the catalogue has no such number."""
    part = catalogue_part(shop_id, number)
    if part is None:
        raise stock.StockError(_l('Unknown part number.'), 'part_number')
    return part


def on_the_shelf(shop, numbers):
    """{part number: (on hand, bin, unit)} of the catalogue parts among `numbers` (the counter's queue shows it)."""
    numbers = sorted({n for n in numbers if n})
    if not numbers:
        return {}
    rows = (Part.select(Part.number, Part.bin, Part.unit, StockLevel.on_hand)
            .join(StockLevel, JOIN.LEFT_OUTER, on=(StockLevel.part == Part.id))
            .where((Part.shop == shop) & Part.number.in_(numbers)).tuples())
    return {number: (on_hand or Decimal('0'), bin_, unit) for number, bin_, unit, on_hand in rows}


def ensure_order_editable(order):
    """Settled orders are closed to parts changes (a correction is a credit note)."""
    try:
        order.ensure_editable()
    except OrderFrozen as exc:
        raise stock.StockError(exc.args[0] if exc.args else str(exc)) from None


def issue_to_line(part, order, line, qty, *, by, part_line=None, parts_request=None, allow_negative=False,
                  reason=''):
    """Take `qty` of a catalogue part off the shelf for an order line (call inside the action's transaction)."""
    ensure_order_editable(order)
    move = stock.post(part, StockMove.ISSUE, -Decimal(qty), by=by, reference=order.number,
                      reason=reason or (parts_request.name if parts_request else ''), order=order.id,
                      order_line_id=line.id if line else None, part_line_id=part_line.id if part_line else None,
                      parts_request=parts_request.id if parts_request else None, allow_negative=allow_negative)
    OldPart.create(shop=order.shop_id, order=order.id, order_line=line.id if line else None,
                   part_line=part_line.id if part_line else None, part_number=part.number, name=part.name_zh,
                   quantity=Decimal(qty))
    return move


def issue_direct(part, order, line, qty, *, by, allow_negative=False):
    """The clerk issues a catalogue part to a job without a technician's request: the part goes onto the job
    (priced at the catalogue's selling price) and off the shelf, in one transaction."""
    qty = Decimal(qty)
    if qty <= 0:
        raise stock.StockError(_l('The quantity must be more than 0.'), 'quantity')
    with transaction():
        order = RepairOrder.get_by_id(order.id)
        ensure_order_editable(order)
        part_line = PartLine.create(shop=order.shop_id, order=order, line=line, part_number=part.number,
                                    name=part.name_zh, quantity=qty, unit_price=part.sell_price, origin=part.origin)
        move = issue_to_line(part, order, line, qty, by=by, part_line=part_line, allow_negative=allow_negative)
        audit.record('parts.issued', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'part_number': part.number, 'name': part.name_zh, 'quantity': qty,
                            'part_line': part_line.id, 'stock_move': move.id, 'override': move.override})
    return move


def issued_on_order(order):
    """The ledger rows of parts issued to (and returned from) an order, oldest first, with their part."""
    return (StockMove.select(StockMove, Part).join(Part)
            .where((StockMove.order == order) & StockMove.kind.in_((StockMove.ISSUE, StockMove.RETURN)))
            .order_by(StockMove.at, StockMove.id))


def returnable(issue):
    """How much of an issue can still come back: issued minus what was already returned against it."""
    back = (StockMove.select(fn.SUM(StockMove.quantity))
            .where(StockMove.issue == issue.id)      # returns, and reversals of returns (negative)
            .scalar())
    return -issue.quantity - Decimal(str(back or 0))


def return_from_order(issue, qty, *, by, note=''):
    """Unused parts back on the shelf at the cost they left at; the order's part line shrinks with them."""
    qty = Decimal(qty)
    if qty <= 0:
        raise stock.StockError(_l('The quantity must be more than 0.'), 'quantity')
    with transaction():
        issue = StockMove.get_by_id(issue.id)
        order = RepairOrder.get_by_id(issue.order_id)
        ensure_order_editable(order)
        if qty > returnable(issue):
            raise stock.StockError(_l('More than was issued to this order cannot come back.'), 'quantity')
        move = stock.post(issue.part, StockMove.RETURN, qty, by=by, unit_cost=issue.unit_cost,
                          reference=issue.reference, reason=note, issue=issue.id, order=order.id,
                          order_line_id=issue.order_line_id, part_line_id=issue.part_line_id)
        part_line = PartLine.get_or_none(PartLine.id == issue.part_line_id) if issue.part_line_id else None
        if part_line is not None:
            left = part_line.quantity - qty
            if left > 0:
                PartLine.update(quantity=left).where(PartLine.id == part_line.id).execute()
            else:
                part_line.delete_instance()
        audit.record('parts.returned', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'part': issue.part.number, 'quantity': qty, 'move': move.id}, note=note)
    return move


def old_parts_on_hand(shop, month_start=None, month_end=None):
    """Old parts still in the shop (not yet given back, scrapped or sent to the maker), oldest first."""
    query = (OldPart.for_shop(shop).select(OldPart, RepairOrder).join(RepairOrder)
             .where(OldPart.status.in_((OldPart.PENDING, OldPart.KEPT))))
    if month_start is not None:
        query = query.where((OldPart.created_at >= month_start) & (OldPart.created_at < month_end))
    return query.order_by(OldPart.created_at, OldPart.id)


OLD_PART_STATUSES = {
    OldPart.PENDING: _l('Waiting for a decision'),
    OldPart.RETURNED: _l('Returned to the customer'),
    OldPart.SCRAPPED: _l('Scrapped'),
    OldPart.KEPT: _l('Kept for a warranty return'),
    OldPart.SENT: _l('Sent to the maker'),
}


def keep_for_claim(order_id, line_ids, tag_number, by):
    """A warranty claim's old-part tag: the claimed jobs' old parts still waiting for a decision are kept for
    the maker's return under that tag (call inside the claim's transaction). Returns how many."""
    tag_number = (tag_number or '').strip()[:40]
    if not tag_number or not line_ids:
        return 0
    return (OldPart.update(status=OldPart.KEPT, tag_number=tag_number, decided_at=utcnow(), decided_by=by.id)
            .where((OldPart.order == order_id) & OldPart.order_line.in_(list(line_ids))
                   & (OldPart.status == OldPart.PENDING)).execute())


def decide_old_part(old, status, *, by, tag_number='', note=''):
    """Record what happened to an old part; one kept for a warranty return needs its tag number."""
    tag_number = (tag_number or '').strip()[:40]
    if status not in OLD_PART_STATUSES or status == OldPart.PENDING:
        raise stock.StockError(_l('Choose what happens to the old part.'), 'status')
    if status in (OldPart.KEPT, OldPart.SENT) and not (tag_number or old.tag_number):
        raise stock.StockError(_l('A part kept for a warranty return needs its tag number.'), 'tag_number')
    with transaction():
        before = {'status': old.status, 'tag_number': old.tag_number}
        (OldPart.update(status=status, tag_number=tag_number or old.tag_number, decided_at=utcnow(),
                        decided_by=by.id, note=(note or old.note)[:200])
         .where(OldPart.id == old.id).execute())
        audit.record('parts.old_part', 'repair_order', old.order_id, shop=old.shop_id, actor=by, before=before,
                     after={'old_part': old.id, 'status': status, 'tag_number': tag_number or old.tag_number})
    return OldPart.get_by_id(old.id)


def first_line(order):
    return OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.position, OrderLine.id).first()
