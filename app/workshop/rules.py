"""The technician's actions on the floor (DOMAIN.md steps 8-11): the time clock, findings, added work,
parts requests, the self-check and the hand-over to QC.

Each function is one user action: one transaction, with its audit event on the order's timeline
(record type 'repair_order'), so the advisor, the board and the job card all see it.
A technician acts only on the lines assigned to them; a foreman may act on any line.
"""
import json
from datetime import datetime, time, timedelta
from decimal import Decimal

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from app.accounts.models import User
from app.registry import work_holds
from app.core import audit, stages
from app.core import photos as photos_store
from app.core.access import FOREMAN, TECHNICIAN
from app.core.db import is_sqlite, transaction, utcnow
from app.core.errors import Refused
from app.core.models import Event, Shop
from app.core.money import money
from app.core.settings import DEFAULTS, get_setting
from app.core.timeutil import to_local, to_utc
from app.core.models import Photo
from app.customers.models import Vehicle
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import AddedWork, AddedWorkPart, Finding, PartsRequest, TimeEntry


class WorkshopError(Refused):
    """The action cannot be done now; the message says why and what to do, in the user's language."""


class NotYours(WorkshopError):
    """A technician acting on a job assigned to someone else."""
    status = 403


# Stages in which the car is being worked on: the floor's actions are open.
WORKING = (stages.DISPATCHED, stages.IN_PROGRESS, stages.WAITING_APPROVAL, stages.WAITING_PARTS, stages.QC_FAILED)
# The first clock on the order (or on its rework) moves it to "in progress".
STARTS_WORK = (stages.DISPATCHED, stages.QC_FAILED)

SEVERITIES = {
    Finding.RED: _l('Red: needs work now'),
    Finding.AMBER: _l('Amber: needs work soon'),
    Finding.GREEN: _l('Green: checked, fine'),
}
SEVERITY_SHORT = {Finding.RED: _l('Red'), Finding.AMBER: _l('Amber'), Finding.GREEN: _l('Green')}
ADDED_WORK_LABELS = {
    AddedWork.PENDING: _l('Waiting for the customer'),
    AddedWork.APPROVED: _l('Approved'),
    AddedWork.DECLINED: _l('Declined'),
    AddedWork.UNREACHABLE: _l('Customer not reached'),
}
CHANNEL_LABELS = {'phone': _l('by phone'), 'in_person': _l('in person'), 'message': _l('by message')}
PARTS_LABELS = {
    PartsRequest.REQUESTED: _l('Waiting for the counter'),
    PartsRequest.ISSUED: _l('Issued'),
    PartsRequest.SUBSTITUTED: _l('Substitute issued'),
    PartsRequest.BACKORDERED: _l('Backordered'),
    PartsRequest.CANCELLED: _l('Cancelled'),
}
MAX_PHOTOS = 3
MAX_ADDED_PARTS = 3
MAX_HOURS = Decimal('200')

# The technician's self-check before QC (自检), in the order it is done at the car.
SELF_CHECK_ITEMS = [('work_done', _l('Work done as ordered')), ('parts_fitted', _l('Parts fitted and torqued')),
                    ('no_warning_lights', _l('No warning lights on the dashboard')),
                    ('no_tools_left', _l('No tools or rags left in the car')),
                    ('old_parts_bagged', _l('Old parts bagged for the customer')),
                    ('road_test', _l('Road test, if the job needs one'))]
SELF_CHECK_LABELS = dict(SELF_CHECK_ITEMS)
SELF_CHECK_OPTIONAL = {'road_test'}          # may be answered "not needed"
OK, NOT_OK, NOT_NEEDED = 'ok', 'not_ok', 'na'
SELF_CHECK_STATES = {OK: _l('OK'), NOT_OK: _l('Not OK'), NOT_NEEDED: _l('Not needed')}


# --- who may do what ------------------------------------------------------------------

def is_foreman(user):
    return FOREMAN in user.role_names


def may_work_on(line, user):
    """A technician works on their own lines; the foreman on any."""
    return is_foreman(user) or (TECHNICIAN in user.role_names and line.technician_id == user.id)


def has_line_on(order, user):
    return (OrderLine.select(OrderLine.id)
            .where((OrderLine.order == order.id) & (OrderLine.technician == user.id)).exists())


def _require_line(line, by):
    if not may_work_on(line, by):
        raise NotYours(_l('This job is assigned to someone else. Ask the foreman if it should be yours.'))


def _require_order(order, by):
    if not is_foreman(by) and not (TECHNICIAN in by.role_names and has_line_on(order, by)):
        raise NotYours(_l('You have no job on this order. Ask the foreman to assign you first.'))


def _require_working(order):
    if order.stage in WORKING:
        return
    if order.stage in (stages.DRAFT, stages.CHECKED_IN):
        raise WorkshopError(_l('The foreman has not dispatched this order yet.'))
    if order.stage == stages.READY_FOR_QC:
        raise WorkshopError(_l('This order is handed over to QC. Ask the QC inspector to send it back if needed.'))
    raise WorkshopError(_l('This order has left the workshop.'))


def _check_version(record, version):
    """The version the person saw must still be the record's: else someone changed it meanwhile."""
    if version is not None and str(version) != str(record.version):
        raise stages.StaleRecord(record.id)


check_version = _check_version     # the same check for the floor's other forms (app.inspection)


def _fresh_order(order_id):
    """The order as the rules need it (read narrowly: a tap must stay cheap)."""
    return (RepairOrder.select(RepairOrder.id, RepairOrder.shop, RepairOrder.stage, RepairOrder.version,
                               RepairOrder.self_check)
            .where(RepairOrder.id == order_id).get())


def _fresh_line(line):
    return OrderLine.get_by_id(line.id)


def _line_to_work_on(line, tech, version):
    """The line and its order re-read in the action's transaction; refused unless `tech` may work on the line, at
    the version they saw, while the order is being worked on."""
    line = _fresh_line(line)
    order = _fresh_order(line.order_id)
    _require_line(line, tech)
    _check_version(line, version)
    _require_working(order)
    return line, order


def _shop(shop_or_id):
    return shop_or_id if isinstance(shop_or_id, Shop) else Shop.get_by_id(shop_or_id)


def _lock_technician(user_id):
    """Serialise clock changes of one technician (two phones, a double tap reaching two workers).

    SQLite's IMMEDIATE transactions are serial already; PostgreSQL locks the user row until commit.
    """
    if not is_sqlite():
        list(User.select(User.id).where(User.id == user_id).for_update())


# --- the time clock ---------------------------------------------------------------------

def _shift_end_setting(shop):
    """(hour, minute) of the shop's shift end, read once per request (a tap may stop several clocks)."""
    cache = g.setdefault('_shift_end', {}) if has_app_context() else {}
    if shop.id not in cache:
        cache[shop.id] = _hour_minute(get_setting(shop, 'shift_end'))
    return cache[shop.id]


def _hour_minute(value):
    return tuple(int(x) for x in str(value).split(':'))


def shift_end_read(shop, stored):
    """The shop's own `shift_end` read along with something else (None: the shop has none, the default holds),
    kept for this request as `_shift_end_setting` keeps it."""
    if has_app_context():
        value = stored if stored is not None else DEFAULTS['shift_end'][0]
        g.setdefault('_shift_end', {})[shop.id] = _hour_minute(value)


def shift_cutoff(started_at, shop):
    """When a clock started at `started_at` counts as left running: the shift end (setting `shift_end`)
    of the local day it started, or the midnight ending that day for a clock started after the shift."""
    hh, mm = _shift_end_setting(shop)
    day = to_local(started_at, shop.timezone).date()
    cutoff = to_utc(datetime.combine(day, time(hh, mm)), shop.timezone)
    if started_at >= cutoff:
        cutoff = to_utc(datetime.combine(day + timedelta(days=1), time(0, 0)), shop.timezone)
    return cutoff


def running_entries(technician_id):
    return list(TimeEntry.select().where((TimeEntry.technician == technician_id) & TimeEntry.ended_at.is_null())
                .order_by(TimeEntry.id))


def _end_entry(entry, now, reason, shop, by):
    """Stop a clock at `now`, or at the shift end if it was left running past it: flagged, never extended."""
    cutoff = shift_cutoff(entry.started_at, shop)
    flagged = now > cutoff
    ended, reason = (cutoff, 'shift_end') if flagged else (now, reason)
    changed = (TimeEntry.update(ended_at=ended, end_reason=reason, flagged=flagged)
               .where((TimeEntry.id == entry.id) & TimeEntry.ended_at.is_null()).execute())
    if changed != 1:
        raise stages.StaleRecord(entry.id)
    entry.ended_at, entry.end_reason, entry.flagged = ended, reason, flagged
    audit.record('clock.off', 'repair_order', entry.order_id, shop=entry.shop_id, actor=by,
                 after={'line': entry.line_id, 'technician': entry.technician_id, 'entry': entry.id,
                        'started_at': entry.started_at, 'ended_at': ended, 'reason': reason, 'flagged': flagged})
    return entry


def _pause(line_id, by):
    """The line whose clock stopped goes back to paused (it was working)."""
    line = OrderLine.get_by_id(line_id)
    if line.status == stages.LINE_ACTIVE:
        stages.move_line(line, stages.LINE_PAUSED, by=by)


def clock_on(line, tech, now=None, *, version=None):
    """Start the clock of the line's technician on this line. One running clock per technician: a clock
    on another line stops (end_reason 'switched'). The first clock moves the order to in progress
    (dispatched, or QC failed for rework). Returns the new TimeEntry (or the one already running here)."""
    now = now or utcnow()
    with transaction():
        line, order = _line_to_work_on(line, tech, version)
        if line.technician_id is None:
            raise WorkshopError(_l('Assign this job to a technician first.'))
        held = work_holds(order) if order.stage in STARTS_WORK else []
        if held:
            raise WorkshopError(held[0])       # e.g. an insurance job waiting for the insurer's assessment
        _lock_technician(line.technician_id)
        running = running_entries(line.technician_id)
        here = [e for e in running if e.line_id == line.id]
        if here and line.status == stages.LINE_ACTIVE:
            return here[0]                      # already on: nothing to change
        shop = _shop(line.shop_id) if running else None
        paused = []
        for entry in running:
            _end_entry(entry, now, 'switched', shop, tech)
            if entry.line_id != line.id:
                _pause(entry.line_id, tech)
                paused.append(entry.line_id)
        if line.status == stages.LINE_PENDING:
            stages.move_line(line, stages.LINE_ASSIGNED, by=tech)
        if line.status != stages.LINE_ACTIVE:
            stages.move_line(line, stages.LINE_ACTIVE, by=tech)
        if order.stage in STARTS_WORK:
            stages.move(order, stages.IN_PROGRESS, by=tech,
                        note='rework' if order.stage == stages.QC_FAILED else '')
        entry = TimeEntry.create(shop=line.shop_id, technician=line.technician_id, order=order.id, line=line.id,
                                 started_at=now)
        audit.record('clock.on', 'repair_order', order.id, shop=order.shop_id, actor=tech,
                     after={'line': line.id, 'technician': line.technician_id, 'entry': entry.id, 'started_at': now,
                            **({'paused_lines': paused} if paused else {})})
    entry.paused_line_ids = paused      # the technician is told which job's clock this stopped
    return entry


def paused_jobs(entry):
    """(job description, plate) of each job whose clock a clock-on stopped, for the technician's phone."""
    ids = getattr(entry, 'paused_line_ids', None) or []
    if not ids:
        return []
    rows = (OrderLine.select(OrderLine.description, Vehicle.plate, RepairOrder.number)
            .join(RepairOrder, on=(OrderLine.order == RepairOrder.id))
            .join(Vehicle, JOIN.LEFT_OUTER, on=(RepairOrder.vehicle == Vehicle.id))
            .where(OrderLine.id.in_(ids)).tuples())
    return [(description, plate or number or '') for description, plate, number in rows]


def clock_off(line, tech, now=None, *, version=None):
    """Stop the clock running on this line; the line is paused. Returns the stopped entries."""
    now = now or utcnow()
    with transaction():
        line = _fresh_line(line)
        _require_line(line, tech)
        _check_version(line, version)
        running = list(TimeEntry.select().where((TimeEntry.line == line.id) & TimeEntry.ended_at.is_null()))
        if not running:
            raise WorkshopError(_l('No clock is running on this job.'))
        shop = _shop(line.shop_id)
        for entry in running:
            _end_entry(entry, now, 'clock_off', shop, tech)
        if line.status == stages.LINE_ACTIVE:
            stages.move_line(line, stages.LINE_PAUSED, by=tech)
    return running


def mark_done(line, tech, now=None, *, version=None):
    """The technician finished this job: its clock stops (end_reason 'done') and the line is done.

    A job with no time clocked on it is refused: its hours would say nothing about the work (the KPIs leave such
    a line out of efficiency, where 0:00 on a 1.6-hour job once read "48000 % efficient")."""
    now = now or utcnow()
    with transaction():
        line, order = _line_to_work_on(line, tech, version)
        if line.status == stages.LINE_DONE:
            raise WorkshopError(_l('This job is already done.'))
        if not TimeEntry.select().where(TimeEntry.line == line.id).exists():
            raise WorkshopError(_l('Clock on this job first: no time is recorded on it yet.'))
        shop = _shop(line.shop_id)
        for entry in TimeEntry.select().where((TimeEntry.line == line.id) & TimeEntry.ended_at.is_null()):
            _end_entry(entry, now, 'done', shop, tech)
        if line.status == stages.LINE_PENDING:
            stages.move_line(line, stages.LINE_ASSIGNED, by=tech)
        stages.move_line(line, stages.LINE_DONE, by=tech)
    return line


def close_shift(shop, now=None):
    """End the clocks left running past their shift end at that shift end, flagged for the foreman.

    Run by `flask close-shifts` (cron, e.g. every 15 minutes): only clocks already past their cutoff
    are touched, so running it early or twice changes nothing. Returns the entries it ended.
    """
    now = now or utcnow()
    shop = _shop(shop)
    ended = []
    with transaction():
        for entry in TimeEntry.for_shop(shop).where(TimeEntry.ended_at.is_null()).order_by(TimeEntry.id):
            cutoff = shift_cutoff(entry.started_at, shop)
            if now <= cutoff:
                continue
            try:
                with transaction():          # a savepoint: a clock stopped by its technician meanwhile is skipped
                    _end_entry(entry, now, 'shift_end', shop, None)
                    _pause(entry.line_id, None)
            except stages.StaleRecord:
                continue
            ended.append(entry)
    return ended


# --- findings -----------------------------------------------------------------------------

def add_finding(order, by, *, severity, note, line=None, photos=()):
    """Something the technician found (red / amber / green), with up to three photos from the phone.

    The photos are checked and written first; if the rows cannot be written the files are removed again.
    """
    note = (note or '').strip()
    if severity not in SEVERITIES:
        raise WorkshopError(_l('Tap red, amber or green.'))
    if not note:
        raise WorkshopError(_l('Say what you found.'))
    if len(photos) > MAX_PHOTOS:
        raise WorkshopError(_l('Up to %(n)d photos per finding.', n=MAX_PHOTOS))
    if line is not None and line.order_id != order.id:
        raise WorkshopError(_l('That job is not on this order.'))
    _require_order(order, by)
    _require_working(order)
    with photos_store.stored(photos) as stored, transaction():
        order = _fresh_order(order.id)
        _require_working(order)
        finding = Finding.create(shop=order.shop_id, order=order.id, line=line.id if line else None,
                                 technician=by.id, severity=severity, note=note[:2000])
        for filename, width, height in stored:
            Photo.create(shop=order.shop_id, record_type='finding', record_id=finding.id, filename=filename,
                         width=width, height=height, uploaded_by=by.id)
        audit.record('finding.added', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'finding': finding.id, 'severity': severity, 'note': note,
                            'line': line.id if line else None, 'photos': len(stored)})
    return finding


# --- added work ---------------------------------------------------------------------------

def price_added_work(shop, *, hours, canned_job=None, parts=()):
    """(labour price, parts price, delay minutes): hours at the catalogue job's or the shop's labour rate."""
    rate = Decimal((canned_job.labour_rate if canned_job is not None else None) or get_setting(shop, 'labour_rate'))
    labour = money(Decimal(hours) * rate)
    parts_price = money(sum((Decimal(q) * Decimal(p) for _n, _name, q, p in parts), Decimal('0')))
    return labour, parts_price, int(Decimal(hours) * 60)


def request_added_work(order, by, *, description='', canned_job=None, hours=None, parts=(), safety=False,
                       finding=None):
    """Added work (追加维修项目) for the advisor to put to the customer: price and delay worked out here.

    `parts`: up to three (part number, name, quantity, unit price). A catalogue job brings its hours and,
    when no part is typed, its usual parts. Moves a dispatched / in-progress order to waiting approval.
    """
    description = (description or '').strip()
    if canned_job is not None:
        description = description or canned_job.name
        hours = canned_job.hours if hours is None else hours
        if not parts:
            parts = [(p.part_number, p.name, p.quantity, p.unit_price) for p in canned_job.parts]
    if not description:
        raise WorkshopError(_l('Describe the work, or pick it from the catalogue.'))
    if hours is None or not (Decimal('0') < Decimal(hours) <= MAX_HOURS):
        raise WorkshopError(_l('Enter the labour hours it needs (more than 0, up to 200).'))
    parts = list(parts)
    if len(parts) > MAX_ADDED_PARTS and canned_job is None:
        raise WorkshopError(_l('Up to %(n)d parts per request.', n=MAX_ADDED_PARTS))
    for _number, name, qty, price in parts:
        if not name or Decimal(qty) <= 0 or Decimal(price) < 0:
            raise WorkshopError(_l('Each part needs a name, a quantity and a price.'))
    if finding is not None and finding.order_id != order.id:
        raise WorkshopError(_l('That finding is not on this order.'))
    hours = Decimal(hours)
    with transaction():
        order = _fresh_order(order.id)
        _require_order(order, by)
        _require_working(order)
        labour, parts_price, delay = price_added_work(order.shop_id, hours=hours, canned_job=canned_job, parts=parts)
        work = AddedWork.create(shop=order.shop_id, order=order.id, finding=finding.id if finding else None,
                                requested_by=by.id, canned_job_id=canned_job.id if canned_job else None,
                                description=description[:200], hours=hours, labour_price=labour,
                                parts_price=parts_price, delay_minutes=delay, safety=bool(safety))
        for number, name, qty, price in parts:
            AddedWorkPart.create(shop=order.shop_id, added_work=work.id, part_number=(number or '')[:40],
                                 name=name[:100], quantity=Decimal(qty), unit_price=money(price))
        audit.record('added_work.requested', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'added_work': work.id, 'description': work.description, 'hours': hours,
                            'labour_price': labour, 'parts_price': parts_price, 'delay_minutes': delay,
                            'safety': bool(safety), 'parts': len(parts),
                            'finding': finding.id if finding else None})
        if order.stage in (stages.DISPATCHED, stages.IN_PROGRESS):
            stages.move(order, stages.WAITING_APPROVAL, by=by, note=work.description)
    return work


# --- parts requests -----------------------------------------------------------------------

def request_parts(order, by, *, line, part_number='', name, quantity):
    """Ask the parts counter for a part for one of the order's jobs."""
    name = (name or '').strip()
    if not name:
        raise WorkshopError(_l('Name the part.'))
    if quantity is None or not (Decimal('0') < Decimal(quantity) <= Decimal('999')):
        raise WorkshopError(_l('Enter a quantity (more than 0).'))
    if line is None or line.order_id != order.id:
        raise WorkshopError(_l('Choose the job the part is for.'))
    with transaction():
        order = _fresh_order(order.id)
        _require_line(line, by)
        _require_working(order)
        req = PartsRequest.create(shop=order.shop_id, order=order.id, line=line.id, requested_by=by.id,
                                  part_number=(part_number or '').strip()[:40], name=name[:100],
                                  quantity=Decimal(quantity))
        audit.record('parts.requested', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'parts_request': req.id, 'line': line.id, 'part_number': req.part_number,
                            'name': req.name, 'quantity': req.quantity})
    return req


# --- self-check and hand-over ----------------------------------------------------------------

def last_line_event(order_id):
    """The latest job status change on the order (a query; `order_id` may be a column, for a subquery): a
    self-check is of the car as it was then."""
    return (Event.select(fn.MAX(Event.id))
            .where((Event.record_type == 'repair_order') & (Event.record_id == order_id)
                   & (Event.action == 'line.status')))


def _last_line_event(order_id):
    return last_line_event(order_id).scalar() or 0


class SelfCheck:
    """The saved self-check of an order and whether it allows the hand-over."""

    def __init__(self, order, last_line_event=None):
        data = json.loads(order.self_check or '{}') or {}
        self.items = data.get('items', {})
        self.by_name = data.get('by_name', '')
        self.at = datetime.fromisoformat(data['at']) if data.get('at') else None
        self.saved = bool(self.items)
        self.problems = [k for k, _label in SELF_CHECK_ITEMS if self.items.get(k, {}).get('state') == NOT_OK]
        answered = all(self.items.get(k, {}).get('state') in (OK, NOT_NEEDED if k in SELF_CHECK_OPTIONAL else OK)
                       for k, _label in SELF_CHECK_ITEMS)
        self.complete = self.saved and answered and not self.problems
        seen = data.get('line_event', 0)
        self.stale = self.saved and last_line_event is not None and last_line_event > seen

    @property
    def passed(self):
        return self.complete and not self.stale


def self_check_of(order):
    return SelfCheck(order, _last_line_event(order.id))


def save_self_check(order, by, *, items, version=None):
    """Save the checklist. `items`: key -> (state, note), state 'ok', 'not_ok' or (road test) 'na'.

    Every item must be answered and a 'not ok' must say what; a problem is saved but blocks the hand-over.
    """
    clean = {}
    for key, label in SELF_CHECK_ITEMS:
        state, note = items.get(key, ('', ''))
        allowed = (OK, NOT_OK, NOT_NEEDED) if key in SELF_CHECK_OPTIONAL else (OK, NOT_OK)
        if state not in allowed:
            raise WorkshopError(_l('Answer every item of the self-check.'))
        note = (note or '').strip()[:200]
        if state == NOT_OK and not note:
            raise WorkshopError(_l('Say what is not OK: %(item)s.', item=label))
        clean[key] = {'state': state, 'note': note}
    with transaction():
        order = _fresh_order(order.id)
        _require_order(order, by)
        _check_version(order, version)
        _require_working(order)
        now = utcnow()
        data = {'items': clean, 'by': by.id, 'by_name': by.display_name, 'at': now.isoformat(),
                'line_event': _last_line_event(order.id)}
        order.update_versioned(self_check=json.dumps(data, ensure_ascii=False, sort_keys=True))
        audit.record('self_check.saved', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={k: v['state'] for k, v in clean.items()},
                     note='; '.join('%s: %s' % (k, v['note']) for k, v in clean.items() if v['note']))
    return order


def handover_blockers(order, lines, check, pending_work=0, running=0):
    """Why the order cannot go to QC yet (empty when it can). Shown on the card and enforced by the rule."""
    why = []
    if order.stage == stages.WAITING_APPROVAL or pending_work:
        why.append(_l("Wait for the customer's answer on the added work."))
    elif order.stage == stages.WAITING_PARTS:
        why.append(_l('Parts are still awaited.'))
    elif order.stage != stages.IN_PROGRESS:
        why.append(_l('The order is not in progress.'))
    open_lines = [ln for ln in lines if ln.status != stages.LINE_DONE]
    if not lines:
        why.append(_l('The order has no jobs.'))
    elif open_lines:
        why.append(_l('Not all jobs are done: %(jobs)s.', jobs=', '.join(ln.description for ln in open_lines)))
    if running and not open_lines:
        why.append(_l('A clock is still running on this order.'))
    if not check.saved:
        why.append(_l('Do the self-check first.'))
    elif check.problems:
        why.append(_l('The self-check found a problem: %(items)s. Fix it and check again.',
                      items=', '.join(str(SELF_CHECK_LABELS[k]) for k in check.problems)))
    elif not check.complete:
        why.append(_l('Answer every item of the self-check.'))
    elif check.stale:
        why.append(_l('A job changed after the self-check. Check the car again and save the self-check.'))
    return why


def hand_over_to_qc(order, by, *, version=None):
    """All the jobs done and the self-check complete: the order goes to the QC inspector (竣工检验)."""
    with transaction():
        order = _fresh_order(order.id)
        _require_order(order, by)
        _check_version(order, version)
        lines = list(OrderLine.select().where(OrderLine.order == order.id).order_by(OrderLine.position, OrderLine.id))
        pending = (AddedWork.select()
                   .where((AddedWork.order == order.id) & (AddedWork.status == AddedWork.PENDING)).count())
        running = TimeEntry.select().where((TimeEntry.order == order.id) & TimeEntry.ended_at.is_null()).count()
        why = handover_blockers(order, lines, self_check_of(order), pending, running)
        if why:
            raise WorkshopError(why[0])
        stages.move(order, stages.READY_FOR_QC, by=by, note='self-check by %s' % SelfCheck(order).by_name)
    return order
