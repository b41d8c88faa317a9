"""Pickup notice (通知客户接车): when to tell the customer the car will be ready, and the advisor's list of notices due.

DOMAIN.md step 13: one hour ahead for jobs of under two days, four hours ahead for two days or more
(settings pickup_notice_short_hours, pickup_notice_long_hours, long_job_days). A late car is announced
just as early before its NEW time, with the reason and an apology (a 'late_notice'):

- the new time is the latest progress check's new_promised_at (app.workshop.models.ProgressCheck);
- the lead is the one the job had from its original promise, so a late car is told no later than it would have been;
- a car the workshop's timing calls late but with no new time yet gets a late notice at the usual
  moment saying the advisor will call with the new time;
- a car ready early (stage "ready for pickup") is due at once.

A notice counts as sent once a message of the same kind was sent after the latest new time was set;
a late notice therefore does not silence the "ready" notice that follows it, and a new delay
brings the order back to the list.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import fn

from app.core import deadlines, stages
from app.core.db import utcnow
from app.messages.models import Message
from app.reception.models import RepairOrder
from app.workshop.models import ProgressCheck
from app.workshop.timing import timings

KINDS = (Message.PICKUP_NOTICE, Message.LATE_NOTICE)
EPOCH = datetime(1970, 1, 1)


@dataclass
class PickupNotice:
    order: RepairOrder
    kind: str                  # 'pickup_notice' or 'late_notice'
    due_at: datetime | None    # UTC
    ready_at: datetime | None  # UTC: the new time for a late car, else the promised time; None if not known yet
    original_at: datetime | None
    lead_hours: int
    reason: str = ''
    ready: bool = False        # the car is ready now
    since: datetime = EPOCH    # a notice sent before this does not count (the latest delay was set then)

    def context(self):
        """What the message template needs besides the order's own fields."""
        return {'ready_at': self.ready_at, 'original_at': self.original_at, 'reason': self.reason,
                'ready_now': self.ready, 'lead_hours': self.lead_hours}


def lead_hours(order, original_promise=None, setting=None):
    """How long before pickup to tell the customer: by the job's length from check-in to its (original) promise.
    `setting`: the shop's settings when many orders are asked at once (app.core.deadlines.shop_settings)."""
    lead = deadlines.pickup_lead(order.checked_in_at, original_promise or order.promised_at,
                                 setting or deadlines.shop_settings(order.shop_id))
    return int(lead.total_seconds() // 3600)


def _latest_checks(order_ids):
    """order id -> its latest progress check that set a new time."""
    if not order_ids:
        return {}
    rows = (ProgressCheck.select().where(ProgressCheck.order.in_(order_ids) & ProgressCheck.new_promised_at.is_null(False))
            .order_by(ProgressCheck.checked_at, ProgressCheck.id))
    return {pc.order_id: pc for pc in rows}


def notice_for(order, *, check=None, timing=None, now=None, setting=None):
    """The pickup (or late) notice an open order needs, or None (not open, or no promised time)."""
    if order.stage not in stages.OPEN or not order.promised_at or not order.checked_in_at:
        return None
    if timing is None:
        timing = timings([order], now).get(order.id)
    ready = order.stage == stages.READY_FOR_PICKUP
    if check is not None:
        original = check.old_promised_at or order.promised_at
        lead = lead_hours(order, original, setting)
        return PickupNotice(order, Message.LATE_NOTICE, check.new_promised_at - timedelta(hours=lead),
                            check.new_promised_at, original, lead, check.reason, ready, check.checked_at)
    lead = lead_hours(order, setting=setting)
    due = order.promised_at - timedelta(hours=lead)
    if timing is not None and timing.late and not ready:
        return PickupNotice(order, Message.LATE_NOTICE, due, None, order.promised_at, lead, '', False)
    return PickupNotice(order, Message.PICKUP_NOTICE, due, order.promised_at, None, lead, '', ready)


def pickup_notice_due_at(order, now=None):
    """When to tell the customer (UTC), counting a late order's new time; None when nothing is to be told."""
    notice = notice_for(order, check=_latest_checks([order.id]).get(order.id), now=now)
    return notice.due_at if notice else None


def _sent(order_ids):
    """(order id, kind) -> when the latest such notice was sent."""
    if not order_ids:
        return {}
    rows = (Message.select(Message.order, Message.kind, fn.MAX(Message.sent_at))
            .where(Message.order.in_(order_ids) & Message.kind.in_(KINDS) & (Message.status == Message.SENT))
            .group_by(Message.order, Message.kind).tuples())
    return {(order_id, kind): at for order_id, kind, at in rows}


def is_sent(notice, sent):
    at = sent.get((notice.order.id, notice.kind))
    return at is not None and at >= notice.since


def notices_due(shop, now=None, ahead=timedelta(0)):
    """Notices due now or overdue and not yet sent, most overdue first (a fixed number of queries); with `ahead`,
    also those falling due within that time (the work queue shows them before they are late)."""
    now = now or utcnow()
    orders = list(RepairOrder.open_orders(shop).where(RepairOrder.promised_at.is_null(False)
                                                      & RepairOrder.checked_in_at.is_null(False)))
    ids = [o.id for o in orders]
    checks, timing, sent = _latest_checks(ids), timings(orders, now), _sent(ids)
    setting = deadlines.shop_settings(shop)
    due = []
    for order in orders:
        notice = notice_for(order, check=checks.get(order.id), timing=timing.get(order.id), now=now, setting=setting)
        if notice is None or is_sent(notice, sent):
            continue
        if notice.ready or notice.due_at <= now + ahead:
            due.append(notice)
    return sorted(due, key=lambda n: n.due_at)


def due_notice(order, now=None):
    """This order's notice if it is due and not yet sent, else None (the one-tap send checks again)."""
    now = now or utcnow()
    notice = notice_for(order, check=_latest_checks([order.id]).get(order.id), now=now)
    if notice is None or is_sent(notice, _sent([order.id])):
        return None
    return notice if (notice.ready or notice.due_at <= now) else None


def send_notice(notice, by):
    """Send the prepared notice; it leaves the list once sent (a failed one stays)."""
    from app.messages.rules import send
    return send(notice.kind, order=notice.order, by=by, context=notice.context())


def preview(notice):
    """(subject, body) as the customer would get it now (writes nothing: a missing link shows as a placeholder)."""
    from app.messages.rules import language_of, message_context, render_message
    order = notice.order
    customer = order.customer if order.customer_id else None
    lang = language_of(customer)
    ctx = message_context(order.shop, order, customer, lang, notice.context(), issue_link=False)
    return render_message(notice.kind, lang, ctx)
