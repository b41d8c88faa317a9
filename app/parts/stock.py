"""The one place a ledger row is written, with the part's on-hand, value and moving average cost.

`post()` must run inside the caller's transaction (one per user action). It locks the part's stock level
(SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock) and then writes it
with a conditional UPDATE on the values it read, so two clerks taking the last unit at once cannot both
succeed: the second finds nothing left and is refused (`OutOfStock`) unless a manager overrides.
"""
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

from app.core.db import is_sqlite, utcnow
from app.core.errors import Refused
from app.core.money import money
from app.parts.models import StockLevel, StockMove

COST_PLACES = Decimal('0.0001')
QTY_PLACES = Decimal('0.001')
INBOUND_AT_OWN_COST = (StockMove.RECEIPT, StockMove.RETURN, StockMove.TRANSFER)
ACTIVITY = (StockMove.RECEIPT, StockMove.ISSUE, StockMove.RETURN, StockMove.TRANSFER)   # what "slow-moving" looks at


class StockError(Refused):
    """A stock action that cannot be done as asked (the parts area's refusal); `field` names the form field."""


class OutOfStock(StockError):
    def __init__(self, part, on_hand):
        super().__init__(_l('Only %(n)s of %(part)s in stock: a manager can override.', n=plain(on_hand),
                            part=part.number), 'quantity')
        self.on_hand = on_hand


class Conflict(StockError):
    pass


def plain(value):
    """A quantity as people write it: 2, 1.5, -3 (no trailing zeros, no exponent)."""
    value = Decimal(value)
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else format(value.normalize(), 'f')


def cost(value):
    return Decimal(value).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def quantity(value):
    return Decimal(value).quantize(QTY_PLACES, rounding=ROUND_HALF_UP)


def level_for_update(part):
    """The part's stock level, created empty on first use, locked for this transaction."""
    StockLevel.insert(part=part.id, shop=part.shop_id).on_conflict_ignore().execute()
    query = StockLevel.select().where(StockLevel.part == part.id)
    if not is_sqlite():
        query = query.for_update()
    return query.get()


def post(part, kind, qty, *, by, unit_cost=None, reason='', reference='', at=None, allow_negative=False,
         reverses=None, **links):
    """Write one ledger row (signed qty: + in, - out) and move the part's stock level with it.

    Inbound receipts, returns and transfers come in at their own unit cost (the moving average absorbs it);
    everything else moves at the current average. Taking out the whole stock takes its whole value, so no
    rounding residue is left on an empty shelf. Refused: zero quantity, stock going below zero (unless
    `allow_negative`, a recorded manager override).
    """
    assert kind in StockMove.KINDS
    qty = quantity(qty)
    if qty == 0:
        raise StockError(_l('The quantity must not be 0.'), 'quantity')
    level = level_for_update(part)
    on_hand, value, avg = level.on_hand, level.value, level.avg_cost
    new_on_hand = on_hand + qty
    if qty < 0 and new_on_hand < 0 and not allow_negative:
        raise OutOfStock(part, on_hand)
    if reverses is not None:
        move_value = -reverses.value
        unit = reverses.unit_cost
    elif qty > 0 and kind in INBOUND_AT_OWN_COST and unit_cost is not None:
        unit = cost(unit_cost)
        if unit < 0:
            raise StockError(_l('The unit cost cannot be negative.'), 'unit_cost')
        move_value = money(qty * unit)
    else:
        unit = avg if avg else cost(unit_cost or part.cost_price)
        move_value = -value if new_on_hand == 0 else money(qty * unit)
    new_value = value + move_value
    if new_on_hand > 0:
        new_avg = cost(new_value / new_on_hand)
    elif new_on_hand == 0:
        new_value = Decimal('0.00')
        new_avg = avg if qty < 0 else unit
    else:
        new_avg = avg or unit
    at = at or utcnow()
    changes = dict(on_hand=new_on_hand, value=new_value, avg_cost=new_avg, moves=StockLevel.moves + 1, last_move_at=at)
    if kind in ACTIVITY:
        changes['last_activity_at'] = at
    written = (StockLevel.update(**changes)
               .where((StockLevel.part == part.id) & (StockLevel.on_hand == on_hand) & (StockLevel.value == value)
                      & (StockLevel.moves == level.moves))
               .execute())
    if written != 1:      # someone else moved this part between our read and our write
        raise Conflict(_l('The stock of this part just changed: try again.'))
    return StockMove.create(shop=part.shop_id, part=part.id, kind=kind, quantity=qty, unit_cost=unit,
                            value=move_value, on_hand_after=new_on_hand, value_after=new_value, at=at, moved_by=by,
                            reason=(reason or '')[:200], reference=(reference or '')[:60],
                            override=bool(allow_negative and new_on_hand < 0), reverses=reverses, **links)


def reverse(move, *, by, reason, allow_negative=False):
    """Undo a ledger row with a new row of the opposite sign (the original stays as it was)."""
    if move.reverses_id is not None:
        raise StockError(_l('A reversal cannot itself be reversed.'))
    if StockMove.select().where(StockMove.reverses == move.id).exists():
        raise StockError(_l('This movement is already reversed.'))
    return post(move.part, move.kind, -move.quantity, by=by, reason=reason, reference=move.reference,
                allow_negative=allow_negative, reverses=move, issue=move.issue_id, order=move.order_id,
                order_line_id=move.order_line_id, part_line_id=move.part_line_id)
