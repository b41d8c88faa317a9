"""Comebacks (返修) and the first-time fix rate (一次修复率).

How things are counted (the window is a setting, the shop's own choice, not a rulebook number):
- A possible comeback: at check-in, an earlier order of the same car delivered no more than `comeback_window_days`
  local days before this order (its signature, else now) and no more than `comeback_window_km` before this
  order's odometer (whichever comes first ends the window; an odometer not yet read leaves the days alone to
  decide), for the same system: once this order has a job of a known system (not "other"), only the earlier orders
  with a job of one of its systems are flagged; before that, any. The check-in shows the newest SHOWN of them with
  their jobs, systems and who did them (a comeback already recorded is always shown).
- The advisor records the comeback against the earlier job (so its technician) with a cause: workmanship, faulty
  part, wrong diagnosis or a new fault. One comeback per earlier order and new order.
- First-time fix: the job lines counted for the workshop (done, with a technician, on an order that was a repair)
  that did not come back; a line came back when a comeback other than a new fault names it. The comeback rate is
  the rest. Counted by the day the earlier order was delivered, per technician (the line's), advisor (the order's)
  and job type (the catalogue job, else "other jobs").
- A comeback counts as a repair of its system in the three-guarantee tracker (app.warranty.tracker).
"""
from dataclasses import dataclass, field

import peewee as pw
from flask_babel import lazy_gettext as _l
from peewee import fn

from app.accounts.models import User
from app.core import audit, stages
from app.core.db import transaction, utcnow
from app.core.errors import Refused
from app.core.settings import get_setting
from app.customers.models import Vehicle
from app.reception.models import CannedJob, OrderLine, RepairOrder
from app.warranty.eligibility import NOT_A_REPAIR, local_day, lock_order
from app.warranty.models import SYSTEM_LABELS, Comeback, system_of

FINISHED = (stages.DELIVERED, stages.CLOSED)
SHOWN = 3           # not a rule: the newest possible comebacks a check-in shows


@dataclass
class Window:
    days: int
    km: int


def window(shop):
    return Window(get_setting(shop, 'comeback_window_days'), get_setting(shop, 'comeback_window_km'))


def within(win, days, km):
    """Inside the comeback window: both the days and (when known) the km, whichever comes first ends it."""
    return 0 <= days <= win.days and (km is None or km <= win.km)


def line_system(line, coverage=None):
    """The "same problem" key of a job: the warranty clerk's decision, else its catalogue system as one of the
    declared systems, else 'other'."""
    if coverage is not None:
        return coverage.system
    return system_of(line.system) or 'other'


@dataclass
class Candidate:
    order: object                     # the earlier order
    days: int
    km: object                        # None: this order's odometer is not read yet
    lines: list = field(default_factory=list)   # [(line, system, same_system)]
    recorded: object = None           # the Comeback, once recorded

    @property
    def same_system(self):
        return any(same for _l, _s, same in self.lines)

    @property
    def default_line_id(self):
        """The job the form proposes: the first of the same system, else the only one."""
        same = [ln.id for ln, _s, is_same in self.lines if is_same]
        return same[0] if same else self.lines[0][0].id if len(self.lines) == 1 else None


def candidates(order, now=None):
    """The earlier orders of this order's car inside the comeback window, newest first (see the module's rules)."""
    if order.vehicle_id is None:
        return []
    shop = order.shop
    win = window(shop)
    today = local_day(shop, order.checked_in_at or now or utcnow())
    earlier = (RepairOrder.for_shop(shop)
               .where((RepairOrder.vehicle == order.vehicle_id) & (RepairOrder.id != order.id)
                      & RepairOrder.stage.in_(list(FINISHED)) & RepairOrder.delivered_at.is_null(False))
               .order_by(RepairOrder.delivered_at.desc()))
    mine = ({line_system(ln) for ln in order.lines} | {c.system for c in order.coverages}) - {'other'}
    recorded = {c.earlier_order_id: c for c in Comeback.select().where(Comeback.order == order)}
    found, shown = [], 0
    for old in earlier:
        days = (today - local_day(shop, old.delivered_at)).days
        km = order.odometer - old.odometer if order.odometer and old.odometer else None
        if days > win.days and not recorded:
            break
        covs = {c.line_id: c for c in old.coverages}
        lines = [(ln, line_system(ln, covs.get(ln.id)), line_system(ln, covs.get(ln.id)) in mine)
                 for ln in old.lines.order_by(OrderLine.position)]
        cand = Candidate(old, days, km, lines, recorded.get(old.id))
        if cand.recorded is not None:
            found.append(cand)
        elif within(win, days, km) and (not mine or cand.same_system) and shown < SHOWN:
            found.append(cand)
            shown += 1
    return found


def record(order, by, *, earlier_line_id, cause, system=None, note=''):
    """The advisor records that this car came back for the job `earlier_line_id` of an earlier order, and why."""
    if cause not in Comeback.CAUSE_LABELS:
        raise Refused(_l('Choose why the car came back.'), 'cause')
    if order.stage == stages.CANCELLED:
        raise Refused(_l('This order is cancelled.'))
    found = {ln.id: (c, ln, system_) for c in candidates(order) for ln, system_, _same in c.lines}
    if earlier_line_id not in found:
        raise Refused(_l('Choose the earlier job the car came back for (an order delivered within the comeback '
                         'window).'), 'earlier_line')
    cand, line, default_system = found[earlier_line_id]
    system = system or default_system
    if system not in SYSTEM_LABELS:
        raise Refused(_l('Choose the system.'), 'system')
    with transaction():
        lock_order(order)
        if Comeback.select().where((Comeback.order == order) & (Comeback.earlier_order == cand.order)).exists():
            raise Refused(_l('This comeback is already recorded.'))
        cb = Comeback.create(shop=order.shop_id, order=order, earlier_order=cand.order, earlier_line=line,
                             technician=line.technician_id, system=system, cause=cause, days=cand.days, km=cand.km,
                             note=(note or '').strip()[:200], recorded_by=by)
        audit.record('warranty.comeback', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'comeback': cb.id, 'earlier_order': cand.order.id, 'line': line.id, 'cause': cause,
                            'system': system, 'technician': line.technician_id, 'days': cand.days, 'km': cand.km})
    return cb


# --- first-time fix ---------------------------------------------------------------------------------------------

def counted_lines_where(ro, ol):
    """SQL: the job lines the workshop figures count (done, with a technician, on an order that was a repair)."""
    return (ro.stage.not_in(list(NOT_A_REPAIR)) & (ol.status == stages.LINE_DONE) & ol.technician.is_null(False))


def _names_a_fault(cb):
    return cb.cause != Comeback.NEW_FAULT


def came_back(line_id):
    """SQL: a comeback other than a new fault names this job line (it was not fixed the first time)."""
    cb = Comeback.alias('cbk')
    return fn.EXISTS(cb.select(pw.SQL('1')).where((cb.earlier_line == line_id) & _names_a_fault(cb)))


def lines_came_back():
    """SQL: the ids of the job lines that came back (`came_back`), for `line_id IN (…)`: read from the few
    comebacks instead of a lookup per line."""
    cb = Comeback.alias('cbl')
    return cb.select(cb.earlier_line).where(cb.earlier_line.is_null(False) & _names_a_fault(cb))


BY = {'technician': _l('Technician'), 'advisor': _l('Advisor'), 'job': _l('Job type')}


@dataclass
class RateRow:
    key: object
    label: str
    lines: int
    back: int

    @property
    def first_fix(self):
        return (self.lines - self.back) / self.lines if self.lines else None

    @property
    def comeback_rate(self):
        return self.back / self.lines if self.lines else None


def rates(shop, lo, hi, by):
    """First-time fix and comeback rates of the job lines on orders delivered in [lo, hi) (UTC), per `by`."""
    back = pw.Case(None, [(came_back(OrderLine.id), 1)], 0)
    key = {'technician': OrderLine.technician, 'advisor': RepairOrder.advisor, 'job': OrderLine.canned_job}[by]
    rows = (OrderLine.select(key.alias('key'), fn.COUNT(OrderLine.id).alias('n'), fn.SUM(back).alias('back'))
            .join(RepairOrder, on=(OrderLine.order == RepairOrder.id))
            .where((RepairOrder.shop == shop) & (RepairOrder.delivered_at >= lo) & (RepairOrder.delivered_at < hi)
                   & counted_lines_where(RepairOrder, OrderLine))
            .group_by(key).tuples())
    rows = list(rows)
    ids = [k for k, _n, _b in rows if k is not None]
    model = CannedJob if by == 'job' else User
    names = {r.id: (r.name if by == 'job' else r.display_name) for r in model.select().where(model.id.in_(ids))}
    out = [RateRow(k, names.get(k) or str(_l('Other jobs') if by == 'job' else _l('Nobody')), n, int(b or 0))
           for k, n, b in rows]
    return sorted(out, key=lambda r: (-(r.comeback_rate or 0), r.label))


def recent(shop, limit=50):
    """The latest comebacks recorded, newest first."""
    return list(Comeback.for_shop(shop).order_by(Comeback.recorded_at.desc()).limit(limit))


def counted_for_tracker(shop, vehicle=None, sold_since=None):
    """Comebacks on orders that were repairs, with their order: each is a repair of its system for the tracker."""
    q = (Comeback.select(Comeback, RepairOrder, Vehicle)
         .join(RepairOrder, on=(Comeback.order == RepairOrder.id))
         .join(Vehicle, on=(RepairOrder.vehicle == Vehicle.id))
         .where((Comeback.shop == shop) & RepairOrder.stage.not_in(list(NOT_A_REPAIR))
                & RepairOrder.checked_in_at.is_null(False)))
    if vehicle is not None:
        q = q.where(RepairOrder.vehicle == vehicle)
    if sold_since is not None:
        q = q.where(Vehicle.sale_date >= sold_since)
    return list(q)

