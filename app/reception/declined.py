"""A customer who declines the repair (002: "如不同意…引导客户到收银处办理出厂手续——领“出厂通知单”,如有我方诊断或
估价的,还应通知客户交纳诊断费或估价费"): the check-in that will not go ahead is cancelled, the diagnosis or
estimate fee recorded on it and, in the same transaction, settled as a bill by the settlement (app.registry.
order_declined: the settlement imports this area, not the other way round), and an exit notice printed for the gate.
"""
from collections import namedtuple
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app import registry
from app.core import audit
from app.core.db import transaction, utcnow
from app.core.errors import Refused
from app.core.money import CUSTOMER, LABOUR, bill, money
from app.core.settings import get_setting
from app.reception.checkin import cancel_draft

FeeItem = namedtuple('FeeItem', 'kind amount hours payer')
DECLINED_NOTE = 'declined'      # the note on the cancelling stage event (shown in words by the order's history)


class DeclineRefused(Refused):
    """The repair cannot be declined like this (signed already, a fee that is not an amount)."""


def default_fee(shop):
    """The diagnosis fee the form suggests: the shop's own `diagnosis_fee` (002 names the fee, not its sum)."""
    return money(get_setting(shop, 'diagnosis_fee'))


def fee_bill(order):
    """The figures of a declined order's diagnosis fee (net, tax, total): app.core.money.bill, as every bill (and as
    the settled bill the settlement makes of it, app.settlement.totals.fee_items)."""
    fee = order.diagnosis_fee or Decimal('0')
    return bill([FeeItem(LABOUR, fee, 0, CUSTOMER)], [], get_setting(order.shop, 'tax_rate'))


def _amount(fee):
    try:
        value = money(Decimal(str(fee).strip() or '0'))
    except (InvalidOperation, ValueError):
        raise DeclineRefused(_l('Enter the fee as an amount, e.g. 200 (0 when nothing was diagnosed).'), field='fee')
    if value < 0:
        raise DeclineRefused(_l('The fee cannot be negative.'), field='fee')
    return value


def decline_repair(order, by, *, fee):
    """The customer read the order and will not have the repair done: the unsigned check-in is cancelled (key tag
    and hook freed), the diagnosis fee (net, 0 when nothing was diagnosed) kept on it and billed (app.settlement.
    declined: a settled bill the cashier takes the payment on), one audit event."""
    if order.is_signed:
        raise DeclineRefused(_l('This order is signed: the customer agreed to the repair.'))
    if order.declined_at is not None:
        raise DeclineRefused(_l('The customer has already declined this repair.'))
    value = _amount(fee)
    now = utcnow()
    with transaction():
        cancel_draft(order, by, note=DECLINED_NOTE)
        type(order).update(declined_at=now, diagnosis_fee=value).where(type(order).id == order.id).execute()
        order.declined_at, order.diagnosis_fee = now, value
        audit.record('order.declined', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'declined_at': now, 'diagnosis_fee': value,
                            'total': fee_bill(order)['customer_total']})
        registry.order_declined(order, by)
    return order
