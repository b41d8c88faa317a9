"""Read-only questions about settlements and deliveries: the advisor's lists, receivables, and the figures
reports count through (so what "revenue" or "owed" means lives here, once)."""
import json
from dataclasses import dataclass
from decimal import Decimal

from peewee import JOIN, fn

from app.core import deadlines, stages
from app.core.db import utcnow
from app.core.models import Event
from app.core.money import money
from app.core.timeutil import to_local
from app.customers.models import Customer, Vehicle
from app.reception.models import RepairOrder
from app.settlement.models import (INSURANCE, WARRANTY, CreditNote, Payment, Settlement, SettlementLine,
                                   VehicleDelivery)
from app.settlement.receivables import bills_owing
from app.settlement.rules import SETTLE_STAGES

ZERO = Decimal('0.00')


def _dec(value):
    """A SUM from the database as money (SQLite answers in floats, PostgreSQL in Decimals)."""
    return money(Decimal(str(value))) if value is not None else ZERO


def age_days(shop, since, now=None):
    """Whole days from a stored time to today, by the shop's calendar."""
    if since is None:
        return None
    return (to_local(now or utcnow(), shop.timezone).date() - to_local(since, shop.timezone).date()).days


def _orders(shop):
    return (RepairOrder.for_shop(shop).select(RepairOrder, Vehicle, Customer)
            .join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER).join_from(RepairOrder, Customer, JOIN.LEFT_OUTER))


def _settled_ids(order_ids):
    if not order_ids:
        return set()
    return {s.order_id for s in Settlement.select(Settlement.order)
            .where(Settlement.order.in_(order_ids) & Settlement.settled_where())}


def ready_since(order_ids):
    """When each order last became ready (wash or pickup), from its timeline."""
    if not order_ids:
        return {}
    marks = [json.dumps({'stage': s}, sort_keys=True) for s in SETTLE_STAGES]
    rows = (Event.select(Event.record_id, fn.MIN(Event.at).alias('at'))
            .where((Event.record_type == 'repair_order') & Event.record_id.in_(order_ids)
                   & (Event.action == 'order.stage') & Event.after.in_(marks))
            .group_by(Event.record_id))
    return {r.record_id: r.at for r in rows}


@dataclass
class ToSettle:
    order: object
    since: object
    maintenance: bool
    due: object            # maintenance orders must be settled within the setting's days of being ready
    overdue: bool


def to_settle(shop, now=None):
    """Finished orders not settled yet, oldest first; maintenance orders flagged when past their settlement days."""
    now = now or utcnow()
    orders = list(_orders(shop).where(RepairOrder.stage.in_(list(SETTLE_STAGES))).order_by(RepairOrder.promised_at))
    ids = [o.id for o in orders]
    settled = _settled_ids(ids)
    since = ready_since(ids)
    maint = {o.id for o in RepairOrder.select(RepairOrder.id)
             .where(RepairOrder.id.in_(ids or [0]) & RepairOrder.maintenance_where())}
    setting = deadlines.shop_settings(shop)
    out = []
    for o in orders:
        if o.id in settled:
            continue
        start = since.get(o.id) or o.checked_in_at
        due = deadlines.settlement_due(start, setting) if o.id in maint else None
        out.append(ToSettle(o, start, o.id in maint, due, bool(due and due < now)))
    return sorted(out, key=lambda r: (not r.overdue, r.since or now))


def awaiting_delivery(shop):
    """Settled and ready: the customer can collect the car."""
    orders = list(_orders(shop).where(RepairOrder.stage == stages.READY_FOR_PICKUP).order_by(RepairOrder.promised_at))
    settled = _settled_ids([o.id for o in orders])
    return [o for o in orders if o.id in settled]


def delivered_not_closed(shop):
    return list(_orders(shop).where(RepairOrder.stage == stages.DELIVERED).order_by(RepairOrder.delivered_at))


def recent_settlements(shop, limit=20):
    return list(Settlement.for_shop(shop).select(Settlement, RepairOrder, Vehicle, Customer)
                .join_from(Settlement, RepairOrder).join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER)
                .join_from(RepairOrder, Customer, JOIN.LEFT_OUTER)
                .where(Settlement.settled_where()).order_by(Settlement.settled_at.desc()).limit(limit))


@dataclass
class Owed:
    settlement: object
    order: object
    customer_total: Decimal
    paid: Decimal
    credited: Decimal
    balance: Decimal
    age: int
    on_account_reason: str


def customer_receivables(shop, now=None):
    """Settled bills the customer has not paid in full, oldest first (app.settlement.receivables, the one rule)."""
    owing = {r.settlement_id: r for r in bills_owing([shop.id], now or utcnow())}
    if not owing:
        return []
    rows = list(Settlement.select(Settlement, RepairOrder, Vehicle, Customer)
                .join_from(Settlement, RepairOrder).join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER)
                .join_from(RepairOrder, Customer, JOIN.LEFT_OUTER)
                .where(Settlement.id.in_(list(owing))))
    reasons = {d.order_id: d.on_account_reason for d in VehicleDelivery.select(VehicleDelivery.order,
                                                                                VehicleDelivery.on_account_reason)
               .where(VehicleDelivery.order.in_([s.order_id for s in rows] or [0]))}
    out = [Owed(s, s.order, owing[s.id].customer_total, owing[s.id].paid, owing[s.id].credited + owing[s.id].written_off,
                owing[s.id].balance, age_days(shop, s.settled_at, now), reasons.get(s.order_id, '')) for s in rows]
    return sorted(out, key=lambda r: -(r.age or 0))


@dataclass
class PayerOwed:
    settlement: object
    order: object
    payer: str
    amount: Decimal        # with tax, as invoiced to the maker or insurer
    items: list
    age: int


def payer_receivables(shop, now=None, limit=300):
    """What the maker (warranty) and insurers owe, per settlement and payer, oldest first."""
    rows = list(Settlement.for_shop(shop).select(Settlement, RepairOrder, Vehicle)
                .join_from(Settlement, RepairOrder).join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER)
                .where(Settlement.settled_where()
                       & ((Settlement.warranty_total > 0) | (Settlement.insurance_total > 0)))
                .order_by(Settlement.settled_at).limit(limit))
    items = {}
    for line in (SettlementLine.select().where(SettlementLine.settlement.in_([s.id for s in rows] or [0])
                                               & SettlementLine.payer.in_([WARRANTY, INSURANCE]))
                 .order_by(SettlementLine.position)):
        items.setdefault((line.settlement_id, line.payer), []).append(line)
    out = []
    for s in rows:
        for payer, amount in ((WARRANTY, s.warranty_total), (INSURANCE, s.insurance_total)):
            if amount and amount > 0:
                out.append(PayerOwed(s, s.order, payer, money(amount), items.get((s.id, payer), []),
                                     age_days(shop, s.settled_at, now)))
    return out


# --- for the reports ------------------------------------------------------------------------------

def revenue(shop, start, end):
    """Settled between two UTC times: labour, parts, discount, tax, total and each payer's total, less credit notes."""
    q = (Settlement.for_shop(shop, fn.COUNT(Settlement.id).alias('n'), fn.SUM(Settlement.labour).alias('labour'),
                                fn.SUM(Settlement.parts).alias('parts'), fn.SUM(Settlement.discount).alias('discount'),
                                fn.SUM(Settlement.tax).alias('tax'), fn.SUM(Settlement.total).alias('total'),
                                fn.SUM(Settlement.customer_total).alias('customer'),
                                fn.SUM(Settlement.warranty_total).alias('warranty'),
                                fn.SUM(Settlement.insurance_total).alias('insurance'),
                                fn.SUM(Settlement.internal_total).alias('internal'))
         .where(Settlement.settled_where() & (Settlement.settled_at >= start) & (Settlement.settled_at < end))
         .dicts().get())
    credited = (CreditNote.for_shop(shop, fn.SUM(CreditNote.total))
                .where((CreditNote.created_at >= start) & (CreditNote.created_at < end)).scalar())
    out = {k: _dec(v) for k, v in q.items() if k != 'n'}
    out['settlements'] = q['n'] or 0
    out['credited'] = _dec(credited)
    return out


def payments_received(shop, start, end):
    """Money taken between two UTC times, by method."""
    rows = (Payment.for_shop(shop, Payment.method, fn.SUM(Payment.amount).alias('s'))
            .where((Payment.paid_at >= start) & (Payment.paid_at < end)).group_by(Payment.method))
    return {r.method: _dec(r.s) for r in rows}


def satisfaction(shop, start, end):
    """Delivery satisfaction between two UTC times: how many answered, the average, and the share scoring 4 or 5."""
    scores = [d.satisfaction for d in VehicleDelivery.for_shop(shop, VehicleDelivery.satisfaction)
              .where((VehicleDelivery.delivered_at >= start) & (VehicleDelivery.delivered_at < end)
                     & VehicleDelivery.satisfaction.is_null(False))]
    if not scores:
        return {'answers': 0, 'average': None, 'satisfied_share': None}
    return {'answers': len(scores), 'average': Decimal(sum(scores)) / len(scores),
            'satisfied_share': Decimal(sum(1 for s in scores if s >= 4)) / len(scores)}
