"""An order's money, computed in one place: items by payer, discounts, tax, totals, payments, balance.

`order_money(order)` is what every page shows for an order (the order page, the settlement, its
print views, the customer's status page): the frozen figures once settled, the live draft before.
The arithmetic is `app.core.money.bill` (per-item tax), which the check-in estimate uses too; parts are
charged by `app.reception.pricing.line_parts_total`, so a part the customer brings costs nothing here either.
`added_work_price` is what an added-work item adds to the customer's bill, tax included: the price the
advisor tells the customer, the status page shows, and the settlement then charges.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import JOIN

from app.core.money import ZERO, bill, discount_value, money, tax_on  # noqa: F401 (one home, re-exported)
from app.core.settings import get_setting
from app.catalogue.models import CannedJob
from app.reception.models import OrderLine, PartLine
from app.reception.pricing import line_parts_total
from app.registry import bill_plans
from app.settlement.models import (CATEGORIES, CUSTOMER, INTERNAL, MINOR, PAYERS, WARRANTY, CreditNote, Discount,
                                   Payment, Settlement, SettlementLine)

def category_of(canned_job):
    """The guarantee category of a job: its catalogue category, else 'minor and other repairs'."""
    category = getattr(canned_job, 'category', None)
    return category if category in CATEGORIES else MINOR


def live_items(order, settlement=None):
    """The items an unsettled order would be billed: every job's labour and parts, and approved added work.

    Approved added work normally arrives as an order line (OrderLine.added_work_id); added work
    approved but not (yet) copied onto the order is billed from its own record, never both.
    The payer of each item is the one chosen on the draft, else the warranty clerk's coverage decision, else
    the insurer on an assessed insurance job, else the customer; a part follows its job unless set on its own.
    An insurance job's bill also carries the items that move the deductible and what the insurer did not allow
    from the insurer to the customer (app.registry.bill_plans).
    A declined repair (the customer would not have it done: app.reception.declined) is billed its diagnosis fee
    alone (`fee_items`): its jobs were never done.
    Returns unsaved SettlementLine rows.
    """
    if order.declined_at is not None:
        return fee_items(order)
    choices = settlement.payer_choices if settlement is not None else {}
    lines = list(OrderLine.select(OrderLine, CannedJob).join(CannedJob, JOIN.LEFT_OUTER)
                 .where(OrderLine.order == order).order_by(OrderLine.position, OrderLine.id))
    parts = {}
    for p in PartLine.select().where(PartLine.order == order).order_by(PartLine.id):
        parts.setdefault(p.line_id, []).append(p)
    items = []

    def add(**kw):
        kw.setdefault('payer', CUSTOMER)
        if kw['payer'] not in PAYERS:
            kw['payer'] = CUSTOMER
        items.append(SettlementLine(position=len(items), **kw))

    decided = _coverage_payers(order)
    plans = bill_plans(order)          # an insurance job's jobs go to the insurer (app.insurance.hooks)
    usual = plans[0].default_payer if plans else CUSTOMER
    for line in lines:
        key = 'line:%d' % line.id
        category = category_of(line.canned_job if line.canned_job_id else None)
        default = decided.get(line.id, usual)
        job_payer = choices.get(key, default)
        add(kind=SettlementLine.LABOUR, key=key, group=key, description=line.description,
            quantity=line.labour_hours, unit_price=line.labour_rate, hours=line.labour_hours,
            amount=money(line.labour_price), payer=job_payer, category=category,
            added_work=line.added_work_id is not None)
        items[-1].default_payer = default
        for p in parts.get(line.id, []):
            pkey = 'part:%d' % p.id
            add(kind=SettlementLine.PART, key=pkey, group=key, description=p.name, part_number=p.part_number,
                quantity=p.quantity, unit_price=p.unit_price, amount=line_parts_total([p]),
                payer=choices.get(pkey, job_payer), category=category, added_work=line.added_work_id is not None,
                supplied_by=p.supplied_by)
    for aw, aw_parts in _added_work_not_on_order(order, {l.added_work_id for l in lines}):
        for it in added_work_items(aw, aw_parts, choices):
            it.position = len(items)
            items.append(it)
    for plan in plans:
        for it in plan.items(items):
            it.position = len(items)
            items.append(it)
    return items


FEE_KEY = 'diagnosis_fee'


def fee_items(order):
    """A declined order's bill (002: 如有我方诊断或估价的…交纳诊断费或估价费): the diagnosis or estimate fee the advisor
    recorded (net), one labour item the customer pays, of no job category (nothing was repaired, so nothing is
    guaranteed); no item at all when the fee is nil."""
    fee = money(order.diagnosis_fee or 0)
    if fee <= 0:
        return []
    item = SettlementLine(kind=SettlementLine.LABOUR, key=FEE_KEY, group=FEE_KEY, position=0,
                          description=str(_l('Diagnosis or estimate fee'))[:200], quantity=Decimal('1'),
                          unit_price=fee, hours=Decimal('0'), amount=fee, payer=CUSTOMER, category='')
    item.fixed_payer = True
    return [item]


def added_work_items(aw, aw_parts, choices=None):
    """The items an added-work item is billed as (unsaved SettlementLine rows): its labour and its parts,
    as the workshop priced them when it asked. Approving copies exactly these onto the order."""
    choices = choices or {}
    key = 'added:%d' % aw.id
    job_payer = choices.get(key, CUSTOMER)
    job_payer = job_payer if job_payer in PAYERS else CUSTOMER
    out = [SettlementLine(kind=SettlementLine.LABOUR, key=key, group=key, description=aw.description,
                          quantity=aw.hours, hours=aw.hours, amount=money(aw.labour_price), payer=job_payer,
                          unit_price=(money(aw.labour_price / aw.hours) if aw.hours else aw.labour_price),
                          category=MINOR, added_work=True)]
    for p in aw_parts:
        pkey = 'addedpart:%d' % p.id
        out.append(SettlementLine(kind=SettlementLine.PART, key=pkey, group=key, description=p.name,
                                  part_number=p.part_number, quantity=p.quantity, unit_price=p.unit_price,
                                  amount=money(p.quantity * p.unit_price), payer=choices.get(pkey, job_payer),
                                  category=MINOR, added_work=True))
    if not aw_parts and aw.parts_price:
        pkey = 'addedparts:%d' % aw.id
        out.append(SettlementLine(kind=SettlementLine.PART, key=pkey, group=key, description=aw.description,
                                  amount=money(aw.parts_price), unit_price=aw.parts_price,
                                  payer=choices.get(pkey, job_payer), category=MINOR, added_work=True))
    return out


def added_work_price(aw, aw_parts, rate):
    """What approving an added-work item adds to what the customer pays, tax included (the bill's arithmetic on
    the item's own lines: with per-item tax, exactly what the settlement will charge for it)."""
    return bill(added_work_items(aw, aw_parts), [], rate)['customer_total']


# The warranty clerk's decision on a job (app.warranty LineCoverage.kind) -> who pays it by default.
COVERAGE_PAYERS = {'warranty': WARRANTY, 'goodwill': INTERNAL, 'customer_pay': CUSTOMER}


def _coverage_payers(order):
    """{order line id: payer} from the warranty clerk's coverage decisions; the advisor may still change them."""
    from app.warranty.models import LineCoverage
    return {c.line_id: COVERAGE_PAYERS.get(c.kind, CUSTOMER)
            for c in LineCoverage.select(LineCoverage.line, LineCoverage.kind).where(LineCoverage.order == order)}


def _added_work_not_on_order(order, on_order):
    from app.workshop.models import AddedWork, AddedWorkPart
    found = [aw for aw in AddedWork.select().where((AddedWork.order == order)
                                                   & (AddedWork.status == AddedWork.APPROVED)).order_by(AddedWork.id)
             if aw.id not in on_order]
    if not found:
        return []
    parts = {}
    for p in AddedWorkPart.select().where(AddedWorkPart.added_work.in_([aw.id for aw in found])).order_by(AddedWorkPart.id):
        parts.setdefault(p.added_work_id, []).append(p)
    return [(aw, parts.get(aw.id, [])) for aw in found]


@dataclass
class Statement:
    """An order's money as one object: what `order_money` returns to views and templates."""
    order: object
    settlement: object            # Settlement or None (nothing prepared yet)
    items: list
    discounts: list
    totals: dict
    payments: list = field(default_factory=list)
    credit_notes: list = field(default_factory=list)
    paid: Decimal = ZERO
    credited: Decimal = ZERO
    written_off: Decimal = ZERO      # what the manager wrote off (app.settlement.rules.write_off)

    @property
    def settled(self):
        return self.settlement is not None and self.settlement.is_settled

    @property
    def balance(self):
        """What the customer still owes (negative: a refund is due). Before settling, the whole bill."""
        return self.totals['customer_total'] - self.credited - self.paid - self.written_off

    @property
    def fully_paid(self):
        return self.settled and self.balance <= 0

    @property
    def categories(self):
        """The guarantee categories of the jobs on the bill, in catalogue order."""
        present = {it.category for it in self.items if it.kind == SettlementLine.LABOUR}
        return [c for c in CATEGORIES if c in present]


def order_money(order, settlement=None):
    """Everything about an order's money, settled or not. `settlement` saves a query when already read."""
    s = settlement if settlement is not None else Settlement.get_or_none(Settlement.order == order)
    if s is not None and s.is_settled:
        items = list(SettlementLine.select().where(SettlementLine.settlement == s)
                     .order_by(SettlementLine.position, SettlementLine.id))
        rate = s.tax_rate
    else:
        items = live_items(order, s)
        rate = get_setting(order.shop, 'tax_rate')
    discounts = list(Discount.select().where(Discount.settlement == s).order_by(Discount.id)) if s else []
    statement = Statement(order, s, items, discounts, bill(items, discounts, rate))
    if s is not None and s.is_settled:
        statement.payments = list(Payment.select().where(Payment.settlement == s).order_by(Payment.paid_at, Payment.id))
        statement.credit_notes = list(CreditNote.select().where(CreditNote.settlement == s).order_by(CreditNote.id))
        statement.paid = sum((money(p.amount) for p in statement.payments), ZERO)
        statement.credited = sum((money(c.total) for c in statement.credit_notes), ZERO)
        statement.written_off = money(s.written_off)
    return statement
