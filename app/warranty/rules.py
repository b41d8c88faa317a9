"""Warranty rules: eligibility, line coverage, claims to the maker, the three-guarantee tracker and the two KPIs.

Every rule that writes is one transaction and records its audit event on ('repair_order', order.id),
so the order's timeline shows warranty decisions, claims and loaner cars next to the workshop's steps.

How things are counted (DOMAIN.md "Warranty"; the numbers are settings, see `limits()`):

- Periods run from the sale date (the purchase invoice). As in the Civil Code (arts. 201-203) the sale
  day itself is not counted and a period of years ends on the same calendar day N years later (29 Feb:
  28 Feb), so a car sold on 2024-03-10 is inside a 2-year period up to and including 2026-03-10 and
  outside from 2026-03-11. Distance limits are "whichever comes first" and inclusive: 50,000 km is
  inside, 50,001 km outside. The order's check-in day (shop's local calendar) and its odometer decide.
- Early failure (steering, brakes, body, fuel system within 60 days / 3,000 km): same counting, day 60
  and 3,000 km inside.
- Repair time of one order (三包: "from the time the repair is agreed until it is completed; a repair
  taking less than 24 hours counts as one day"): from the customer's signature (`checked_in_at`) to the
  completion of the repair, which is the first time the order reached "ready for pickup" (audit trail),
  else `delivered_at`, whichever is earlier; an order still in the workshop counts up to now. Every
  started 24 hours counts as one day, and at least one day: ceil(hours / 24). Waiting for parts counts.
- The tracker counts, per vehicle, the orders with at least one line whose coverage is a quality repair
  inside the three-guarantee period (`LineCoverage.counts_for_three_guarantee`: within the period and not
  customer-pay). Cumulative days = the sum of those orders' repair days. Repairs of the same problem =
  the number of those orders with a line of that system / fault group (two brake lines on one order are
  one repair). Limits: over when days > lemon_repair_days (35) or repairs > lemon_same_problem_repairs
  (5): the customer may ask for a replacement. Near from LEMON_NEAR_DAYS (25) days or the
  LEMON_NEAR_REPAIRS-th (4th) repair of one problem.
- A loaner car or transport money is owed when one quality repair inside the maker's warranty takes more
  than loaner_after_days (5) days; on the 5th day the order shows a warning that it is due tomorrow.
- First-maintenance return rate: vehicles sold in [since, until] (sale date) whose first maintenance (an
  order with a catalogue job of category 'maintenance') was done here within the window: from the sale
  date up to FIRST_MAINTENANCE_MONTHS (9) months after it, and at no more than FIRST_MAINTENANCE_KM
  (7,500) km. A vehicle counts once its result is known: it returned, or its window is over (the date has
  passed, or its last known odometer is beyond the distance). Vehicles still inside the window and not
  yet back are left out of both numerator and denominator.
- First-time claim approval rate: claims whose first submission got the maker's answer in [since, until),
  approved at the first submission ÷ all of them.
"""
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import peewee as pw
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import audit, stages
from app.core.access import ADVISOR, MANAGER, WARRANTY
from app.core.db import is_sqlite, transaction, utcnow
from app.core.models import Counter, Event, Setting
from app.core.money import money
from app.core.settings import get_setting
from app.core.stages import IllegalMove, StaleRecord
from app.core.timeutil import add_months, to_local, to_utc
from app.parts.issuing import keep_for_claim
from app.customers.models import Vehicle
from app.reception.models import OrderLine, PartLine, RepairOrder
from app.reception.pricing import line_parts_total
from app.warranty.models import SERIOUS_SYSTEMS, SYSTEM_LABELS, Claim, LineCoverage, LoanerRecord

# --- settings-like constants: a shop may store its own value in Setting under the same key -----------------

NEAR_DEFAULTS = {
    'lemon_near_days': 25,          # warn from this many cumulative repair days (of lemon_repair_days)
    'lemon_near_repairs': 4,        # warn at this repair of the same problem (of lemon_same_problem_repairs)
    'first_maintenance_months': 9,  # the first maintenance counts as a return up to this many months after sale
    'first_maintenance_km': 7500,   # … and at no more than this odometer reading
}
LEMON_NEAR_DAYS = NEAR_DEFAULTS['lemon_near_days']
LEMON_NEAR_REPAIRS = NEAR_DEFAULTS['lemon_near_repairs']
FIRST_MAINTENANCE_MONTHS = NEAR_DEFAULTS['first_maintenance_months']
FIRST_MAINTENANCE_KM = NEAR_DEFAULTS['first_maintenance_km']

CLERKS = (WARRANTY, MANAGER)              # decide coverage, file and follow claims
LOANER_RECORDERS = (ADVISOR, MANAGER)     # the advisor records what the customer was given


def _require(by, roles):
    if not (by.role_names & set(roles)):
        raise IllegalMove(_l('Your role may not do this.'))

# Orders that never were a repair (a check-in abandoned, an order cancelled) count for nothing.
NOT_A_REPAIR = (stages.DRAFT, stages.CANCELLED)


def _local_setting(shop, key):
    row = Setting.get_or_none((Setting.shop == shop) & (Setting.key == key)) if shop is not None else None
    return int(row.value) if row is not None else NEAR_DEFAULTS[key]


@dataclass(frozen=True)
class Limits:
    warranty_years: int
    warranty_km: int
    three_guarantee_years: int
    three_guarantee_km: int
    lemon_days: int
    lemon_near_days: int
    lemon_repairs: int
    lemon_near_repairs: int
    loaner_after_days: int
    early_days: int
    early_km: int
    first_maintenance_months: int
    first_maintenance_km: int
    first_approval_target: Decimal
    first_maintenance_target: Decimal


def limits(shop):
    """Every number the warranty rules use, for this shop."""
    s = lambda key: get_setting(shop, key)  # noqa: E731
    return Limits(
        warranty_years=s('warranty_years'), warranty_km=s('warranty_km'),
        three_guarantee_years=s('three_guarantee_years'), three_guarantee_km=s('three_guarantee_km'),
        lemon_days=s('lemon_repair_days'), lemon_near_days=_local_setting(shop, 'lemon_near_days'),
        lemon_repairs=s('lemon_same_problem_repairs'), lemon_near_repairs=_local_setting(shop, 'lemon_near_repairs'),
        loaner_after_days=s('loaner_after_days'), early_days=s('early_failure_days'), early_km=s('early_failure_km'),
        first_maintenance_months=_local_setting(shop, 'first_maintenance_months'),
        first_maintenance_km=_local_setting(shop, 'first_maintenance_km'),
        first_approval_target=s('claim_first_approval_target'),
        first_maintenance_target=s('first_maintenance_return_target'))


# --- dates --------------------------------------------------------------------------------------------

def add_years(day, years):
    return add_months(day, 12 * years)


def local_day(shop, at):
    """The shop's calendar day of a stored (naive UTC) time."""
    return to_local(at, shop.timezone).date()


def _km(n):
    return '{:,}'.format(n)


# --- eligibility --------------------------------------------------------------------------------------

class Eligibility(tuple):
    """(within_warranty, within_three_guarantee, explanation), plus the period ends for display."""

    def __new__(cls, within_warranty, within_three_guarantee, explanation, warranty_end=None, three_guarantee_end=None):
        self = super().__new__(cls, (within_warranty, within_three_guarantee, explanation))
        self.warranty_end, self.three_guarantee_end = warranty_end, three_guarantee_end
        return self

    within_warranty = property(lambda self: self[0])
    within_three_guarantee = property(lambda self: self[1])
    explanation = property(lambda self: self[2])


def _period_text(name, end, km_limit, at_date, odometer):
    if at_date > end:
        return _('%(name)s: ended on %(end)s.', name=name, end=end.isoformat())
    if odometer > km_limit:
        return _('%(name)s: ended at %(km)s km (odometer %(odo)s km).', name=name, km=_km(km_limit), odo=_km(odometer))
    return _('%(name)s: covered, until %(end)s or %(km)s km.', name=name, end=end.isoformat(), km=_km(km_limit))


def eligibility(vehicle, at_date, odometer, shop):
    """Whether a repair on `at_date` at `odometer` km is inside the maker's warranty (包修期) and the
    three-guarantee period (三包有效期), with a sentence saying why. Pure: reads only the shop's settings."""
    lim = limits(shop)
    odometer = odometer or 0
    if vehicle.sale_date is None:
        return Eligibility(False, False, _('No sale date on file for this vehicle: enter it on the vehicle before '
                                           'deciding warranty.'))
    sold = vehicle.sale_date
    w_end = add_years(sold, lim.warranty_years)
    tg_end = add_years(sold, lim.three_guarantee_years)
    within_w = at_date <= w_end and odometer <= lim.warranty_km
    within_tg = at_date <= tg_end and odometer <= lim.three_guarantee_km
    text = ' '.join([
        _('Sold on %(sold)s; repair on %(day)s at %(odo)s km.', sold=sold.isoformat(), day=at_date.isoformat(),
          odo=_km(odometer)),
        _period_text(_('Warranty (%(y)d years / %(km)s km)', y=lim.warranty_years, km=_km(lim.warranty_km)),
                     w_end, lim.warranty_km, at_date, odometer),
        _period_text(_('Three-guarantee (%(y)d years / %(km)s km)', y=lim.three_guarantee_years,
                       km=_km(lim.three_guarantee_km)), tg_end, lim.three_guarantee_km, at_date, odometer),
    ])
    return Eligibility(within_w, within_tg, text, w_end, tg_end)


def order_day(order):
    """The local day a repair counts from: the customer's signature, else the day the order was opened."""
    return local_day(order.shop, order.checked_in_at or order.created_at)


def order_eligibility(order):
    if order.vehicle_id is None:
        return Eligibility(False, False, _('This order has no vehicle.'))
    return eligibility(order.vehicle, order_day(order), order.odometer, order.shop)


def is_early(vehicle, at_date, odometer, shop):
    """Within the early-failure window (60 days / 3,000 km of sale, both inclusive)."""
    if vehicle.sale_date is None:
        return False
    lim = limits(shop)
    return at_date <= vehicle.sale_date + timedelta(days=lim.early_days) and (odometer or 0) <= lim.early_km


# --- refusals -----------------------------------------------------------------------------------------

class Refused(IllegalMove):
    """A rule said no; `field` names the form field the message belongs to (or None)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field


def _lock_order(order):
    """Serialise claim writes on one order (SQLite already serialises writers)."""
    if not is_sqlite():
        list(RepairOrder.select(RepairOrder.id).where(RepairOrder.id == order.id).for_update())


# --- line coverage ------------------------------------------------------------------------------------

CLAIM_LOCKED = (Claim.SUBMITTED, Claim.APPROVED, Claim.PAID)


def claim_locking(line, kind=None):
    """The claim with the maker (submitted or settled) that fixes this line's coverage, if any: its own claim,
    or the order's whole claim when the line is (or would become) a warranty job in it. Other jobs of an
    order with a whole claim may still be decided customer-pay or goodwill."""
    claims = list(Claim.select().where((Claim.order == line.order_id) & Claim.status.in_(CLAIM_LOCKED)
                                       & ((Claim.line == line.id) | Claim.line.is_null())))
    own = next((c for c in claims if c.line_id == line.id), None)
    if own is not None:
        return own
    whole = next((c for c in claims if c.line_id is None), None)
    if whole is None:
        return None
    current = LineCoverage.get_or_none(LineCoverage.line == line.id)
    in_claim = current is not None and current.kind == LineCoverage.WARRANTY
    return whole if in_claim or kind == LineCoverage.WARRANTY else None


def decide_coverage(line, *, by, kind, system, reason, fault_code='', expected_version=0, now=None):
    """The warranty clerk decides who pays for a job line, with the reason; eligibility comes from the
    vehicle's sale date and the order's odometer. `expected_version` 0 means "not decided yet"."""
    _require(by, CLERKS)
    if kind not in LineCoverage.KIND_LABELS:
        raise Refused(_l('Choose who pays.'), 'kind')
    if system not in SYSTEM_LABELS:
        raise Refused(_l('Choose the system or fault group.'), 'system')
    reason = (reason or '').strip()
    if not reason:
        raise Refused(_l('Write the reason for the decision.'), 'reason')
    order = RepairOrder.get_by_id(line.order_id)
    if order.stage == stages.CANCELLED:
        raise Refused(_l('This order was cancelled.'))
    elig = order_eligibility(order)
    if kind == LineCoverage.WARRANTY and not elig.within_warranty:
        raise Refused(_l('Outside the maker\'s warranty: choose goodwill or customer pays.'), 'kind')
    now = now or utcnow()
    with transaction():
        _lock_order(order)
        existing = LineCoverage.get_or_none(LineCoverage.line == line.id)
        current = existing.version if existing else 0
        if int(expected_version or 0) != current:
            raise StaleRecord(line.id)
        locked = claim_locking(line, kind)
        if locked is not None:
            raise Refused(_l('Claim %(number)s with the maker includes this job; its coverage can no longer change.',
                             number=locked.number))
        values = dict(kind=kind, system=system, fault_code=(fault_code or '').strip(), reason=reason,
                      within_warranty=elig.within_warranty, within_three_guarantee=elig.within_three_guarantee,
                      decided_by=by, decided_at=now)
        before = None
        if existing is None:
            try:
                with transaction():
                    cov = LineCoverage.create(shop=line.shop_id, order=order.id, line=line.id, version=1, **values)
            except pw.IntegrityError:
                raise StaleRecord(line.id)
        else:
            before = {'line': line.id, 'kind': existing.kind, 'system': existing.system}
            changed = (LineCoverage.update(version=LineCoverage.version + 1, **values)
                       .where((LineCoverage.id == existing.id) & (LineCoverage.version == current)).execute())
            if changed != 1:
                raise StaleRecord(line.id)
            cov = LineCoverage.get_by_id(existing.id)
        audit.record('warranty.coverage', 'repair_order', order.id, shop=order.shop_id, actor=by, before=before,
                     after={'line': line.id, 'kind': kind, 'system': system, 'fault_code': cov.fault_code,
                            'within_warranty': elig.within_warranty,
                            'within_three_guarantee': elig.within_three_guarantee},
                     note='%s — %s' % (reason, elig.explanation))
    return cov


def coverage_by_line(order):
    """{line id: LineCoverage} for an order (settlement may read who pays from here)."""
    return {c.line_id: c for c in LineCoverage.select().where(LineCoverage.order == order)}


# --- claims -------------------------------------------------------------------------------------------

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
OPEN_CLAIMS = (Claim.DRAFT, Claim.SUBMITTED, Claim.REJECTED, Claim.APPROVED)
EDITABLE = (Claim.DRAFT, Claim.REJECTED)


def claim_moves(claim, user):
    return [to for to, roles in CLAIM_MOVES.get(claim.status, {}).items() if user.role_names & roles]


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
    _require(by, CLERKS)
    if order.stage in NOT_A_REPAIR:
        raise Refused(_l('Only a signed order can have a claim.'))
    now = now or utcnow()
    with transaction():
        _lock_order(order)
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


def _update(claim, expected_version, **values):
    changed = (Claim.update(version=Claim.version + 1, **values)
               .where((Claim.id == claim.id) & (Claim.version == int(expected_version))).execute())
    if changed != 1:
        raise StaleRecord(claim.id)
    for key, value in values.items():
        setattr(claim, key, value)
    claim.version = int(expected_version) + 1


def edit_claim(claim, *, by, old_part_tag, note, expected_version):
    """Change the old-part tag or note of a draft or rejected claim; the amounts are read again from the order."""
    _require(by, CLERKS)
    if claim.status not in EDITABLE:
        raise Refused(_l('A claim can only be changed while it is a draft or after a rejection.'))
    with transaction():
        labour, parts = claim_amounts(claim.order, claim.line_id)
        before = {'old_part_tag': claim.old_part_tag, 'labour': claim.labour_amount, 'parts': claim.parts_amount}
        _update(claim, expected_version, old_part_tag=(old_part_tag or '').strip(), note=(note or '').strip(),
                labour_amount=labour, parts_amount=parts)
        keep_for_claim(claim.order_id, [ln.id for ln in warranty_lines(claim.order, claim.line_id)],
                       claim.old_part_tag, by)
        b, a = audit.diff(before, {'old_part_tag': claim.old_part_tag, 'labour': labour, 'parts': parts})
        audit.record('claim.edited', 'repair_order', claim.order_id, shop=claim.shop_id, actor=by,
                     before=_claim_note(claim, **b), after=_claim_note(claim, **a))
    return claim


def move_claim(claim, to, *, by, expected_version, reason='', paid_amount=None, paid_on=None, now=None):
    """Move a claim along its declared path: submit (again), record the maker's answer, record the payment."""
    frm = claim.status
    roles = CLAIM_MOVES.get(frm, {}).get(to)
    if roles is None:
        raise IllegalMove(_l('A claim cannot go from "%(a)s" to "%(b)s".', a=CLAIM_LABELS.get(frm, frm),
                             b=CLAIM_LABELS.get(to, to)))
    if not (by.role_names & roles):
        raise IllegalMove(_l('Your role may not move a claim to "%(b)s".', b=CLAIM_LABELS[to]))
    now = now or utcnow()
    shop = claim.shop
    values = {'status': to}
    extra = {}
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
        _update(claim, expected_version, **values)
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


# --- rates --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rate:
    """numerator / denominator, exactly; `value` is a Fraction (None when nothing was counted)."""
    numerator: int
    denominator: int

    @property
    def value(self):
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def percent(self):
        """For display: percent to one decimal place."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator * 100) / Decimal(self.denominator)).quantize(Decimal('0.1'), ROUND_HALF_UP)

    def meets(self, target):
        return self.denominator > 0 and self.value >= Fraction(target)


def _bound(shop, value):
    """A date bound is the start of that local day, as naive UTC; a datetime is taken as naive UTC."""
    if value is None or isinstance(value, datetime):
        return value
    return to_utc(datetime.combine(value, time()), shop.timezone)


def first_time_approval_rate(shop, since=None, until=None):
    """Claims approved at their first submission ÷ claims whose first submission was answered, in [since, until)."""
    query = Claim.for_shop(shop).where(Claim.first_result != '')
    if since is not None:
        query = query.where(Claim.first_decided_at >= _bound(shop, since))
    if until is not None:
        query = query.where(Claim.first_decided_at < _bound(shop, until))
    decided = query.count()
    approved = query.where(Claim.first_result == Claim.APPROVED).count()
    return Rate(approved, decided)


# --- the three-guarantee tracker ----------------------------------------------------------------------

def repair_days(start, end):
    """Days of one repair: every started 24 hours is a day, and at least one (三包 counting)."""
    if start is None:
        return 0
    seconds = max(0, (end - start).total_seconds())
    return max(1, math.ceil(seconds / 86400))


def completion_times(order_ids):
    """{order id: when it first reached 'ready for pickup'}, from the audit trail."""
    if not order_ids:
        return {}
    found = {}
    events = (Event.select(Event.record_id, Event.at, Event.after)
              .where((Event.record_type == 'repair_order') & (Event.action == 'order.stage')
                     & Event.record_id.in_(list(order_ids)) & Event.after.contains(stages.READY_FOR_PICKUP))
              .order_by(Event.at))
    for e in events:
        if (e.after_data or {}).get('stage') == stages.READY_FOR_PICKUP:
            found.setdefault(e.record_id, e.at)
    return found


def repair_end(order, ready_at, now):
    """When the repair was completed: ready for pickup or delivered, whichever first; still open: now."""
    ends = [t for t in (ready_at, order.delivered_at) if t is not None]
    if ends:
        return min(ends)
    if order.stage in (stages.DELIVERED, stages.CLOSED):
        return order.checked_in_at     # finished without a recorded time: the one-day minimum
    return now


def order_days(order, now=None, ready_at=None):
    """Repair days of one order (see the module's counting rules)."""
    now = now or utcnow()
    if order.checked_in_at is None or order.stage in NOT_A_REPAIR:
        return 0
    if ready_at is None:
        ready_at = completion_times([order.id]).get(order.id)
    return repair_days(order.checked_in_at, repair_end(order, ready_at, now))


@dataclass
class Visit:
    """One counted repair of a vehicle: the order, its days and the problems (systems) it repaired."""
    order: object
    days: int
    systems: set
    open: bool


@dataclass
class Flag:
    level: str          # 'over' (a right has arisen / action owed), 'near' (warning), 'info'
    code: str
    text: str
    audience: str = 'all'   # 'manager' for the early-failure rule

    @property
    def css(self):
        return {'over': 'bad', 'near': 'warn'}.get(self.level, 'info')


FLAG_TEXTS = {
    'days_over': _l('%(days)d days in repair for quality problems: over the %(limit)d-day limit, the customer may '
                    'ask for a replacement car.'),
    'days_near': _l('%(days)d of %(limit)d days in repair used within the three-guarantee period.'),
    'repairs_over': _l('%(problem)s repaired %(n)d times: over the limit of %(limit)d, the customer may ask for a '
                       'replacement car.'),
    'repairs_near': _l('%(problem)s: repair %(n)d of the same problem (a replacement is owed after %(limit)d).'),
    'loaner_given': _l('Repair of %(days)d days: %(given)s recorded.'),
    'loaner_owed': _l('Repair of %(days)d days (over %(limit)d): the customer is owed a loaner car or transport '
                      'compensation.'),
    'loaner_maybe': _l('Repair of %(days)d days (over %(limit)d) inside the warranty: if it is a quality repair, a '
                       'loaner car or transport compensation is owed. Decide the coverage.'),
    'loaner_tomorrow': _l('Day %(days)d of %(limit)d: from tomorrow a loaner car or transport compensation is owed.'),
    'early_failure': _l('%(problems)s within %(days)d days / %(km)s km of sale: the customer may choose a '
                        'replacement or refund. Manager to review.'),
}


def _flag(level, code, audience='all', **params):
    return Flag(level, code, str(FLAG_TEXTS[code]) % params, audience)


@dataclass
class VehicleStatus:
    vehicle: object
    limits: Limits
    period_end: date = None
    in_period: bool = False
    visits: list = field(default_factory=list)
    days: int = 0
    problems: dict = field(default_factory=dict)      # system -> repairs
    flags: list = field(default_factory=list)

    @property
    def worst_problem(self):
        """(system, repairs) of the most repaired problem, or (None, 0)."""
        if not self.problems:
            return None, 0
        system = max(self.problems, key=lambda s: (self.problems[s], s))
        return system, self.problems[system]

    @property
    def problem_rows(self):
        """(system, label, repairs), most repaired first."""
        ranked = sorted(self.problems.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(s, SYSTEM_LABELS.get(s, s), n) for s, n in ranked]

    @property
    def level(self):
        levels = [f.level for f in self.flags]
        return 'over' if 'over' in levels else 'near' if 'near' in levels else ''

    @property
    def days_left(self):
        return max(0, self.limits.lemon_days - self.days)


def _counted_rows(shop, vehicle=None, sold_since=None):
    """Counted coverage rows (quality repairs inside the three-guarantee period) with their order and vehicle."""
    query = (LineCoverage.select(LineCoverage, RepairOrder, Vehicle)
             .join(RepairOrder, on=(LineCoverage.order == RepairOrder.id))
             .join(Vehicle, on=(RepairOrder.vehicle == Vehicle.id))
             .where((LineCoverage.shop == shop) & (LineCoverage.within_three_guarantee == True)  # noqa: E712
                    & (LineCoverage.kind != LineCoverage.CUSTOMER_PAY)
                    & RepairOrder.stage.not_in(list(NOT_A_REPAIR)) & RepairOrder.checked_in_at.is_null(False)))
    if vehicle is not None:
        query = query.where(RepairOrder.vehicle == vehicle)
    if sold_since is not None:
        query = query.where(Vehicle.sale_date >= sold_since)
    return list(query)


def _status(vehicle, rows, ready, lim, now, today):
    status = VehicleStatus(vehicle, lim)
    if vehicle.sale_date is not None:
        status.period_end = add_years(vehicle.sale_date, lim.three_guarantee_years)
        status.in_period = today <= status.period_end and (vehicle.mileage or 0) <= lim.three_guarantee_km
    by_order = {}
    for cov in rows:
        order = cov.order
        visit = by_order.get(order.id)
        if visit is None:
            visit = by_order[order.id] = Visit(order, order_days(order, now, ready.get(order.id)), set(),
                                               order.stage in stages.OPEN)
        visit.systems.add(cov.system)
    status.visits = sorted(by_order.values(), key=lambda v: v.order.checked_in_at)
    status.days = sum(v.days for v in status.visits)
    for v in status.visits:
        for system in v.systems:
            status.problems[system] = status.problems.get(system, 0) + 1
    status.flags = _vehicle_flags(status)
    return status


def _vehicle_flags(st):
    lim, flags = st.limits, []
    if st.days > lim.lemon_days:
        flags.append(_flag('over', 'days_over', days=st.days, limit=lim.lemon_days))
    elif st.in_period and st.days >= lim.lemon_near_days:
        flags.append(_flag('near', 'days_near', days=st.days, limit=lim.lemon_days))
    for system, n in sorted(st.problems.items()):
        label = SYSTEM_LABELS.get(system, system)
        if n > lim.lemon_repairs:
            flags.append(_flag('over', 'repairs_over', problem=label, n=n, limit=lim.lemon_repairs))
        elif st.in_period and n >= lim.lemon_near_repairs:
            flags.append(_flag('near', 'repairs_near', problem=label, n=n, limit=lim.lemon_repairs))
    return flags


def vehicle_status(vehicle, now=None):
    """The three-guarantee status of one vehicle: its counted repairs, days used, repairs per problem, flags."""
    now = now or utcnow()
    shop = vehicle.shop
    rows = _counted_rows(shop, vehicle)
    ready = completion_times({c.order_id for c in rows})
    return _status(vehicle, rows, ready, limits(shop), now, local_day(shop, now))


def tracker(shop, now=None):
    """The status of every vehicle still inside its three-guarantee period (by date) with a counted repair,
    worst first. Cars whose period has ended are history: their own page still shows them."""
    now = now or utcnow()
    lim, today = limits(shop), local_day(shop, now)
    rows = _counted_rows(shop, sold_since=add_years(today, -lim.three_guarantee_years))
    ready = completion_times({c.order_id for c in rows})
    per_vehicle = {}
    for cov in rows:
        per_vehicle.setdefault(cov.order.vehicle.id, []).append(cov)
    statuses = [_status(covs[0].order.vehicle, covs, ready, lim, now, today) for covs in per_vehicle.values()]
    rank = {'over': 0, 'near': 1, '': 2}
    return sorted(statuses, key=lambda s: (rank[s.level], -s.days, -s.worst_problem[1], s.vehicle.plate))


def vehicles_near_limits(shop, now=None):
    return [s for s in tracker(shop, now) if s.level]


# --- per order: loaner car and early failure ----------------------------------------------------------

@dataclass
class OrderWarranty:
    order: object
    days: int
    eligibility: object
    quality_repair: bool        # a line decided as warranty or goodwill inside the maker's warranty
    undecided: bool             # no line decided yet
    loaners: list
    early: list                 # serious systems repaired within the early-failure window
    flags: list


def order_warranty(order, now=None):
    """Everything warranty knows about one order: days, eligibility, loaner records, early failures, flags."""
    now = now or utcnow()
    lim = limits(order.shop)
    covs = list(LineCoverage.select().where(LineCoverage.order == order))
    elig = order_eligibility(order)
    days = order_days(order, now)
    quality = any(c.kind != LineCoverage.CUSTOMER_PAY and c.within_warranty for c in covs)
    undecided = not covs
    loaners = list(LoanerRecord.select().where(LoanerRecord.order == order).order_by(LoanerRecord.given_at))
    early = []
    if order.vehicle_id and is_early(order.vehicle, order_day(order), order.odometer, order.shop):
        early = sorted({c.system for c in covs if c.system in SERIOUS_SYSTEMS and c.kind != LineCoverage.CUSTOMER_PAY})
    flags = []
    is_open = order.stage in stages.OPEN
    may_be_owed = quality or (undecided and elig.within_warranty)
    limit = lim.loaner_after_days
    if days > limit and may_be_owed:
        if loaners:
            flags.append(_flag('info', 'loaner_given', days=days,
                               given=', '.join(str(r.kind_label) for r in loaners)))
        else:
            flags.append(_flag('over' if quality else 'near', 'loaner_owed' if quality else 'loaner_maybe',
                               days=days, limit=limit))
    elif is_open and days == limit and may_be_owed and not loaners:
        flags.append(_flag('near', 'loaner_tomorrow', days=days, limit=limit))
    if early:
        flags.append(_flag('over', 'early_failure', audience='manager', days=lim.early_days, km=_km(lim.early_km),
                           problems=', '.join(str(SYSTEM_LABELS[s]) for s in early)))
    return OrderWarranty(order, days, elig, quality, undecided, loaners, early, flags)


def order_flags(order, now=None):
    """The warnings an order shows: its vehicle's three-guarantee limits, the loaner car, early failure."""
    info = order_warranty(order, now)
    vehicle_flags = vehicle_status(order.vehicle, now).flags if order.vehicle_id else []
    return vehicle_flags + info.flags


def open_long_repairs(shop, now=None):
    """Open orders past the loaner limit that are (or may be) quality repairs inside the warranty."""
    now = now or utcnow()
    lim = limits(shop)
    cutoff = now - timedelta(days=lim.loaner_after_days)
    orders = (RepairOrder.open_orders(shop).where(RepairOrder.checked_in_at <= cutoff)
              .order_by(RepairOrder.checked_in_at))
    found = []
    for order in orders:
        info = order_warranty(order, now)
        if any(f.code in ('loaner_owed', 'loaner_maybe', 'loaner_given') for f in info.flags):
            found.append(info)
    return found


def early_failures(shop, now=None):
    """Orders with a serious failure within the early-failure window of sale, for the manager (last 12 months)."""
    now = now or utcnow()
    since = local_day(shop, now) - timedelta(days=365)
    rows = (LineCoverage.select(LineCoverage, RepairOrder, Vehicle)
            .join(RepairOrder, on=(LineCoverage.order == RepairOrder.id))
            .join(Vehicle, on=(RepairOrder.vehicle == Vehicle.id))
            .where((LineCoverage.shop == shop) & LineCoverage.system.in_(list(SERIOUS_SYSTEMS))
                   & (LineCoverage.kind != LineCoverage.CUSTOMER_PAY) & (Vehicle.sale_date >= since)
                   & RepairOrder.stage.not_in(list(NOT_A_REPAIR)))
            .order_by(RepairOrder.checked_in_at.desc()))
    seen, found = set(), []
    for cov in rows:
        order = cov.order
        if order.id in seen:
            continue
        if is_early(order.vehicle, order_day(order), order.odometer, shop):
            seen.add(order.id)
            found.append(order_warranty(order, now))
    return found


# --- loaner cars ---------------------------------------------------------------------------------------

def record_loaner(order, *, by, kind, given_at, amount=Decimal('0'), note='', expected_count=0):
    """The advisor records what the customer was given while the repair ran long. `expected_count`: the
    number of records the order had when the form was drawn."""
    _require(by, LOANER_RECORDERS)
    if kind not in LoanerRecord.KIND_LABELS:
        raise Refused(_l('Choose what was given.'), 'kind')
    amount = money(amount or 0)
    if amount < 0:
        raise Refused(_l('Enter an amount of zero or more.'), 'amount')
    if kind == LoanerRecord.TRANSPORT and amount <= 0:
        raise Refused(_l('Enter the compensation paid.'), 'amount')
    if order.stage in NOT_A_REPAIR:
        raise Refused(_l('Only a signed order can have a loaner car.'))
    if order.checked_in_at and given_at < order.checked_in_at - timedelta(days=1):
        raise Refused(_l('This is before the car came in.'), 'given_on')
    if given_at > utcnow() + timedelta(days=1):
        raise Refused(_l('The date cannot be in the future.'), 'given_on')
    with transaction():
        _lock_order(order)
        if LoanerRecord.select().where(LoanerRecord.order == order).count() != int(expected_count or 0):
            raise StaleRecord(order.id)
        rec = LoanerRecord.create(shop=order.shop_id, order=order, kind=kind, given_at=given_at, amount=amount,
                                  note=(note or '').strip(), recorded_by=by)
        audit.record('warranty.loaner', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'loaner': rec.id, 'kind': kind, 'amount': amount, 'given_at': given_at}, note=rec.note)
    return rec


# --- first maintenance ---------------------------------------------------------------------------------

@dataclass
class FirstMaintenance:
    returned: list      # (vehicle, order)
    missed: list        # vehicles whose window is over without a maintenance here
    pending: list       # vehicles still inside their window

    @property
    def rate(self):
        return Rate(len(self.returned), len(self.returned) + len(self.missed))


def first_maintenance_window(vehicle, shop, lim=None):
    """(last day, km limit) of a vehicle's first-maintenance window, which opens on the sale date."""
    lim = lim or limits(shop)
    return add_months(vehicle.sale_date, lim.first_maintenance_months), lim.first_maintenance_km


def first_maintenance_cohort(shop, since, until, today=None):
    """Vehicles sold in [since, until] (both days included), split into returned / missed / pending."""
    today = today or local_day(shop, utcnow())
    cohort = list(Vehicle.for_shop(shop).where(Vehicle.sale_date.between(since, until)).order_by(Vehicle.sale_date))
    maintenance_orders = {}
    if cohort:
        rows = (RepairOrder.select(RepairOrder)
                .where((RepairOrder.vehicle.in_([v.id for v in cohort])) & RepairOrder.maintenance_where()
                       & RepairOrder.stage.not_in(list(NOT_A_REPAIR)) & RepairOrder.checked_in_at.is_null(False))
                .order_by(RepairOrder.checked_in_at))
        for order in rows:
            maintenance_orders.setdefault(order.vehicle_id, []).append(order)
    result = FirstMaintenance([], [], [])
    lim = limits(shop)   # read the settings once, not once per car
    for car in cohort:
        last_day, km = first_maintenance_window(car, shop, lim)
        done = next((o for o in maintenance_orders.get(car.id, [])
                     if car.sale_date <= local_day(shop, o.checked_in_at) <= last_day and (o.odometer or 0) <= km),
                    None)
        if done is not None:
            result.returned.append((car, done))
        elif today > last_day or (car.mileage or 0) > km:
            result.missed.append(car)
        else:
            result.pending.append(car)
    return result


def first_maintenance_return_rate(shop, since, until, today=None):
    """Vehicles sold in [since, until] back here for their first maintenance within the window ÷ those whose
    result is known (see the module's counting rules). Exact: a Rate of two whole numbers."""
    return first_maintenance_cohort(shop, since, until, today).rate
