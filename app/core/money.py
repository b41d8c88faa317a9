"""Money is Decimal, rounded to the cent in one place; a bill's arithmetic (payers, discounts, tax) is here too.

`bill()` is the one arithmetic every amount told to a customer goes through: the check-in estimate, an added-work
quote, the status page, the printed order and the settlement itself. Tax is worked out per item, as a VAT invoice
lists it, so the price of each piece of work with its tax adds up exactly to the bill: the estimate plus every
added-work price the customer agreed to is what the settlement charges when nothing else changed.
"""
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

# How money is paid, a bill or a booking's deposit alike.
CASH, CARD, BANK_TRANSFER, MOBILE = 'cash', 'card', 'bank_transfer', 'mobile'
PAYMENT_METHODS = {CASH: _l('Cash'), CARD: _l('Bank card'), BANK_TRANSFER: _l('Bank transfer'),
                   MOBILE: _l('Mobile payment (WeChat Pay / Alipay)')}

CENT = Decimal('0.01')
ZERO = Decimal('0.00')

# Who pays an item: the customer, the maker (warranty), an insurer, or the shop itself.
CUSTOMER, WARRANTY, INSURANCE, INTERNAL = 'customer', 'warranty', 'insurance', 'internal'
PAYERS = (CUSTOMER, WARRANTY, INSURANCE, INTERNAL)
# Internal work is the shop's own cost: no invoice, so no tax. The others are invoiced.
TAXED_PAYERS = (CUSTOMER, WARRANTY, INSURANCE)
LABOUR, PART = 'labour', 'part'
AMOUNT, SHARE = 'amount', 'share'      # a discount: a fixed amount, or a share of the customer's part


def hours_text(value):
    """Hours or a quantity as people write them: 1.5, 8, 0.25 (never 1.50 or 1E+1)."""
    return format(Decimal(value).quantize(Decimal('0.01')).normalize(), 'f')


def money(value):
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value):
    return '¥{:,.2f}'.format(money(value))


def tax_on(net, rate):
    """Tax on a net amount at a rate, to the cent: the one tax rule."""
    return money(Decimal(net) * Decimal(rate))


def with_tax(net, rate):
    """A net amount and its tax: what a customer is told an item costs."""
    return money(net) + tax_on(money(net), rate)


def discount_value(kind, value, base):
    """What a discount takes off: a fixed amount, or a share of what the customer pays (`base`)."""
    if kind == SHARE:
        return money(Decimal(base) * Decimal(value))
    return money(value)


def bill(items, discounts, rate):
    """The one arithmetic: labour and parts per payer, the discounts off the customer's share, tax, totals.

    `items`: rows with kind ('labour' / 'part'), amount, hours, payer; `discounts`: rows with id, kind, value and
    (once settled) their frozen amount; `rate`: the tax rate. Tax is per item (and per discount, as a negative
    line), so totals add up item by item. Every figure is a Decimal to the cent.
    """
    rate = Decimal(rate)
    per = {p: {'labour': ZERO, 'parts': ZERO, 'discount': ZERO, 'tax': ZERO} for p in PAYERS}
    hours = Decimal('0')
    for it in items:
        payer = it.payer if it.payer in per else CUSTOMER
        bucket = per[payer]
        amount = money(it.amount)
        if it.kind == LABOUR:
            bucket['labour'] += amount
            hours += Decimal(it.hours or 0)
        else:
            bucket['parts'] += amount
        if payer in TAXED_PAYERS:
            bucket['tax'] += tax_on(amount, rate)
    base = per[CUSTOMER]['labour'] + per[CUSTOMER]['parts']
    amounts = {}
    for d in discounts:
        amounts[d.id] = money(d.amount) if d.amount is not None else discount_value(d.kind, d.value, base)
    asked = sum(amounts.values(), ZERO)
    per[CUSTOMER]['discount'] = min(asked, base)
    per[CUSTOMER]['tax'] -= tax_on(per[CUSTOMER]['discount'], rate)
    for b in per.values():
        b['subtotal'] = b['labour'] + b['parts']
        b['net'] = b['subtotal'] - b['discount']
        b['total'] = b['net'] + b['tax']
    totals = {k: sum((b[k] for b in per.values()), ZERO)
              for k in ('labour', 'parts', 'subtotal', 'discount', 'net', 'tax', 'total')}
    totals.update(
        hours=hours, tax_rate=rate, payers=per, discount_amounts=amounts, discount_asked=asked,
        customer_subtotal=base, customer_total=per[CUSTOMER]['total'],
        discount_share=(asked / base) if base else (Decimal('1') if asked else Decimal('0')),
        others_total=sum((per[p]['total'] for p in (WARRANTY, INSURANCE, INTERNAL)), ZERO),
    )
    return totals
