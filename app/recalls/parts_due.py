"""Claimed parts nearing their check dates (004 三包索赔员: "负责半年、一年、两年、三年、五年索赔件到期前预约回厂检查工作"):
the car is booked back for a check before each part fitted under a warranty claim reaches ½, 1, 2, 3 and 5 years.

How things are counted:
- A claimed part: a part on a job line decided as warranty (the maker pays) on an order that was delivered; it was
  fitted on the local day of that delivery. Its check dates are that day plus 6, 12, 24, 36 and 60 months
  (app.core.timeutil.add_months: the month's last day when it has none).
- A check is due from `claimed_part_reminder_days` (the shop's own choice) before its date until the date; the
  parts of one car with the same date are one reminder. The owner must have agreed to be contacted.
- Turned into a call task (app.aftercare, kind "claimed-part check", due by the date) once per car and date: the
  outreach record keeps it from being made twice, as for maintenance reminders.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from app.aftercare.models import FollowUpTask, Outreach
from app.core import audit, stages
from app.core.db import transaction
from app.core.errors import Refused
from app.core.settings import get_setting
from app.core.timeutil import add_months, shop_today, to_local
from app.customers.models import Customer, Vehicle
from app.reception.models import OrderLine, PartLine, RepairOrder
from app.warranty.models import LineCoverage

CHECK_MONTHS = (6, 12, 24, 36, 60)      # 004: 半年、一年、两年、三年、五年


def check_dates(fitted_on):
    """[(months, date)] of a claimed part fitted on `fitted_on`."""
    return [(m, add_months(fitted_on, m)) for m in CHECK_MONTHS]


@dataclass
class PartCheck:
    vehicle: object
    customer: object
    due_on: date
    months: int
    order: object
    parts: list = field(default_factory=list)

    @property
    def label(self):
        return _l('½ year') if self.months == 6 else _l('%(n)d years', n=self.months // 12) if self.months > 12 \
            else _l('1 year')


def due(shop, today=None):
    """The claimed-part checks due now (see the module's rules), not yet turned into a call, soonest first."""
    today = today or shop_today(shop)
    lead = get_setting(shop, 'claimed_part_reminder_days')
    oldest = today - timedelta(days=5 * 366 + 1)
    rows = (PartLine.select(PartLine, RepairOrder, Vehicle, Customer)
            .join(OrderLine, on=(PartLine.line == OrderLine.id))
            .join(LineCoverage, on=(LineCoverage.line == OrderLine.id))
            .join(RepairOrder, on=(PartLine.order == RepairOrder.id))
            .join(Vehicle, on=(RepairOrder.vehicle == Vehicle.id))
            .join(Customer, on=(Vehicle.owner == Customer.id))
            .where((PartLine.shop == shop) & (LineCoverage.kind == LineCoverage.WARRANTY)
                   & RepairOrder.stage.in_([stages.DELIVERED, stages.CLOSED])
                   & (RepairOrder.delivered_at >= oldest) & (Customer.consent_contact == True)))  # noqa: E712
    found = {}
    for p in rows:
        order = p.order
        fitted = to_local(order.delivered_at, shop.timezone).date()
        for months, day in check_dates(fitted):
            if day - timedelta(days=lead) <= today <= day:
                check = found.setdefault((order.vehicle.id, day), PartCheck(order.vehicle, order.vehicle.owner, day,
                                                                           months, order))
                check.parts.append(p)
    if not found:
        return []
    made = {(o.vehicle_id, o.due_on) for o in Outreach.for_shop(shop).where(
        (Outreach.kind == Outreach.PART_CHECK) & Outreach.vehicle.in_([v for v, _d in found]))}
    return sorted((c for k, c in found.items() if k not in made), key=lambda c: (c.due_on, c.vehicle.plate))


def remind(shop, vehicle_id, due_on, by, today=None):
    """Turn one claimed-part check into a call task due by its date."""
    today = today or shop_today(shop)
    check = next((c for c in due(shop, today) if c.vehicle.id == vehicle_id and c.due_on == due_on), None)
    if check is None:
        raise Refused(_l('No claimed-part check is due for this car on this date (or its call was made already).'))
    with transaction():
        task = FollowUpTask.create(shop=shop, customer=check.customer, vehicle=check.vehicle,
                                   kind=FollowUpTask.PART_CHECK, due_from=today, due_by=check.due_on,
                                   note=', '.join(p.name for p in check.parts)[:200])
        Outreach.create(shop=shop, kind=Outreach.PART_CHECK, customer=check.customer, vehicle=check.vehicle,
                        due_on=check.due_on, via=Outreach.CALL, task=task, by=by)
        audit.record('recalls.part_check', 'vehicle', check.vehicle.id, shop=shop, actor=by,
                     after={'due_on': check.due_on, 'months': check.months, 'task': task.id,
                            'parts': [p.id for p in check.parts]})
    return task
