"""The labour catalogue: canned jobs with their flat-rate hours, guarantee category and usual parts."""
from decimal import Decimal

import peewee as pw

from app.core.db import ShopScoped
from app.core.models import Shop


class CannedJob(ShopScoped):
    """A catalogue job: labour operation, flat-rate hours and its usual parts."""
    MAJOR, MAINTENANCE, MINOR = 'major', 'maintenance', 'minor'     # guarantee categories
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    code = pw.CharField(max_length=20)
    name = pw.CharField(max_length=100)
    name_en = pw.CharField(max_length=100, default='')
    system = pw.CharField(max_length=30, default='')      # engine, brakes, body… (for the estimate by system)
    category = pw.CharField(max_length=30, default='minor')   # maintenance / minor / major: guarantee terms
    hours = pw.DecimalField(max_digits=6, decimal_places=2)
    labour_rate = pw.DecimalField(max_digits=10, decimal_places=2, null=True)   # None: the shop's rate
    skill = pw.CharField(max_length=30, default='')
    active = pw.BooleanField(default=True)

    class Meta:
        indexes = ((('shop', 'code'), True),)

    def display_name(self, locale='zh'):
        return self.name_en if (locale == 'en' and self.name_en) else self.name


class CannedJobPart(ShopScoped):
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    job = pw.ForeignKeyField(CannedJob, backref='parts', on_delete='CASCADE')
    part_number = pw.CharField(max_length=40)
    name = pw.CharField(max_length=100)
    quantity = pw.DecimalField(max_digits=8, decimal_places=2, default=Decimal('1'))
    unit_price = pw.DecimalField(max_digits=12, decimal_places=2)
