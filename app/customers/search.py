"""Finding a customer file from one search box: plate (or any part of it), phone (or its last 4),
VIN or its last 6, or name.

search() runs a fixed handful of indexed queries (never one per match), so it answers
in a few milliseconds with tens of thousands of customers, and ranks exact plate, VIN
and phone matches first. A part of a plate from its middle or end has its own index
(PlatePart: the endings of every plate), and so has a phone's last 4 (Customer.phone_tail).
Other areas (reception check-in, appointments) import it.

Prefix matches are written as ranges (`col >= 'B12' AND col < 'B13'`), not LIKE: a
range uses a plain b-tree index on SQLite and on PostgreSQL whatever the collation,
where `LIKE 'B12%'` needs special indexes on both.
"""
import re
from dataclasses import dataclass

from peewee import fn

from app.core.validators import (PROVINCES, VIN_CHARS, normalize_phone, normalize_plate, normalize_vin,
                                 phone_problem, plate_search_key)
from app.customers.models import Customer, PlatePart, Vehicle

# The rule functions live in rules.py; re-exported so callers can take everything from here.
from app.customers.rules import (DuplicateVehicle, change_owner, create_customer, create_vehicle,  # noqa: F401
                                 find_duplicate_vehicle, update_customer, update_vehicle)

# Ranks: lower comes first.
EXACT, VIN_TAIL, PLATE_PREFIX, PHONE_PREFIX, PLATE_PART, PHONE_TAIL, NAME_PREFIX, NAME_CONTAINS = range(8)

_PLATE_FRAGMENT = re.compile(r'^[A-Z][0-9A-Z]{0,5}[0-9A-Z学警挂港澳]?$')
_PHONE_TYPED = re.compile(r'^\+?[\d\s\-().]+$')
_PLATE_PART = re.compile(r'^[0-9A-Z]{3,7}$')
MIN_PHONE_DIGITS = 3
PHONE_TAIL_DIGITS = 4       # what people give as "the last four of my number"
MAX_QUERY = 100


@dataclass
class Match:
    """One result row: a vehicle with its owner, or a customer who has no vehicle on file."""
    customer: Customer
    vehicle: Vehicle | None
    kind: str          # what matched: plate, vin, vin_tail, phone, name
    rank: int
    seq: int = 0       # order within a rank, as the database returned it

    @property
    def exact(self):
        return self.rank == EXACT


def _successor(prefix):
    """The smallest string greater than every string starting with prefix (last character + 1)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _starts_with(field, prefix):
    return (field >= prefix) & (field < _successor(prefix))


def _in_shop(model, shop):
    """The shop condition written so SQLite does not pick the shop_id index.

    Without ANALYZE statistics SQLite prefers `shop_id = ?` (an equality) over the far more
    selective range on the searched column, and would walk every row of the shop. `+ 0`
    keeps the shop index out of the plan; the search index does the work on both databases.
    """
    return (model.shop + 0) == getattr(shop, 'id', shop)


def phone_prefixes(q):
    """(E.164 prefix, full E.164 number or None) for a phone typed in any format, else None."""
    if not _PHONE_TYPED.match(q):
        return None
    digits = re.sub(r'\D', '', q)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    full = normalize_phone(q) if phone_problem(q) is None else None
    if q.startswith('+'):
        prefix = '+' + digits
    elif digits.startswith('00'):
        prefix = '+' + digits[2:]                     # 0086 138…: international call prefix
    elif digits.startswith('86') and len(digits) == 13:
        prefix = '+' + digits                         # 86138…, pasted without its +
    elif digits.startswith('0'):
        prefix = '+86' + digits[1:]                   # 020 …: landline with its trunk 0
    else:
        prefix = '+86' + digits
    if len(prefix) < 2:
        return None
    return prefix, full


def _plate_query(shop, q, limit):
    """Vehicles whose plate starts with what was typed, with or without the province character."""
    key = plate_search_key(q)
    if not key or not _PLATE_FRAGMENT.match(key):
        return []
    plate = normalize_plate(q)
    base = Vehicle.select(Vehicle, Customer).join(Customer, on=(Vehicle.owner == Customer.id))
    if plate[:1] in PROVINCES:
        # With the province: the (shop, plate) index.
        rows = base.where((Vehicle.shop == shop) & _starts_with(Vehicle.plate, plate)).order_by(Vehicle.plate)
        exact = lambda v: v.plate == plate  # noqa: E731
    else:
        rows = base.where(_in_shop(Vehicle, shop) & _starts_with(Vehicle.plate_key, key)).order_by(Vehicle.plate_key)
        exact = lambda v: v.plate_key == key and len(key) >= 6  # noqa: E731
    return [(v, 'plate', EXACT if exact(v) else PLATE_PREFIX) for v in rows.limit(limit)]


def _plate_part_query(shop, q, limit):
    """Vehicles with what was typed in the middle or at the end of their plate ("5737" finds 粤BD35737):
    people read the digits off the car, not the city letter. A part of a plate is the start of one of its
    endings (PlatePart), so this is a range on an index, like the plate's own start."""
    key = plate_search_key(q)
    if normalize_plate(q)[:1] in PROVINCES or not _PLATE_PART.match(key):
        return []
    rows = (Vehicle.select(Vehicle, Customer).join(Customer, on=(Vehicle.owner == Customer.id))
            .switch(Vehicle).join(PlatePart, on=(PlatePart.vehicle == Vehicle.id))
            .where((PlatePart.shop == shop) & _starts_with(PlatePart.part, key)).order_by(PlatePart.part))
    return [(v, 'plate', PLATE_PART) for v in rows.limit(limit)]


def _vin_query(shop, q, limit):
    vin = normalize_vin(q)
    if not set(vin) <= VIN_CHARS:
        return []
    base = Vehicle.select(Vehicle, Customer).join(Customer, on=(Vehicle.owner == Customer.id))
    if len(vin) == 17:
        return [(v, 'vin', EXACT) for v in base.where((Vehicle.shop == shop) & (Vehicle.vin == vin)).limit(1)]
    if len(vin) == 6:
        rows = base.where(_in_shop(Vehicle, shop) & (Vehicle.vin_tail == vin)).order_by(Vehicle.plate)
        return [(v, 'vin_tail', VIN_TAIL) for v in rows.limit(limit)]
    return []


def _customer_queries(shop, q, limit, want_contains):
    """Customers by phone (prefix of the number, or the full number) and by name (prefix, then contains).

    Each is its own small indexed query; at most four, however many customers match.
    """
    has_vehicle = fn.EXISTS(Vehicle.select(Vehicle.id).where(Vehicle.owner == Customer.id)).alias('has_vehicle')
    base = Customer.select(Customer, has_vehicle)
    queries = []
    full = None
    phone = phone_prefixes(q)
    if phone:
        prefix, full = phone
        # The whole number is a prefix of itself: it comes first (a range keeps the index).
        queries.append(('phone', PHONE_PREFIX, base.where(
            _in_shop(Customer, shop) & _starts_with(Customer.phone, prefix)).order_by(Customer.phone)))
    if not re.fullmatch(r'[\d\s\-+().]*', q):
        for variant in dict.fromkeys([q, q[:1].upper() + q[1:]]):
            queries.append(('name', NAME_PREFIX, base.where(
                _in_shop(Customer, shop) & _starts_with(Customer.name, variant)).order_by(Customer.name)))
        if want_contains and _wants_contains(q):
            # Part of a name ("鹏程" in a company's name) needs a scan of the shop's customers: last, and capped.
            queries.append(('name', NAME_CONTAINS, base.where(
                (Customer.shop == shop) & Customer.name.contains(q)).order_by(Customer.name)))
    digits = re.sub(r'[\s\-().]', '', q)
    if len(digits) == PHONE_TAIL_DIGITS and digits.isdigit():
        # the last four of the number ("the last four of my phone"): its own index
        queries.append(('phone', PHONE_TAIL, base.where(
            _in_shop(Customer, shop) & (Customer.phone_tail == digits)).order_by(Customer.phone)))
    for kind, rank, query in queries:
        for customer in query.limit(limit):
            if kind == 'phone' and customer.phone == full:
                yield customer, kind, EXACT
            else:
                yield customer, kind, rank


def _wants_contains(q):
    """Only Chinese text is looked for inside names: latin letters and digits are plates, VINs and
    phones, and a scan for them would cost time on every keystroke for nothing."""
    if q.isascii():
        return False
    plate = normalize_plate(q)
    return not (plate[:1] in PROVINCES and _PLATE_FRAGMENT.match(plate[1:] or '-'))


def search(shop, q, limit=20):
    """Vehicles (with their owner) and vehicle-less customers of `shop` matching q, best first.

    q may be a plate with or without its province (粤B12345, B123, b 12) or any part of it (5737), a phone
    in any format (138 1234, +86 138-1234-5678, 020 1234 5678) or its last 4, a VIN or its last 6, or a
    name (prefix, then part of it). At most `limit` matches; the number of queries does not depend on how many match.
    """
    q = (q or '').strip()[:MAX_QUERY]
    if not q or limit < 1:
        return []
    rows = {}

    def add(customer, vehicle, kind, rank):
        key = ('v', vehicle.id) if vehicle is not None else ('c', customer.id)
        if key not in rows or rank < rows[key].rank:
            rows[key] = Match(customer=customer, vehicle=vehicle, kind=kind, rank=rank, seq=len(rows))

    for vehicle, kind, rank in (_plate_query(shop, q, limit) + _vin_query(shop, q, limit)
                                + _plate_part_query(shop, q, limit)):
        add(vehicle.owner, vehicle, kind, rank)

    want_contains = len(q) >= 2 and len(rows) < limit
    customers = {}
    for customer, kind, rank in _customer_queries(shop, q, limit, want_contains):
        if customer.id not in customers or rank < customers[customer.id][2]:
            customers[customer.id] = (customer, kind, rank)
    if customers:
        chosen = sorted(customers.values(), key=lambda c: c[2])[:limit]
        owners = [c.id for c, _k, _r in chosen if c.has_vehicle]
        cars = {}
        if owners:
            # Their vehicles in one query (capped: a fleet owner must not load 500 cars).
            for vehicle in (Vehicle.select().where(Vehicle.owner.in_(owners))
                            .order_by(Vehicle.owner, Vehicle.plate).limit(limit * 3)):
                cars.setdefault(vehicle.owner_id, []).append(vehicle)
        for customer, kind, rank in chosen:
            if customer.id not in cars:
                add(customer, None, kind, rank)   # no vehicle on file (or beyond the cap: open the file)
            for vehicle in cars.get(customer.id, ()):
                vehicle.owner = customer
                add(customer, vehicle, kind, rank)
    return sorted(rows.values(), key=lambda m: (m.rank, m.seq))[:limit]


def find_customers(shop, q, limit=20):
    """Distinct customers matching q, best first (choosing a new owner, picking a customer at check-in)."""
    seen, out = set(), []
    for m in search(shop, q, limit=limit * 2):
        if m.customer.id not in seen:
            seen.add(m.customer.id)
            out.append(m.customer)
    return out[:limit]
