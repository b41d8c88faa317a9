"""The estimate of an order: labour, parts, tax, total (Decimal, to the cent), by the bill's own arithmetic
(`app.core.money.bill`), so the estimate the customer signs is what the settlement charges for the same work."""
from dataclasses import dataclass
from decimal import Decimal

from app.core.money import CUSTOMER, LABOUR, PART, bill, money
from app.core.settings import get_setting
from app.reception.models import OrderLine, PartLine


@dataclass
class _Item:
    kind: str
    amount: Decimal
    hours: Decimal = Decimal('0')
    payer: str = CUSTOMER


def line_parts_total(parts):
    """Parts the shop supplies are charged; parts the customer brings are not."""
    return money(sum((p.quantity * p.unit_price for p in parts if p.supplied_by == PartLine.SHOP), Decimal(0)))


def order_totals(order):
    """The estimate: every job's labour and the parts the shop supplies, all paid by the customer, with tax."""
    lines = list(OrderLine.select().where(OrderLine.order == order))
    parts = list(PartLine.select().where(PartLine.order == order))
    items = [_Item(LABOUR, money(line.labour_price), line.labour_hours) for line in lines]
    items += [_Item(PART, line_parts_total([p])) for p in parts]
    t = bill(items, [], get_setting(order.shop, 'tax_rate'))
    return {'hours': t['hours'], 'labour': t['labour'], 'parts': t['parts'], 'subtotal': t['subtotal'],
            'tax_rate': t['tax_rate'], 'tax': t['tax'], 'total': t['customer_total']}


def needs_no_guarantee_note(parts):
    """Customer-supplied parts, or aftermarket parts on key systems, carry the written 'no quality guarantee' note."""
    return any(p.supplied_by == PartLine.CUSTOMER or (p.origin == PartLine.AFTERMARKET and p.key_system)
               for p in parts)
