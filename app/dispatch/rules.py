"""Dispatch (派工): the foreman signs a car into the workshop and gives its jobs to technicians and bays.

DOMAIN.md steps 6-7. Reading functions build the foreman's screen in a fixed number of queries;
each function that changes something is one user action: one transaction with its audit event.
"""
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from app.accounts.models import User
from app.appointments.rules import Hours
from app.core import audit, stages
from app.core.access import FOREMAN, MANAGER, TECHNICIAN
from app.core.db import transaction, utcnow
from app.core.errors import Refused
from app.catalogue.models import CannedJob
from app.customers.models import Vehicle
from app.reception.models import OrderLine, RepairOrder
from app.workshop import timing
from app.workshop.models import Bay, TimeEntry

# A technician's work still to do: assigned to them and not finished.
QUEUED_LINE_STATES = (stages.LINE_ASSIGNED, stages.LINE_ACTIVE, stages.LINE_PAUSED, stages.LINE_REWORK)
# Lines the foreman may (re)assign: nobody has started them, or the clock is stopped.
ASSIGNABLE_LINE_STATES = (stages.LINE_PENDING, stages.LINE_ASSIGNED, stages.LINE_PAUSED)

BAY_KINDS = {
    'lift': _l('Lift'), 'general': _l('General bay'), 'alignment': _l('Alignment'), 'body': _l('Body'),
    'paint': _l('Paint'), 'wash': _l('Wash'),
}
# Which bays suit a job needing a skill, best first; anything else goes on a lift.
BAYS_FOR_SKILL = {
    'body': ('body', 'paint'), 'paint': ('paint', 'body'), 'alignment': ('alignment', 'lift'),
    'tyres': ('alignment', 'lift'), 'wash': ('wash',),
}
DEFAULT_BAYS = ('lift', 'general')


class DispatchRefused(Refused):
    """An assignment the rules do not allow (a technician or bay of another shop, an inactive bay…)."""


# --- reading: the foreman's screen -----------------------------------------------------------

def skill_list(text):
    return [s.strip() for s in (text or '').split(',') if s.strip()]


def needed_skill(line):
    """What a job needs: its canned job's skill, else its system."""
    job = line.canned_job if line.canned_job_id else None
    return ((job.skill or job.system) if job else '') or line.system or ''


@dataclass
class TechLoad:
    user: User
    skills: list
    booked_hours: Decimal            # flat-rate hours of the jobs on their plate, not finished
    available_hours: Decimal         # the working day, from the settings
    on_now: object = None            # the running TimeEntry (with line, order and vehicle), if any

    @property
    def share(self):
        """Booked as a percentage of the day, for the load bar (capped at 100)."""
        if not self.available_hours:
            return 100
        return min(int(self.booked_hours * 100 / self.available_hours), 100)

    @property
    def over(self):
        return self.booked_hours > self.available_hours


@dataclass
class BayState:
    bay: Bay
    plates: list = field(default_factory=list)    # cars with unfinished jobs in this bay
    running: bool = False                         # a clock is running on a job in this bay

    @property
    def busy(self):
        return bool(self.plates)


@dataclass
class WaitingOrder:
    order: RepairOrder
    lines: list
    skills: list                     # needed by the jobs still to assign
    booked_hours: Decimal            # all the order's jobs
    suggestions: list = field(default_factory=list)   # TechLoads, best first
    bay: object = None               # the suggested Bay
    accepted_by_name: str = ''       # the foreman who signed the car into the workshop
    late: bool = False               # app.workshop.timing: past the promise, or more work left than time

    @property
    def pending(self):
        return [l for l in self.lines if l.status == stages.LINE_PENDING]

    @property
    def in_workshop(self):
        """Already dispatched; these are jobs added since (approved added work) or split off."""
        return self.order.stage != stages.CHECKED_IN


def technicians(shop):
    """Every active technician of the shop with skills, load and what they are on now (three queries)."""
    day = Hours.of(shop).day_hours
    users = list(User.with_role(shop, TECHNICIAN).order_by(User.display_name, User.id))
    booked = dict(OrderLine.select(OrderLine.technician, fn.SUM(OrderLine.labour_hours))
                  .join(RepairOrder, on=(OrderLine.order == RepairOrder.id))
                  .where((OrderLine.shop == shop) & OrderLine.technician.is_null(False)
                         & OrderLine.status.in_(QUEUED_LINE_STATES)
                         & RepairOrder.stage.in_(list(stages.OPEN)))
                  .group_by(OrderLine.technician).tuples())
    running = {e.technician_id: e for e in
               TimeEntry.select(TimeEntry, OrderLine, RepairOrder, Vehicle)
               .join_from(TimeEntry, OrderLine, on=(TimeEntry.line == OrderLine.id))
               .join_from(TimeEntry, RepairOrder, on=(TimeEntry.order == RepairOrder.id))
               .join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER)
               .where((TimeEntry.shop == shop) & TimeEntry.ended_at.is_null())}
    return [TechLoad(u, skill_list(u.skills), _hours(booked.get(u.id)), day, running.get(u.id)) for u in users]


def _hours(value):
    """A SUM of hours as Decimal to the hundredth (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(Decimal('0.01'))


def bay_states(shop, include_inactive=False):
    """The shop's bays, each free or busy with the cars whose unfinished jobs are in it (two queries)."""
    bays = Bay.for_shop(shop).order_by(Bay.number)
    if not include_inactive:
        bays = bays.where(Bay.active == True)  # noqa: E712
    out = {b.id: BayState(b) for b in bays}
    rows = (OrderLine.select(OrderLine.bay_id, OrderLine.status, Vehicle.plate)
            .join(RepairOrder, on=(OrderLine.order == RepairOrder.id))
            .join(Vehicle, JOIN.LEFT_OUTER, on=(RepairOrder.vehicle == Vehicle.id))
            .where((OrderLine.shop == shop) & OrderLine.bay_id.is_null(False)
                   & OrderLine.status.in_(QUEUED_LINE_STATES) & RepairOrder.stage.in_(list(stages.OPEN)))
            .tuples())
    for bay_id, status, plate in rows:
        state = out.get(bay_id)
        if state is None:
            continue
        if plate and plate not in state.plates:
            state.plates.append(plate)
        state.running |= status == stages.LINE_ACTIVE
    return list(out.values())


def waiting_orders(shop, techs=(), bays=(), order_ids=None):
    """Orders waiting for dispatch: checked in, or in the workshop with jobs nobody has yet (five queries).

    Soonest promised first. With `order_ids`, just those orders (one card after an action), whatever their state.
    """
    query = (RepairOrder.for_shop(shop).select(RepairOrder, Vehicle)
             .join(Vehicle, JOIN.LEFT_OUTER, on=(RepairOrder.vehicle == Vehicle.id)))
    if order_ids is not None:
        query = query.where(RepairOrder.id.in_(list(order_ids)))
    else:
        unassigned = (OrderLine.select(OrderLine.order)
                      .where((OrderLine.shop == shop) & (OrderLine.status == stages.LINE_PENDING)))
        query = query.where((RepairOrder.stage == stages.CHECKED_IN)
                            | (RepairOrder.stage.in_(list(stages.OPEN)) & RepairOrder.id.in_(unassigned)))
    orders = list(query.order_by(RepairOrder.promised_at.asc(nulls='LAST'), RepairOrder.id))
    if not orders:
        return []
    lines = {}
    for line in (OrderLine.select(OrderLine, CannedJob)
                 .join(CannedJob, JOIN.LEFT_OUTER, on=(OrderLine.canned_job == CannedJob.id))
                 .where(OrderLine.order.in_([o.id for o in orders]))
                 .order_by(OrderLine.position, OrderLine.id)):
        lines.setdefault(line.order_id, []).append(line)
    times = timing.timings(orders)
    accepters = {o.accepted_by for o in orders if o.accepted_by}
    names = dict(User.select(User.id, User.display_name).where(User.id.in_(list(accepters))).tuples()) \
        if accepters else {}
    out = []
    for order in orders:
        mine = lines.get(order.id, [])
        todo = [l for l in mine if l.status == stages.LINE_PENDING] or mine
        skills = sorted({needed_skill(l) for l in todo} - {''})
        w = WaitingOrder(order, mine, skills, sum((l.labour_hours for l in mine), Decimal(0)),
                         accepted_by_name=names.get(order.accepted_by, ''), late=times[order.id].late)
        w.suggestions = suggest_technicians(skills, techs)
        w.bay = suggest_bay(skills, bays)
        out.append(w)
    return out


def suggest_technicians(skills, techs, n=3):
    """The technicians best fitted for the jobs: most of the needed skills, then least booked."""
    wanted = set(skills)
    ranked = sorted(techs, key=lambda t: (-len(wanted & set(t.skills)), t.over, t.booked_hours, t.user.display_name))
    return ranked[:n]


def suggest_bay(skills, bays):
    """A free bay of the kind the jobs need (body work in the body bay…), else a free lift, else none."""
    kinds = []
    for skill in skills:
        kinds.extend(k for k in BAYS_FOR_SKILL.get(skill, ()) if k not in kinds)
    kinds.extend(k for k in DEFAULT_BAYS if k not in kinds)
    free = [b for b in bays if not b.busy and b.bay.active]
    for kind in kinds:
        for state in free:
            if state.bay.kind == kind:
                return state.bay
    return None


# --- changing: one action, one transaction, one audit event -------------------------------------

def _check_foreman(by):
    if not by.has_role(FOREMAN, MANAGER):
        raise stages.IllegalMove(_l('Only the foreman or the service manager dispatches jobs.'))


def _check_technician(shop, technician):
    ok = (User.with_role(shop, TECHNICIAN).where(User.id == technician.id).exists())
    if not ok:
        raise DispatchRefused(_l('Choose an active technician of this shop.'))


def _check_bay(shop, bay):
    if bay is None:
        return None
    if bay.shop_id != shop.id or not bay.active:
        raise DispatchRefused(_l('Choose an active bay of this shop.'))
    return bay.id


def _order_open(order):
    if order.stage not in stages.OPEN:
        raise stages.IllegalMove(_l('This order is not in the workshop any more.'))


def _set_line(line, technician, bay_id, by):
    """Give one line to a technician and bay: a version-checked status move, then the names."""
    to = stages.LINE_ASSIGNED
    if line.status == stages.LINE_ACTIVE:
        raise stages.IllegalMove(_l('A technician\'s clock is running on "%(job)s"; stop it before reassigning.',
                                    job=line.description))
    stages.move_line(line, to, by=by)
    OrderLine.update(technician=technician.id, bay_id=bay_id).where(OrderLine.id == line.id).execute()
    line.technician, line.bay_id = technician, bay_id


def _accept(order, by, expected_version):
    """The first assignment: the foreman's acceptance with the time (to the second), and the stage move."""
    if order.stage != stages.CHECKED_IN:
        return
    now = utcnow().replace(microsecond=0)
    stages.move(order, stages.DISPATCHED, by=by,
                expected_version=None if expected_version is None else int(expected_version))
    # move() has checked and bumped the version; the acceptance goes with it.
    RepairOrder.update(accepted_at=now, accepted_by=by.id).where(RepairOrder.id == order.id).execute()
    order.accepted_at, order.accepted_by = now, by.id
    audit.record('order.accepted', 'repair_order', order.id, shop=order.shop_id, actor=by,
                 after={'accepted_at': now, 'accepted_by': by.id})


def assign_order(order, foreman, technician, bay=None, expected_version=None):
    """Give every job of the order not yet started to one technician (and bay); accepts a checked-in order.

    `expected_version` is the order's version the foreman saw.
    """
    _check_foreman(foreman)
    _order_open(order)
    with transaction():
        _check_technician(order.shop, technician)
        bay_id = _check_bay(order.shop, bay)
        if order.stage == stages.CHECKED_IN:
            _accept(order, foreman, expected_version)
        else:
            order.update_versioned(expected_version)     # no stage move: the version alone says it changed
        lines = list(OrderLine.select().where((OrderLine.order == order)
                                              & OrderLine.status.in_(ASSIGNABLE_LINE_STATES))
                     .order_by(OrderLine.position, OrderLine.id))
        if not lines:
            raise DispatchRefused(_l('Every job of this order is already under way or done.'))
        for line in lines:
            _set_line(line, technician, bay_id, foreman)
        audit.record('dispatch.order_assigned', 'repair_order', order.id, shop=order.shop_id, actor=foreman,
                     after={'technician': technician.id, 'technician_name': technician.display_name,
                            'bay': bay_id, 'lines': [l.id for l in lines]})
    return order


def assign_line(line, foreman, technician, bay=None, expected_version=None):
    """Give one job to a technician (and bay); the first job given accepts a checked-in order.

    `expected_version` is the line's version the foreman saw.
    """
    _check_foreman(foreman)
    order = RepairOrder.get_by_id(line.order_id)
    _order_open(order)
    if expected_version is not None and int(expected_version) != line.version:
        raise stages.StaleRecord(line.id)
    if line.status not in ASSIGNABLE_LINE_STATES:
        raise stages.IllegalMove(_l('"%(job)s" is already under way or done.', job=line.description))
    with transaction():
        _check_technician(order.shop, technician)
        bay_id = _check_bay(order.shop, bay)
        before = {'technician': line.technician_id, 'bay': line.bay_id}
        _accept(order, foreman, None)
        _set_line(line, technician, bay_id, foreman)
        audit.record('dispatch.line_assigned', 'repair_order', order.id, shop=order.shop_id, actor=foreman,
                     before=dict(before, line=line.id),
                     after={'line': line.id, 'technician': technician.id, 'technician_name': technician.display_name,
                            'bay': bay_id})
    return line


def unassign_line(line, foreman, expected_version=None):
    """Take a job back from its technician (not started yet); an order left with nobody on it waits again."""
    _check_foreman(foreman)
    order = RepairOrder.get_by_id(line.order_id)
    _order_open(order)
    if expected_version is not None and int(expected_version) != line.version:
        raise stages.StaleRecord(line.id)
    if line.status != stages.LINE_ASSIGNED:
        raise stages.IllegalMove(_l('Only a job nobody has started can be taken back.'))
    with transaction():
        before = {'line': line.id, 'technician': line.technician_id, 'bay': line.bay_id}
        stages.move_line(line, stages.LINE_PENDING, by=foreman)
        OrderLine.update(technician=None, bay_id=None).where(OrderLine.id == line.id).execute()
        line.technician, line.bay_id = None, None
        others = (OrderLine.select().where((OrderLine.order == order) & (OrderLine.id != line.id)
                                           & (OrderLine.status != stages.LINE_PENDING)).exists())
        if order.stage == stages.DISPATCHED and not others:
            stages.move(order, stages.CHECKED_IN, by=foreman, note='no job assigned any more')
        audit.record('dispatch.line_unassigned', 'repair_order', order.id, shop=order.shop_id, actor=foreman,
                     before=before, after={'line': line.id, 'technician': None, 'bay': None})
    return line


# --- bays -----------------------------------------------------------------------------------

def bay_version(bay):
    """Bays carry no version column: a fingerprint of what the manager saw stands in for it."""
    text = '%s|%s|%s' % (bay.name, bay.kind, int(bool(bay.active)))
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def add_bay(shop, by, *, name, kind, number=None):
    with transaction():
        if number is None:
            number = (Bay.for_shop(shop, fn.MAX(Bay.number)).scalar() or 0) + 1
        elif Bay.for_shop(shop).where(Bay.number == number).exists():
            raise DispatchRefused(_l('Bay number %(n)s is taken.', n=number))
        bay = Bay.create(shop=shop, number=number, name=name, kind=kind)
        audit.record('bay.added', 'bay', bay.id, shop=shop, actor=by,
                     after={'number': number, 'name': name, 'kind': kind})
    return bay


def update_bay(bay, by, *, name, kind, active, expected_version=None):
    """Rename, change the kind, deactivate or reactivate a bay; a stale form is refused."""
    if expected_version is not None and expected_version != bay_version(bay):
        raise stages.StaleRecord(bay.id)
    before = {'name': bay.name, 'kind': bay.kind, 'active': bay.active}
    with transaction():
        changed = (Bay.update(name=name, kind=kind, active=active)
                   .where((Bay.id == bay.id) & (Bay.name == bay.name) & (Bay.kind == bay.kind)
                          & (Bay.active == bay.active)).execute())
        if changed != 1:
            raise stages.StaleRecord(bay.id)
        bay.name, bay.kind, bay.active = name, kind, active
        b, a = audit.diff(before, {'name': name, 'kind': kind, 'active': active})
        audit.record('bay.updated', 'bay', bay.id, shop=bay.shop_id, actor=by, before=b, after=a)
    return bay
