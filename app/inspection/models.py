"""The vehicle health check of a repair order: a header per order, a row per item that is not plain green."""
import peewee as pw

from app.accounts.models import User
from app.core.db import ShopScoped, utcnow
from app.core.models import Shop
from app.reception.models import RepairOrder
from app.workshop.models import AddedWork


class HealthCheck(ShopScoped):
    """The check of one order (检测诊断单): every item of its kind is green unless a HealthItem says otherwise."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='health_checks', unique=True, on_delete='CASCADE')
    groups = pw.CharField(max_length=120)                  # the groups checked, comma-separated (app.inspection.checks)
    technician = pw.ForeignKeyField(User, on_delete='RESTRICT')
    started_at = pw.DateTimeField(default=utcnow)
    finished_at = pw.DateTimeField(null=True)              # "the rest is green": the report may be printed
    version = pw.IntegerField(default=1)


class HealthItem(ShopScoped):
    """One item recorded as an exception (amber, red) or green with a measurement; amber and red carry their
    recommendation: added work priced from the catalogue, put to the customer by the advisor."""
    GREEN, AMBER, RED = 'green', 'amber', 'red'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    check = pw.ForeignKeyField(HealthCheck, backref='items', on_delete='CASCADE')
    key = pw.CharField(max_length=30)
    colour = pw.CharField(max_length=8)
    measurement = pw.CharField(max_length=40, default='')
    note = pw.CharField(max_length=200, default='')
    added_work = pw.ForeignKeyField(AddedWork, null=True, on_delete='SET NULL')
    recorded_by = pw.ForeignKeyField(User, on_delete='RESTRICT')
    recorded_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((('check', 'key'), True),)
