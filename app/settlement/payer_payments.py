"""Money from an insurer (or the maker) against its share of a settled bill: one transaction, one audit event."""
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.db import transaction, utcnow
from app.core.errors import Refused, StaleRecord
from app.core.money import PAYERS, CUSTOMER, INTERNAL, format_money, money
from app.settlement.models import PayerPayment, Settlement
from app.settlement.receivables import PAYER_TOTALS, payer_paid

OTHER_PAYERS = tuple(p for p in PAYERS if p not in (CUSTOMER, INTERNAL))


def record_payer_payment(settlement, by, *, payer, amount, reference='', version):
    """The insurer paid (part of) its share of a settled bill; never more than it still owes."""
    if payer not in OTHER_PAYERS:
        raise Refused(_l('Choose who paid.'), 'payer')
    try:
        amount = money(amount)
    except (ArithmeticError, TypeError, ValueError):
        raise Refused(_l('Enter the amount paid.'), 'amount')
    if amount <= 0:
        raise Refused(_l('Enter the amount paid.'), 'amount')
    with transaction():
        s = Settlement.get_by_id(settlement.id)
        if not s.is_settled:
            raise Refused(_l('Settle the order first.'))
        if s.version != int(version):
            raise StaleRecord(s.id)
        s.update_versioned(version)
        owed = money(getattr(s, PAYER_TOTALS[payer].name)) - payer_paid(s, payer)
        if amount > owed:
            raise Refused(_l('That is more than the %(b)s still owed.', b=format_money(max(owed, 0))), 'amount')
        p = PayerPayment.create(shop=s.shop_id, settlement=s, payer=payer, amount=amount, paid_at=utcnow(),
                                reference=(reference or '').strip()[:60], received_by=by)
        audit.record('settlement.payer_payment', 'repair_order', s.order_id, shop=s.shop_id, actor=by,
                     after={'payment': p.id, 'payer': payer, 'amount': amount, 'balance': owed - amount})
    return p
