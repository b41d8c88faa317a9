"""Customer files, vehicles and repair orders."""
from decimal import Decimal

import peewee as pw

from app.accounts.models import User
from app.core import audit, stages
from app.core.db import ShopScoped, utcnow
from app.core.models import Counter, Shop
from app.core.money import money
from app.core.validators import plate_search_key


class Customer(ShopScoped):
    PERSON, COMPANY = 'person', 'company'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    kind = pw.CharField(max_length=10, default=PERSON)
    name = pw.CharField(max_length=100, index=True)
    phone = pw.CharField(max_length=20, index=True)       # E.164
    phone2 = pw.CharField(max_length=20, default='')
    language = pw.CharField(max_length=5, default='zh')
    consent_contact = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)

    def __str__(self):
        return self.name


class Vehicle(ShopScoped):
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    owner = pw.ForeignKeyField(Customer, backref='vehicles', on_delete='RESTRICT')
    vin = pw.CharField(max_length=17)
    plate = pw.CharField(max_length=10)
    plate_key = pw.CharField(max_length=10, index=True)   # plate without the province character, for search
    make = pw.CharField(max_length=40)
    model = pw.CharField(max_length=60)
    year = pw.IntegerField(null=True)
    colour = pw.CharField(max_length=30, default='')
    sale_date = pw.DateField(null=True)
    mileage = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((('shop', 'vin'), True), (('shop', 'plate'), False))

    def save(self, *args, **kwargs):
        self.plate_key = plate_search_key(self.plate)
        return super().save(*args, **kwargs)

    @property
    def label(self):
        return '%s %s %s' % (self.plate, self.make, self.model)


class RepairOrder(ShopScoped):
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    number = pw.CharField(max_length=20)
    customer = pw.ForeignKeyField(Customer, on_delete='RESTRICT')
    vehicle = pw.ForeignKeyField(Vehicle, backref='orders', on_delete='RESTRICT')
    advisor = pw.ForeignKeyField(User, null=True, on_delete='SET NULL')
    stage = pw.CharField(max_length=20, default=stages.CHECKED_IN, index=True)
    version = pw.IntegerField(default=1)                  # bumped by every change: stale writes are refused
    complaint = pw.TextField(default='')                  # in the customer's words
    odometer = pw.IntegerField(default=0)
    fuel_eighths = pw.IntegerField(default=4)
    checked_in_at = pw.DateTimeField(default=utcnow)
    promised_at = pw.DateTimeField(null=True)
    delivered_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((('shop', 'number'), True),)

    @classmethod
    def open_orders(cls, shop):
        return cls.for_shop(shop).where(cls.stage.in_(list(stages.OPEN)))

    @classmethod
    def create_numbered(cls, *, shop, by, **fields):
        """A new order with the shop's next gap-free number. Call inside the action's transaction."""
        at = fields.get('checked_in_at') or utcnow()
        seq = Counter.next(shop, 'repair_order', at.year)
        order = cls.create(shop=shop, number='RO-%d-%06d' % (at.year, seq), **fields)
        audit.record('order.created', 'repair_order', order.id, shop=shop, actor=by,
                     after={'number': order.number, 'stage': order.stage})
        return order

    @property
    def stage_label(self):
        return stages.LABELS[self.stage]

    def totals(self):
        labour = money(sum((line.labour_price for line in self.lines), Decimal(0)))
        return {'labour': labour, 'hours': sum((line.labour_hours for line in self.lines), Decimal(0))}


class OrderLine(ShopScoped):
    PENDING, ACTIVE, DONE = 'pending', 'active', 'done'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='lines', on_delete='CASCADE')
    description = pw.CharField(max_length=200)
    labour_hours = pw.DecimalField(max_digits=8, decimal_places=2, default=Decimal('0'))
    labour_price = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    technician = pw.ForeignKeyField(User, null=True, on_delete='SET NULL')
    status = pw.CharField(max_length=12, default=PENDING)
    version = pw.IntegerField(default=1)
