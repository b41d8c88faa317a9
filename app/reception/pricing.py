"""Order totals, computed in one place: labour, parts, tax, total (Decimal, to the cent)."""
from decimal import Decimal

from app.core.money import money
from app.core.settings import get_setting
from app.reception.models import OrderLine, PartLine


def line_parts_total(parts):
    """Parts the shop supplies are charged; parts the customer brings are not."""
    return money(sum((p.quantity * p.unit_price for p in parts if p.supplied_by == PartLine.SHOP), Decimal(0)))


def order_totals(order):
    lines = list(OrderLine.select().where(OrderLine.order == order))
    parts = list(PartLine.select().where(PartLine.order == order))
    labour = money(sum((line.labour_price for line in lines), Decimal(0)))
    parts_total = line_parts_total(parts)
    subtotal = labour + parts_total
    rate = get_setting(order.shop, 'tax_rate')
    tax = money(subtotal * rate)
    return {
        'hours': sum((line.labour_hours for line in lines), Decimal(0)),
        'labour': labour, 'parts': parts_total, 'subtotal': subtotal,
        'tax_rate': rate, 'tax': tax, 'total': subtotal + tax,
    }


def needs_no_guarantee_note(parts):
    """Customer-supplied parts, or aftermarket parts on key systems, carry the written 'no quality guarantee' note."""
    return any(p.supplied_by == PartLine.CUSTOMER or (p.origin == PartLine.AFTERMARKET and p.key_system)
               for p in parts)
