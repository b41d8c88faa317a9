"""Per-person figures for a period: what each service advisor and each technician did.

Advisor (orders are theirs by RepairOrder.advisor): orders received (signed in the period), cars
handed back and how many by the promised time, settled revenue of their orders, the delivery
satisfaction answers (satisfied = 4 or 5), service-fault complaints on their orders.
Technician (lines are theirs by OrderLine.technician): the job lines of the cars handed back in the
period (done lines, as the KPI engine counts them), their flat-rate (sold) hours and labour value, lines
passed by QC the first time, the hours clocked on those lines, and the hours clocked in the period on any
job. Efficiency = sold ÷ hours clocked on the same lines (the dashboard's technician efficiency).
One grouped query per column, whatever the number of people or orders.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from peewee import Case, fn

from app.accounts.models import User
from app.aftercare.models import Complaint
from app.core import stages
from app.core.access import ADVISOR, TECHNICIAN
from app.core.periods import seconds_between
from app.kpi.figure import ratio
from app.kpi.specs import hours
from app.reception.models import OrderLine, RepairOrder
from app.reports.business import dec
from app.settlement.models import Settlement, VehicleDelivery
from app.workshop.models import TimeEntry

ZERO = Decimal('0.00')
HOUR = Decimal('0.01')


@dataclass
class AdvisorRow:
    user: object
    received: int = 0
    delivered: int = 0
    on_time: int = 0
    revenue: Decimal = ZERO
    settlements: int = 0
    answers: int = 0
    satisfied: int = 0
    complaints: int = 0

    @property
    def on_time_share(self):
        return ratio(self.on_time, self.delivered)

    @property
    def average_order(self):
        return (self.revenue / self.settlements).quantize(HOUR, rounding=ROUND_HALF_UP) if self.settlements else None

    @property
    def satisfied_share(self):
        return ratio(self.satisfied, self.answers)


@dataclass
class TechnicianRow:
    user: object
    lines: int = 0
    first_pass: int = 0
    sold_hours: Decimal = ZERO
    line_hours: Decimal = ZERO       # clocked on those same lines, whenever
    labour: Decimal = ZERO
    clocked_hours: Decimal = ZERO    # clocked in the period, on any job

    @property
    def efficiency(self):
        """Sold ÷ clocked hours of the same lines: the KPI dashboard's technician efficiency."""
        return ratio(self.sold_hours, self.line_hours)

    @property
    def first_pass_share(self):
        return ratio(self.first_pass, self.lines)


def _people(shop, role, ids):
    """Everyone with the role in the shop, and anyone else the figures name, by name."""
    found = {u.id: u for u in User.with_role(shop, role)}
    missing = [i for i in ids if i is not None and i not in found]
    if missing:
        found.update({u.id: u for u in User.select().where(User.id.in_(missing))})
    return sorted(found.values(), key=lambda u: u.display_name)


def delivered_in(shop, period):
    return ((RepairOrder.shop == shop) & (RepairOrder.delivered_at >= period.start_utc)
            & (RepairOrder.delivered_at < period.end_utc))


def advisor_rows(shop, period, only=None):
    """One AdvisorRow per advisor of the shop (or only the user ids given)."""
    start, end = period.start_utc, period.end_utc
    data = {}

    def row(uid):
        return data.setdefault(uid, {})

    signed = ((RepairOrder.shop == shop) & (RepairOrder.checked_in_at >= start) & (RepairOrder.checked_in_at < end)
              & RepairOrder.stage.not_in([stages.DRAFT, stages.CANCELLED]))
    for uid, n in (RepairOrder.select(RepairOrder.advisor, fn.COUNT(RepairOrder.id)).where(signed)
                   .group_by(RepairOrder.advisor).tuples()):
        row(uid)['received'] = n
    on_time = Case(None, [(RepairOrder.delivered_at <= RepairOrder.promised_at, 1)], 0)
    for uid, n, ok in (RepairOrder.select(RepairOrder.advisor, fn.COUNT(RepairOrder.id), fn.SUM(on_time))
                       .where(delivered_in(shop, period)).group_by(RepairOrder.advisor).tuples()):
        row(uid).update(delivered=n, on_time=int(ok or 0))
    for uid, n, total in (Settlement.select(RepairOrder.advisor, fn.COUNT(Settlement.id), fn.SUM(Settlement.total))
                          .join(RepairOrder, on=(Settlement.order == RepairOrder.id))
                          .where((Settlement.shop == shop) & Settlement.settled_where()
                                 & (Settlement.settled_at >= start) & (Settlement.settled_at < end))
                          .group_by(RepairOrder.advisor).tuples()):
        row(uid).update(settlements=n, revenue=dec(total))
    happy = Case(None, [(VehicleDelivery.satisfaction >= 4, 1)], 0)
    for uid, n, ok in (VehicleDelivery.select(RepairOrder.advisor, fn.COUNT(VehicleDelivery.id), fn.SUM(happy))
                       .join(RepairOrder, on=(VehicleDelivery.order == RepairOrder.id))
                       .where((VehicleDelivery.shop == shop) & (VehicleDelivery.delivered_at >= start)
                              & (VehicleDelivery.delivered_at < end) & VehicleDelivery.satisfaction.is_null(False))
                       .group_by(RepairOrder.advisor).tuples()):
        row(uid).update(answers=n, satisfied=int(ok or 0))
    for uid, n in (Complaint.select(RepairOrder.advisor, fn.COUNT(Complaint.id))
                   .join(RepairOrder, on=(Complaint.order == RepairOrder.id))
                   .where((Complaint.shop == shop) & (Complaint.logged_at >= start) & (Complaint.logged_at < end)
                          & (Complaint.service_fault == True))  # noqa: E712
                   .group_by(RepairOrder.advisor).tuples()):
        row(uid)['complaints'] = n
    people = _people(shop, ADVISOR, list(data))
    if only is not None:
        people = [u for u in people if u.id in only]
    return [AdvisorRow(u, **data.get(u.id, {})) for u in people]


def technician_rows(shop, period, only=None):
    """One TechnicianRow per technician of the shop (or only the user ids given)."""
    data = {}
    first = Case(None, [(OrderLine.qc_failures == 0, 1)], 0)
    clock = TimeEntry.alias('tl')
    on_line = (clock.select(fn.COALESCE(fn.SUM(seconds_between(clock.started_at, clock.ended_at)), 0))
               .where((clock.line == OrderLine.id) & clock.ended_at.is_null(False)))
    for uid, n, ok, sold, labour, line_seconds in (
            OrderLine.select(OrderLine.technician, fn.COUNT(OrderLine.id), fn.SUM(first),
                             fn.SUM(OrderLine.labour_hours), fn.SUM(OrderLine.labour_price), fn.SUM(on_line))
            .join(RepairOrder, on=(OrderLine.order == RepairOrder.id))
            .where(delivered_in(shop, period) & OrderLine.technician.is_null(False)
                   & (OrderLine.status == stages.LINE_DONE) & RepairOrder.stage.not_in([stages.DRAFT, stages.CANCELLED]))
            .group_by(OrderLine.technician).tuples()):
        data.setdefault(uid, {}).update(lines=n, first_pass=int(ok or 0), sold_hours=dec(sold), labour=dec(labour),
                                        line_hours=hours(line_seconds))
    for uid, seconds in (TimeEntry.select(TimeEntry.technician, fn.SUM(seconds_between(TimeEntry.started_at,
                                                                                      TimeEntry.ended_at)))
                         .where((TimeEntry.shop == shop) & (TimeEntry.started_at >= period.start_utc)
                                & (TimeEntry.started_at < period.end_utc) & TimeEntry.ended_at.is_null(False))
                         .group_by(TimeEntry.technician).tuples()):
        data.setdefault(uid, {})['clocked_hours'] = hours(seconds)
    people = _people(shop, TECHNICIAN, list(data))
    if only is not None:
        people = [u for u in people if u.id in only]
    return [TechnicianRow(u, **data.get(u.id, {})) for u in people]
