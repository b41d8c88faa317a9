"""The repair orders' part of a customer's and a vehicle's file (app.registry.file_sections): past and open orders,
work declined on earlier visits, and when the next maintenance is due."""
from dataclasses import dataclass
from datetime import date

import peewee as pw
from peewee import fn

from app.core import stages
from app.core.settings import get_setting
from app.core.timeutil import add_months
from app.customers.models import Vehicle
from app.reception.models import Recommendation, RepairOrder


@dataclass
class NextService:
    """When the next maintenance is due; `estimate` when guessed from the last finished order."""
    date: date | None
    km: int | None
    estimate: bool
    basis: RepairOrder | None = None
    overdue: bool = False


def last_finished_order(vehicle):
    """The vehicle's latest order handed back to the customer (delivered or closed), or None."""
    done_at = fn.COALESCE(RepairOrder.delivered_at, RepairOrder.checked_in_at)
    return (RepairOrder.select()
            .where((RepairOrder.vehicle == vehicle) & RepairOrder.stage.in_([stages.DELIVERED, stages.CLOSED]))
            .order_by(done_at.desc(), RepairOrder.id.desc()).first())


def next_service(vehicle, today):
    """The next maintenance: as set on the vehicle, else last finished order + 6 months / + 5,000 km."""
    if vehicle.next_service_date or vehicle.next_service_km:
        due = NextService(vehicle.next_service_date, vehicle.next_service_km, estimate=False)
    else:
        order = last_finished_order(vehicle)
        if order is None:
            return None
        done = (order.delivered_at or order.checked_in_at or order.created_at).date()
        km = (order.odometer or vehicle.mileage or 0) + get_setting(vehicle.shop, 'service_interval_km')
        due = NextService(add_months(done, get_setting(vehicle.shop, 'service_interval_months')), km,
                          estimate=True, basis=order)
    due.overdue = bool((due.date and due.date <= today) or (due.km and vehicle.mileage >= due.km))
    return due


def vehicle_orders(vehicle):
    """Every repair order of the vehicle, newest first (drafts by when they were started)."""
    return (RepairOrder.select().where(RepairOrder.vehicle == vehicle)
            .order_by(fn.COALESCE(RepairOrder.checked_in_at, RepairOrder.created_at).desc(), RepairOrder.id.desc()))


def customer_orders(customer):
    """Repair orders made for this customer, newest first, with their vehicle."""
    return (RepairOrder.select(RepairOrder, Vehicle)
            .join(Vehicle, pw.JOIN.LEFT_OUTER, on=(RepairOrder.vehicle == Vehicle.id))
            .where(RepairOrder.customer == customer)
            .order_by(fn.COALESCE(RepairOrder.checked_in_at, RepairOrder.created_at).desc(), RepairOrder.id.desc()))


def declined_recommendations(vehicle):
    """Work recommended on earlier visits and not done yet, safety items first."""
    return declined_of([vehicle])


def declined_of(vehicles):
    """The same for several vehicles at once (ids or records), in one query."""
    return (Recommendation.select()
            .where(Recommendation.vehicle.in_(list(vehicles)) & Recommendation.done_order_id.is_null())
            .order_by(Recommendation.safety.desc(), Recommendation.created_at.desc()))


def customer_sections(customer, **_context):
    return [(50, 'reception/_file_orders.html', {'orders': list(customer_orders(customer).limit(100)),
                                                 'by_plate': True})]


def vehicle_sections(vehicle, *, today, **_context):
    interval = (get_setting(vehicle.shop, 'service_interval_months'), get_setting(vehicle.shop, 'service_interval_km'))
    return [(10, 'reception/_file_service.html', {'due': next_service(vehicle, today), 'interval': interval,
                                                  'declined': list(declined_recommendations(vehicle))}),
            (50, 'reception/_file_orders.html', {'orders': list(vehicle_orders(vehicle)), 'by_plate': False})]
