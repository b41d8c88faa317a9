"""Customer-file rules: opening and changing customers and vehicles, and a vehicle changing hands.

Each function is one user action: one transaction with its audit event. They take the shop and
the acting user as arguments (no request globals), so reception check-in and appointments call
them too. Values are normalised here as well as in the forms, so every caller stores the same
forms: E.164 phones, upper-case VINs, plates without separators.
"""
from datetime import date, datetime, time

import peewee as pw
from flask_babel import lazy_gettext as _l

from app.core.errors import Refused
from app.core import audit
from app.core.db import db, transaction, utcnow
from app.core.i18n import LANGUAGE_NAMES
from app.core.validators import (
    normalize_phone,
    normalize_plate,
    normalize_vin,
    phone_problem,
    plate_problem,
    vin_problem,
)
from app.customers.makes import entries_for
from app.customers.models import Customer, MileageReading, Ownership, Vehicle

CUSTOMER_FIELDS = ('kind', 'name', 'phone', 'phone2', 'address', 'language', 'consent_contact', 'wishes', 'note')
VEHICLE_FIELDS = ('vin', 'plate', 'make', 'model', 'year', 'colour', 'sale_date', 'mileage',
                  'next_service_date', 'next_service_km')
KINDS = (Customer.PERSON, Customer.COMPANY)
LANGUAGES = tuple(LANGUAGE_NAMES)


class InvalidFile(Refused):
    """A value a form would have refused; the message says what to fix."""

    def __init__(self, field, message):
        super().__init__(message, field)


class DuplicateVehicle(Refused):
    """The VIN or plate is already on file in this shop: use that vehicle instead of a second one."""

    def __init__(self, vehicle, field):
        super().__init__(_l('This VIN is already on file.') if field == 'vin' else _l('This plate is already on file.'),
                         field)
        self.vehicle = vehicle


def _only(fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError('unknown fields: %s' % ', '.join(sorted(unknown)))
    return dict(fields)


def _clean_customer(fields):
    data = _only(fields, CUSTOMER_FIELDS)
    if 'name' in data:
        data['name'] = (data['name'] or '').strip()
        if not data['name']:
            raise InvalidFile('name', _l('Enter the customer\'s name.'))
    if 'phone' in data:
        problem = phone_problem(data['phone'])
        if problem:
            raise InvalidFile('phone', problem)
        data['phone'] = normalize_phone(data['phone'])
    if 'phone2' in data:
        data['phone2'] = (data['phone2'] or '').strip()
        if data['phone2']:
            problem = phone_problem(data['phone2'])
            if problem:
                raise InvalidFile('phone2', problem)
            data['phone2'] = normalize_phone(data['phone2'])
    if 'kind' in data and data['kind'] not in KINDS:
        raise InvalidFile('kind', _l('Choose person or company.'))
    if 'language' in data and data['language'] not in LANGUAGES:
        raise InvalidFile('language', _l('Choose Chinese or English.'))
    for text in ('note', 'address', 'wishes'):
        if text in data:
            data[text] = (data[text] or '').strip()
    if 'consent_contact' in data:
        data['consent_contact'] = bool(data['consent_contact'])
    return data


def _clean_vehicle(fields):
    data = _only(fields, VEHICLE_FIELDS)
    if 'vin' in data:
        data['vin'] = normalize_vin(data['vin'])
        problem = vin_problem(data['vin'])
        if problem:
            raise InvalidFile('vin', problem)
    if 'plate' in data:
        data['plate'] = normalize_plate(data['plate'])
        problem = plate_problem(data['plate'])
        if problem:
            raise InvalidFile('plate', problem)
    for key in ('make', 'model', 'colour'):
        if key in data:
            data[key] = (data[key] or '').strip()
    if 'mileage' in data:
        data['mileage'] = int(data['mileage'] or 0)
        if data['mileage'] < 0:
            raise InvalidFile('mileage', _l('The odometer cannot show less than 0 km.'))
    return data


def _snapshot(record, keys):
    return {k: getattr(record, k) for k in keys}


# --- customers ------------------------------------------------------------------------

def create_customer(shop, by, **fields):
    """Open a customer file. Fields: kind, name, phone, phone2, address, language, consent_contact, wishes, note."""
    data = _clean_customer(fields)
    for required in ('name', 'phone'):
        if not data.get(required):
            raise InvalidFile(required, _l('Enter the customer\'s name.') if required == 'name'
                              else _l('Enter a phone number.'))
    with transaction():
        customer = Customer.create(shop=shop, **data)
        audit.record('customer.created', 'customer', customer.id, shop=shop, actor=by,
                     after=_snapshot(customer, CUSTOMER_FIELDS))
    return customer


def update_customer(customer, by, **fields):
    """Change a customer's details; the audit event keeps what changed."""
    data = _clean_customer(fields)
    with transaction():
        _change(customer, by, 'customer.updated', data, list(data),
                lambda: data and customer.save(only=[getattr(Customer, k) for k in data]))
    return customer


def _change(record, by, event, data, shown, save):
    """Set `data` on a customer or a vehicle, `save()` it and audit what changed of the `shown` fields.

    Returns the `shown` fields as they were before."""
    before = _snapshot(record, shown)
    for key, value in data.items():
        setattr(record, key, value)
    save()
    old, new = audit.diff(before, _snapshot(record, shown))
    if new:
        audit.record(event, record._meta.table_name, record.id, shop=record.shop_id, actor=by, before=old, after=new)
    return before


# --- vehicles -------------------------------------------------------------------------

def find_duplicate_vehicle(shop, vin, plate, exclude=None):
    """The shop's vehicle that already has this VIN or this plate (VIN first), or None."""
    vin, plate = normalize_vin(vin), normalize_plate(plate)
    same = []
    if vin:
        same.append(Vehicle.vin == vin)
    if plate:
        same.append(Vehicle.plate == plate)
    if not same:
        return None
    cond = same[0] if len(same) == 1 else (same[0] | same[1])
    query = (Vehicle.select(Vehicle, Customer).join(Customer, on=(Vehicle.owner == Customer.id))
             .where((Vehicle.shop == shop) & cond))
    if exclude is not None:
        query = query.where(Vehicle.id != getattr(exclude, 'id', exclude))
    found = list(query.limit(3))
    found.sort(key=lambda v: v.vin != vin)   # a VIN match is the stronger one
    return found[0] if found else None


def duplicate_of(shop, vin, plate, exclude=None):
    """DuplicateVehicle for an existing vehicle with this VIN or plate, or None."""
    existing = find_duplicate_vehicle(shop, vin, plate, exclude=exclude)
    if existing is None:
        return None
    return DuplicateVehicle(existing, 'vin' if existing.vin == normalize_vin(vin) else 'plate')


def _listed(shop, by, data):
    """The make and model as entries of the shop's list (app.customers.makes), their names as the vehicle's text."""
    make, model = entries_for(shop, by, data['make'], data['model'])
    data.update(make=make.name, model=model.name, make_entry=make, model_entry=model)


def _since(sale_date):
    return datetime.combine(sale_date, time()) if isinstance(sale_date, date) else utcnow()


def create_vehicle(shop, by, owner, **fields):
    """Put a vehicle on file for its owner, with its first ownership and odometer reading.

    A VIN or plate already on file raises DuplicateVehicle (carrying that vehicle) instead.
    """
    data = _clean_vehicle(fields)
    for required in ('vin', 'plate', 'make', 'model'):
        if not data.get(required):
            raise InvalidFile(required, _l('This field is required.'))
    if owner.shop_id != getattr(shop, 'id', shop):
        raise ValueError('the owner belongs to another shop')
    with transaction():
        dup = duplicate_of(shop, data['vin'], data['plate'])
        if dup:
            raise dup
        _listed(shop, by, data)
        try:
            with db.atomic():   # a savepoint: a twin created a moment ago by someone else trips the unique index
                vehicle = Vehicle.create(shop=shop, owner=owner, **data)
        except pw.IntegrityError:
            dup = duplicate_of(shop, data['vin'], data['plate'])
            if dup:
                raise dup from None
            raise
        Ownership.create(shop=shop, vehicle=vehicle, customer=owner, since=_since(vehicle.sale_date))
        MileageReading.create(shop=shop, vehicle=vehicle, km=vehicle.mileage)
        audit.record('vehicle.created', 'vehicle', vehicle.id, shop=shop, actor=by,
                     after=dict(_snapshot(vehicle, VEHICLE_FIELDS), owner=owner.id))
    return vehicle


def update_vehicle(vehicle, by, **fields):
    """Change a vehicle's details; a new odometer figure is kept as a reading.

    Changing the VIN or plate to one another vehicle has raises DuplicateVehicle.
    """
    data = _clean_vehicle(fields)
    with transaction():
        dup = duplicate_of(vehicle.shop_id, data.get('vin'), data.get('plate'), exclude=vehicle)
        if dup:
            raise dup
        if data.get('make') or data.get('model'):
            data.setdefault('make', vehicle.make)
            data.setdefault('model', vehicle.model)
            _listed(vehicle.shop_id, by, data)
        def save():
            try:
                with db.atomic():
                    vehicle.save()
            except pw.IntegrityError:
                dup = duplicate_of(vehicle.shop_id, data.get('vin'), data.get('plate'), exclude=vehicle)
                if dup:
                    raise dup from None
                raise

        before = _change(vehicle, by, 'vehicle.updated', data, [k for k in data if k in VEHICLE_FIELDS], save)
        if 'mileage' in data and data['mileage'] != before['mileage']:
            MileageReading.create(shop=vehicle.shop_id, vehicle=vehicle, km=vehicle.mileage)
    return vehicle


def change_owner(vehicle, new_customer, by, at=None):
    """The vehicle changes hands: the open ownership is closed, a new one opened; its history stays.

    Repair orders, readings and recommendations stay on the vehicle; past orders keep the
    customer they were made for.
    """
    if new_customer.shop_id != vehicle.shop_id:
        raise ValueError('the new owner belongs to another shop')
    if new_customer.id == vehicle.owner_id:
        raise InvalidFile('customer', _l('%(name)s already owns this vehicle.', name=new_customer.name))
    now = at or utcnow()
    with transaction():
        old_owner_id = vehicle.owner_id
        open_rows = (Ownership.update(until=now)
                     .where((Ownership.vehicle == vehicle) & Ownership.until.is_null()).execute())
        if not open_rows:
            # A vehicle put on file before ownerships were kept: its first owner's row, closed now.
            Ownership.create(shop=vehicle.shop_id, vehicle=vehicle, customer=old_owner_id,
                             since=_since(vehicle.sale_date) if vehicle.sale_date else vehicle.created_at,
                             until=now)
        ownership = Ownership.create(shop=vehicle.shop_id, vehicle=vehicle, customer=new_customer, since=now)
        vehicle.owner = new_customer
        vehicle.save(only=[Vehicle.owner])
        audit.record('vehicle.owner_changed', 'vehicle', vehicle.id, shop=vehicle.shop_id, actor=by,
                     before={'owner': old_owner_id}, after={'owner': new_customer.id})
    return ownership


# --- reading a vehicle's file ---------------------------------------------------------

def ownership_history(vehicle):
    """Who owned the vehicle when, newest first."""
    return (Ownership.select(Ownership, Customer).join(Customer, on=(Ownership.customer == Customer.id))
            .where(Ownership.vehicle == vehicle).order_by(Ownership.since.desc(), Ownership.id.desc()))


def mileage_history(vehicle):
    return MileageReading.select().where(MileageReading.vehicle == vehicle).order_by(
        MileageReading.at.desc(), MileageReading.id.desc())


def former_vehicles(customer):
    """Vehicles this customer owned once and has since passed on."""
    return (Vehicle.select(Vehicle, Ownership.until.alias('until'))
            .join(Ownership, on=(Ownership.vehicle == Vehicle.id))
            .where((Ownership.customer == customer) & Ownership.until.is_null(False)
                   & (Vehicle.owner != customer))
            .order_by(Ownership.until.desc()).objects())
