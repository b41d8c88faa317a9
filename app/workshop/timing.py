"""How far along an order is, whether it will be late, and when the advisor checks progress.

One place for these rules: the board, the advisor's lists, the job card and the KPIs all call it.
Computed for many orders at once in a fixed number of queries (the board shows hundreds).
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from peewee import fn

from app.core import stages
from app.core.db import utcnow
from app.core.settings import get_setting
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import ProgressCheck, TimeEntry

OPEN_LINE_STATES = (stages.LINE_PENDING, stages.LINE_ASSIGNED, stages.LINE_ACTIVE, stages.LINE_PAUSED,
                    stages.LINE_REWORK)


@dataclass
class Timing:
    order_id: int
    work_left_hours: Decimal      # flat-rate hours of unfinished lines, less the time already clocked on them
    time_left: timedelta | None   # until the promised time (negative when past)
    share_elapsed: float | None   # of the promised duration, 0..1+
    late: bool                    # past the promise, or more work left than time left


def timings(orders, now=None):
    """Timing for each order (dict by order id), in two queries whatever the number of orders."""
    now = now or utcnow()
    ids = [o.id for o in orders]
    if not ids:
        return {}
    hours = dict((OrderLine.select(OrderLine.order, fn.SUM(OrderLine.labour_hours))
                  .where(OrderLine.order.in_(ids) & OrderLine.status.in_(OPEN_LINE_STATES))
                  .group_by(OrderLine.order).tuples()))
    clocked = {}
    rows = (TimeEntry.select(TimeEntry.order, TimeEntry.started_at, TimeEntry.ended_at)
            .join(OrderLine, on=(TimeEntry.line == OrderLine.id))
            .where(TimeEntry.order.in_(ids) & OrderLine.status.in_(OPEN_LINE_STATES)).tuples())
    for order_id, started, ended in rows:
        clocked[order_id] = clocked.get(order_id, 0.0) + ((ended or now) - started).total_seconds() / 3600
    return {o.id: timing_of(o, hours.get(o.id), clocked.get(o.id, 0.0), now) for o in orders}


def timing_of(order, open_hours, clocked_hours, now):
    """One order's timing from the flat-rate hours of its unfinished lines and the hours clocked on them (for
    a caller that has read them already: the job card)."""
    left = max(Decimal(open_hours or 0) - Decimal(str(round(clocked_hours or 0.0, 2))), Decimal(0))
    time_left = (order.promised_at - now) if order.promised_at else None
    share = None
    if order.promised_at and order.checked_in_at and order.promised_at > order.checked_in_at:
        share = (now - order.checked_in_at).total_seconds() / (order.promised_at - order.checked_in_at).total_seconds()
    late = bool(order.promised_at and order.stage in stages.OPEN and order.stage != stages.READY_FOR_PICKUP and (
        time_left < timedelta(0) or Decimal(str(time_left.total_seconds() / 3600)) < left))
    return Timing(order.id, left, time_left, share, late)


def progress_checks_due(shop, now=None, opened=None, times=None):
    """Open orders inside the progress-check window (50-80% of the promised duration by default) not yet checked.
    `opened`, `times`: the shop's open orders with a promise and their timings, when the caller has read them."""
    now = now or utcnow()
    lo, hi = float(get_setting(shop, 'progress_check_from')), float(get_setting(shop, 'progress_check_to'))
    if opened is None:
        orders = list(RepairOrder.open_orders(shop).where(RepairOrder.promised_at.is_null(False)
                                                          & RepairOrder.checked_in_at.is_null(False)
                                                          & (RepairOrder.stage != stages.READY_FOR_PICKUP)))
    else:
        orders = [o for o in opened if o.promised_at is not None and o.checked_in_at is not None
                  and o.stage != stages.READY_FOR_PICKUP]
    checked = {r.order_id for r in ProgressCheck.select(ProgressCheck.order)
               .where(ProgressCheck.order.in_([o.id for o in orders]))} if orders else set()
    t = times if times is not None else timings(orders, now)
    return [(o, t[o.id]) for o in orders
            if o.id not in checked and t[o.id].share_elapsed is not None and lo <= t[o.id].share_elapsed <= hi]
