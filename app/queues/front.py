"""The service advisor's queue: added work waiting for the customer, progress checks in their window, pickup
notices falling due, maintenance orders to settle, cars ready and not collected, appointments arriving within the
hour and reminders due, and customers' requests to answer. Each list is the owning area's own query."""
from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from app.aftercare.models import CallRecord
from app.appointments.models import Appointment
from app.appointments.rules import reminders_due
from app.approvals.rules import pending
from app.core import deadlines, stages
from app.customers.models import Vehicle
from app.messages.pickup import notices_due
from app.queues.items import plate, with_plates
from app.reception.models import RepairOrder
from app.settlement.queries import to_settle
from app.workshop.models import AddedWork, ProgressCheck

ARRIVING_WITHIN = timedelta(hours=1)     # "appointments arriving in the next hour" (issue 15)
NOTICE_AHEAD = timedelta(hours=1)        # a pickup notice shows this long before it falls due


def _hm(delta):
    minutes = int(delta.total_seconds() // 60)
    return '%d:%02d' % (minutes // 60, minutes % 60)


def added_work(ctx):
    """Added work waiting for the customer's answer: the customer is called at once."""
    rows = (pending(ctx.shop).select(AddedWork, RepairOrder, Vehicle)
            .join_from(AddedWork, RepairOrder).join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER)
            .order_by(AddedWork.requested_at))
    minutes = int(ctx.setting('added_work_answer_minutes'))
    for w in rows:
        yield ctx.item('added_work', w.id, plate(w.order), url_for('approvals.item', added_work_id=w.id),
                       due=deadlines.added_work_due(w.requested_at, ctx.setting), since=w.requested_at,
                       detail=w.description, window=timedelta(minutes=minutes),
                       rule=_l('call within %(n)d min', n=minutes))


def progress(ctx):
    """Open orders whose progress-check window has opened with no check since: red once it has closed (the
    compliance figure then counts the step late, or skipped)."""
    rows = (RepairOrder.open_orders(ctx.shop).select(RepairOrder, Vehicle,
                                                     fn.MAX(ProgressCheck.checked_at).alias('last_check'))
            .join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER)
            .join_from(RepairOrder, ProgressCheck, JOIN.LEFT_OUTER, on=(ProgressCheck.order == RepairOrder.id))
            .where(RepairOrder.checked_in_at.is_null(False) & RepairOrder.promised_at.is_null(False)
                   & RepairOrder.stage.not_in([stages.READY_FOR_WASH, stages.READY_FOR_PICKUP]))
            .group_by(RepairOrder, Vehicle))
    lo, hi = deadlines.progress_window(ctx.setting)
    for o in rows:
        window = deadlines.progress_window_times(o.checked_in_at, o.original_promised_at or o.promised_at,
                                                 ctx.setting)
        if window is None or ctx.now < window[0]:
            continue
        last = o.last_check
        if isinstance(last, str):      # SQLite answers an aggregate of datetimes as text
            from datetime import datetime
            last = datetime.fromisoformat(last)
        if last is not None and last >= window[0]:
            continue
        yield ctx.item('progress', o.id, plate(o), url_for('approvals.progress_check', order_id=o.id),
                       due=window[1], since=window[0], window=window[1] - window[0],
                       rule=_l('%(lo)d-%(hi)d %% of the promised time', lo=lo, hi=hi))


def pickup(ctx):
    """Pickup (or late) notices falling due within the hour or overdue: on time when sent by the deadline."""
    notices = notices_due(ctx.shop, ctx.now, ahead=NOTICE_AHEAD)
    with_plates([n.order for n in notices])
    for n in notices:
        yield ctx.item(n.kind, n.order.id, plate(n.order), url_for('messages.pickup_notices'), group='pickup',
                       due=n.due_at, window=timedelta(hours=n.lead_hours),
                       rule=_l('%(n)d h before pickup', n=n.lead_hours))


def ready(ctx):
    """Maintenance orders to settle within their days of becoming ready; other cars ready and not collected."""
    maintenance = set()
    limit = deadlines.settlement_limit(ctx.setting)
    for row in to_settle(ctx.shop, ctx.now):
        if row.due is None:
            continue
        maintenance.add(row.order.id)
        yield ctx.item('settle', row.order.id, plate(row.order), url_for('settlement.order', order_id=row.order.id),
                       due=row.due, since=row.since, window=limit,
                       rule=_l('within %(n)d days of ready', n=limit.days))
    rows = (RepairOrder.for_shop(ctx.shop).select(RepairOrder, Vehicle).join(Vehicle, JOIN.LEFT_OUTER)
            .where(RepairOrder.stage == stages.READY_FOR_PICKUP))
    for o in rows:
        if o.id not in maintenance:
            yield ctx.item('collect', o.id, plate(o), url_for('settlement.order', order_id=o.id),
                           due=o.promised_at, rule=_l('promised time'))


def appointments(ctx):
    """Appointments arriving within the hour, and reminders due (on time at least half a day ahead)."""
    for a in Appointment.between(ctx.shop, ctx.now, ctx.now + ARRIVING_WITHIN).where(
            Appointment.status == Appointment.BOOKED):
        yield ctx.item('arriving', a.id, a.vehicle.plate if a.vehicle_id else a.customer.name,
                       url_for('appointments.detail', appointment_id=a.id), due=a.start_at,
                       detail=a.customer.name, window=ARRIVING_WITHIN, rule=_l('booked time'))
    lead = deadlines.reminder_lead(ctx.setting)
    for a in reminders_due(ctx.shop, ctx.now):
        yield ctx.item('reminder', a.id, a.customer.name, url_for('appointments.reminders'),
                       due=deadlines.reminder_due(a.start_at, ctx.setting), window=lead,
                       detail=a.vehicle.plate if a.vehicle_id else '',
                       rule=_l('%(n)d h before the appointment', n=int(lead.total_seconds() // 3600)))


def requests(ctx, advisor=True):
    """Customers' requests from follow-up calls not yet answered (advisor: on the orders they look after)."""
    query = (CallRecord.for_shop(ctx.shop).select(CallRecord, RepairOrder)
             .join(RepairOrder, JOIN.LEFT_OUTER, on=(CallRecord.order == RepairOrder.id))
             .where(CallRecord.request_status == CallRecord.R_OPEN))
    if advisor and ctx.mine:
        query = query.where(RepairOrder.advisor == ctx.user.id)
    limit = deadlines.escalate_limit(ctx.setting)
    for c in query:
        yield ctx.item('request', c.id, c.order.number if c.order_id else '#%d' % c.id,
                       url_for('aftercare.call', call_id=c.id), due=c.request_due_at, since=c.called_at,
                       detail=c.request[:80], window=limit, rule=_l('within %(n)d days', n=limit.days))


def advisor(ctx):
    for source in (added_work, progress, pickup, ready, appointments, requests):
        yield from source(ctx)
