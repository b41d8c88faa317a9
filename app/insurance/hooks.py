"""What this area offers the areas below it through app.registry: the insurance split of a bill (settlement) and the
wait for the insurer's assessment (the workshop's clock)."""
from flask_babel import lazy_gettext as _l

from app.core.money import CUSTOMER, INSURANCE, money
from app.insurance.models import InsuranceClaim
from app.insurance.rules import assessment, split, waits_for_assessment
from app.settlement.models import SettlementLine


class InsurancePlan:
    """An assessed insurance job's bill: its jobs go to the insurer, and pairs of items move the deductible and what
    the insurer did not allow to the customer, so that the insurer's share is the assessment's split."""
    default_payer = INSURANCE

    def __init__(self, claim):
        self.claim = claim

    def items(self, items):
        billed = sum((money(it.amount) for it in items if it.payer == INSURANCE), money(0))
        share = split(assessment(self.claim).allowed, self.claim.deductible, billed)
        out = []
        for key, amount, label in (('deductible', share.deductible, _l('Deductible (免赔额)')),
                                   ('uncovered', share.uncovered, _l('Not allowed by the insurer'))):
            if amount:
                for payer, sign in ((INSURANCE, -1), (CUSTOMER, 1)):
                    item = SettlementLine(kind=SettlementLine.PART, key='insurance:%s:%s' % (key, payer),
                                          group='insurance:%s' % key, description=str(label)[:200],
                                          amount=sign * amount, unit_price=sign * amount, payer=payer)
                    item.fixed_payer = True      # the split's own: not a payer the advisor chooses
                    out.append(item)
        return out


def bill_plan(order):
    claim = InsuranceClaim.get_or_none(InsuranceClaim.order == order.id)
    if claim is None or claim.assessment != InsuranceClaim.ASSESSED:
        return None
    return InsurancePlan(claim)


def work_hold(order):
    return waits_for_assessment(order)
