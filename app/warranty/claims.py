"""Warranty claims to the maker: a claim for an order's warranty jobs (or one of them), its amounts read from the
order, its path (draft → submitted → approved or rejected → paid; a rejected claim may be resubmitted, declared
once in CLAIMS), its history and what the maker still owes."""
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

import peewee as pw
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.db import transaction, utcnow
from app.core.errors import Refused, StaleRecord
from app.core.machine import Machine
from app.core.models import Counter, Event
from app.core.money import money
from app.core.timeutil import to_utc
from app.customers.models import Vehicle
from app.parts.issuing import keep_for_claim
from app.reception.models import OrderLine, PartLine, RepairOrder
from app.reception.pricing import line_parts_total
from app.warranty.eligibility import CLERKS, NOT_A_REPAIR, local_day, lock_order, require_role
from app.warranty.models import Claim, LineCoverage

CLAIM_STATUSES = [
    (Claim.DRAFT, _l('Draft')), (Claim.SUBMITTED, _l('Submitted')), (Claim.APPROVED, _l('Approved')),
    (Claim.REJECTED, _l('Rejected')), (Claim.PAID, _l('Paid')),
]
CLAIM_LABELS = dict(CLAIM_STATUSES)
# from -> {to: roles}: the maker's answers are recorded by the clerk; a rejected claim may be resubmitted.
CLAIM_MOVES = {
    Claim.DRAFT: {Claim.SUBMITTED: set(CLERKS)},
    Claim.SUBMITTED: {Claim.APPROVED: set(CLERKS), Claim.REJECTED: set(CLERKS)},
    Claim.REJECTED: {Claim.SUBMITTED: set(CLERKS)},
    Claim.APPROVED: {Claim.PAID: set(CLERKS)},
    Claim.PAID: {},
}
CLAIMS = Machine(field='status', labels=CLAIM_LABELS, moves=CLAIM_MOVES,
                 illegal=lambda a, b: _l('A claim cannot go from "%(a)s" to "%(b)s".', a=a, b=b),
                 forbidden=lambda b: _l('Your role may not move a claim to "%(b)s".', b=b))
OPEN_CLAIMS = (Claim.DRAFT, Claim.SUBMITTED, Claim.REJECTED, Claim.APPROVED)
EDITABLE = (Claim.DRAFT, Claim.REJECTED)


def claim_moves(claim, user):
    """The states `user` may move the claim to next."""
    return CLAIMS.allowed(claim.status, user)


def warranty_lines(order, line=None):
    """The order's lines the maker pays for (coverage 'warranty'), or just `line` if it is one."""
    query = (OrderLine.select().join(LineCoverage, on=(LineCoverage.line == OrderLine.id))
             .where((OrderLine.order == order) & (LineCoverage.kind == LineCoverage.WARRANTY)))
    if line is not None:
        query = query.where(OrderLine.id == getattr(line, 'id', line))
    return list(query.order_by(OrderLine.position, OrderLine.id))


def claim_amounts(order, line=None):
    """(labour, parts) of the warranty lines, priced as reception prices the order (parts the shop supplies)."""
    lines = warranty_lines(order, line)
    labour = money(sum((ln.labour_price for ln in lines), Decimal(0)))
    parts = line_parts_total(PartLine.select().where(PartLine.line.in_([ln.id for ln in lines]))) if lines \
        else money(0)
    return labour, parts


def _claim_note(claim, **extra):
    return dict({'claim': claim.id, 'number': claim.number}, **extra)


def open_claim(order, *, by, line=None, old_part_tag='', note='', expected_claims=0, now=None):
    """A draft claim for the order's warranty lines (or one warranty line); amounts computed from the order.

    One claim per order, or one per line: never both on the same order. `expected_claims` is the number
    of claims the order had when the form was drawn (someone else's claim meanwhile: StaleRecord)."""
    require_role(by, CLERKS)
    if order.stage in NOT_A_REPAIR:
        raise Refused(_l('Only a signed order can have a claim.'))
    now = now or utcnow()
    with transaction():
        lock_order(order)
        existing = list(Claim.select().where(Claim.order == order))
        if len(existing) != int(expected_claims or 0):
            raise StaleRecord(order.id)
        if line is None and existing:
            raise Refused(_l('This order already has a claim.'), 'line')
        if line is not None:
            if line.order_id != order.id:
                raise Refused(_l('Choose a job of this order.'), 'line')
            if any(c.line_id is None for c in existing):
                raise Refused(_l('A claim for the whole order exists already.'), 'line')
            if any(c.line_id == line.id for c in existing):
                raise Refused(_l('This job has a claim already.'), 'line')
        if not warranty_lines(order, line):
            raise Refused(_l('No job here is decided as warranty yet.'), 'line')
        labour, parts = claim_amounts(order, line)
        number = 'CL-%d-%06d' % (now.year, Counter.next(order.shop_id, 'claim', now.year))
        claim = Claim.create(shop=order.shop_id, number=number, order=order, line=line, labour_amount=labour,
                             parts_amount=parts, old_part_tag=(old_part_tag or '').strip(), note=(note or '').strip(),
                             created_by=by, created_at=now)
        keep_for_claim(order.id, [ln.id for ln in warranty_lines(order, line)], claim.old_part_tag, by)
        audit.record('claim.opened', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after=_claim_note(claim, status=claim.status, labour=labour, parts=parts,
                                       line=getattr(line, 'id', None)))
    return claim


def edit_claim(claim, *, by, old_part_tag, note, expected_version):
    """Change the old-part tag or note of a draft or rejected claim; the amounts are read again from the order."""
    require_role(by, CLERKS)
    if claim.status not in EDITABLE:
        raise Refused(_l('A claim can only be changed while it is a draft or after a rejection.'))
    with transaction():
        labour, parts = claim_amounts(claim.order, claim.line_id)
        before = {'old_part_tag': claim.old_part_tag, 'labour': claim.labour_amount, 'parts': claim.parts_amount}
        claim.update_versioned(expected_version, old_part_tag=(old_part_tag or '').strip(),
                               note=(note or '').strip(), labour_amount=labour, parts_amount=parts)
        keep_for_claim(claim.order_id, [ln.id for ln in warranty_lines(claim.order, claim.line_id)],
                       claim.old_part_tag, by)
        b, a = audit.diff(before, {'old_part_tag': claim.old_part_tag, 'labour': labour, 'parts': parts})
        audit.record('claim.edited', 'repair_order', claim.order_id, shop=claim.shop_id, actor=by,
                     before=_claim_note(claim, **b), after=_claim_note(claim, **a))
    return claim


def move_claim(claim, to, *, by, expected_version, reason='', paid_amount=None, paid_on=None, now=None):
    """Move a claim along its declared path: submit (again), record the maker's answer, record the payment."""
    frm = CLAIMS.check(claim, to, by)
    now = now or utcnow()
    shop = claim.shop
    values, extra = {}, {}
    with transaction():
        if to == Claim.SUBMITTED:
            labour, parts = claim_amounts(claim.order, claim.line_id)
            if labour + parts <= 0:
                raise Refused(_l('Nothing to claim: the warranty jobs have no labour or parts price.'))
            if parts > 0 and not claim.old_part_tag:
                raise Refused(_l('Enter the old-part tag: the maker needs the replaced part.'), 'old_part_tag')
            values.update(labour_amount=labour, parts_amount=parts, submissions=claim.submissions + 1,
                          submitted_at=now, rejection_reason='' if frm == Claim.REJECTED else claim.rejection_reason)
            extra = {'submission': claim.submissions + 1, 'amount': labour + parts}
        elif to in (Claim.APPROVED, Claim.REJECTED):
            reason = (reason or '').strip()
            if to == Claim.REJECTED:
                if not reason:
                    raise Refused(_l('Write the maker\'s reason for the rejection.'), 'reason')
                values['rejection_reason'] = reason
            values['decided_at'] = now
            if claim.submissions == 1 and not claim.first_result:
                values.update(first_result=to, first_decided_at=now)
            extra = {'submission': claim.submissions}
        elif to == Claim.PAID:
            if paid_amount is None or paid_amount <= 0:
                raise Refused(_l('Enter the amount the maker paid.'), 'paid_amount')
            paid_amount = money(paid_amount)
            if paid_amount > claim.amount:
                raise Refused(_l('More than the claim\'s %(amount)s: check the amount.', amount=str(claim.amount)),
                              'paid_amount')
            paid_at = now
            if paid_on is not None:
                if paid_on > local_day(shop, now):
                    raise Refused(_l('The payment date cannot be in the future.'), 'paid_on')
                if claim.decided_at and paid_on < local_day(shop, claim.decided_at):
                    raise Refused(_l('The payment date is before the approval.'), 'paid_on')
                paid_at = to_utc(datetime.combine(paid_on, time(12)), shop.timezone)
            values.update(paid_amount=paid_amount, paid_at=paid_at)
            extra = {'paid': paid_amount}
        CLAIMS.move(claim, to, by=by, expected_version=expected_version, **values)
        audit.record('claim.%s' % to, 'repair_order', claim.order_id, shop=claim.shop_id, actor=by,
                     before=_claim_note(claim, status=frm), after=_claim_note(claim, status=to, **extra), note=reason)
    return claim


def claim_history(claim):
    """The claim's events from the order's audit trail, oldest first."""
    events = (Event.for_record('repair_order', claim.order_id).where(Event.action.startswith('claim.'))
              .order_by(Event.at, Event.id))
    return [e for e in events if (e.after_data or {}).get('claim') == claim.id]


def claims(shop, status=None):
    """The shop's claims, oldest submission first within a status (a query, not yet run)."""
    query = (Claim.for_shop(shop).select(Claim, RepairOrder, Vehicle)
             .join(RepairOrder, on=(Claim.order == RepairOrder.id))
             .join(Vehicle, pw.JOIN.LEFT_OUTER, on=(RepairOrder.vehicle == Vehicle.id)))
    if status:
        query = query.where(Claim.status == status)
    return query.order_by(Claim.submitted_at.asc(nulls='LAST'), Claim.id)


def age_days(since, now=None):
    """Whole days since a stored time (None: not started)."""
    if since is None:
        return None
    return max(0, ((now or utcnow()) - since).days)


def status_counts(shop):
    rows = Claim.for_shop(shop, Claim.status, pw.fn.COUNT(Claim.id).alias('n')).group_by(Claim.status)
    return {r.status: r.n for r in rows}


@dataclass
class Receivable:
    claim: object
    amount: Decimal
    age_days: int


def receivables(shop, now=None):
    """What the maker owes: approved claims not paid yet, with the amount and days since approval."""
    now = now or utcnow()
    rows = claims(shop, Claim.APPROVED).order_by(Claim.decided_at, Claim.id)
    return [Receivable(c, c.amount, age_days(c.decided_at, now)) for c in rows]


