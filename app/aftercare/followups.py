"""Follow-up calls (跟踪服务): the call tasks after a car is picked up, the lists of calls due per person, and the
record of each call, which moves its task on.

Follow-up windows are days of the shop's local calendar, both ends included:
- first call: from `followup_first_from_days` to `followup_first_to_days` days after the local
  day of pickup (defaults 2 and 7);
- second call: created when the first call reaches the customer (a first call that never gets
  through has nothing to follow), due within 7 days after the week that follows that call (001 "一周后7天以内"):
  from `followup_second_after_days` (7) to that plus `followup_second_within_days` (7) days after it.

A task is open until a call reaches the customer (done) or finds a wrong number (cancelled): TASKS.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.aftercare.models import CallRecord, FollowUpTask
from app.aftercare.shared import audit_target, callers, day_bounds, local_day, shop_of
from app.core import audit, deadlines
from app.core.db import transaction, utcnow
from app.core.errors import Refused
from app.core.machine import Machine

TASKS = Machine(field='status', labels=FollowUpTask.STATUSES,
                moves={FollowUpTask.OPEN: {FollowUpTask.OPEN, FollowUpTask.DONE, FollowUpTask.CANCELLED},
                       FollowUpTask.DONE: set(), FollowUpTask.CANCELLED: set()},
                illegal=lambda a, b: _l('This call task is already closed.'))


def first_window(shop, picked_up_at):
    """(due_from, due_by) of the first call, local days, for a car picked up at a UTC time."""
    return deadlines.followup_window(local_day(shop, picked_up_at), deadlines.shop_settings(shop))


def second_window(shop, first_called_at):
    """(due_from, due_by) of the second call: days 7 to 14 after the first call that got through."""
    return deadlines.second_followup_window(local_day(shop, first_called_at), deadlines.shop_settings(shop))


def schedule_followups(order, by):
    """Create the first follow-up call task for a delivered order (called by delivery).

    Idempotent: an order that already has its first task keeps it (and gets it back).
    The pickup time is order.delivered_at (now if not yet set). The second task follows
    when the first call reaches the customer (see record_call). An order without a customer
    on file gets no task (None).
    """
    shop = shop_of(order)
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


# --- the lists ------------------------------------------------------------------------------------

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
    T = FollowUpTask
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
    T = FollowUpTask
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


def assign_task(task, to_user, by, *, expected_version=None):
    """Give a call task to a person (or back to nobody with to_user=None)."""
    shop = shop_of(task)
    TASKS.check(task, FollowUpTask.OPEN)
    if to_user is not None and to_user.id not in {u.id for u in callers(shop)}:
        raise Refused(_l('Call tasks go to customer service or a manager of this shop.'))
    before = task.assigned_to_id
    with transaction():
        task.update_versioned(expected_version, assigned_to=to_user.id if to_user else None)
        rtype, rid = audit_target(task, 'followup_task')
        audit.record('followup.assigned', rtype, rid, shop=shop, actor=by,
                     before={'task': task.id, 'assigned_to': before},
                     after={'task': task.id, 'assigned_to': task.assigned_to_id})
    return task


# --- the calls ------------------------------------------------------------------------------------

# What each outcome does to the task: reached, done; wrong number, cancelled; else it stays open.
OUTCOME_MOVES = {CallRecord.REACHED: FollowUpTask.DONE, CallRecord.WRONG_NUMBER: FollowUpTask.CANCELLED}


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
    shop = shop_of(task)
    called_at = called_at or utcnow()
    request, answer, notes = (request or '').strip(), (answer or '').strip(), (notes or '').strip()
    TASKS.check(task, FollowUpTask.OPEN)
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
                      request_due_at=called_at + deadlines.escalate_limit(deadlines.shop_settings(shop)))
    to = OUTCOME_MOVES.get(outcome, FollowUpTask.OPEN)
    changes = {'attempts': task.attempts + 1, 'call_back_at': call_back_at if outcome == CallRecord.CALL_BACK else None}
    if to != FollowUpTask.OPEN:
        changes['done_at'] = called_at
    if to == FollowUpTask.CANCELLED:
        changes['note'] = str(_l('Wrong number'))
    with transaction():
        TASKS.move(task, to, expected_version=expected_version, **changes)
        call = CallRecord.create(**fields)
        second = None
        if outcome == CallRecord.REACHED and task.kind == FollowUpTask.FIRST and task.order_id:
            second = _create_second(task, called_at)
        rtype, rid = audit_target(task, 'followup_task')
        audit.record('followup.call', rtype, rid, shop=shop, actor=by,
                     after={'task': task.id, 'kind': task.kind, 'call': call.id, 'outcome': outcome,
                            'satisfaction': satisfaction, 'request': call.request_status,
                            'task_status': task.status, 'second_task': second.id if second else None})
    return call


def _create_second(first, called_at):
    shop = shop_of(first)
    existing = FollowUpTask.get_or_none((FollowUpTask.order == first.order_id)
                                        & (FollowUpTask.kind == FollowUpTask.SECOND))
    if existing is not None:
        return existing
    due_from, due_by = second_window(shop, called_at)
    return FollowUpTask.create(shop=shop, order=first.order_id, customer=first.customer_id,
                               vehicle=first.vehicle_id, kind=FollowUpTask.SECOND, due_from=due_from, due_by=due_by,
                               assigned_to=first.assigned_to_id)
