"""What the technician's phone shows: "My jobs", the job card's pieces and the card's cheap version.

Every piece is read in a fixed number of queries, whatever the number of lines or orders in the shop.
The job card loads a piece only when a template asks for it, so a tap's answer reads only what it shows.
"""
from collections import OrderedDict
from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from flask import abort
from peewee import JOIN, fn

from app.accounts.models import User
from app.core import changes, stages
from app.core.access import FOREMAN, may_use
from app.core.db import Prepared, utcnow
from app.core.models import Event
from app.catalogue.models import CannedJob
from app.core.models import Photo, Setting
from app.customers.models import Vehicle
from app.labels.models import KeyTag
from app.reception.models import OrderLine, PartLine, RepairOrder, WalkaroundMark
from app.workshop import rules
from app.workshop.models import AddedWork, AddedWorkPart, Finding, PartsRequest, QCInspection, TimeEntry
from app.workshop.timing import OPEN_LINE_STATES, timing_of, timings

# The orders a technician's "My jobs" lists: dispatched up to the QC inspection.
MY_JOB_STAGES = (stages.CHECKED_IN,) + rules.WORKING + (stages.READY_FOR_QC,)


def _with_car(query):
    return (query.join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER)
            .join_from(RepairOrder, KeyTag, JOIN.LEFT_OUTER))


def card_order(shop, order_id):
    """The order with its vehicle and key tag, the card's version, the shop's shift end, the latest job status
    change (the self-check's) and how many findings, marks, planned parts, added work, parts requests, QC
    inspections and photos it has (a piece with none is not read): one query. Another shop's order does not
    exist here."""
    order = _card_order(getattr(shop, 'id', shop), order_id).first()
    if order is None or order.stage == stages.DRAFT:
        abort(404)
    order.card_version = _version_text(getattr(order, 'v%d' % i) for i in range(len(_version_columns())))
    rules.shift_end_read(shop, order.shift_end)
    return order


def _build_card_order(shop_id, order_id):
    def count(model, column):
        return model.select(fn.COUNT(model.id)).where(column == RepairOrder.id)
    photos = Photo.select(fn.COUNT(Photo.id)).where(
        ((Photo.record_type == 'finding') & Photo.record_id.in_(Finding.select(Finding.id)
                                                                 .where(Finding.order == RepairOrder.id)))
        | ((Photo.record_type == 'walkaround_mark')
           & Photo.record_id.in_(WalkaroundMark.select(WalkaroundMark.id).where(WalkaroundMark.order == RepairOrder.id))))
    extra = [c.alias('v%d' % i) for i, c in enumerate(_version_columns())] + [
        Setting.select(Setting.value).where((Setting.shop == RepairOrder.shop) & (Setting.key == 'shift_end'))
        .alias('shift_end'),
        rules.last_line_event(RepairOrder.id).alias('last_line_event')] + [
        count(model, column).alias('n_' + name) for name, (model, column) in COUNTED.items()] + [
        photos.alias('n_photos')]
    return (_with_car(RepairOrder.select(RepairOrder, Vehicle, KeyTag, *extra))
            .where((RepairOrder.id == order_id) & (RepairOrder.shop == shop_id)).limit(1))


# compiled once: peewee building this query of a dozen subqueries cost more than SQLite running it
_card_order = Prepared(_build_card_order, int, int)


# What the card counts along with the order (card_order), so a piece it has none of costs no query.
COUNTED = {'findings': (Finding, Finding.order), 'marks': (WalkaroundMark, WalkaroundMark.order),
           'planned_parts': (PartLine, PartLine.order), 'added_work': (AddedWork, AddedWork.order),
           'parts_requests': (PartsRequest, PartsRequest.order), 'inspections': (QCInspection, QCInspection.order)}


def _version_columns():
    """The order's version, its latest audit event, and counts and version sums of its lines, added work, parts
    requests and QC inspections (in case an answer was written without an event): subqueries on RepairOrder."""
    def agg(model, column):
        return (model.select(fn.COUNT(model.id) * 100000 + fn.COALESCE(fn.SUM(model.version), 0))
                .where(column == RepairOrder.id))
    return [RepairOrder.version,
            Event.select(fn.MAX(Event.id)).where((Event.record_type == 'repair_order')
                                                 & (Event.record_id == RepairOrder.id)),
            agg(OrderLine, OrderLine.order), agg(AddedWork, AddedWork.order), agg(PartsRequest, PartsRequest.order),
            QCInspection.select(fn.COUNT(QCInspection.id)).where(QCInspection.order == RepairOrder.id)]


def _version_text(values):
    return '-'.join(str(int(v or 0)) for v in values)


def card_version(shop, order_id):
    """A short string that changes whenever anything the card shows changes (None: no such order here): one
    query (_version_columns)."""
    row = _card_version(getattr(shop, 'id', shop), order_id).first()
    if row is None:
        return None
    return _version_text(row)


_card_version = Prepared(lambda shop_id, order_id: RepairOrder.select(*_version_columns()).where(
    (RepairOrder.id == order_id) & (RepairOrder.shop == shop_id)).tuples().limit(1), int, int)


def stage_version_and_line_status(order_id, line_id):
    """(stage, version) of an order and a line's status, narrowly: what a tap may have changed. One query."""
    status = OrderLine.select(OrderLine.status).where(OrderLine.id == line_id)
    return (RepairOrder.select(RepairOrder.stage, RepairOrder.version, status)
            .where(RepairOrder.id == order_id).tuples().get())


class RunningClock:
    """A technician's running clock, with its order and car; `past_shift` when left running past the shift end."""

    def __init__(self, entry, shop, now):
        self.entry = entry
        self.line = entry.line
        self.order = entry.order
        self.started_at = entry.started_at
        self.cutoff = rules.shift_cutoff(entry.started_at, shop)
        self.past_shift = now > self.cutoff
        self.minutes = int((min(now, self.cutoff) - entry.started_at).total_seconds() // 60)


def _clock_select():
    """Time entries with what a clock banner shows of their job and car (read narrowly: a tap answers with it)."""
    return (TimeEntry.select(TimeEntry.id, TimeEntry.started_at, TimeEntry.ended_at, TimeEntry.technician,
                             TimeEntry.line, TimeEntry.order, OrderLine.id, OrderLine.description,
                             OrderLine.version, RepairOrder.id, Vehicle.id, Vehicle.plate)
            .join_from(TimeEntry, OrderLine).join_from(TimeEntry, RepairOrder)
            .join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER))


def _running_of(user_id, shop_id):
    return (TimeEntry.technician == user_id) & TimeEntry.ended_at.is_null() & (TimeEntry.shop == shop_id)


def running_clock(user, shop, now=None):
    entry = (_clock_select().where(_running_of(user.id, getattr(shop, 'id', shop))).order_by(TimeEntry.id.desc())
             .first())
    return RunningClock(entry, shop, now or utcnow()) if entry else None


def running_line_ids(technician_id):
    if technician_id is None:
        return set()
    return {lid for (lid,) in TimeEntry.select(TimeEntry.line)
            .where((TimeEntry.technician == technician_id) & TimeEntry.ended_at.is_null()).tuples()}


def my_jobs(shop, user, now=None):
    """[(order, [my lines])] on open orders, soonest promised first; with each order's timing."""
    lines = (_with_car(OrderLine.select(OrderLine, RepairOrder, Vehicle, KeyTag).join_from(OrderLine, RepairOrder))
             .where((OrderLine.technician == user.id) & (RepairOrder.shop == shop)
                    & RepairOrder.stage.in_(list(MY_JOB_STAGES)))
             .order_by(RepairOrder.promised_at.is_null(), RepairOrder.promised_at, RepairOrder.id,
                       OrderLine.position, OrderLine.id))
    groups = OrderedDict()
    for line in lines:
        groups.setdefault(line.order.id, (line.order, []))[1].append(line)
    orders = [o for o, _lines in groups.values()]
    return list(groups.values()), timings(orders, now)


class JobCard:
    """The job card of one order for one person. Each piece is read on first use, in a fixed number of queries."""

    def __init__(self, order, user, shop, now=None):
        self.order, self.user, self.shop = order, user, shop
        self.now = now or utcnow()

    # --- who may do what here
    @cached_property
    def is_foreman(self):
        return FOREMAN in self.user.role_names

    def can_act(self, line):
        """Clock, done and parts buttons on this line."""
        return may_use('workshop.clock_on', self.user) and rules.may_work_on(line, self.user)

    @cached_property
    def can_work(self):
        """The order-wide forms: findings, added work, parts, self-check, hand-over."""
        return (self.order.stage in rules.WORKING and may_use('workshop.finding_add', self.user)
                and (self.is_foreman or bool(self.mine)))

    def _has(self, name):
        """False when card_order counted none of these on the order: the piece is drawn empty, unread."""
        return getattr(self.order, 'n_' + name, 1) != 0

    # --- the car and its time
    @cached_property
    def timing(self):
        """timing.timings' figures, from the lines and clocks the card has read already."""
        open_ids = {ln.id for ln in self.lines if ln.status in OPEN_LINE_STATES}
        hours = sum((ln.labour_hours or 0 for ln in self.lines if ln.id in open_ids), Decimal(0))
        clocked = sum(((e.ended_at or self.now) - e.started_at).total_seconds() / 3600
                      for e in self._order_entries if e.line_id in open_ids)
        return timing_of(self.order, hours, clocked, self.now)

    @cached_property
    def _entries(self):
        """The order's clocks and my running clock (on this car or another): one query."""
        return list(_card_entries(self.order.id, self.user.id, getattr(self.shop, 'id', self.shop)))

    @cached_property
    def _order_entries(self):
        return [e for e in self._entries if e.order_id == self.order.id]

    @cached_property
    def clock(self):
        entry = next((e for e in self._entries if e.technician_id == self.user.id and e.ended_at is None), None)
        return RunningClock(entry, self.shop, self.now) if entry else None

    @cached_property
    def version(self):
        return getattr(self.order, 'card_version', None) or card_version(self.shop, self.order.id)

    # --- the jobs
    @cached_property
    def lines(self):
        return list(_card_lines(self.order.id))

    @cached_property
    def reader(self):
        """Reads the card only (advisor, QC, manager): every line shown, no buttons."""
        return not may_use('workshop.clock_on', self.user)

    @cached_property
    def rows(self):
        """The lines shown in full: mine (all for the foreman), or every line for a reader."""
        return self.lines if self.reader else self.mine

    @cached_property
    def mine(self):
        """The lines this person works on here: a technician's own, every line for the foreman."""
        return [ln for ln in self.lines if rules.may_work_on(ln, self.user)]

    @cached_property
    def others(self):
        ids = {ln.id for ln in self.rows}
        return [ln for ln in self.lines if ln.id not in ids]

    def line_by_id(self, line_id):
        return next((ln for ln in self.lines if ln.id == line_id), None)

    @cached_property
    def _clocks(self):
        clocked, running = {}, {}
        for line_id, started, ended in ((e.line_id, e.started_at, e.ended_at) for e in self._order_entries):
            clocked[line_id] = clocked.get(line_id, 0) + int(((ended or self.now) - started).total_seconds() // 60)
            if ended is None:
                running[line_id] = started
        return clocked, running

    @property
    def clocked_minutes(self):
        return self._clocks[0]

    @property
    def running(self):
        """line id -> when its running clock started."""
        return self._clocks[1]

    @cached_property
    def planned_parts(self):
        parts = {}
        if not self._has('planned_parts'):
            return parts
        for p in PartLine.select().where(PartLine.order == self.order.id).order_by(PartLine.id):
            parts.setdefault(p.line_id, []).append(p)
        return parts

    # --- what the technician reported and the answers
    @cached_property
    def findings(self):
        return self._findings_and_photos[0]

    @cached_property
    def finding_photos(self):
        return self._findings_and_photos[1]

    @cached_property
    def _findings_and_photos(self):
        """The findings, newest first, with who reported them and their photos by finding: one query."""
        if not self._has('findings'):
            return [], {}
        return _with_joined(Finding.select(Finding, User, Photo).join_from(Finding, User)
                            .join_from(Finding, Photo, JOIN.LEFT_OUTER, attr='joined',
                                       on=((Photo.record_type == 'finding') & (Photo.record_id == Finding.id)))
                            .where(Finding.order == self.order.id).order_by(Finding.id.desc(), Photo.id))

    @cached_property
    def added_work(self):
        return self._added_work_and_parts[0]

    @cached_property
    def added_work_parts(self):
        return self._added_work_and_parts[1]

    @cached_property
    def _added_work_and_parts(self):
        """The added work asked for on the order, newest first, and its parts by added work: one query."""
        if not self._has('added_work'):
            return [], {}
        return _with_joined(
            AddedWork.select(AddedWork, AddedWorkPart, _name_of(AddedWork.decided_by).alias('decided_name'))
            .join_from(AddedWork, AddedWorkPart, JOIN.LEFT_OUTER, on=(AddedWorkPart.added_work == AddedWork.id),
                       attr='joined')
            .where(AddedWork.order == self.order.id).order_by(AddedWork.id.desc(), AddedWorkPart.id))

    @cached_property
    def people(self):
        """Names of the people who answered (advisor, parts clerk), by user id: read along with their answers."""
        return {**{w.decided_by: w.decided_name for w in self.added_work if w.decided_by},
                **{r.answered_by: r.answered_name for r in self.parts_requests if r.answered_by}}

    @cached_property
    def pending_work(self):
        return sum(1 for w in self.added_work if w.status == AddedWork.PENDING)

    @cached_property
    def parts_requests(self):
        if not self._has('parts_requests'):
            return []
        return list(_card_parts_requests(self.order.id))

    @cached_property
    def canned_jobs(self):
        shop_id = getattr(self.shop, 'id', self.shop)
        # kept between cards on PostgreSQL until the catalogue changes: a round trip and a model per job saved
        return list(changes.kept_read('card_canned_jobs', shop_id, lambda: (
            tuple(_card_canned_jobs(shop_id)), (changes.table_changed(CannedJob._meta.table_name),))))

    # --- the walk-around from reception
    @cached_property
    def marks(self):
        if not self._has('marks'):
            return []
        return list(WalkaroundMark.select().where(WalkaroundMark.order == self.order.id).order_by(WalkaroundMark.id))

    @cached_property
    def mark_photos(self):
        return self._photos('walkaround_mark', [m.id for m in self.marks])

    # --- self-check, hand-over, QC
    @cached_property
    def check(self):
        if hasattr(self.order, 'last_line_event'):      # read with the order (card_order)
            return rules.SelfCheck(self.order, self.order.last_line_event or 0)
        return rules.self_check_of(self.order)

    @cached_property
    def blockers(self):
        return rules.handover_blockers(self.order, self.lines, self.check, self.pending_work, len(self.running))

    @cached_property
    def done_count(self):
        return sum(1 for ln in self.lines if ln.status == stages.LINE_DONE)

    @cached_property
    def inspection(self):
        if not self._has('inspections'):
            return None
        return (QCInspection.select(QCInspection, User).join_from(QCInspection, User)
                .where(QCInspection.order == self.order.id).order_by(QCInspection.id.desc()).first())

    def _photos(self, record_type, ids):
        found = {}
        if ids and self._has('photos'):
            for p in (Photo.select().where((Photo.record_type == record_type) & Photo.record_id.in_(ids))
                      .order_by(Photo.id)):
                found.setdefault(p.record_id, []).append(p)
        return found


# The card's other fixed reads, compiled once and prepared on PostgreSQL like the order (each a query per card).
_card_lines = Prepared(lambda order_id: OrderLine.select(OrderLine, User).join_from(OrderLine, User, JOIN.LEFT_OUTER)
                       .where(OrderLine.order == order_id).order_by(OrderLine.position, OrderLine.id), int)
_card_entries = Prepared(lambda order_id, user_id, shop_id: _clock_select().where(
    (TimeEntry.order == order_id) | _running_of(user_id, shop_id)).order_by(TimeEntry.id.desc()), int, int, int)
_card_parts_requests = Prepared(lambda order_id: PartsRequest.select(
    PartsRequest, OrderLine, _name_of(PartsRequest.answered_by).alias('answered_name'))
    .join_from(PartsRequest, OrderLine, JOIN.LEFT_OUTER)
    .where(PartsRequest.order == order_id).order_by(PartsRequest.id.desc()), int)
_card_canned_jobs = Prepared(lambda shop_id: CannedJob.for_shop(shop_id).where(CannedJob.active == True)  # noqa: E712
                             .order_by(CannedJob.code), int)


def _with_joined(rows):
    """(the records in order, {record id: [the rows joined to it as `joined`]}) from a LEFT OUTER JOIN's rows."""
    records, joined = {}, {}
    for row in rows:
        records.setdefault(row.id, row)
        if row.joined is not None and row.joined.id is not None:
            joined.setdefault(row.id, []).append(row.joined)
    return list(records.values()), joined


def _name_of(user_id_column):
    """The display name of the user a plain id column names (who answered), as a subquery of the same row."""
    who = User.alias('answerer')
    return who.select(who.display_name).where(who.id == user_id_column)


def hours_minutes(minutes):
    """'1:05' for 65 minutes: how long a clock ran."""
    minutes = max(int(minutes or 0), 0)
    return '%d:%02d' % (minutes // 60, minutes % 60)


def time_left_minutes(delta):
    return None if delta is None else int(delta / timedelta(minutes=1))


def total_price(work):
    return (work.labour_price or Decimal('0')) + (work.parts_price or Decimal('0'))
