"""Read-only lookups the appointment pages need: finding a customer's car to book, and a record's history."""
from dataclasses import dataclass

import peewee as pw

from app.core.models import Event
from app.core.validators import format_phone, plate_search_key
from app.customers.models import Customer, Vehicle

PICK_LIMIT = 12


@dataclass
class Pick:
    """A customer with one of their vehicles (or none on file): what a booking is for."""
    customer: Customer
    vehicle: Vehicle = None

    @property
    def phone(self):
        return format_phone(self.customer.phone)

    @property
    def value(self):
        return '%d:%s' % (self.customer.id, self.vehicle.id if self.vehicle else '')


def find_picks(shop, q, limit=PICK_LIMIT):
    """Customers and vehicles of the shop matching a plate (with or without province), phone, VIN tail or name."""
    q = (q or '').strip()
    if not q:
        return []
    key = plate_search_key(q)
    digits = ''.join(c for c in q if c.isdigit())
    vehicle_match = pw.SQL('0 = 1')
    if key:
        vehicle_match = Vehicle.plate_key.contains(key)
    if len(q) >= 4:
        vehicle_match |= Vehicle.vin_tail.startswith(q.upper())
    customer_match = Customer.name.contains(q)
    if len(digits) >= 3:
        customer_match |= Customer.phone.contains(digits)

    picks, seen = [], set()

    def add(customer, vehicle):
        pick = Pick(customer, vehicle)
        if pick.value not in seen and len(picks) < limit:
            seen.add(pick.value)
            picks.append(pick)

    cars = (Vehicle.for_shop(shop).select(Vehicle, Customer).join(Customer)
            .where(vehicle_match).order_by(Vehicle.plate).limit(limit))
    for car in cars:
        add(car.owner, car)
    people = Customer.for_shop(shop).where(customer_match).order_by(Customer.name).limit(limit)
    for person in people:
        for car in person.vehicles.order_by(Vehicle.plate):
            add(person, car)
        add(person, None)   # a car not on file yet: registered at check-in
    return picks


def pick_for(shop, customer_id, vehicle_id):
    """The customer and vehicle of a pick, both of this shop and the vehicle the customer's; else None."""
    customer = Customer.get_or_none((Customer.id == customer_id) & (Customer.shop == shop))
    if customer is None:
        return None
    vehicle = None
    if vehicle_id is not None:
        vehicle = Vehicle.get_or_none((Vehicle.id == vehicle_id) & (Vehicle.shop == shop)
                                      & (Vehicle.owner == customer))
        if vehicle is None:
            return None
    return Pick(customer, vehicle)


def history(appt):
    """The appointment's audit events, oldest first."""
    return list(Event.for_record('appointment', appt.id).where(Event.shop == appt.shop_id).order_by(Event.at, Event.id))
