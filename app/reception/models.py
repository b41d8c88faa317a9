"""Repair orders and everything taken at check-in: jobs, parts, walk-around marks, belongings, the status link."""
import json
from decimal import Decimal

import peewee as pw
from flask_babel import lazy_gettext as _l
from peewee import fn

from app.core.errors import Refused
from app.accounts.models import User
from app.core import stages
from app.core.db import Numbered, ShopScoped, utcnow
from app.catalogue.models import CannedJob, CannedJobPart  # noqa: F401 (re-exported until every import moved)
from app.core.models import Counter, Photo, Shop, Signature, new_token  # noqa: F401
from app.customers.models import Customer, MileageReading, Ownership, Vehicle  # noqa: F401
from app.labels.models import KeyHook, KeyTag  # noqa: F401


# How an advisor reaches a customer about their order: added work, a new promised time, a higher bill.
CHANNELS = {
    'phone': _l('Phone'),
    'in_person': _l('In person'),
    'message': _l('Message'),
}


class OrderFrozen(Refused):
    """The order is settled (or has left the shop): the change asked for cannot be made."""


class RepairOrder(Numbered):
    SYSTEM, SYMPTOM, ITEM = 'system', 'symptom', 'item'     # the three estimate methods
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    number = pw.CharField(max_length=20, null=True)       # given when the customer signs; gap-free
    customer = pw.ForeignKeyField(Customer, null=True, on_delete='RESTRICT')
    vehicle = pw.ForeignKeyField(Vehicle, null=True, backref='orders', on_delete='RESTRICT')
    advisor = pw.ForeignKeyField(User, null=True, on_delete='SET NULL')
    appointment_id = pw.IntegerField(null=True)
    stage = pw.CharField(max_length=20, default=stages.DRAFT, index=True)
    version = pw.IntegerField(default=1)                  # bumped by every change: stale writes are refused
    checkin_step = pw.CharField(max_length=20, default='vehicle')   # where a draft check-in stands
    complaint = pw.TextField(default='')                  # in the customer's words
    advisor_notes = pw.TextField(default='')
    odometer = pw.IntegerField(default=0)
    fuel_eighths = pw.IntegerField(default=4)
    documents = pw.TextField(default='[]')                # JSON list of documents received with the car
    checks = pw.TextField(default='{}')                   # JSON: walk-around checklist (interior, instruments, seats…)
    valuables_reminded = pw.BooleanField(default=False)
    estimate_method = pw.CharField(max_length=10, default=ITEM)
    no_guarantee_note = pw.BooleanField(default=False)    # customer-supplied or aftermarket parts on key systems
    key_tag = pw.ForeignKeyField(KeyTag, null=True, on_delete='SET NULL')
    key_hook = pw.ForeignKeyField(KeyHook, null=True, on_delete='SET NULL')
    label_token = pw.CharField(max_length=32, unique=True, default=new_token)   # the bag label's QR
    created_at = pw.DateTimeField(default=utcnow)
    # the workshop side (DOMAIN.md steps 6-12)
    accepted_at = pw.DateTimeField(null=True)             # the foreman signed the car into the workshop
    accepted_by = pw.IntegerField(null=True)
    self_check = pw.TextField(default='{}')               # JSON: the technician's self-check before QC
    final_check_at = pw.DateTimeField(null=True)          # the advisor's final check after the wash
    final_check_by = pw.IntegerField(null=True)
    safety_declined = pw.BooleanField(default=False)      # a safety-related item the customer declined
    checked_in_at = pw.DateTimeField(null=True)           # signed by the customer
    promised_at = pw.DateTimeField(null=True)
    delivered_at = pw.DateTimeField(null=True)
    # The promise timeliness is measured by: given at signing, moved only by the delay of added work the customer
    # approved; a progress check or an amendment that moves promised_at leaves it (the KPIs keep the first word).
    original_promised_at = pw.DateTimeField(null=True)
    # What the customer agreed to pay (with tax): the estimate they signed plus the added work they approved.
    # Settling a bill above it needs their consent recorded (app.settlement.rules.consent_needed).
    agreed_total = pw.DecimalField(max_digits=12, decimal_places=2, null=True)
    settled_at = pw.DateTimeField(null=True)              # the bill was settled: jobs, parts and prices are frozen
    # The customer declined the repair (002): the check-in is cancelled, the diagnosis fee (net) billed, an exit
    # notice printed (app.reception.declined).
    declined_at = pw.DateTimeField(null=True)
    diagnosis_fee = pw.DecimalField(max_digits=10, decimal_places=2, null=True)

    @classmethod
    def open_orders(cls, shop):
        return cls.for_shop(shop).where(cls.stage.in_(list(stages.OPEN)))

    @classmethod
    def maintenance_where(cls, order=None):
        """SQL: the order has a job of the catalogue's maintenance category. The one definition of "a maintenance
        order" (settled within `maintenance_settlement_days`, the first maintenance, the next service date).
        `order`: an alias of this model (default the model itself)."""
        ol, cj = OrderLine.alias('mnt_ol'), CannedJob.alias('mnt_cj')
        return fn.EXISTS(ol.select(pw.SQL('1')).join(cj, on=(ol.canned_job == cj.id))
                         .where((ol.order == (order or cls).id) & (cj.category == CannedJob.MAINTENANCE)))

    @classmethod
    def drafts(cls, shop):
        """Check-ins in progress: started, not yet signed."""
        return cls.for_shop(shop).where(cls.stage == stages.DRAFT)

    @staticmethod
    def next_number(shop, at):
        return 'RO-%d-%06d' % (at.year, Counter.next(shop, 'repair_order', at.year))

    @property
    def stage_label(self):
        return stages.LABELS[self.stage]

    @property
    def is_signed(self):
        return self.stage != stages.DRAFT

    @property
    def is_settled(self):
        return self.settled_at is not None

    def ensure_editable(self):
        """Raise OrderFrozen once the order is settled: its jobs, parts and prices must not change any more
        (a correction is a credit note on the settlement)."""
        if self.is_settled:
            raise OrderFrozen(_l('This order is settled: its jobs and parts cannot change. '
                                 'A correction is a credit note on the settlement.'))

    @property
    def document_list(self):
        return json.loads(self.documents or '[]')

    @property
    def check_results(self):
        return json.loads(self.checks or '{}')


class OrderLine(ShopScoped):
    PENDING, ACTIVE, DONE = 'pending', 'active', 'done'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='lines', on_delete='CASCADE')
    canned_job = pw.ForeignKeyField(CannedJob, null=True, on_delete='SET NULL')
    description = pw.CharField(max_length=200)
    system = pw.CharField(max_length=30, default='')
    labour_hours = pw.DecimalField(max_digits=8, decimal_places=2, default=Decimal('0'))
    labour_rate = pw.DecimalField(max_digits=10, decimal_places=2, default=Decimal('0'))
    labour_price = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    technician = pw.ForeignKeyField(User, null=True, on_delete='SET NULL')
    bay_id = pw.IntegerField(null=True)
    status = pw.CharField(max_length=12, default=PENDING)
    added_work_id = pw.IntegerField(null=True)            # the approved added work this line came from
    qc_failures = pw.IntegerField(default=0)              # first-time QC pass = 0 at the end
    position = pw.IntegerField(default=0)
    version = pw.IntegerField(default=1)


class PartLine(ShopScoped):
    """A part on a job line of the estimate / order."""
    SHOP, CUSTOMER = 'shop', 'customer'       # who supplies it
    OEM, AFTERMARKET = 'oem', 'aftermarket'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='part_lines', on_delete='CASCADE')
    line = pw.ForeignKeyField(OrderLine, backref='parts', on_delete='CASCADE')
    part_number = pw.CharField(max_length=40, default='')
    name = pw.CharField(max_length=100)
    quantity = pw.DecimalField(max_digits=8, decimal_places=2, default=Decimal('1'))
    unit_price = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    supplied_by = pw.CharField(max_length=10, default=SHOP)
    origin = pw.CharField(max_length=12, default=OEM)
    key_system = pw.BooleanField(default=False)   # brakes, steering, airbags…: aftermarket needs the note


class WalkaroundMark(ShopScoped):
    """A mark placed on the car outline at check-in: where, what kind, a note, photos."""
    SCRATCH, DENT, CRACK, CHIP, OTHER = 'scratch', 'dent', 'crack', 'chip', 'other'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='marks', on_delete='CASCADE')
    view = pw.CharField(max_length=10, default='top')      # top, left, right
    x = pw.DecimalField(max_digits=5, decimal_places=2)     # percent of the drawing's width
    y = pw.DecimalField(max_digits=5, decimal_places=2)
    kind = pw.CharField(max_length=10)
    note = pw.CharField(max_length=200, default='')
    created_at = pw.DateTimeField(default=utcnow)


# The belongings the advisor ticks at check-in (with a count); anything else is typed as a free item.
PRESET_BELONGINGS = {
    'spare_tyre': _l('Spare tyre'),
    'jack': _l('Jack and tools'),
    'triangle': _l('Warning triangle'),
    'charging_cable': _l('Charging cable'),
    'dashcam': _l('Dashcam'),
    'umbrella': _l('Umbrella'),
    'sunglasses': _l('Sunglasses'),
    'child_seat': _l('Child seat'),
    'fire_extinguisher': _l('Fire extinguisher'),
}


class Belonging(ShopScoped):
    """One item on the belongings list (随车物品清单)."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='belongings', on_delete='CASCADE')
    preset = pw.CharField(max_length=30, default='')        # key of a preset item, or '' for a free item
    name = pw.CharField(max_length=100)
    quantity = pw.IntegerField(default=1)
    returned = pw.BooleanField(null=True)                   # ticked at delivery

    @property
    def label(self):
        """A preset item in the reader's language (the customer's, on print); a free item as typed."""
        return PRESET_BELONGINGS.get(self.preset, self.name) if self.preset else self.name


class Recommendation(ShopScoped):
    """Work recommended and declined (or deferred), kept on the vehicle for its next visit."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    vehicle = pw.ForeignKeyField(Vehicle, backref='recommendations', on_delete='CASCADE')
    order_id = pw.IntegerField(null=True)
    description = pw.CharField(max_length=200)
    safety = pw.BooleanField(default=False)
    price = pw.DecimalField(max_digits=12, decimal_places=2, null=True)
    created_at = pw.DateTimeField(default=utcnow)
    done_order_id = pw.IntegerField(null=True)              # set when a later order does it
    canned_job_id = pw.IntegerField(null=True)              # the catalogue job that does it, to add it in one tap


class StatusLink(ShopScoped):
    """One status link of an order. Only the token's SHA-256 is stored (see app.reception.links).

    `nonce` is the random input the token is derived from with the server's key: without that key a copy
    of the database cannot rebuild a link. `active_order` is the order's id while the link is in use and
    NULL once revoked; being unique, it lets one link per order be active at a time even when two
    requests ensure a link at once.
    """
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='status_links', on_delete='CASCADE')
    nonce = pw.CharField(max_length=32)
    token_hash = pw.CharField(max_length=64, unique=True)
    active_order = pw.IntegerField(null=True, unique=True)
    created_at = pw.DateTimeField(default=utcnow)
    created_by = pw.IntegerField(null=True)
    revoked_at = pw.DateTimeField(null=True)
    revoked_by = pw.IntegerField(null=True)
    expires_at = pw.DateTimeField(null=True)          # set by hand; else worked out from the delivery

    @property
    def is_revoked(self):
        return self.revoked_at is not None
