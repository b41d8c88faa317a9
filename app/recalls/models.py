"""Recalls and service campaigns (召回 / 服务活动): the maker's campaign, the VINs it covers, the work added to an
order for a car, and the calls made to the owners of cars not yet done."""
import json
from decimal import Decimal

import peewee as pw
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.aftercare.models import FollowUpTask
from app.core.db import ShopScoped, utcnow
from app.core.models import Shop
from app.customers.models import Vehicle
from app.reception.models import OrderLine, RepairOrder


class Campaign(ShopScoped):
    """A recall or service campaign the maker sends: its work, parts and the VINs it covers (CampaignVin)."""
    RECALL, SERVICE = 'recall', 'service'
    KINDS = [(RECALL, _l('Recall')), (SERVICE, _l('Service campaign'))]
    KIND_LABELS = dict(KINDS)
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    code = pw.CharField(max_length=30)                    # the maker's campaign number
    title = pw.CharField(max_length=120)
    kind = pw.CharField(max_length=10, default=RECALL)
    work = pw.CharField(max_length=200)                   # the job line's description
    system = pw.CharField(max_length=20, default='other')  # app.warranty.models.SYSTEMS
    labour_hours = pw.DecimalField(max_digits=8, decimal_places=2, default=Decimal('0'))
    parts = pw.TextField(default='[]')                    # JSON [{part_number, name, quantity, unit_price}]
    starts_on = pw.DateField()
    ends_on = pw.DateField(null=True)
    note = pw.TextField(default='')
    created_by = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((('shop', 'code'), True),)

    @property
    def kind_label(self):
        return self.KIND_LABELS.get(self.kind, self.kind)

    @property
    def part_list(self):
        return json.loads(self.parts or '[]')


class CampaignVin(ShopScoped):
    """One VIN (vin_from == vin_to) or a range of VINs of one campaign."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    campaign = pw.ForeignKeyField(Campaign, backref='vins', on_delete='CASCADE')
    vin_from = pw.CharField(max_length=17)
    vin_to = pw.CharField(max_length=17)


class CampaignJob(ShopScoped):
    """The campaign's work added to an order for one car (billed to the maker through the line's coverage)."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    campaign = pw.ForeignKeyField(Campaign, backref='jobs', on_delete='RESTRICT')
    vehicle = pw.ForeignKeyField(Vehicle, backref='+', on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='+', on_delete='CASCADE')
    line = pw.ForeignKeyField(OrderLine, unique=True, backref='+', on_delete='CASCADE')
    added_by = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    added_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((('campaign', 'vehicle'), False),)


class CampaignCall(ShopScoped):
    """The call task made for one car of a campaign: its owner is asked to book the work once."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    campaign = pw.ForeignKeyField(Campaign, backref='calls', on_delete='CASCADE')
    vehicle = pw.ForeignKeyField(Vehicle, backref='+', on_delete='RESTRICT')
    task = pw.ForeignKeyField(FollowUpTask, backref='+', on_delete='CASCADE')
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((('campaign', 'vehicle'), True),)
