"""Money is Decimal, rounded to the cent in one place."""
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal('0.01')


def money(value):
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value):
    return '¥{:,.2f}'.format(money(value))
