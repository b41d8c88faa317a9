"""Receivables (应收账款): what customers owe on settled bills, and what other payers (an insurer) owe on their share.
The one rule every page, report, KPI and export calls.

A bill's balance at a moment is its customer total less the payments, the credit notes and a write-off made before
that moment. A customer owes a positive balance only: a bill credited after it was paid in full leaves a refund due
to that customer, which is not netted against what other customers owe. Amounts are added up in Python to the cent
(SQLite's sums of decimals are floating point), after the database has picked the bills that can owe anything.
"""
import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from peewee import JOIN, SQL, Case, fn

from app.core.money import INSURANCE, ZERO, WARRANTY, money
from app.core.timeutil import to_local
from app.reception.models import RepairOrder
from app.settlement.models import CreditNote, Payment, PayerPayment, Settlement

# A balance below half a cent is nothing (the database's own arithmetic may leave such a crumb on SQLite). A float:
# SQLite stores a Decimal parameter as text, which compares above every number.
_CRUMB = 0.005


@dataclass
class Owing:
    settlement_id: int
    number: str
    settled_at: object
    order_id: int
    shop_id: int
    customer_total: Decimal
    paid: Decimal
    credited: Decimal
    written_off: Decimal

    @property
    def balance(self):
        return self.customer_total - self.paid - self.credited - self.written_off


def _movements(at):
    """SQL of one bill's payments, credit notes and write-off before `at` (correlated with Settlement)."""
    pay, note = Payment.alias('owp'), CreditNote.alias('owc')
    paid = (pay.select(fn.COALESCE(fn.SUM(pay.amount), 0))
            .where((pay.settlement == Settlement.id) & (pay.paid_at < at)))
    credited = (note.select(fn.COALESCE(fn.SUM(note.total), 0))
                .where((note.settlement == Settlement.id) & (note.created_at < at)))
    written = Case(None, [(Settlement.written_off_at < at, Settlement.written_off)], 0)
    return paid, credited, written


def bills_owing(shop_ids, at, advisor=None):
    """Every settled bill of these shops with something owed at the UTC time `at`, oldest first (list of Owing).
    `advisor`: only the orders this user advised."""
    paid, credited, written = _movements(at)
    q = (Settlement.select(Settlement.id, Settlement.number, Settlement.settled_at, Settlement.order,
                           Settlement.shop, Settlement.customer_total, paid.alias('paid'),
                           credited.alias('credited'), written.alias('written'))
         .where(Settlement.shop.in_(list(shop_ids)) & Settlement.settled_where() & (Settlement.settled_at < at)
                & (Settlement.customer_total - paid - credited - written > _CRUMB))
         .order_by(Settlement.settled_at, Settlement.id))
    if advisor is not None:
        q = q.join(RepairOrder, on=(Settlement.order == RepairOrder.id)).where(RepairOrder.advisor == advisor)
    out = []
    for r in q.dicts():
        row = Owing(r['id'], r['number'] or '', r['settled_at'], r['order'], r['shop'], money(r['customer_total']),
                    money(r['paid']), money(r['credited']), money(r['written']))
        if row.balance > 0:
            out.append(row)
    return out


def owed_at(shop_ids, at, advisor=None):
    """(what customers owed at `at`, how many bills)."""
    rows = bills_owing(shop_ids, at, advisor)
    return sum((r.balance for r in rows), ZERO), len(rows)


def owed_by_bucket(buckets, advisor=None):
    """What customers owed at the end of each bucket of a KPI period (app.core.periods.Buckets), [Decimal].

    The signed balances of all bills add up in a few grouped queries (a bill's settling, its payments and credit
    notes, each counted once in the bucket it happened in, then summed forward); only a bill that had a credit note
    or a write-off can ever be below zero, so those few are read bill by bill: their write-offs are added up from
    them, and the negative part is taken back out. The same figure as `owed_at` at each bucket's end (a test holds
    them together).
    """
    n = len(buckets)
    ids = buckets.shop_ids
    shop_of = Settlement.shop
    per = [ZERO] * (n + 1)                      # index 0: before the period
    parts = [(Settlement, Settlement.settled_at, Settlement.customer_total, 1),
             (Payment, Payment.paid_at, Payment.amount, -1),
             (CreditNote, CreditNote.created_at, CreditNote.total, -1)]
    for model, at, amount, sign in parts:
        k = buckets.bucket(shop_of, at, before=-1)
        q = model.select(k.alias('k'), fn.SUM(amount))
        if model is CreditNote:     # read from the few credit notes, not every bill's (SQLite keeps this order)
            q = q.join(Settlement, JOIN.CROSS).where(model.settlement == Settlement.id)
        elif model is not Settlement:
            q = q.join(Settlement, on=(model.settlement == Settlement.id))
        q = q.where(at.is_null(False) & buckets.before_end(shop_of, at) & Settlement.settled_where()
                    & (Settlement.customer_total > 0))
        if advisor is not None:
            q = q.join(RepairOrder, on=(Settlement.order == RepairOrder.id)).where(RepairOrder.advisor == advisor)
        for kk, total in q.group_by(SQL('1')).tuples():
            per[int(kk) + 1] += sign * money(total)
    bills = _may_go_negative(ids, advisor)
    for bill_rows in bills:
        if bill_rows['written'] is not None:
            at, amount = bill_rows['written']
            k = buckets.bucket_at(bill_rows['shop'], at)
            if k is not None:
                per[k + 1] -= amount
    running, out = per[0], []
    for k in range(n):
        running += per[k + 1]
        out.append(running)
    for bill_rows in bills:
        for k in range(n):
            end = buckets.bound(bill_rows['shop'], k + 1)
            balance = (bill_rows['total'] if bill_rows['settled_at'] < end else ZERO) \
                - sum((a for t, a in bill_rows['moves'] if t < end), ZERO)
            if balance < 0:
                out[k] -= balance
    return out


def _may_go_negative(shop_ids, advisor=None):
    """Settled bills with a credit note or a write-off: their settling, every movement and the write-off
    (`written`: (time, amount), or None), in Python."""
    q = (Settlement.select(Settlement.id, Settlement.shop, Settlement.settled_at, Settlement.customer_total,
                           Settlement.written_off, Settlement.written_off_at)
         .where(Settlement.shop.in_(list(shop_ids)) & Settlement.settled_where() & (Settlement.customer_total > 0)
                & (Settlement.written_off_at.is_null(False)
                   | Settlement.id.in_(CreditNote.select(CreditNote.settlement)))))   # the few credited, once
    if advisor is not None:
        q = q.join(RepairOrder, on=(Settlement.order == RepairOrder.id)).where(RepairOrder.advisor == advisor)
    bills = {s.id: {'shop': s.shop_id, 'settled_at': s.settled_at, 'total': money(s.customer_total),
                    'written': (s.written_off_at, money(s.written_off)) if s.written_off_at else None,
                    'moves': [(s.written_off_at, money(s.written_off))] if s.written_off_at else []} for s in q}
    if bills:
        for p in Payment.select(Payment.settlement, Payment.paid_at, Payment.amount).where(
                Payment.settlement.in_(list(bills))):
            bills[p.settlement_id]['moves'].append((p.paid_at, money(p.amount)))
        for c in CreditNote.select(CreditNote.settlement, CreditNote.created_at, CreditNote.total).where(
                CreditNote.settlement.in_(list(bills))):
            bills[c.settlement_id]['moves'].append((c.created_at, money(c.total)))
    return list(bills.values())


# --- what an insurer (or the maker) owes on its share of a settled bill ------------------------------------------

PAYER_TOTALS = {INSURANCE: Settlement.insurance_total, WARRANTY: Settlement.warranty_total}


def payer_due_on(settled_at, tz_name):
    """The last day an insurer's share is due: the end of the shop's month the bill was settled in. Rulebook 004
    (前台主管岗位职责): "定损及时,当月回款" and "保养工单不超过3天,保险不超过当月" (insurance within the month)."""
    day = to_local(settled_at, tz_name).date()
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


@dataclass
class PayerOwing:
    settlement_id: int
    number: str
    settled_at: object
    order_id: int
    shop_id: int
    payer: str
    total: Decimal
    paid: Decimal
    advisor_id: int = None       # who advised the order

    @property
    def balance(self):
        return self.total - self.paid


def payer_bills_owing(shop_ids, at, payer=INSURANCE, advisor=None):
    """Every settled bill of these shops whose `payer` share (insurance, warranty) was not fully paid at the UTC
    time `at`, oldest first (list of PayerOwing). `advisor`: only the orders this user advised."""
    return payer_bills_owing_at(shop_ids, [at], payer, advisor)[0]


def payer_bills_owing_at(shop_ids, moments, payer=INSURANCE, advisor=None):
    """payer_bills_owing at each UTC time of `moments` (a list of lists: the ends of a KPI period's buckets), from
    one read of the bills with a share of that payer and one of their payments."""
    if not moments:
        return []
    column, last = PAYER_TOTALS[payer], max(moments)
    # the payer's share first: most bills have none
    q = (Settlement.select(Settlement.id, Settlement.number, Settlement.settled_at, Settlement.order,
                           Settlement.shop, column.alias('total'), RepairOrder.advisor.alias('advisor'))
         .join(RepairOrder, on=(Settlement.order == RepairOrder.id))
         .where(Settlement.shop.in_(list(shop_ids)) & (column > _CRUMB) & Settlement.settled_where()
                & (Settlement.settled_at < last))
         .order_by(Settlement.settled_at, Settlement.id))
    if advisor is not None:
        q = q.where(RepairOrder.advisor == advisor)
    bills = list(q.dicts())
    paid = {}
    if bills:
        for p in (PayerPayment.select(PayerPayment.settlement, PayerPayment.paid_at, PayerPayment.amount)
                  .where(PayerPayment.settlement.in_([b['id'] for b in bills]) & (PayerPayment.payer == payer)
                         & (PayerPayment.paid_at < last))):
            paid.setdefault(p.settlement_id, []).append((p.paid_at, money(p.amount)))
    out = []
    for at in moments:
        rows = []
        for b in bills:
            if b['settled_at'] >= at:
                break                       # oldest first: the rest were settled later still
            row = PayerOwing(b['id'], b['number'] or '', b['settled_at'], b['order'], b['shop'], payer,
                             money(b['total']), sum((a for t, a in paid.get(b['id'], ()) if t < at), ZERO),
                             b['advisor'])
            if row.balance > 0:
                rows.append(row)
        out.append(rows)
    return out


def payer_paid(settlement, payer):
    """What `payer` has paid so far on this settlement."""
    return money(PayerPayment.select(fn.COALESCE(fn.SUM(PayerPayment.amount), 0))
                 .where((PayerPayment.settlement == settlement) & (PayerPayment.payer == payer)).scalar())
