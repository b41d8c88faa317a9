"""Complaint analysis: the last twelve months by cause and month (the shop's calendar), service's share, the
customers' satisfaction, the time to a first answer, and the complaint rate against its target."""
import statistics
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.aftercare.models import Complaint
from app.aftercare.shared import day_bounds
from app.core.settings import get_setting
from app.core.timeutil import to_local
from app.reception.models import RepairOrder


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
