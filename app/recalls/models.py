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
    version = pw.IntegerField(default=1)                  # bumped by every edit, close and reopen
    closed_at = pw.DateTimeField(null=True)               # closed by the shop: no longer an open recall anywhere
    closed_by = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    close_reason = pw.CharField(max_length=12, default='')  # CLOSE_REASONS
    close_note = pw.TextField(default='')

    COMPLETED, WITHDRAWN, OTHER = 'completed', 'withdrawn', 'other'
    CLOSE_REASONS = [(COMPLETED, _l('Completed')), (WITHDRAWN, _l('Withdrawn by the maker')), (OTHER, _l('Other'))]
    CLOSE_REASON_LABELS = dict(CLOSE_REASONS)
    # What the list says of a campaign on a given day (`state`): not yet started, running, past its end, closed.
    UPCOMING, ACTIVE, ENDED, CLOSED = 'upcoming', 'active', 'ended', 'closed'
    STATES = {UPCOMING: _l('Not started'), ACTIVE: _l('Running'), ENDED: _l('Ended'), CLOSED: _l('Closed')}

    class Meta:
        indexes = ((('shop', 'code'), True),)

    @classmethod
    def running(cls, shop, today):
        """The campaigns whose cars have an open recall on `today`: started, not past their end, not closed."""
        return (cls.for_shop(shop)
                .where((cls.starts_on <= today) & (cls.ends_on.is_null() | (cls.ends_on >= today))
                       & cls.closed_at.is_null()))

    def state(self, today):
        if self.closed_at is not None:
            return self.CLOSED
        if self.starts_on > today:
            return self.UPCOMING
        return self.ENDED if self.ends_on is not None and self.ends_on < today else self.ACTIVE

    @property
    def close_reason_label(self):
        return self.CLOSE_REASON_LABELS.get(self.close_reason, self.close_reason)

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
