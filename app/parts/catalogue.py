"""The part catalogue: search by number or name, the stock-on-hand list, a part's page, manual adjustments."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from app.accounts.models import User
from app.core import audit
from app.core.db import is_sqlite, transaction
from app.parts import stock
from app.parts.models import Part, StockLevel, StockMove, Supplier

SEARCH_LIMIT = 30
PAGE_SIZE = 50
EDITABLE = ('number', 'name_zh', 'name_en', 'origin', 'supplier', 'bin', 'unit', 'cost_price', 'sell_price',
            'min_qty', 'max_qty', 'active')


def _prefix(field, text):
    """field starts with text. On SQLite as a range the (shop, number) / (shop, bin, number) index answers
    (LIKE cannot use it); PostgreSQL's collations may ignore dashes in comparisons, so there a plain prefix."""
    if is_sqlite():
        return (field >= text) & (field < text + '\uffff')
    return field.startswith(text)


def search(shop, q, limit=SEARCH_LIMIT):
    """Parts whose number starts with the query (a scan or the typed number) or whose name (zh or en) contains
    it, by number; at most `limit`. The matching ids come from the (shop, number, names) index alone; a query
    of digits and dashes is a part number, answered by the number range."""
    q = (q or '').strip()[:40]
    ids = Part.select(Part.id).where(Part.shop == shop)
    if q:
        by_number = _prefix(Part.number, q.upper())
        if q.replace('-', '').isdigit():
            ids = ids.where(by_number)
        else:
            ids = ids.where(by_number | Part.name_zh.contains(q) | Part.name_en.contains(q))
    ids = ids.order_by(Part.number).limit(limit)
    return (Part.select(Part, StockLevel).join(StockLevel, JOIN.LEFT_OUTER, attr='lv')
            .where(Part.id.in_(ids)).order_by(Part.number))


def stock_page(shop, *, bin_prefix='', only='', page=1):
    """The stock-on-hand list by bin: on hand, average cost, value; filters below minimum / in stock.

    The page's part ids are picked first on the (shop, bin, number) index, then only those 50 are joined."""
    ids = Part.select(Part.id).where((Part.shop == shop) & (Part.active == True))  # noqa: E712
    if bin_prefix:
        ids = ids.where(_prefix(Part.bin, bin_prefix.strip().upper()))
    if only == 'in_stock':
        ids = ids.join(StockLevel).where(StockLevel.on_hand > 0)
    elif only == 'below_min':
        ids = (ids.join(StockLevel, JOIN.LEFT_OUTER)
               .where((Part.min_qty > 0) & (fn.COALESCE(StockLevel.on_hand, 0) < Part.min_qty)))
    ids = ids.order_by(Part.bin, Part.number).paginate(max(page, 1), PAGE_SIZE)
    return (Part.select(Part, StockLevel).join(StockLevel, JOIN.LEFT_OUTER, attr='lv')
            .where(Part.id.in_(ids)).order_by(Part.bin, Part.number))


def stock_totals(shop):
    value, parts = (StockLevel.select(fn.SUM(StockLevel.value), fn.COUNT(StockLevel.part))
                    .where((StockLevel.shop == shop) & (StockLevel.on_hand != 0)).tuples().get())
    return {'value': Decimal(str(value or 0)).quantize(Decimal('0.01')), 'parts': parts or 0}


def level_of(part):
    return StockLevel.get_or_none(StockLevel.part == part.id) or StockLevel(part=part.id, shop=part.shop_id)


def ledger(part, page=1, size=PAGE_SIZE):
    """The part's ledger, newest first."""
    return (StockMove.select(StockMove, User).join(User, on=(StockMove.moved_by == User.id), attr='moved_by')
            .where(StockMove.part == part)
            .order_by(StockMove.at.desc(), StockMove.id.desc()).paginate(max(page, 1), size))


def save_part(shop, by, data, part=None):
    """Create or edit a catalogue entry (never its stock: that only moves through the ledger)."""
    data = {k: v for k, v in data.items() if k in EDITABLE}
    data['number'] = (data.get('number') or '').strip().upper()
    data['bin'] = (data.get('bin') or '').strip().upper()
    if not data['number']:
        raise stock.StockError(_l('Enter the part number.'), 'number')
    clash = Part.for_shop(shop).where(Part.number == data['number'])
    if part is not None:
        clash = clash.where(Part.id != part.id)
    if clash.exists():
        raise stock.StockError(_l('This part number is already in the catalogue.'), 'number')
    if data.get('max_qty') and data.get('min_qty') and data['max_qty'] < data['min_qty']:
        raise stock.StockError(_l('The maximum cannot be below the minimum.'), 'max_qty')
    if data.get('supplier') is not None and getattr(data['supplier'], 'shop_id', shop.id) != shop.id:
        raise stock.StockError(_l('Unknown supplier.'), 'supplier')
    with transaction():
        if part is None:
            part = Part.create(shop=shop, **data)
            audit.record('parts.part_created', 'part', part.id, shop=shop.id, actor=by,
                         after={'number': part.number, 'name': part.name_zh})
        else:
            before = {k: getattr(part, k if k != 'supplier' else 'supplier_id') for k in data}
            Part.update(**data).where(Part.id == part.id).execute()
            part = Part.get_by_id(part.id)
            audit.record('parts.part_changed', 'part', part.id, shop=shop.id, actor=by, before=before,
                         after={k: getattr(part, k if k != 'supplier' else 'supplier_id') for k in data})
    return part


def adjust(part, qty, by, *, reason, allow_negative=False):
    """A manual adjustment (damage, found, write-off) with its reason: one ledger row."""
    reason = (reason or '').strip()
    if not reason:
        raise stock.StockError(_l('Say why the stock is adjusted.'), 'reason')
    with transaction():
        move = stock.post(part, StockMove.ADJUSTMENT, Decimal(qty), by=by, reason=reason,
                          allow_negative=allow_negative)
        audit.record('parts.adjusted', 'part', part.id, shop=part.shop_id, actor=by,
                     after={'quantity': move.quantity, 'value': move.value, 'override': move.override}, note=reason)
    return move


def reverse(move, by, *, reason, allow_negative=False):
    reason = (reason or '').strip()
    if not reason:
        raise stock.StockError(_l('Say why the movement is reversed.'), 'reason')
    with transaction():
        back = stock.reverse(move, by=by, reason=reason, allow_negative=allow_negative)
        audit.record('parts.reversed', 'part', move.part_id, shop=move.shop_id, actor=by,
                     after={'move': move.id, 'reversal': back.id}, note=reason)
    return back


def transfer(part, to_shop, qty, by, *, reason=''):
    """Parts to another shop: out here at average cost, in there (same part number) at that cost."""
    qty = Decimal(qty)
    if qty <= 0:
        raise stock.StockError(_l('The quantity must be more than 0.'), 'quantity')
    target = Part.get_or_none((Part.shop == to_shop) & (Part.number == part.number))
    if target is None or to_shop == part.shop_id:
        raise stock.StockError(_l('The other shop has no catalogue entry for this part number.'), 'to_shop')
    with transaction():
        out = stock.post(part, StockMove.TRANSFER, -qty, by=by, reason=reason, reference='→%s' % to_shop)
        into = stock.post(target, StockMove.TRANSFER, qty, by=by, unit_cost=-out.value / qty, reason=reason,
                          reference='←%s' % part.shop_id)
        audit.record('parts.transferred', 'part', part.id, shop=part.shop_id, actor=by,
                     after={'to_shop': to_shop, 'quantity': qty, 'out': out.id, 'in': into.id})
    return out, into


def suppliers(shop):
    return Supplier.for_shop(shop).order_by(Supplier.name)
