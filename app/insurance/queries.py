"""What the insurance pages and reports read: the shop's insurance jobs, what insurers owe (through the one rule,
app.settlement.receivables) and the figures of insurance work in a period."""
from dataclasses import dataclass
from decimal import Decimal

from peewee import JOIN

from app.core.db import utcnow
from app.core.money import INSURANCE, ZERO, money
from app.core.timeutil import to_local
from app.customers.models import Customer, Vehicle
from app.core.models import Photo
from app.insurance.models import DamageArea, InsuranceClaim, Insurer, Supplement
from app.insurance.rules import PHOTO_RECORD
from app.reception.models import RepairOrder
from app.settlement.models import Settlement, VehicleDelivery
from app.settlement.queries import age_days
from app.settlement.receivables import payer_bills_owing, payer_due_on

# Where an insurance job stands, for the list.
ASSESSMENT_PENDING, SUPPLEMENT_PENDING, ASSESSED, INSURER_OWES, PAID = (
    'assessment_pending', 'supplement_pending', 'assessed', 'insurer_owes', 'paid')


def _claims(shop):
    return (InsuranceClaim.for_shop(shop).select(InsuranceClaim, Insurer, RepairOrder, Vehicle, Customer)
            .join_from(InsuranceClaim, Insurer).join_from(InsuranceClaim, RepairOrder)
            .join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER).join_from(RepairOrder, Customer, JOIN.LEFT_OUTER))


def insurers(shop, active_only=False):
    q = Insurer.for_shop(shop).order_by(Insurer.active.desc(), Insurer.name)
    return list(q.where(Insurer.active) if active_only else q)


def damage(claim):
    """The damage by area of the car, and each area's photos: ([DamageArea], {area id: [Photo]})."""
    areas = list(DamageArea.select().where(DamageArea.claim == claim).order_by(DamageArea.id))
    photos = {}
    for p in Photo.select().where((Photo.record_type == PHOTO_RECORD)
                                  & Photo.record_id.in_([a.id for a in areas] or [0])).order_by(Photo.id):
        photos.setdefault(p.record_id, []).append(p)
    return areas, photos


def jobs(shop, now=None):
    """The shop's insurance jobs, newest first, each with where it stands (`state`) and what the insurer owes."""
    now = now or utcnow()
    rows = list(_claims(shop).order_by(InsuranceClaim.created_at.desc(), InsuranceClaim.id.desc()).limit(300))
    waiting = {s.claim_id for s in Supplement.select(Supplement.claim).where(
        (Supplement.status == Supplement.PENDING) & Supplement.claim.in_([c.id for c in rows] or [0]))}
    owing = {r.order_id: r for r in payer_bills_owing([shop.id], now, INSURANCE)}
    for c in rows:
        c.owing = owing.get(c.order_id)
        if c.assessment == InsuranceClaim.PENDING:
            c.state = ASSESSMENT_PENDING
        elif c.id in waiting:
            c.state = SUPPLEMENT_PENDING
        elif c.owing is not None:
            c.state = INSURER_OWES
        elif c.order.settled_at is not None:
            c.state = PAID
        else:
            c.state = ASSESSED
    return rows


@dataclass
class InsurerOwes:
    claim: object
    owing: object            # app.settlement.receivables.PayerOwing
    due_on: object           # the last day of the month the bill was settled in (rulebook 004)
    age: int
    overdue: bool

    @property
    def balance(self):
        return self.owing.balance


def insurer_receivables(shop, now=None):
    """What insurers owe on settled insurance bills, the overdue ones (past the month they were settled in) first."""
    now = now or utcnow()
    owing = {r.order_id: r for r in payer_bills_owing([shop.id], now, INSURANCE)}
    if not owing:
        return []
    today = to_local(now, shop.timezone).date()
    out = []
    for claim in _claims(shop).where(InsuranceClaim.order.in_(list(owing))):
        row = owing[claim.order_id]
        due = payer_due_on(row.settled_at, shop.timezone)
        out.append(InsurerOwes(claim, row, due, age_days(shop, row.settled_at, now), today > due))
    return sorted(out, key=lambda r: (not r.overdue, r.owing.settled_at))


def figures(shop, start, end, now=None):
    """Insurance work settled between two UTC times: how many jobs, the revenue (all payers, with tax) and the
    insurers' share, the average days from the assessment to the car's delivery (of those jobs whose car has left);
    and at `now` what insurers owe, how much of it past its month, and the oldest bill's age in days."""
    now = now or utcnow()
    rows = list(Settlement.for_shop(shop, Settlement.total, Settlement.insurance_total, InsuranceClaim.assessed_at,
                                    VehicleDelivery.delivered_at)
                .join(InsuranceClaim, on=(InsuranceClaim.order == Settlement.order))
                .join_from(Settlement, VehicleDelivery, JOIN.LEFT_OUTER, on=(VehicleDelivery.order == Settlement.order))
                .where(Settlement.settled_where() & (Settlement.settled_at >= start) & (Settlement.settled_at < end))
                .tuples())
    # the same count as the KPI (app.kpi.sources.src_insurance): jobs settled in the period, assessment to delivery
    days = [Decimal(str((delivered - assessed).total_seconds())) / 86400 for _t, _i, assessed, delivered in rows
            if assessed and delivered]
    owed = insurer_receivables(shop, now)
    return {
        'jobs': len(rows), 'revenue': sum((money(t) for t, *_ in rows), ZERO),
        'insurer_share': sum((money(i) for _t, i, *_ in rows), ZERO),
        'days_to_delivery': (Decimal(sum(days)) / len(days)).quantize(Decimal('0.1')) if days else None,
        'owed': sum((r.balance for r in owed), ZERO), 'owed_bills': len(owed),
        'overdue': sum((r.balance for r in owed if r.overdue), ZERO),
        'overdue_bills': sum(1 for r in owed if r.overdue),
        'oldest_days': max((r.age for r in owed), default=None),
    }
