"""Maintenance reminders: cars due for a service this week (by the booked date, or by a mileage estimate from the
odometer readings), each turned into a message to the customer or a call task, once per visit."""
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from peewee import fn

from app.aftercare.models import FollowUpTask, Outreach
from app.aftercare.shared import local_day, shop_of
from app.core import audit
from app.core.db import transaction
from app.core.errors import Refused
from app.core.timeutil import shop_today
from app.customers.models import Customer, MileageReading, Vehicle
from app.messages import rules as outbox
from app.reception.files import declined_of
from app.reception.models import RepairOrder

# Not a rulebook number: "this week" is the next seven local days from today.
REMINDER_WINDOW_DAYS = 7


@dataclass
class MaintenanceDue:
    vehicle: object
    customer: object
    due_on: date                 # the booked date, or the day the mileage estimate reaches next_service_km
    by_km: bool                  # found by the mileage estimate rather than the date
    estimated_km: int = None     # estimated odometer today (by_km only)
    declined: list = None        # work declined on earlier visits and not done since: offered again with it


def reminder_window(today):
    """The local days a maintenance reminder looks at: today and the six after it."""
    return today, today + timedelta(days=REMINDER_WINDOW_DAYS - 1)


def mileage_estimate(vehicle, readings, shop):
    """(base_day, base_km, km_per_day) from the odometer readings (or the sale date), or None."""
    points = sorted(((local_day(shop, r.at), r.km) for r in readings), key=lambda p: p[0])
    if points:
        base_day, base_km = points[-1]
    else:
        base_day, base_km = local_day(shop, vehicle.created_at), vehicle.mileage
    first_day, first_km = points[0] if points else (None, None)
    if points and (base_day - first_day).days >= 7 and base_km > first_km:
        rate = (base_km - first_km) / (base_day - first_day).days
    elif vehicle.sale_date and base_km and (base_day - vehicle.sale_date).days > 30:
        rate = base_km / (base_day - vehicle.sale_date).days
    else:
        return None
    return base_day, base_km, rate


def _last_reminded(shop, vehicle_ids):
    rows = (Outreach.for_shop(shop, Outreach.vehicle, fn.MAX(Outreach.at).alias('last'))
            .where((Outreach.kind == Outreach.MAINTENANCE) & Outreach.vehicle.in_(vehicle_ids))
            .group_by(Outreach.vehicle))
    return {r.vehicle_id: r.last for r in rows}


def _last_visits(shop, vehicle_ids):
    rows = (RepairOrder.for_shop(shop, RepairOrder.vehicle, fn.MAX(RepairOrder.checked_in_at).alias('last'))
            .where(RepairOrder.vehicle.in_(vehicle_ids) & RepairOrder.checked_in_at.is_null(False))
            .group_by(RepairOrder.vehicle))
    return {r.vehicle_id: r.last for r in rows}


def maintenance_due(shop, today):
    """Cars due for maintenance this week whose owner agreed to be contacted and who were not yet
    reminded since their last visit: by next_service_date in the window, or by a mileage estimate
    that reaches next_service_km by the window's last day."""
    first, last = reminder_window(today)
    cars = list(Vehicle.for_shop(shop).join(Customer, on=(Vehicle.owner == Customer.id))
                .where((Customer.consent_contact == True)  # noqa: E712
                       & (Vehicle.next_service_date.between(first, last) | Vehicle.next_service_km.is_null(False)))
                .select(Vehicle, Customer))
    if not cars:
        return []
    ids = [c.id for c in cars]
    readings = {}
    for r in MileageReading.select().where(MileageReading.vehicle.in_(ids)):
        readings.setdefault(r.vehicle_id, []).append(r)
    reminded, visits = _last_reminded(shop, ids), _last_visits(shop, ids)
    found = []
    for car in cars:
        last_reminder = reminded.get(car.id)
        if last_reminder is not None and (visits.get(car.id) is None or last_reminder >= visits[car.id]):
            continue
        if car.next_service_date and first <= car.next_service_date <= last:
            found.append(MaintenanceDue(car, car.owner, car.next_service_date, False))
            continue
        if car.next_service_km is None:
            continue
        est = mileage_estimate(car, readings.get(car.id, []), shop)
        if est is None:
            continue
        base_day, base_km, rate = est
        if base_km + rate * (last - base_day).days >= car.next_service_km:
            days = max(0, -(-(car.next_service_km - base_km) // rate))
            due_on = max(first, base_day + timedelta(days=int(days)))
            found.append(MaintenanceDue(car, car.owner, due_on, True,
                                        int(round(base_km + rate * (today - base_day).days))))
    declined = {}
    for r in declined_of([d.vehicle.id for d in found] or [0]):
        declined.setdefault(r.vehicle_id, []).append(r)
    for d in found:
        d.declined = declined.get(d.vehicle.id, [])
    return sorted(found, key=lambda d: (d.due_on, d.vehicle.plate))


def remind_maintenance(vehicle, by, *, via, today=None):
    """Turn a maintenance reminder into a message to the customer or a call task."""
    shop = shop_of(vehicle)
    today = today or shop_today(shop)
    due = next((d for d in maintenance_due(shop, today) if d.vehicle.id == vehicle.id), None)
    if due is None:
        raise Refused(_l('No maintenance reminder is due for this car this week (or it was already sent).'))
    if via not in (Outreach.MESSAGE, Outreach.CALL):
        raise Refused(_l('Choose a message or a call.'))
    with transaction():
        task = None
        if via == Outreach.CALL:
            task = FollowUpTask.create(shop=shop, customer=due.customer, vehicle=vehicle, kind=FollowUpTask.REMINDER,
                                       due_from=today, due_by=max(today, due.due_on))
        Outreach.create(shop=shop, kind=Outreach.MAINTENANCE, customer=due.customer, vehicle=vehicle,
                        due_on=due.due_on, via=via, task=task, by=by)
        audit.record('aftercare.maintenance_reminder', 'vehicle', vehicle.id, shop=shop, actor=by,
                     after={'via': via, 'due_on': due.due_on, 'by_km': due.by_km, 'task': task.id if task else None})
    message = None
    if via == Outreach.MESSAGE:
        # After the commit, as the outbox asks: the message (sent or failed) is on the customer's timeline. The
        # template gets plate, vehicle, due_on (a date), due_km and the work declined earlier (description, price).
        message = outbox.send('maintenance_reminder', customer=due.customer, by=by,
                              context={'plate': vehicle.plate, 'vehicle': '%s %s' % (vehicle.make, vehicle.model),
                                       'due_on': due.due_on, 'due_km': vehicle.next_service_km,
                                       'declined': [(r.description, r.price) for r in due.declined]})
    return task or message

