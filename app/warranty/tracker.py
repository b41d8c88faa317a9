"""The three-guarantee tracker (三包) and what one order owes: repair days, repairs of the same problem, the limits'
warnings, the loaner car and the early-failure rule.

How things are counted (DOMAIN.md "Warranty"; the numbers are settings, see app.warranty.eligibility.limits):

- Repair time of one order (三包: "from the time the repair is agreed until it is completed; a repair
  taking less than 24 hours counts as one day"): from the customer's signature (`checked_in_at`) to the
  completion of the repair, which is the first time the order reached "ready for pickup" (audit trail),
  else `delivered_at`, whichever is earlier; an order still in the workshop counts up to now. Every
  started 24 hours counts as one day, and at least one day: ceil(hours / 24). Waiting for parts counts.
- The tracker counts, per vehicle, the orders with at least one line whose coverage is a quality repair
  inside the three-guarantee period (`LineCoverage.counts_for_three_guarantee`: within the period and not
  customer-pay). Cumulative days = the sum of those orders' repair days. Repairs of the same problem =
  the number of those orders with a line of that system / fault group (two brake lines on one order are
  one repair). A comeback (app.warranty.comebacks) on an order inside the three-guarantee period counts as a repair
  of its system too (once per order and system), its days only if the order is counted anyway. Limits: over when days > lemon_repair_days (35) or repairs > lemon_same_problem_repairs
  (5): the customer may ask for a replacement. Near from LEMON_NEAR_DAYS (25) days or the
  LEMON_NEAR_REPAIRS-th (4th) repair of one problem.
- A loaner car or transport money is owed when one quality repair inside the maker's warranty takes more
  than loaner_after_days (5) days; on the 5th day the order shows a warning that it is due tomorrow.
"""
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.core import audit, stages
from app.core.db import transaction, utcnow
from app.core.errors import Refused, StaleRecord
from app.core.models import Event
from app.core.money import money
from app.customers.models import Vehicle
from app.reception.models import RepairOrder
from app.warranty import comebacks
from app.warranty.eligibility import (LOANER_RECORDERS, NOT_A_REPAIR, Limits, add_years, is_early, km_text, limits,
                                      local_day, lock_order, order_day, order_eligibility, require_role)
from app.warranty.models import SERIOUS_SYSTEMS, SYSTEM_LABELS, LineCoverage, LoanerRecord

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


def _status(vehicle, rows, ready, lim, now, today, backs=()):
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
    for cb in backs:       # a comeback inside the period: a repair of its system (its days only if counted anyway)
        order = cb.order
        if status.period_end is None or local_day(order.shop, order.checked_in_at) > status.period_end:
            continue
        visit = by_order.get(order.id)
        if visit is None:
            visit = by_order[order.id] = Visit(order, 0, set(), order.stage in stages.OPEN)
        visit.systems.add(cb.system)
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
    return _status(vehicle, rows, ready, limits(shop), now, local_day(shop, now),
                   comebacks.counted_for_tracker(shop, vehicle))


def tracker(shop, now=None):
    """The status of every vehicle still inside its three-guarantee period (by date) with a counted repair,
    worst first. Cars whose period has ended are history: their own page still shows them."""
    now = now or utcnow()
    lim, today = limits(shop), local_day(shop, now)
    since = add_years(today, -lim.three_guarantee_years)
    rows = _counted_rows(shop, sold_since=since)
    ready = completion_times({c.order_id for c in rows})
    per_vehicle, backs, cars = {}, {}, {}
    for cov in rows:
        per_vehicle.setdefault(cov.order.vehicle.id, []).append(cov)
        cars[cov.order.vehicle.id] = cov.order.vehicle
    for cb in comebacks.counted_for_tracker(shop, sold_since=since):
        backs.setdefault(cb.order.vehicle.id, []).append(cb)
        cars.setdefault(cb.order.vehicle.id, cb.order.vehicle)
    statuses = [_status(car, per_vehicle.get(vid, []), ready, lim, now, today, backs.get(vid, ()))
                for vid, car in cars.items()]
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
        flags.append(_flag('over', 'early_failure', audience='manager', days=lim.early_days, km=km_text(lim.early_km),
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
    require_role(by, LOANER_RECORDERS)
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
        lock_order(order)
        if LoanerRecord.select().where(LoanerRecord.order == order).count() != int(expected_count or 0):
            raise StaleRecord(order.id)
        rec = LoanerRecord.create(shop=order.shop_id, order=order, kind=kind, given_at=given_at, amount=amount,
                                  note=(note or '').strip(), recorded_by=by)
        audit.record('warranty.loaner', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'loaner': rec.id, 'kind': kind, 'amount': amount, 'given_at': given_at}, note=rec.note)
    return rec


