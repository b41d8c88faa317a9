"""Core records every area shares: shops, their settings, the audit trail, photos and signatures."""
import json
import secrets
from decimal import Decimal

import peewee as pw

from app.core.db import BaseModel, ShopScoped, utcnow
from app.core.money import hours_text, money


class Shop(BaseModel):
    code = pw.CharField(max_length=20, unique=True)
    name = pw.CharField(max_length=100)
    name_en = pw.CharField(max_length=100, default='')
    phone = pw.CharField(max_length=30, default='')
    address = pw.CharField(max_length=200, default='')
    timezone = pw.CharField(max_length=50, default='Asia/Shanghai')
    opening_hours = pw.CharField(max_length=100, default='08:30-18:00')
    created_at = pw.DateTimeField(default=utcnow)

    def display_name(self, locale='zh'):
        return self.name_en if (locale == 'en' and self.name_en) else self.name

    def __str__(self):
        return self.name


class Setting(ShopScoped):
    """A shop's own value for one of the rulebook numbers in app.core.settings.DEFAULTS."""
    shop = pw.ForeignKeyField(Shop, on_delete='CASCADE')
    key = pw.CharField(max_length=80)
    value = pw.TextField()

    class Meta:
        indexes = ((('shop', 'key'), True),)


class AuditWriteError(Exception):
    pass


class Event(ShopScoped):
    """One append-only audit event: who did what, when (UTC), to which record, before and after.

    Rows are only ever inserted (app.core.audit.record); the database refuses
    UPDATE and DELETE on this table with triggers (see migrations).
    """
    shop = pw.ForeignKeyField(Shop, null=True, on_delete='RESTRICT')
    at = pw.DateTimeField(default=utcnow, index=True)
    actor = pw.IntegerField(null=True)       # user id; kept as a plain id so a user row never blocks history
    actor_name = pw.CharField(max_length=100, default='')
    action = pw.CharField(max_length=60, index=True)
    record_type = pw.CharField(max_length=40)
    record_id = pw.IntegerField(null=True)
    before = pw.TextField(null=True)
    after = pw.TextField(null=True)
    note = pw.TextField(default='')

    class Meta:
        # (…, id): the newest event of a record, which the status page and the job card read as their version, is
        # the last entry of this index, with no table rows read
        indexes = ((('record_type', 'record_id', 'at'), False), (('record_type', 'record_id', 'id'), False))

    def save(self, *args, **kwargs):
        if self.id is not None and not kwargs.get('force_insert'):
            raise AuditWriteError('audit events are append-only')
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise AuditWriteError('audit events are append-only')

    @property
    def before_data(self):
        return json.loads(self.before) if self.before else None

    @property
    def after_data(self):
        return json.loads(self.after) if self.after else None

    @classmethod
    def for_record(cls, record_type, record_id):
        return cls.select().where((cls.record_type == record_type) & (cls.record_id == record_id))


class Counter(ShopScoped):
    """Gap-free numbers per shop and year (repair orders RO-2026-000123)."""
    shop = pw.ForeignKeyField(Shop, on_delete='CASCADE')
    name = pw.CharField(max_length=30)
    year = pw.IntegerField()
    last = pw.IntegerField(default=0)

    class Meta:
        indexes = ((('shop', 'name', 'year'), True),)

    @classmethod
    def next(cls, shop, name, year):
        """Take the next number. Call inside the transaction that uses it: a rollback gives it back."""
        cls.insert(shop=shop, name=name, year=year, last=0).on_conflict_ignore().execute()
        # The row lock taken by this UPDATE serialises concurrent callers until commit.
        (cls.update(last=cls.last + 1)
         .where((cls.shop == shop) & (cls.name == name) & (cls.year == year)).execute())
        return cls.get((cls.shop == shop) & (cls.name == name) & (cls.year == year)).last


class IdempotencyKey(BaseModel):
    """A submitted action's key: a repeat (double tap, retry on flaky Wi-Fi) is answered, not done twice."""
    key = pw.CharField(max_length=64)
    user_id = pw.IntegerField()
    endpoint = pw.CharField(max_length=80)
    created_at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((('user_id', 'key'), True),)


def new_token():
    """A random URL token (128 bits) for QR labels: never a sequential id."""
    return secrets.token_urlsafe(16)


class Photo(ShopScoped):
    """An uploaded photo, re-encoded and stripped, stored under the instance folder with a generated name."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    record_type = pw.CharField(max_length=30)
    record_id = pw.IntegerField()
    filename = pw.CharField(max_length=80, unique=True)
    width = pw.IntegerField()
    height = pw.IntegerField()
    uploaded_by = pw.IntegerField(null=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((('record_type', 'record_id'), False),)

    @classmethod
    def of(cls, record_type, record_id):
        return cls.select().where((cls.record_type == record_type) & (cls.record_id == record_id)).order_by(cls.id)


class PartLine(ShopScoped):
    """A part priced for the customer before the work (an appointment's, an added work's): a base, no table."""
    ABSTRACT = True
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    part_number = pw.CharField(max_length=40, default='')
    name = pw.CharField(max_length=100)
    quantity = pw.DecimalField(max_digits=8, decimal_places=2, default=Decimal('1'))
    unit_price = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))

    @property
    def quantity_text(self):
        return hours_text(self.quantity)

    @property
    def total(self):
        return money(Decimal(self.quantity) * Decimal(self.unit_price))


class Signature(ShopScoped):
    """A customer's signature on the tablet, kept as an image with the time."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    # deferred: the order is a reception model, and core imports no area
    order = pw.DeferredForeignKey('RepairOrder', backref='signatures', on_delete='CASCADE')
    purpose = pw.CharField(max_length=20)                   # repair_order, settlement, delivery
    filename = pw.CharField(max_length=80)
    signer = pw.CharField(max_length=100, default='')
    signed_at = pw.DateTimeField(default=utcnow)
