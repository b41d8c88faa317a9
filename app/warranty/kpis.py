"""The warranty clerk's two KPIs, counted exactly (a Rate of two whole numbers).

- First-maintenance return rate: vehicles sold in [since, until] (sale date) whose first maintenance (an
  order with a catalogue job of category 'maintenance') was done here within the window: from the sale
  date up to FIRST_MAINTENANCE_MONTHS (9) months after it, and at no more than FIRST_MAINTENANCE_KM
  (7,500) km. A vehicle counts once its result is known: it returned, or its window is over (the date has
  passed, or its last known odometer is beyond the distance). Vehicles still inside the window and not
  yet back are left out of both numerator and denominator.
- First-time claim approval rate: claims whose first submission got the maker's answer in [since, until),
  approved at the first submission ÷ all of them.
"""
from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from app.core.db import utcnow
from app.core.timeutil import add_months, to_utc
from app.customers.models import Vehicle
from app.reception.models import RepairOrder
from app.warranty.eligibility import NOT_A_REPAIR, limits, local_day
from app.warranty.models import Claim


@dataclass(frozen=True)
class Rate:
    """numerator / denominator, exactly; `value` is a Fraction (None when nothing was counted)."""
    numerator: int
    denominator: int

    @property
    def value(self):
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def percent(self):
        """For display: percent to one decimal place."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator * 100) / Decimal(self.denominator)).quantize(Decimal('0.1'), ROUND_HALF_UP)

    def meets(self, target):
        return self.denominator > 0 and self.value >= Fraction(target)


def _bound(shop, value):
    """A date bound is the start of that local day, as naive UTC; a datetime is taken as naive UTC."""
    if value is None or isinstance(value, datetime):
        return value
    return to_utc(datetime.combine(value, time()), shop.timezone)


def first_time_approval_rate(shop, since=None, until=None):
    """Claims approved at their first submission ÷ claims whose first submission was answered, in [since, until)."""
    query = Claim.for_shop(shop).where(Claim.first_result != '')
    if since is not None:
        query = query.where(Claim.first_decided_at >= _bound(shop, since))
    if until is not None:
        query = query.where(Claim.first_decided_at < _bound(shop, until))
    decided = query.count()
    approved = query.where(Claim.first_result == Claim.APPROVED).count()
    return Rate(approved, decided)


# --- first maintenance ---------------------------------------------------------------------------------

@dataclass
class FirstMaintenance:
    returned: list      # (vehicle, order)
    missed: list        # vehicles whose window is over without a maintenance here
    pending: list       # vehicles still inside their window

    @property
    def rate(self):
        return Rate(len(self.returned), len(self.returned) + len(self.missed))


def first_maintenance_window(vehicle, shop, lim=None):
    """(last day, km limit) of a vehicle's first-maintenance window, which opens on the sale date."""
    lim = lim or limits(shop)
    return add_months(vehicle.sale_date, lim.first_maintenance_months), lim.first_maintenance_km


def first_maintenance_cohort(shop, since, until, today=None):
    """Vehicles sold in [since, until] (both days included), split into returned / missed / pending: rows with the
    car's id, plate, sale_date and mileage (and the returned ones' order: id, vehicle_id, checked_in_at, odometer)."""
    today = today or local_day(shop, utcnow())
    # narrow rows, as named tuples, not models: a year's cohort is hundreds of cars with their orders, and only
    # these columns are counted or shown
    cohort = list(Vehicle.for_shop(shop, Vehicle.id, Vehicle.plate, Vehicle.sale_date, Vehicle.mileage)
                  .where(Vehicle.sale_date.between(since, until)).order_by(Vehicle.sale_date).namedtuples())
    maintenance_orders = {}
    if cohort:
        rows = (RepairOrder.select(RepairOrder.id, RepairOrder.vehicle.alias('vehicle_id'), RepairOrder.checked_in_at,
                                   RepairOrder.odometer)
                .where((RepairOrder.vehicle.in_([v.id for v in cohort])) & RepairOrder.maintenance_where()
                       & RepairOrder.stage.not_in(list(NOT_A_REPAIR)) & RepairOrder.checked_in_at.is_null(False))
                .order_by(RepairOrder.checked_in_at).namedtuples())
        for order in rows:
            maintenance_orders.setdefault(order.vehicle_id, []).append(order)
    result = FirstMaintenance([], [], [])
    lim = limits(shop)   # read the settings once, not once per car
    for car in cohort:
        last_day, km = first_maintenance_window(car, shop, lim)
        done = next((o for o in maintenance_orders.get(car.id, [])
                     if car.sale_date <= local_day(shop, o.checked_in_at) <= last_day and (o.odometer or 0) <= km),
                    None)
        if done is not None:
            result.returned.append((car, done))
        elif today > last_day or (car.mileage or 0) > km:
            result.missed.append(car)
        else:
            result.pending.append(car)
    return result


def first_maintenance_return_rate(shop, since, until, today=None):
    """Vehicles sold in [since, until] back here for their first maintenance within the window ÷ those whose
    result is known (see the module's counting rules). Exact: a Rate of two whole numbers."""
    return first_maintenance_cohort(shop, since, until, today).rate
