"""Warranty records: who pays for a job line, claims to the maker, and what a customer was given while waiting."""
from decimal import Decimal

import peewee as pw
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.core.db import ShopScoped, label_of, utcnow
from app.core.models import Shop
from app.reception.models import OrderLine, RepairOrder

# The "same problem" key of the three-guarantee rules: a small, declared list of systems / fault groups.
SYSTEMS = [('engine', _l('Engine')), ('transmission', _l('Transmission')), ('brakes', _l('Brakes')),
           ('steering', _l('Steering')), ('suspension', _l('Suspension')), ('electrical', _l('Electrical')),
           ('body', _l('Body')), ('fuel_system', _l('Fuel system')), ('air_conditioning', _l('Air conditioning')),
           ('other', _l('Other'))]
SYSTEM_LABELS = dict(SYSTEMS)
# The early-failure rule names steering or brake failure, body cracking and fuel leaks: these groups.
SERIOUS_SYSTEMS = frozenset({'steering', 'brakes', 'body', 'fuel_system'})
# The catalogue's systems (app.catalogue CannedJob.system) as the systems above, where the names agree.
CATALOGUE_SYSTEMS = {'engine': 'engine', 'brakes': 'brakes', 'electrical': 'electrical', 'body': 'body',
                     'climate': 'air_conditioning', 'chassis': 'suspension', 'steering': 'steering',
                     'transmission': 'transmission'}


def system_of(job_system):
    """The "same problem" key of a catalogue system, or '' when it is none of them."""
    return CATALOGUE_SYSTEMS.get((job_system or '').lower(), '')


class LineCoverage(ShopScoped):
    """Who pays for one job line, decided by the warranty clerk with the reason and the eligibility found."""
    CUSTOMER_PAY, WARRANTY, GOODWILL = 'customer_pay', 'warranty', 'goodwill'
    KINDS = [(CUSTOMER_PAY, _l('Customer pays')), (WARRANTY, _l('Warranty (maker pays)')),
             (GOODWILL, _l('Goodwill (shop pays)'))]
    KIND_LABELS = dict(KINDS)
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='coverages', on_delete='CASCADE')
    line = pw.ForeignKeyField(OrderLine, unique=True, backref='coverage', on_delete='CASCADE')
    kind = pw.CharField(max_length=12, default=CUSTOMER_PAY)
    system = pw.CharField(max_length=20)                  # the "same problem" key: one of SYSTEMS
    fault_code = pw.CharField(max_length=30, default='')  # the maker's fault code, if any
    reason = pw.TextField()
    within_warranty = pw.BooleanField(default=False)
    within_three_guarantee = pw.BooleanField(default=False)
    decided_by = pw.ForeignKeyField(User, null=True, on_delete='SET NULL')
    decided_at = pw.DateTimeField(default=utcnow)
    version = pw.IntegerField(default=1)

    kind_label = label_of('kind', 'KIND_LABELS')
    system_label = label_of('system', SYSTEM_LABELS)

    @property
    def counts_for_three_guarantee(self):
        """A quality repair inside the three-guarantee period: what the tracker counts."""
        return self.within_three_guarantee and self.kind != self.CUSTOMER_PAY


class Claim(ShopScoped):
    """A warranty claim to the maker for an order's warranty lines (or one line); amounts computed, never typed."""
    DRAFT, SUBMITTED, APPROVED, REJECTED, PAID = 'draft', 'submitted', 'approved', 'rejected', 'paid'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    number = pw.CharField(max_length=20)                  # CL-2026-000001, gap-free per shop and year
    order = pw.ForeignKeyField(RepairOrder, backref='claims', on_delete='RESTRICT')
    line = pw.ForeignKeyField(OrderLine, null=True, unique=True, on_delete='RESTRICT')   # None: the whole order
    labour_amount = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    parts_amount = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    old_part_tag = pw.CharField(max_length=40, default='')   # the tag on the old part kept for the maker
    note = pw.TextField(default='')
    status = pw.CharField(max_length=10, default=DRAFT, index=True)
    submissions = pw.IntegerField(default=0)
    first_result = pw.CharField(max_length=10, default='')   # approved / rejected: the answer to submission 1
    first_decided_at = pw.DateTimeField(null=True)
    submitted_at = pw.DateTimeField(null=True)            # the latest submission
    decided_at = pw.DateTimeField(null=True)              # the maker's latest answer
    rejection_reason = pw.TextField(default='')
    paid_at = pw.DateTimeField(null=True)
    paid_amount = pw.DecimalField(max_digits=12, decimal_places=2, null=True)
    created_by = pw.ForeignKeyField(User, null=True, on_delete='SET NULL')
    created_at = pw.DateTimeField(default=utcnow)
    version = pw.IntegerField(default=1)

    class Meta:
        indexes = ((('shop', 'number'), True), (('shop', 'status'), False))

    @property
    def amount(self):
        return self.labour_amount + self.parts_amount


class LoanerRecord(ShopScoped):
    """What the customer was given while a repair ran past the limit: a loaner car or transport money."""
    LOANER_CAR, TRANSPORT = 'loaner_car', 'transport_compensation'
    KINDS = [(LOANER_CAR, _l('Loaner car')), (TRANSPORT, _l('Transport compensation'))]
    KIND_LABELS = dict(KINDS)
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='loaners', on_delete='CASCADE')
    kind = pw.CharField(max_length=24)
    given_at = pw.DateTimeField()
    amount = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    note = pw.CharField(max_length=200, default='')
    recorded_by = pw.ForeignKeyField(User, null=True, on_delete='SET NULL')
    recorded_at = pw.DateTimeField(default=utcnow)

    kind_label = label_of('kind', 'KIND_LABELS')


class Comeback(ShopScoped):
    """A car back within the comeback window for the same complaint or system (返修): the new order, the earlier
    order and job it came back from, who did that job, and why it came back (app.warranty.comebacks)."""
    WORKMANSHIP, PART, DIAGNOSIS, NEW_FAULT = 'workmanship', 'part', 'diagnosis', 'new_fault'
    CAUSES = [(WORKMANSHIP, _l('Workmanship')), (PART, _l('Faulty part')), (DIAGNOSIS, _l('Wrong diagnosis')),
              (NEW_FAULT, _l('New fault'))]
    CAUSE_LABELS = dict(CAUSES)
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='comebacks', on_delete='CASCADE')
    earlier_order = pw.ForeignKeyField(RepairOrder, backref='+', on_delete='RESTRICT')
    earlier_line = pw.ForeignKeyField(OrderLine, null=True, backref='+', on_delete='SET NULL')
    technician = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')   # who did the earlier job
    system = pw.CharField(max_length=20)                  # the "same problem" key: one of SYSTEMS
    cause = pw.CharField(max_length=12)
    days = pw.IntegerField(default=0)                     # since the earlier order's delivery
    km = pw.IntegerField(null=True)                       # since the earlier order's odometer (None: not known)
    note = pw.CharField(max_length=200, default='')
    recorded_by = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    recorded_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((('order', 'earlier_order'), True),)

    cause_label = label_of('cause', 'CAUSE_LABELS')
    system_label = label_of('system', SYSTEM_LABELS)
