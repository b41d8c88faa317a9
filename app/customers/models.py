"""Customer files and their vehicles: who owned a car when, and what its odometer read."""
import peewee as pw

from app.core.db import ShopScoped, utcnow
from app.core.models import Shop
from app.core.validators import plate_search_key

MIN_PLATE_PART = 3      # characters of a plate part worth a search (two would list half the cars)


def phone_tail(phone):
    """The last 4 digits of a number, as a customer says them."""
    digits = ''.join(c for c in (phone or '') if c.isdigit())
    return digits[-4:]


def plate_parts(plate_key):
    """Every ending of the plate's search key that does not start at its first character (those are
    the key itself) and is long enough to search: B D 3 5 7 3 7 -> D35737, 35737, 5737, 737."""
    return [plate_key[i:] for i in range(1, len(plate_key) - MIN_PLATE_PART + 1)]


class Customer(ShopScoped):
    PERSON, COMPANY = 'person', 'company'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    kind = pw.CharField(max_length=10, default=PERSON)
    name = pw.CharField(max_length=100, index=True)
    phone = pw.CharField(max_length=20, index=True)       # E.164
    phone_tail = pw.CharField(max_length=4, default='', index=True)   # its last 4 digits: "the last four of my number"
    phone2 = pw.CharField(max_length=20, default='')
    language = pw.CharField(max_length=5, default='zh')
    consent_contact = pw.BooleanField(default=True)
    address = pw.CharField(max_length=200, default='')   # 客户档案: name, address, phone… (001)
    wishes = pw.TextField(default='')                    # 客户希望得到的服务: the service the customer hopes for (001)
    note = pw.TextField(default='')
    created_at = pw.DateTimeField(default=utcnow)

    def save(self, *args, **kwargs):
        self.phone_tail = phone_tail(self.phone)
        return super().save(*args, **kwargs)

    def __str__(self):
        return self.name


class VehicleMake(ShopScoped):
    """A make on the shop's list (丰田); other spellings people type (Toyota, 一汽丰田) are its aliases."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    name = pw.CharField(max_length=40)
    aliases = pw.CharField(max_length=200, default='')    # comma-separated
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((('shop', 'name'), True),)

    def __str__(self):
        return self.name


class VehicleModel(ShopScoped):
    """A model of a make on the shop's list (凯美瑞, alias Camry)."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    make = pw.ForeignKeyField(VehicleMake, backref='models', on_delete='CASCADE')
    name = pw.CharField(max_length=60)
    aliases = pw.CharField(max_length=200, default='')    # comma-separated
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((('make', 'name'), True),)

    def __str__(self):
        return self.name


class Vehicle(ShopScoped):
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    owner = pw.ForeignKeyField(Customer, backref='vehicles', on_delete='RESTRICT')
    vin = pw.CharField(max_length=17)
    vin_tail = pw.CharField(max_length=6, index=True)     # last 6 of the VIN, what people read off the windscreen
    plate = pw.CharField(max_length=10)
    plate_key = pw.CharField(max_length=10, index=True)   # plate without the province character, for search
    make = pw.CharField(max_length=40)                    # the list entry's name (app.customers.makes keeps it so)
    model = pw.CharField(max_length=60)
    make_entry = pw.ForeignKeyField(VehicleMake, null=True, on_delete='SET NULL')   # what reports group by
    model_entry = pw.ForeignKeyField(VehicleModel, null=True, on_delete='SET NULL')
    year = pw.IntegerField(null=True)
    colour = pw.CharField(max_length=30, default='')
    sale_date = pw.DateField(null=True)
    mileage = pw.IntegerField(default=0)
    next_service_date = pw.DateField(null=True)
    next_service_km = pw.IntegerField(null=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((('shop', 'vin'), True), (('shop', 'plate'), False))

    def save(self, *args, **kwargs):
        before = self.plate_key
        self.plate_key = plate_search_key(self.plate)
        self.vin_tail = (self.vin or '')[-6:]
        created = self.id is None
        done = super().save(*args, **kwargs)
        if created or before != self.plate_key:
            PlatePart.refresh(self)
        return done

    @property
    def label(self):
        return '%s %s %s' % (self.plate, self.make, self.model)


class Ownership(ShopScoped):
    """Who owned a vehicle when: a car changes hands and keeps its history."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    vehicle = pw.ForeignKeyField(Vehicle, backref='ownerships', on_delete='CASCADE')
    customer = pw.ForeignKeyField(Customer, on_delete='RESTRICT')
    since = pw.DateTimeField(default=utcnow)
    until = pw.DateTimeField(null=True)


class MileageReading(ShopScoped):
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    vehicle = pw.ForeignKeyField(Vehicle, backref='mileage_readings', on_delete='CASCADE')
    km = pw.IntegerField()
    at = pw.DateTimeField(default=utcnow)
    order_id = pw.IntegerField(null=True)                 # the order it was read at, if any


class PlatePart(ShopScoped):
    """The endings of a vehicle's plate, so a part of it from the middle or the end ("5737" of 粤BD35737) is
    found with an index: a part of the plate is the start of one of its endings. Kept by Vehicle.save."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    vehicle = pw.ForeignKeyField(Vehicle, backref='plate_parts', on_delete='CASCADE')
    part = pw.CharField(max_length=10)

    class Meta:
        indexes = ((('shop', 'part'), False),)

    @staticmethod
    def rows(shop_id, vehicle_id, plate_key):
        """The rows of one vehicle, for insert_many (bulk loads that bypass Vehicle.save call it too)."""
        return [dict(shop=shop_id, vehicle=vehicle_id, part=p) for p in plate_parts(plate_key)]

    @classmethod
    def refresh(cls, vehicle):
        cls.delete().where(cls.vehicle == vehicle.id).execute()
        rows = cls.rows(vehicle.shop_id, vehicle.id, vehicle.plate_key)
        if rows:
            cls.insert_many(rows).execute()
