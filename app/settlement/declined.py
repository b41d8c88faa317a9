"""The bill of a declined repair (002: 如有我方诊断或估价的,还应通知客户交纳诊断费或估价费).

A customer who will not have the repair pays the diagnosis or estimate fee at the cashier. That fee is a settled bill
like every other, made in the decline's own transaction (app.reception.declined.decline_repair asks
app.registry.order_declined, which reaches `bill_declined` through app/settlement/hooks.py): a gap-free number, its
figures frozen by the one bill arithmetic (the fee alone: app.settlement.totals.fee_items), paid through the payment
flow, owed in the receivables until then, counted in revenue and the daily report, corrected by a credit note.
The order stays cancelled: it was never repaired nor delivered, so it counts in no car count or delivery figure.
"""
from flask_babel import lazy_gettext as _l

from app.core.db import transaction, utcnow
from app.settlement import rules
from app.settlement.models import Settlement
from app.settlement.totals import fee_items, order_money


def bill_declined(order, by, *, at=None):
    """Settle a declined order's diagnosis fee (None when the fee is nil: nothing to pay, no bill)."""
    if order.declined_at is None:
        raise rules.SettlementError(_l('The customer has not declined this repair.'))
    if not fee_items(order):
        return None
    at = at or utcnow()
    with transaction():
        if rules.settlement_of(order) is not None:
            raise rules.SettlementError(_l('The diagnosis fee is billed already.'))
        s = Settlement.create(shop=order.shop_id, order=order, created_by=by.id, created_at=at)
        statement = order_money(order, s)
        rules._freeze(s, statement, by, at)
        t = statement.totals
        rules._record(order, 'settlement.settled', by,
                      after={'number': s.number, 'labour': t['labour'], 'tax': t['tax'], 'total': t['total'],
                             'customer': t['customer_total'], 'declined': True})
    return s
