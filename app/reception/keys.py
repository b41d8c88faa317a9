"""Key tags and hooks on repair orders: which order each is on, and where a scanned label leads.

The pool itself (numbers, tokens, adding and retiring) is app.labels; putting a tag on an order and taking it off
at delivery belong to check-in and delivery.
"""
from dataclasses import dataclass

import peewee as pw
from flask import url_for

from app.core import stages
from app.customers.models import Vehicle
from app.labels.models import KeyHook, KeyTag
from app.reception.models import RepairOrder

# An order that is handed back or cancelled: its labels lead to a note, not to work.
FINISHED = frozenset(stages.LABELS) - stages.OPEN - {stages.DRAFT}


@dataclass
class Holder:
    """Something (a tag or a hook) and the repair order it is on, if any."""
    item: object
    order: object = None

    @property
    def free(self):
        return self.order is None


def _orders_by_id(shop, ids):
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = (RepairOrder.for_shop(shop).select(RepairOrder, Vehicle, KeyHook)
            .join_from(RepairOrder, Vehicle, pw.JOIN.LEFT_OUTER)
            .join_from(RepairOrder, KeyHook, pw.JOIN.LEFT_OUTER)
            .where(RepairOrder.id.in_(list(ids))))
    return {o.id: o for o in rows}


def tag_rows(shop, active=True):
    """The shop's tags by number, each with the order it is on (and so the order's hook)."""
    tags = list(KeyTag.for_shop(shop).where(KeyTag.active == active).order_by(KeyTag.number))
    orders = _orders_by_id(shop, (t.order_id for t in tags))
    return [Holder(t, orders.get(t.order_id)) for t in tags]


def hook_rows(shop):
    hooks = list(KeyHook.for_shop(shop).order_by(KeyHook.number))
    orders = _orders_by_id(shop, (h.order_id for h in hooks))
    return [Holder(h, orders.get(h.order_id)) for h in hooks]


def order_of_tag(tag):
    """The repair order a tag is on now, or None when it is free."""
    if tag.order_id is None:
        return None
    return RepairOrder.get_or_none((RepairOrder.id == tag.order_id) & (RepairOrder.shop == tag.shop_id))


def is_finished(order):
    return order.stage in FINISHED


def order_url_for_scan(order, user):
    """Where a scanned label takes a signed-in person: a technician to the job card of an open order,
    everyone else to the repair order.

    None for an order already handed back or cancelled: the scan page says so instead.
    """
    from app.core.access import TECHNICIAN
    if is_finished(order):
        return None
    if order.stage in stages.OPEN and TECHNICIAN in user.role_names:
        return url_for('workshop.job_card', order_id=order.id)
    return url_for('reception.order', order_id=order.id)
