"""The workshop floor's queues: the foreman (cars to sign in and dispatch, jobs without a technician, technicians
without a job, jobs over their hours), the technician (my jobs in order, rework, parts ready at the counter), QC
(cars waiting for inspection, and how long) and the parts counter (requests, backorders due, parts below their reorder level).
Each list is the owning area's own query."""
from datetime import datetime, timedelta
from decimal import Decimal

from flask import url_for
from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from app.appointments.rules import Hours
from app.core import deadlines, stages
from app.core.i18n import current_language
from app.core.models import Event
from app.dispatch.rules import technicians, waiting_orders
from app.parts.purchasing import below_safety
from app.parts.rules import counter_queue
from app.qc.rules import qc_queue
from app.queues.items import plate
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import PartsRequest, TimeEntry
from app.workshop.queries import my_jobs

RUNNING_LINES = (stages.LINE_ACTIVE, stages.LINE_PAUSED, stages.LINE_REWORK)


def _hours(delta_s):
    return Decimal(int(delta_s)) / 3600


def _at(value):
    """A MAX() of datetimes: SQLite answers it as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


# --- foreman ---------------------------------------------------------------------------------------------

def dispatch(ctx):
    """Checked-in cars waiting for the foreman's acceptance (within `foreman_acceptance_minutes`, the shop's own
    target, signed by the first assignment), and cars in the workshop with jobs nobody has yet (by their promised time)."""
    limit = deadlines.acceptance_limit(ctx.setting)
    minutes = int(limit.total_seconds() // 60)
    for w in waiting_orders(ctx.shop):
        o = w.order
        if o.stage == stages.CHECKED_IN:
            yield ctx.item('acceptance', o.id, plate(o), url_for('dispatch.index'),
                           due=deadlines.acceptance_due(o.checked_in_at, ctx.setting), since=o.checked_in_at,
                           window=limit, detail=', '.join(ln.description for ln in w.lines[:2]),
                           rule=_l('shop target: within %(n)d min of check-in', n=minutes))
        else:
            yield ctx.item('assign', o.id, plate(o), url_for('dispatch.index'), due=o.promised_at,
                           detail=', '.join(ln.description for ln in w.pending[:2]), rule=_l('promised time'))


def idle(ctx):
    """Technicians with no clock running and nothing booked, while the workshop is open."""
    hours = Hours.of(ctx.shop)
    if not hours.open <= ctx.local(ctx.now).time() < hours.close:
        return
    for t in technicians(ctx.shop):
        if t.on_now is None and not t.booked_hours:
            yield ctx.item('idle', t.user.id, t.user.display_name, url_for('dispatch.index'))


def overrun(ctx):
    """Jobs started and not finished with more time clocked than their booked (flat-rate) hours."""
    lines = list(OrderLine.select(OrderLine, RepairOrder)
                 .join(RepairOrder, on=(OrderLine.order == RepairOrder.id))
                 .where((RepairOrder.shop == ctx.shop) & OrderLine.status.in_(RUNNING_LINES)
                        & RepairOrder.stage.in_(list(stages.OPEN)) & (OrderLine.labour_hours > 0)))
    if not lines:
        return
    clocked = {}
    for line_id, started, ended in (TimeEntry.select(TimeEntry.line, TimeEntry.started_at, TimeEntry.ended_at)
                                    .where(TimeEntry.line.in_([ln.id for ln in lines])).tuples()):
        clocked[line_id] = clocked.get(line_id, 0) + ((ended or ctx.now) - started).total_seconds()
    for ln in lines:
        booked = Decimal(str(ln.labour_hours))
        done = _hours(clocked.get(ln.id, 0))
        if done > booked:
            yield ctx.item('overrun', ln.id, ln.order.number or '#%d' % ln.order.id,
                           url_for('workshop.job_card', order_id=ln.order.id), overdue=True,
                           detail=_l('%(job)s: %(done)s h clocked of %(booked)s h', job=ln.description,
                                     done=done.quantize(Decimal('0.1')), booked=booked.normalize()))


def foreman(ctx):
    for source in (dispatch, idle, overrun):
        yield from source(ctx)


# --- technician ------------------------------------------------------------------------------------------

def technician(ctx):
    """My jobs in the order they are promised (rework sent back by QC marked as such), and parts the counter
    issued to my jobs since I last clocked on them."""
    groups, _timings = my_jobs(ctx.shop, ctx.user, ctx.now)
    for order, lines in groups:
        open_lines = [ln for ln in lines if ln.status != stages.LINE_DONE]
        if not open_lines:
            continue
        rework = any(ln.status == stages.LINE_REWORK for ln in open_lines)
        yield ctx.item('rework' if rework else 'job', order.id, plate(order),
                       url_for('workshop.job_card', order_id=order.id), due=order.promised_at,
                       detail=', '.join(ln.description for ln in open_lines[:2]), rule=_l('promised time'))
    last_on = (TimeEntry.select(TimeEntry.line, fn.MAX(TimeEntry.started_at).alias('at'))
               .where(TimeEntry.technician == ctx.user.id).group_by(TimeEntry.line))
    ready = (PartsRequest.select(PartsRequest, OrderLine, RepairOrder, last_on.c.at.alias('last_on'))
             .join_from(PartsRequest, OrderLine).join_from(PartsRequest, RepairOrder)
             .join_from(PartsRequest, last_on, JOIN.LEFT_OUTER, on=(last_on.c.line_id == OrderLine.id))
             .where((PartsRequest.shop == ctx.shop) & (OrderLine.technician == ctx.user.id)
                    & PartsRequest.status.in_([PartsRequest.ISSUED, PartsRequest.SUBSTITUTED])
                    & (OrderLine.status != stages.LINE_DONE) & RepairOrder.stage.in_(list(stages.OPEN))))
    for r in ready:
        last = _at(getattr(r, 'last_on', None))
        if last is not None and r.answered_at is not None and last >= r.answered_at:
            continue          # clocked on since: collected
        yield ctx.item('parts_ready', r.id, r.name, url_for('workshop.job_card', order_id=r.order.id),
                       since=r.answered_at, detail=r.order.number or '')


# --- QC --------------------------------------------------------------------------------------------------

def qc(ctx):
    """Cars handed over for the final inspection, with how long they have waited; due by their promised time."""
    orders = list(qc_queue(ctx.shop))
    if not orders:
        return
    mark = '{"stage": "%s"}' % stages.READY_FOR_QC
    since = dict(Event.select(Event.record_id, fn.MAX(Event.at))
                 .where((Event.record_type == 'repair_order') & Event.record_id.in_([o.id for o in orders])
                        & (Event.action == 'order.stage') & (Event.after == mark))
                 .group_by(Event.record_id).tuples())
    for o in orders:
        yield ctx.item('inspect', o.id, plate(o), url_for('qc.inspection', order_id=o.id), due=o.promised_at,
                       since=_at(since.get(o.id)), rule=_l('promised time'))


# --- parts -----------------------------------------------------------------------------------------------

def parts(ctx):
    """Requests waiting at the counter (answered at once), backorders by their expected day, and one line for the
    parts below their reorder level."""
    for r in counter_queue(ctx.shop):
        if r.status == PartsRequest.REQUESTED:
            yield ctx.item('parts_request', r.id, r.name, url_for('parts.queue'), since=r.requested_at,
                           detail=r.order.number or '')
        elif r.expected_at is None or r.expected_at <= ctx.now + timedelta(days=1):
            yield ctx.item('backorder', r.id, r.name, url_for('parts.queue'), due=r.expected_at,
                           detail=r.order.number or '', rule=_l('expected day'))
    low = below_safety(ctx.shop, ctx.now)
    if low:
        yield ctx.item('restock', 'all', _l('%(n)d parts', n=len(low)), url_for('parts.replenish'),
                       detail=', '.join(row['part'].display_name(current_language()) for row in low[:3]))
