"""What happens to a repair order on the workshop floor (DOMAIN.md steps 6-12)."""
from decimal import Decimal

import peewee as pw

from app.accounts.models import User
from app.core.db import Numbered, ShopScoped, utcnow
from app.core.models import PartLine, Shop
from app.reception.models import OrderLine, RepairOrder


class Bay(Numbered):
    """A working place in the workshop (a lift, a body bay, the wash)."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    number = pw.IntegerField()
    name = pw.CharField(max_length=40)
    kind = pw.CharField(max_length=20, default='general')    # general, lift, body, paint, alignment, wash
    active = pw.BooleanField(default=True)


class TimeEntry(ShopScoped):
    """A technician's clock on a job line. One running entry per technician (ended_at is None)."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    technician = pw.ForeignKeyField(User, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='time_entries', on_delete='CASCADE')
    line = pw.ForeignKeyField(OrderLine, backref='time_entries', on_delete='CASCADE')
    started_at = pw.DateTimeField(default=utcnow)
    ended_at = pw.DateTimeField(null=True)
    end_reason = pw.CharField(max_length=20, default='')      # clock_off, switched, done, shift_end
    flagged = pw.BooleanField(default=False)                  # left running past the shift end: for the foreman

    class Meta:
        indexes = ((('technician', 'ended_at'), False),)


class Finding(ShopScoped):
    """What a technician found: red (needs work now), amber (soon), green (fine), with photos."""
    RED, AMBER, GREEN = 'red', 'amber', 'green'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='findings', on_delete='CASCADE')
    line = pw.ForeignKeyField(OrderLine, null=True, on_delete='SET NULL')
    technician = pw.ForeignKeyField(User, on_delete='RESTRICT')
    severity = pw.CharField(max_length=8)
    note = pw.TextField()
    created_at = pw.DateTimeField(default=utcnow)


class AddedWork(ShopScoped):
    """Added work (追加维修项目): asked by the workshop, decided by the customer through the advisor."""
    PENDING, APPROVED, DECLINED, UNREACHABLE = 'pending', 'approved', 'declined', 'unreachable'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='added_work', on_delete='CASCADE')
    finding = pw.ForeignKeyField(Finding, null=True, on_delete='SET NULL')
    requested_by = pw.ForeignKeyField(User, on_delete='RESTRICT')
    canned_job_id = pw.IntegerField(null=True)
    description = pw.CharField(max_length=200)
    hours = pw.DecimalField(max_digits=8, decimal_places=2, default=Decimal('0'))
    labour_price = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    parts_price = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    delay_minutes = pw.IntegerField(default=0)                # what it adds to the promised time
    safety = pw.BooleanField(default=False)
    status = pw.CharField(max_length=12, default=PENDING, index=True)
    requested_at = pw.DateTimeField(default=utcnow)
    decided_at = pw.DateTimeField(null=True)
    decided_by = pw.IntegerField(null=True)                   # the advisor who recorded it
    channel = pw.CharField(max_length=12, default='')         # phone, in_person, message
    spoke_with = pw.CharField(max_length=100, default='')
    price_told = pw.DecimalField(max_digits=12, decimal_places=2, null=True)
    delay_told_minutes = pw.IntegerField(null=True)
    note = pw.CharField(max_length=200, default='')
    version = pw.IntegerField(default=1)


class AddedWorkPart(PartLine):
    """A part the added work needs, priced for the customer's answer."""
    added_work = pw.ForeignKeyField(AddedWork, backref='parts', on_delete='CASCADE')


class PartsRequest(ShopScoped):
    """A technician asks the parts counter for a part; the clerk issues, substitutes or backorders it."""
    REQUESTED, ISSUED, SUBSTITUTED, BACKORDERED, CANCELLED = 'requested', 'issued', 'substituted', 'backordered', 'cancelled'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='parts_requests', on_delete='CASCADE')
    line = pw.ForeignKeyField(OrderLine, null=True, on_delete='SET NULL')
    requested_by = pw.ForeignKeyField(User, on_delete='RESTRICT')
    part_number = pw.CharField(max_length=40, default='')
    name = pw.CharField(max_length=100)
    quantity = pw.DecimalField(max_digits=8, decimal_places=2, default=Decimal('1'))
    status = pw.CharField(max_length=12, default=REQUESTED, index=True)
    requested_at = pw.DateTimeField(default=utcnow)
    answered_at = pw.DateTimeField(null=True)
    answered_by = pw.IntegerField(null=True)
    issued_part_number = pw.CharField(max_length=40, default='')   # the substitute, when one was given
    issued_quantity = pw.DecimalField(max_digits=8, decimal_places=2, null=True)
    expected_at = pw.DateTimeField(null=True)                       # for a backorder
    note = pw.CharField(max_length=200, default='')
    version = pw.IntegerField(default=1)


class QCInspection(ShopScoped):
    """The QC inspector's final inspection (竣工检验) of an order: pass, or fail with reasons and photos."""
    PASS, FAIL = 'pass', 'fail'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='inspections', on_delete='CASCADE')
    inspector = pw.ForeignKeyField(User, on_delete='RESTRICT')
    result = pw.CharField(max_length=4)
    checklist = pw.TextField(default='{}')                    # JSON: item -> ok / note
    reasons = pw.TextField(default='')
    failed_lines = pw.TextField(default='[]')                 # JSON list of line ids sent back for rework
    first_time = pw.BooleanField(default=True)                # the order's first inspection
    created_at = pw.DateTimeField(default=utcnow)


class ProgressCheck(ShopScoped):
    """The advisor's progress check (查询进度), and a late order's new time with the customer told."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='progress_checks', on_delete='CASCADE')
    checked_by = pw.ForeignKeyField(User, on_delete='RESTRICT')
    checked_at = pw.DateTimeField(default=utcnow)
    on_track = pw.BooleanField(default=True)
    note = pw.CharField(max_length=200, default='')
    old_promised_at = pw.DateTimeField(null=True)
    new_promised_at = pw.DateTimeField(null=True)
    reason = pw.CharField(max_length=200, default='')
    customer_told_at = pw.DateTimeField(null=True)
    told_channel = pw.CharField(max_length=12, default='')
