"""Aftercare rules: follow-up calls (跟踪服务), maintenance reminders, event notices and complaints (投诉).

Every rule is one transaction and writes its audit event; a rule tied to an order writes on
('repair_order', order.id) so the order's timeline shows it.

Follow-up windows are days of the shop's local calendar, both ends included:
- first call: from `followup_first_from_days` to `followup_first_to_days` days after the local
  day of pickup (defaults 2 and 7);
- second call: created when the first call reaches the customer (a first call that never gets
  through has nothing to follow), due from the next day up to `followup_second_within_days`
  days after the day of that call (default 7) — "within the following 7 days" of the first call.
"""
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import fn

from app.core import audit
from app.core.access import CUSTOMER_SERVICE, MANAGER
from app.core.db import transaction, utcnow
from app.core.settings import get_setting
from app.core.stages import IllegalMove, StaleRecord
from app.core.timeutil import local_now, to_local, to_utc
from app.core.validators import format_phone
from app.customers.models import Customer, MileageReading, Vehicle
from app.reception.models import RepairOrder


# --- the shop's calendar ------------------------------------------------------------------

def local_day(shop, at):
    """The shop's local calendar day of a stored (naive UTC) time."""
    return to_local(at, shop.timezone).date()


def day_bounds(shop, day):
    """[start, end) of a local calendar day, as naive UTC."""
    start = to_utc(datetime.combine(day, time()), shop.timezone)
    end = to_utc(datetime.combine(day + timedelta(days=1), time()), shop.timezone)
    return start, end


def _shop_of(record):
    from app.core.models import Shop
    return record.shop if isinstance(getattr(record, 'shop', None), Shop) else Shop.get_by_id(record.shop_id)


# --- follow-up tasks ----------------------------------------------------------------------

def first_window(shop, picked_up_at):
    """(due_from, due_by) of the first call, local days, for a car picked up at a UTC time."""
    day = local_day(shop, picked_up_at)
    return (day + timedelta(days=get_setting(shop, 'followup_first_from_days')),
            day + timedelta(days=get_setting(shop, 'followup_first_to_days')))


def second_window(shop, first_called_at):
    """(due_from, due_by) of the second call: the days following the first call that got through."""
    day = local_day(shop, first_called_at)
    return day + timedelta(days=1), day + timedelta(days=get_setting(shop, 'followup_second_within_days'))


def schedule_followups(order, by):
    """Create the first follow-up call task for a delivered order (called by delivery).

    Idempotent: an order that already has its first task keeps it (and gets it back).
    The pickup time is order.delivered_at (now if not yet set). The second task follows
    when the first call reaches the customer (see record_call). An order without a customer
    on file gets no task (None).
    """
    from app.aftercare.models import FollowUpTask
    shop = _shop_of(order)
    if order.customer_id is None:
        return None     # nobody on file to call
    with transaction():
        existing = FollowUpTask.get_or_none((FollowUpTask.order == order.id)
                                            & (FollowUpTask.kind == FollowUpTask.FIRST))
        if existing is not None:
            return existing
        due_from, due_by = first_window(shop, order.delivered_at or utcnow())
        task = FollowUpTask.create(shop=shop, order=order.id, customer=order.customer_id, vehicle=order.vehicle_id,
                                   kind=FollowUpTask.FIRST, due_from=due_from, due_by=due_by)
        audit.record('followup.scheduled', 'repair_order', order.id, shop=shop, actor=by,
                     after={'task': task.id, 'kind': task.kind, 'due_from': due_from, 'due_by': due_by})
        return task


# --- refusals ---------------------------------------------------------------------------------

class Refused(IllegalMove):
    """The action does not fit the record's state; the message says why (shown as a 400)."""


class NotYours(Exception):
    """The person may not act on this record (not its owner nor a manager): shown as a 403."""


def _bump(record, expected_version, **changes):
    """Write changes only if nobody changed the record since it was read; bumps its version."""
    if expected_version is not None and int(expected_version) != record.version:
        raise StaleRecord(record.id)
    cls = type(record)
    done = (cls.update(version=cls.version + 1, **changes)
            .where((cls.id == record.id) & (cls.version == record.version)).execute())
    if done != 1:
        raise StaleRecord(record.id)
    for name, value in changes.items():
        setattr(record, name, value)
    record.version += 1
    return record


def _target(record, own_type):
    """Where the audit event goes: the order's timeline when tied to an order, else the record itself."""
    order_id = getattr(record, 'order_id', None)
    return ('repair_order', order_id) if order_id else (own_type, record.id)


def _local_today(shop):
    return local_now(shop.timezone).date()


# --- follow-up tasks: the lists -----------------------------------------------------------------

DUE_TODAY, OVERDUE, UPCOMING = 'today', 'overdue', 'upcoming'


def task_state(task, shop, today):
    """Whether an open task is due today, overdue or still ahead, by the shop's calendar.

    A call-back time asked for by the customer rules the task's day; otherwise its window does.
    """
    if task.call_back_at is not None:
        day = local_day(shop, task.call_back_at)
        return OVERDUE if day < today else DUE_TODAY if day == today else UPCOMING
    if task.due_by < today:
        return OVERDUE
    return DUE_TODAY if task.due_from <= today else UPCOMING


def due_tasks(shop, today):
    """Open call tasks due today or overdue (not run); `today` is the shop's local day."""
    from app.aftercare.models import FollowUpTask as T
    _start, end = day_bounds(shop, today)
    return (T.for_shop(shop)
            .where((T.status == T.OPEN)
                   & ((T.call_back_at.is_null() & (T.due_from <= today)) | (T.call_back_at < end))))


@dataclass
class PersonCalls:
    """One person's (or nobody's) calls for the day: overdue first."""
    user: object
    overdue: list
    today: list

    @property
    def count(self):
        return len(self.overdue) + len(self.today)


def calls_due_by_person(shop, today, who=None):
    """Calls due today and overdue, grouped per assignee (None = unassigned, listed first).

    who: None for everyone, 'unassigned', or a user id.
    """
    from app.aftercare.models import FollowUpTask as T
    from app.accounts.models import User
    query = due_tasks(shop, today)
    if who == 'unassigned':
        query = query.where(T.assigned_to.is_null())
    elif who is not None:
        query = query.where(T.assigned_to == who)
    groups = {}
    for task in query.order_by(T.due_by, T.id):
        task.state = task_state(task, shop, today)
        group = groups.setdefault(task.assigned_to_id, PersonCalls(None, [], []))
        (group.overdue if task.state == OVERDUE else group.today).append(task)
    users = {u.id: u for u in User.select().where(User.id.in_([k for k in groups if k]))} if groups else {}
    for key, group in groups.items():
        group.user = users.get(key)
    return sorted(groups.values(), key=lambda g: (g.user is not None, g.user.display_name if g.user else ''))


def callers(shop):
    """Who may be given call tasks: customer service and managers of the shop."""
    from app.accounts.models import User
    found = {}
    for role in (CUSTOMER_SERVICE, MANAGER):
        for user in User.with_role(shop, role).order_by(User.display_name):
            found.setdefault(user.id, user)
    return list(found.values())


def supervisors(shop):
    """The service managers a request or complaint is escalated to."""
    from app.accounts.models import User
    return list(User.with_role(shop, MANAGER).order_by(User.id))


def assign_task(task, to_user, by, *, expected_version=None):
    """Give a call task to a person (or back to nobody with to_user=None)."""
    from app.aftercare.models import FollowUpTask
    shop = _shop_of(task)
    if task.status != FollowUpTask.OPEN:
        raise Refused(_l('This call task is already closed.'))
    if to_user is not None and to_user.id not in {u.id for u in callers(shop)}:
        raise Refused(_l('Call tasks go to customer service or a manager of this shop.'))
    before = task.assigned_to_id
    with transaction():
        _bump(task, expected_version, assigned_to=to_user.id if to_user else None)
        rtype, rid = _target(task, 'followup_task')
        audit.record('followup.assigned', rtype, rid, shop=shop, actor=by,
                     before={'task': task.id, 'assigned_to': before},
                     after={'task': task.id, 'assigned_to': task.assigned_to_id})
    return task


# --- follow-up calls ----------------------------------------------------------------------------

REQUEST_WARNING = timedelta(hours=24)   # "about to breach": the list warns this long before the deadline


def record_call(task, by, *, outcome, call_back_at=None, satisfaction=None, notes='', request='', answer='',
                called_at=None, expected_version=None):
    """Log one call on a task (跟踪回访记录) and move the task on.

    reached: the task is done; after a first call the second call task is created.
    no_answer: the task stays open (attempts counted; a call-back time is dropped).
    call_back: the task stays open and is due at the time the customer asked for.
    wrong_number: the task is cancelled (the number on file must be corrected first).
    A request answered during the call is closed at once; otherwise it is open and must be
    answered or escalated to the supervisor within `escalate_request_days`.
    """
    from app.aftercare.models import CallRecord, FollowUpTask
    shop = _shop_of(task)
    called_at = called_at or utcnow()
    request, answer, notes = (request or '').strip(), (answer or '').strip(), (notes or '').strip()
    if task.status != FollowUpTask.OPEN:
        raise Refused(_l('This call task is already closed.'))
    if outcome not in CallRecord.OUTCOMES:
        raise Refused(_l('Choose how the call went.'))
    if outcome == CallRecord.CALL_BACK and (call_back_at is None or call_back_at <= called_at):
        raise Refused(_l('Enter when to call back (a time after this call).'))
    if request and outcome not in (CallRecord.REACHED, CallRecord.CALL_BACK):
        raise Refused(_l('A request can only be recorded when the customer was reached.'))
    if satisfaction is not None and not 1 <= int(satisfaction) <= 5:
        raise Refused(_l('Satisfaction is a score from 1 to 5.'))
    if outcome != CallRecord.REACHED:
        satisfaction = None
    fields = dict(shop=shop, task=task, order=task.order_id, customer=task.customer_id, caller=by,
                  called_at=called_at, outcome=outcome, notes=notes, satisfaction=satisfaction,
                  call_back_at=call_back_at if outcome == CallRecord.CALL_BACK else None)
    if request and answer:
        fields.update(request=request, request_status=CallRecord.R_ANSWERED, answer=answer, answered_at=called_at,
                      answered_by=by, told_channel='phone')
    elif request:
        fields.update(request=request, request_status=CallRecord.R_OPEN,
                      request_due_at=called_at + timedelta(days=get_setting(shop, 'escalate_request_days')))
    changes = {'attempts': task.attempts + 1}
    if outcome == CallRecord.REACHED:
        changes.update(status=FollowUpTask.DONE, done_at=called_at, call_back_at=None)
    elif outcome == CallRecord.WRONG_NUMBER:
        changes.update(status=FollowUpTask.CANCELLED, done_at=called_at, call_back_at=None,
                       note=str(_l('Wrong number')))
    elif outcome == CallRecord.CALL_BACK:
        changes.update(call_back_at=call_back_at)
    else:
        changes.update(call_back_at=None)
    with transaction():
        _bump(task, expected_version, **changes)
        call = CallRecord.create(**fields)
        second = None
        if outcome == CallRecord.REACHED and task.kind == FollowUpTask.FIRST and task.order_id:
            second = _create_second(task, called_at)
        rtype, rid = _target(task, 'followup_task')
        audit.record('followup.call', rtype, rid, shop=shop, actor=by,
                     after={'task': task.id, 'kind': task.kind, 'call': call.id, 'outcome': outcome,
                            'satisfaction': satisfaction, 'request': call.request_status,
                            'task_status': task.status, 'second_task': second.id if second else None})
    return call


def _create_second(first, called_at):
    from app.aftercare.models import FollowUpTask
    shop = _shop_of(first)
    existing = FollowUpTask.get_or_none((FollowUpTask.order == first.order_id)
                                        & (FollowUpTask.kind == FollowUpTask.SECOND))
    if existing is not None:
        return existing
    due_from, due_by = second_window(shop, called_at)
    return FollowUpTask.create(shop=shop, order=first.order_id, customer=first.customer_id,
                               vehicle=first.vehicle_id, kind=FollowUpTask.SECOND, due_from=due_from, due_by=due_by,
                               assigned_to=first.assigned_to_id)


def request_state(call, now):
    """'breached', 'due_soon' (within REQUEST_WARNING), 'open', 'escalated', 'answered' or 'none'."""
    from app.aftercare.models import CallRecord
    if call.request_status != CallRecord.R_OPEN:
        return call.request_status
    if now >= call.request_due_at:
        return 'breached'
    return 'due_soon' if call.request_due_at - now <= REQUEST_WARNING else 'open'


def requests_to_watch(shop, now):
    """Requests not yet answered: open ones (with their state, most urgent first), then escalated ones."""
    from app.aftercare.models import CallRecord as C
    rows = list(C.for_shop(shop).where(C.request_status.in_([C.R_OPEN, C.R_ESCALATED]))
                .order_by(C.request_due_at, C.id))
    for call in rows:
        call.state = request_state(call, now)
    order = {'breached': 0, 'due_soon': 1, 'open': 2, 'escalated': 3}
    return sorted(rows, key=lambda c: order.get(c.state, 9))


def answer_request(call, by, *, answer, told_channel, told_at=None, expected_version=None):
    """The customer was told the answer to their request: when, how, what."""
    from app.aftercare.models import CallRecord, Complaint
    shop = _shop_of(call)
    answer = (answer or '').strip()
    if call.request_status not in (CallRecord.R_OPEN, CallRecord.R_ESCALATED):
        raise Refused(_l('This request has no open question to answer.'))
    if not answer:
        raise Refused(_l('Write what the customer was told.'))
    if told_channel not in Complaint.CHANNELS:
        raise Refused(_l('Choose how the customer was told.'))
    told_at = told_at or utcnow()
    with transaction():
        _bump(call, expected_version, request_status=CallRecord.R_ANSWERED, answer=answer, answered_at=told_at,
              answered_by=by.id if by else None, told_channel=told_channel)
        rtype, rid = _target(call, 'call_record')
        audit.record('followup.request_answered', rtype, rid, shop=shop, actor=by,
                     after={'call': call.id, 'told_at': told_at, 'told_channel': told_channel,
                            'late': told_at > call.request_due_at if call.request_due_at else False})
    return call


def escalate_request(call, by, *, to, note='', expected_version=None):
    """Report a request the caller cannot answer to the supervisor (a service manager)."""
    from app.aftercare.models import CallRecord
    shop = _shop_of(call)
    if call.request_status != CallRecord.R_OPEN:
        raise Refused(_l('Only an open request can be escalated.'))
    if to is None or to.id not in {u.id for u in supervisors(shop)}:
        raise Refused(_l('Escalate to a service manager of this shop.'))
    now = utcnow()
    with transaction():
        _bump(call, expected_version, request_status=CallRecord.R_ESCALATED, escalated_at=now,
              escalated_by=by.id if by else None, escalated_to=to.id)
        rtype, rid = _target(call, 'call_record')
        audit.record('followup.request_escalated', rtype, rid, shop=shop, actor=by, note=note,
                     after={'call': call.id, 'escalated_to': to.id, 'late': now > call.request_due_at})
    return call


# --- maintenance reminders ------------------------------------------------------------------------

# Not rulebook numbers: "this week" is the next seven local days from today; the event audience
# is customers seen in the last two years.
REMINDER_WINDOW_DAYS = 7
EVENT_AUDIENCE_YEARS = 2


@dataclass
class MaintenanceDue:
    vehicle: object
    customer: object
    due_on: date                 # the booked date, or the day the mileage estimate reaches next_service_km
    by_km: bool                  # found by the mileage estimate rather than the date
    estimated_km: int = None     # estimated odometer today (by_km only)


def reminder_window(today):
    """The local days a maintenance reminder looks at: today and the six after it."""
    return today, today + timedelta(days=REMINDER_WINDOW_DAYS - 1)


def mileage_estimate(vehicle, readings, shop):
    """(base_day, base_km, km_per_day) from the odometer readings (or the sale date), or None."""
    points = sorted(((local_day(shop, r.at), r.km) for r in readings), key=lambda p: p[0])
    if points:
        base_day, base_km = points[-1]
    else:
        base_day, base_km = local_day(shop, vehicle.created_at), vehicle.mileage
    first_day, first_km = points[0] if points else (None, None)
    if points and (base_day - first_day).days >= 7 and base_km > first_km:
        rate = (base_km - first_km) / (base_day - first_day).days
    elif vehicle.sale_date and base_km and (base_day - vehicle.sale_date).days > 30:
        rate = base_km / (base_day - vehicle.sale_date).days
    else:
        return None
    return base_day, base_km, rate


def _last_reminded(shop, vehicle_ids):
    from app.aftercare.models import Outreach
    rows = (Outreach.for_shop(shop, Outreach.vehicle, fn.MAX(Outreach.at).alias('last'))
            .where((Outreach.kind == Outreach.MAINTENANCE) & Outreach.vehicle.in_(vehicle_ids))
            .group_by(Outreach.vehicle))
    return {r.vehicle_id: r.last for r in rows}


def _last_visits(shop, vehicle_ids):
    rows = (RepairOrder.for_shop(shop, RepairOrder.vehicle, fn.MAX(RepairOrder.checked_in_at).alias('last'))
            .where(RepairOrder.vehicle.in_(vehicle_ids) & RepairOrder.checked_in_at.is_null(False))
            .group_by(RepairOrder.vehicle))
    return {r.vehicle_id: r.last for r in rows}


def maintenance_due(shop, today):
    """Cars due for maintenance this week whose owner agreed to be contacted and who were not yet
    reminded since their last visit: by next_service_date in the window, or by a mileage estimate
    that reaches next_service_km by the window's last day."""
    first, last = reminder_window(today)
    cars = list(Vehicle.for_shop(shop).join(Customer, on=(Vehicle.owner == Customer.id))
                .where((Customer.consent_contact == True)  # noqa: E712
                       & (Vehicle.next_service_date.between(first, last) | Vehicle.next_service_km.is_null(False)))
                .select(Vehicle, Customer))
    if not cars:
        return []
    ids = [c.id for c in cars]
    readings = {}
    for r in MileageReading.select().where(MileageReading.vehicle.in_(ids)):
        readings.setdefault(r.vehicle_id, []).append(r)
    reminded, visits = _last_reminded(shop, ids), _last_visits(shop, ids)
    found = []
    for car in cars:
        last_reminder = reminded.get(car.id)
        if last_reminder is not None and (visits.get(car.id) is None or last_reminder >= visits[car.id]):
            continue
        if car.next_service_date and first <= car.next_service_date <= last:
            found.append(MaintenanceDue(car, car.owner, car.next_service_date, False))
            continue
        if car.next_service_km is None:
            continue
        est = mileage_estimate(car, readings.get(car.id, []), shop)
        if est is None:
            continue
        base_day, base_km, rate = est
        if base_km + rate * (last - base_day).days >= car.next_service_km:
            days = max(0, -(-(car.next_service_km - base_km) // rate))
            due_on = max(first, base_day + timedelta(days=int(days)))
            found.append(MaintenanceDue(car, car.owner, due_on, True,
                                        int(round(base_km + rate * (today - base_day).days))))
    return sorted(found, key=lambda d: (d.due_on, d.vehicle.plate))


def remind_maintenance(vehicle, by, *, via, today=None):
    """Turn a maintenance reminder into a message to the customer or a call task."""
    from app.aftercare.models import FollowUpTask, Outreach
    shop = _shop_of(vehicle)
    today = today or _local_today(shop)
    due = next((d for d in maintenance_due(shop, today) if d.vehicle.id == vehicle.id), None)
    if due is None:
        raise Refused(_l('No maintenance reminder is due for this car this week (or it was already sent).'))
    if via not in (Outreach.MESSAGE, Outreach.CALL):
        raise Refused(_l('Choose a message or a call.'))
    with transaction():
        task = None
        if via == Outreach.CALL:
            task = FollowUpTask.create(shop=shop, customer=due.customer, vehicle=vehicle, kind=FollowUpTask.REMINDER,
                                       due_from=today, due_by=max(today, due.due_on))
        Outreach.create(shop=shop, kind=Outreach.MAINTENANCE, customer=due.customer, vehicle=vehicle,
                        due_on=due.due_on, via=via, task=task, by=by)
        audit.record('aftercare.maintenance_reminder', 'vehicle', vehicle.id, shop=shop, actor=by,
                     after={'via': via, 'due_on': due.due_on, 'by_km': due.by_km, 'task': task.id if task else None})
    message = None
    if via == Outreach.MESSAGE:
        # After the commit, as the outbox asks: the message (sent or failed) is on the customer's timeline.
        message = _send('maintenance_reminder', customer=due.customer, by=by,
                        context={'plate': vehicle.plate, 'vehicle': '%s %s' % (vehicle.make, vehicle.model),
                                 'due_on': due.due_on, 'due_km': vehicle.next_service_km})
    return task or message


def _send(kind, **kwargs):
    """Through the messages area's outbox (its sender, its templates, its timeline entry).

    Context given to the templates: maintenance_reminder: plate, vehicle, due_on (date), due_km;
    event_notice: event_title (in the customer's language), event_day (date), event_description.
    """
    from app.messages.rules import send
    return send(kind, **kwargs)


# --- shop events ------------------------------------------------------------------------------------

def add_event(shop, by, *, title, starts_on, title_en='', description=''):
    """A manager adds an activity to announce."""
    from app.aftercare.models import ShopEvent
    title = (title or '').strip()
    if not title:
        raise Refused(_l('Give the event a title.'))
    if starts_on < _local_today(shop):
        raise Refused(_l('The event cannot start in the past.'))
    with transaction():
        event = ShopEvent.create(shop=shop, title=title, title_en=(title_en or '').strip(), starts_on=starts_on,
                                 description=(description or '').strip(), created_by=by)
        audit.record('aftercare.event_added', 'shop_event', event.id, shop=shop, actor=by,
                     after={'title': title, 'starts_on': starts_on})
    return event


def events_to_announce(shop, today):
    """Events starting within the notice period (today up to `event_notice_days` ahead)."""
    from app.aftercare.models import ShopEvent
    ahead = today + timedelta(days=get_setting(shop, 'event_notice_days'))
    return (ShopEvent.for_shop(shop).where(ShopEvent.starts_on.between(today, ahead))
            .order_by(ShopEvent.starts_on, ShopEvent.id))


def upcoming_events(shop, today):
    from app.aftercare.models import ShopEvent
    return ShopEvent.for_shop(shop).where(ShopEvent.starts_on >= today).order_by(ShopEvent.starts_on, ShopEvent.id)


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:          # 29 February
        return day.replace(year=day.year - years, day=28)


def event_audience(event, today):
    """Customers to tell about an event: consent to be contacted, a visit in the last two years,
    not yet told (query, not run)."""
    from app.aftercare.models import Outreach
    shop = _shop_of(event)
    since, _end = day_bounds(shop, _years_before(today, EVENT_AUDIENCE_YEARS))
    visited = (RepairOrder.select(RepairOrder.customer)
               .where((RepairOrder.shop == shop) & (RepairOrder.checked_in_at >= since)
                      & RepairOrder.customer.is_null(False)))
    told = Outreach.select(Outreach.customer).where((Outreach.kind == Outreach.EVENT) & (Outreach.event == event.id))
    return (Customer.for_shop(shop)
            .where((Customer.consent_contact == True) & Customer.id.in_(visited)  # noqa: E712
                   & Customer.id.not_in(told))
            .order_by(Customer.name, Customer.id))


def notify_event(event, customers, by, *, via, today=None):
    """Tell customers about an event: a message each, or a call task each."""
    from app.aftercare.models import FollowUpTask, Outreach
    shop = _shop_of(event)
    today = today or _local_today(shop)
    if event.starts_on < today:
        raise Refused(_l('This event is over.'))
    if via not in (Outreach.MESSAGE, Outreach.CALL):
        raise Refused(_l('Choose a message or a call.'))
    allowed = {c.id for c in event_audience(event, today)}
    chosen = [c for c in customers if c.id in allowed]
    if not chosen:
        raise Refused(_l('Nobody left to tell: they were told already or did not agree to be contacted.'))
    with transaction():
        for customer in chosen:
            task = None
            if via == Outreach.CALL:
                task = FollowUpTask.create(shop=shop, customer=customer, event=event, kind=FollowUpTask.EVENT,
                                           due_from=today, due_by=max(today, event.starts_on - timedelta(days=1)))
            Outreach.create(shop=shop, kind=Outreach.EVENT, customer=customer, event=event, due_on=event.starts_on,
                            via=via, task=task, by=by)
        done = [c.id for c in chosen]
        audit.record('aftercare.event_notice', 'shop_event', event.id, shop=shop, actor=by,
                     after={'via': via, 'customers': done})
    if via == Outreach.MESSAGE:
        for customer in chosen:
            _send('event_notice', customer=customer, by=by,
                  context={'event_title': event.display_title(customer.language), 'event_day': event.starts_on,
                           'event_description': event.description})
    return done


# --- complaints (投诉) ----------------------------------------------------------------------------------

def first_answer_window(shop):
    """How long the shop has to give a complaint its first answer."""
    return timedelta(days=get_setting(shop, 'complaint_first_answer_days'))


def log_complaint(shop, by, *, channel, content, contact='', customer=None, order=None, logged_at=None):
    """Anyone on staff logs a complaint and owns it (首问负责制); the first answer is due in
    `complaint_first_answer_days`."""
    from app.aftercare.models import Complaint
    content, contact = (content or '').strip(), (contact or '').strip()
    if channel not in Complaint.CHANNELS:
        raise Refused(_l('Choose how the complaint came in.'))
    if not content:
        raise Refused(_l('Write down what the customer complains about.'))
    if order is not None and customer is None:
        customer = order.customer
    if not contact and customer is not None:
        contact = '%s %s' % (customer.name, format_phone(customer.phone))
    if not contact:
        raise Refused(_l('Write down who complained and how to reach them.'))
    logged_at = logged_at or utcnow()
    with transaction():
        due = logged_at + first_answer_window(shop)
        c = Complaint.create(shop=shop, logged_at=logged_at, logged_by=by, owner=by, channel=channel,
                             customer=customer, contact=contact[:120], order=order, content=content,
                             first_answer_due_at=due)
        rtype, rid = _target(c, 'complaint')
        audit.record('complaint.logged', rtype, rid, shop=shop, actor=by,
                     after={'complaint': c.id, 'channel': channel, 'owner': getattr(by, 'id', None),
                            'first_answer_due_at': c.first_answer_due_at})
    return c


def may_handle(complaint, user):
    """Its owner, the manager it was escalated to, or any service manager."""
    return user is not None and (user.id in (complaint.owner_id, complaint.escalated_to_id) or user.has_role(MANAGER))


def _require_handler(complaint, user):
    if not may_handle(complaint, user):
        raise NotYours(_l('Only the complaint\'s owner or a service manager can do this.'))


def _complaint_event(complaint, action, by, note='', **after):
    rtype, rid = _target(complaint, 'complaint')
    audit.record(action, rtype, rid, shop=complaint.shop_id, actor=by, note=note,
                 after=dict(complaint=complaint.id, **after))


def handover_candidates(complaint):
    from app.accounts.models import User
    shop = _shop_of(complaint)
    return [u for u in User.in_shop(shop).where(User.active == True).order_by(User.display_name)  # noqa: E712
            if u.id != complaint.owner_id]


def hand_over(complaint, by, to_user, *, note='', expected_version=None):
    """The owner hands the complaint on; the handover is recorded and the new person owns it."""
    from app.aftercare.models import Complaint, ComplaintHandover
    _require_handler(complaint, by)
    if complaint.status == Complaint.CLOSED:
        raise Refused(_l('This complaint is closed.'))
    if to_user is None or to_user.id not in {u.id for u in handover_candidates(complaint)}:
        raise Refused(_l('Hand it to someone else on the staff of this shop.'))
    with transaction():
        frm = complaint.owner_id
        _bump(complaint, expected_version, owner=to_user.id)
        ComplaintHandover.create(shop=complaint.shop_id, complaint=complaint, from_user=frm, to_user=to_user,
                                 note=(note or '').strip()[:200])
        _complaint_event(complaint, 'complaint.handed_over', by, note=note, from_user=frm, to_user=to_user.id)
    return complaint


def investigate(complaint, by, *, investigation, cause_category, service_fault, expected_version=None):
    """Investigation notes, the cause and whether it was service's fault (for the KPI complaint rate)."""
    from app.aftercare.models import Complaint
    _require_handler(complaint, by)
    if complaint.status == Complaint.CLOSED:
        raise Refused(_l('This complaint is closed.'))
    if cause_category and cause_category not in Complaint.CAUSES:
        raise Refused(_l('Choose a cause from the list.'))
    with transaction():
        _bump(complaint, expected_version, investigation=(investigation or '').strip(),
              cause_category=cause_category or '', service_fault=service_fault)
        _complaint_event(complaint, 'complaint.investigated', by, cause=cause_category, service_fault=service_fault)
    return complaint


def first_answer(complaint, by, *, answer, told_channel, at=None, expected_version=None):
    """The customer got a first answer (when, how, what): this is what the 2-day deadline measures."""
    from app.aftercare.models import Complaint
    _require_handler(complaint, by)
    answer = (answer or '').strip()
    if complaint.first_answer_at is not None or complaint.status != Complaint.OPEN:
        raise Refused(_l('The customer already had a first answer.'))
    if not answer:
        raise Refused(_l('Write what the customer was told.'))
    if told_channel not in Complaint.CHANNELS:
        raise Refused(_l('Choose how the customer was told.'))
    at = at or utcnow()
    with transaction():
        _bump(complaint, expected_version, first_answer_at=at, first_answer=answer, customer_told_at=at,
              told_channel=told_channel, status=Complaint.ANSWERED)
        _complaint_event(complaint, 'complaint.first_answer', by, at=at, told_channel=told_channel,
                         late=at > complaint.first_answer_due_at)
    return complaint


def resolve(complaint, by, *, resolution, told_channel, satisfaction=None, told_at=None, expected_version=None):
    """The complaint is resolved and the customer told; their satisfaction with the answer is kept."""
    from app.aftercare.models import Complaint
    _require_handler(complaint, by)
    resolution = (resolution or '').strip()
    if complaint.status not in (Complaint.OPEN, Complaint.ANSWERED):
        raise Refused(_l('This complaint is already resolved.'))
    if not complaint.cause_category:
        raise Refused(_l('Record the cause first (investigation), so the analysis counts it.'))
    if not resolution:
        raise Refused(_l('Write down the resolution.'))
    if told_channel not in Complaint.CHANNELS:
        raise Refused(_l('Choose how the customer was told.'))
    if satisfaction is not None and not 1 <= int(satisfaction) <= 5:
        raise Refused(_l('Satisfaction is a score from 1 to 5.'))
    told_at = told_at or utcnow()
    changes = dict(resolution=resolution, customer_told_at=told_at, told_channel=told_channel,
                   customer_satisfaction=satisfaction, status=Complaint.RESOLVED)
    if complaint.first_answer_at is None:
        changes.update(first_answer_at=told_at, first_answer=resolution)
    with transaction():
        _bump(complaint, expected_version, **changes)
        _complaint_event(complaint, 'complaint.resolved', by, told_at=told_at, told_channel=told_channel,
                         satisfaction=satisfaction)
    return complaint


def close_complaint(complaint, by, *, expected_version=None):
    from app.aftercare.models import Complaint
    _require_handler(complaint, by)
    if complaint.status != Complaint.RESOLVED:
        raise Refused(_l('Only a resolved complaint can be closed.'))
    with transaction():
        _bump(complaint, expected_version, status=Complaint.CLOSED)
        _complaint_event(complaint, 'complaint.closed', by)
    return complaint


def overdue_complaints(shop, now):
    """Complaints past their first-answer deadline and not yet escalated (query, not run)."""
    from app.aftercare.models import Complaint as C
    return C.for_shop(shop).where(C.first_answer_at.is_null() & C.escalated_at.is_null()
                                  & (C.status == C.OPEN) & (C.first_answer_due_at <= now))


def escalate_overdue_complaints(shop, now=None):
    """Escalate every complaint without a first answer by its deadline to the service manager.

    Recorded on each complaint (escalated_at, escalated_to) and in the audit trail, even when the
    shop has no manager to give it to. Returns the complaints escalated.
    """
    from app.aftercare.models import Complaint
    now = now or utcnow()
    done = []
    with transaction():
        boss = next(iter(supervisors(shop)), None)
        for c in overdue_complaints(shop, now).order_by(Complaint.id):
            _bump(c, None, escalated_at=now, escalated_to=boss.id if boss else None)
            days = get_setting(shop, 'complaint_first_answer_days')
            note = ('No first answer within %d days' % days) + ('' if boss else '; no service manager in this shop')
            _complaint_event(c, 'complaint.escalated', None, note=note, escalated_to=boss.id if boss else None,
                             due_at=c.first_answer_due_at)
            done.append(c)
    return done


def answer_state(complaint, now):
    """'answered', 'breached' (past the first-answer deadline) or 'due_soon' / 'open'."""
    if complaint.first_answer_at is not None:
        return 'answered'
    if now >= complaint.first_answer_due_at:
        return 'breached'
    return 'due_soon' if complaint.first_answer_due_at - now <= REQUEST_WARNING else 'open'


# --- complaint analysis --------------------------------------------------------------------------------

@dataclass
class Analysis:
    months: list                 # [(year, month)], oldest first, the last 12 in the shop's calendar
    causes: list                 # [(key, label)] incl. '' for not yet categorised
    counts: dict                 # counts[cause][(year, month)]
    month_totals: dict
    cause_totals: dict
    total: int
    service_fault: int
    service_fault_share: object  # Decimal or None
    avg_satisfaction: object     # Decimal or None
    satisfaction_count: int
    median_first_answer_hours: object   # Decimal or None
    answered_late: int
    orders: int                  # orders checked in over the same months
    complaint_rate: object       # service-fault complaints per order, or None
    rate_target: object


def _months_back(today, n):
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def complaint_analysis(shop, today, months=12):
    """Complaints by cause and month (the shop's calendar), service's share, satisfaction, answer time."""
    from app.aftercare.models import Complaint
    span = _months_back(today, months)
    start, _e = day_bounds(shop, date(span[0][0], span[0][1], 1))
    rows = list(Complaint.for_shop(shop).where(Complaint.logged_at >= start))
    causes = [(k, v) for k, v in Complaint.CAUSES.items()]
    if any(not c.cause_category for c in rows):
        causes.append(('', _l('Not yet categorised')))
    counts = {k: {m: 0 for m in span} for k, _v in causes}
    for c in rows:
        local = to_local(c.logged_at, shop.timezone)
        key = (local.year, local.month)
        if key in counts.get(c.cause_category, {}):
            counts[c.cause_category][key] += 1
    month_totals = {m: sum(counts[k][m] for k, _v in causes) for m in span}
    cause_totals = {k: sum(counts[k].values()) for k, _v in causes}
    total = len(rows)
    fault = sum(1 for c in rows if c.service_fault)
    scores = [c.customer_satisfaction for c in rows if c.customer_satisfaction is not None]
    hours = [Decimal((c.first_answer_at - c.logged_at).total_seconds()) / 3600 for c in rows if c.first_answer_at]
    orders = RepairOrder.for_shop(shop).where(RepairOrder.checked_in_at >= start).count()
    return Analysis(
        months=span, causes=causes, counts=counts, month_totals=month_totals, cause_totals=cause_totals,
        total=total, service_fault=fault,
        service_fault_share=(Decimal(fault) / total) if total else None,
        avg_satisfaction=(Decimal(sum(scores)) / len(scores)).quantize(Decimal('0.1')) if scores else None,
        satisfaction_count=len(scores),
        median_first_answer_hours=Decimal(statistics.median(hours)).quantize(Decimal('0.1')) if hours else None,
        answered_late=sum(1 for c in rows if c.first_answer_at and c.first_answer_at > c.first_answer_due_at),
        orders=orders, complaint_rate=(Decimal(fault) / orders) if orders else None,
        rate_target=get_setting(shop, 'complaint_rate_target'))
