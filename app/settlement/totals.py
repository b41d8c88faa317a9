"""An order's money, computed in one place: items by payer, discounts, tax, totals, payments, balance.

`order_money(order)` is what every page shows for an order (the order page, the settlement, its
print views, the customer's status page): the frozen figures once settled, the live draft before.
`compute()` is the one arithmetic and `tax_on()` the one tax rule; parts are charged by
`app.reception.pricing.line_parts_total`, so a part the customer brings costs nothing here either.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import JOIN

from app.core.money import money
from app.core.settings import get_setting
from app.reception.models import CannedJob, OrderLine, PartLine
from app.reception.pricing import line_parts_total
from app.settlement.models import (CATEGORIES, CUSTOMER, INSURANCE, INTERNAL, MINOR, PAYERS, WARRANTY, CreditNote,
                                   Discount, Payment, Settlement, SettlementLine)

ZERO = Decimal('0.00')
# Internal work is the shop's own cost: no invoice, so no tax. The others are invoiced.
TAXED_PAYERS = (CUSTOMER, WARRANTY, INSURANCE)


def tax_on(net, rate):
    """Tax on a net amount at a rate, to the cent: the one tax rule."""
    return money(Decimal(net) * Decimal(rate))


def discount_value(kind, value, base):
    """What a discount takes off: a fixed amount, or a share of what the customer pays (`base`)."""
    if kind == Discount.SHARE:
        return money(Decimal(base) * Decimal(value))
    return money(value)


def category_of(canned_job):
    """The guarantee category of a job: its catalogue category, else 'minor and other repairs'."""
    category = getattr(canned_job, 'category', None)
    return category if category in CATEGORIES else MINOR


def live_items(order, settlement=None):
    """The items an unsettled order would be billed: every job's labour and parts, and approved added work.

    Approved added work normally arrives as an order line (OrderLine.added_work_id); added work
    approved but not (yet) copied onto the order is billed from its own record, never both.
    The payer of each item is the one chosen on the draft, else the warranty clerk's coverage decision, else
    the customer; a part follows its job unless set on its own.
    Returns unsaved SettlementLine rows.
    """
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
    for line in lines:
        key = 'line:%d' % line.id
        category = category_of(line.canned_job if line.canned_job_id else None)
        default = decided.get(line.id, CUSTOMER)
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
        key = 'added:%d' % aw.id
        job_payer = choices.get(key, CUSTOMER)
        add(kind=SettlementLine.LABOUR, key=key, group=key, description=aw.description, quantity=aw.hours,
            unit_price=(money(aw.labour_price / aw.hours) if aw.hours else aw.labour_price), hours=aw.hours,
            amount=money(aw.labour_price), payer=job_payer, category=MINOR, added_work=True)
        if aw_parts:
            for p in aw_parts:
                pkey = 'addedpart:%d' % p.id
                add(kind=SettlementLine.PART, key=pkey, group=key, description=p.name, part_number=p.part_number,
                    quantity=p.quantity, unit_price=p.unit_price, amount=money(p.quantity * p.unit_price),
                    payer=choices.get(pkey, job_payer), category=MINOR, added_work=True)
        elif aw.parts_price:
            pkey = 'addedparts:%d' % aw.id
            add(kind=SettlementLine.PART, key=pkey, group=key, description=aw.description,
                amount=money(aw.parts_price), unit_price=aw.parts_price, payer=choices.get(pkey, job_payer),
                category=MINOR, added_work=True)
    return items


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


def compute(items, discounts, rate):
    """The one arithmetic: labour and parts per payer, the discounts off the customer's share, tax, totals.

    `items`: rows with kind, amount, hours, payer; `discounts`: rows with kind, value and (once
    settled) their frozen amount; `rate`: the tax rate. Every figure is a Decimal to the cent.
    """
    rate = Decimal(rate)
    per = {p: {'labour': ZERO, 'parts': ZERO, 'discount': ZERO} for p in PAYERS}
    hours = Decimal('0')
    for it in items:
        bucket = per[it.payer if it.payer in per else CUSTOMER]
        if it.kind == SettlementLine.LABOUR:
            bucket['labour'] += money(it.amount)
            hours += Decimal(it.hours or 0)
        else:
            bucket['parts'] += money(it.amount)
    base = per[CUSTOMER]['labour'] + per[CUSTOMER]['parts']
    amounts = {}
    for d in discounts:
        amounts[d.id] = money(d.amount) if d.amount is not None else discount_value(d.kind, d.value, base)
    asked = sum(amounts.values(), ZERO)
    per[CUSTOMER]['discount'] = min(asked, base)
    for payer, b in per.items():
        b['subtotal'] = b['labour'] + b['parts']
        b['net'] = b['subtotal'] - b['discount']
        b['tax'] = tax_on(b['net'], rate) if payer in TAXED_PAYERS else ZERO
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

    @property
    def settled(self):
        return self.settlement is not None and self.settlement.is_settled

    @property
    def balance(self):
        """What the customer still owes (negative: a refund is due). Before settling, the whole bill."""
        return self.totals['customer_total'] - self.credited - self.paid

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
    statement = Statement(order, s, items, discounts, compute(items, discounts, rate))
    if s is not None and s.is_settled:
        statement.payments = list(Payment.select().where(Payment.settlement == s).order_by(Payment.paid_at, Payment.id))
        statement.credit_notes = list(CreditNote.select().where(CreditNote.settlement == s).order_by(CreditNote.id))
        statement.paid = sum((money(p.amount) for p in statement.payments), ZERO)
        statement.credited = sum((money(c.total) for c in statement.credit_notes), ZERO)
    return statement
