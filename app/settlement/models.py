"""Settlement (结算) and delivery (交车): the bill, its payments and corrections, the car handed back.

A settlement is a draft while the advisor prepares it (who pays what, discounts); settling gives
it its gap-free number and freezes every line and figure. After that nothing on it changes: a
mistake is corrected by a credit note that references it, and payments are recorded against it.
"""
import json
from decimal import Decimal

import peewee as pw

from app.accounts.models import User
from app.core import money as _money
from app.core.db import Numbered, ShopScoped, utcnow
from app.core.models import Shop
from app.catalogue.models import CannedJob
from app.core.models import Signature
from app.reception.models import Belonging, RepairOrder

# Who pays an item: the customer, the maker (warranty), an insurer, or the shop itself (named in app.core.money).
CUSTOMER, WARRANTY, INSURANCE, INTERNAL, PAYERS = (_money.CUSTOMER, _money.WARRANTY, _money.INSURANCE,
                                                   _money.INTERNAL, _money.PAYERS)

# Guarantee categories, as CannedJob.category names them.
MAJOR, MAINTENANCE, MINOR = CannedJob.MAJOR, CannedJob.MAINTENANCE, CannedJob.MINOR
CATEGORIES = (MAJOR, MAINTENANCE, MINOR)


class GuaranteeTerm(ShopScoped):
    """The shop's quality guarantee for a job category: so many days or so many km, whichever comes first."""
    shop = pw.ForeignKeyField(Shop, on_delete='CASCADE')
    category = pw.CharField(max_length=30)
    days = pw.IntegerField()
    km = pw.IntegerField()
    updated_at = pw.DateTimeField(default=utcnow)
    updated_by = pw.IntegerField(null=True)

    class Meta:
        indexes = ((('shop', 'category'), True),)


class Settlement(Numbered):
    DRAFT, SETTLED, CREDITED = 'draft', 'settled', 'credited'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, unique=True, backref='settlements', on_delete='RESTRICT')
    number = pw.CharField(max_length=20, null=True)         # given when settled; gap-free per shop and year
    status = pw.CharField(max_length=10, default=DRAFT, index=True)
    payers = pw.TextField(default='{}')                     # draft: JSON item key -> payer
    tax_rate = pw.DecimalField(max_digits=6, decimal_places=4, null=True)
    # The figures as settled (all payers), and what each payer owes.
    labour = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    parts = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    discount = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    tax = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    total = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    customer_total = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    warranty_total = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    insurance_total = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    internal_total = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    guarantee = pw.TextField(default='{}')                  # JSON: category -> {days, km} in force when settled
    created_at = pw.DateTimeField(default=utcnow)
    created_by = pw.IntegerField(null=True)
    settled_at = pw.DateTimeField(null=True, index=True)
    settled_by = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    version = pw.IntegerField(default=1)
    # The customer's consent to a bill above what they agreed (the order's agreed_total): up to this amount.
    consent_total = pw.DecimalField(max_digits=12, decimal_places=2, null=True)
    consent_at = pw.DateTimeField(null=True)
    consent_by = pw.IntegerField(null=True)
    consent_channel = pw.CharField(max_length=12, default='')
    consent_with = pw.CharField(max_length=100, default='')
    # The shop's own (internal) share of the bill a manager approved, up to this amount.
    internal_approved = pw.DecimalField(max_digits=12, decimal_places=2, null=True)
    internal_approved_at = pw.DateTimeField(null=True)
    internal_approved_by = pw.IntegerField(null=True)
    # A balance the manager wrote off: no longer a receivable from that moment.
    written_off = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    written_off_at = pw.DateTimeField(null=True)
    written_off_by = pw.IntegerField(null=True)
    write_off_reason = pw.CharField(max_length=200, default='')

    @property
    def is_settled(self):
        return self.status in (self.SETTLED, self.CREDITED)

    @classmethod
    def settled_where(cls, table=None):
        """SQL: the row is a settled bill (settled, or credited since), not a draft. `table`: an alias of this
        model. The one definition of "settled" that pages, reports, KPIs and exports count by."""
        return (table or cls).status != cls.DRAFT

    @classmethod
    def settled(cls, *fields):
        """Settled bills (not run)."""
        return cls.select(*fields).where(cls.settled_where())

    @property
    def payer_choices(self):
        return json.loads(self.payers or '{}')

    @property
    def guarantee_terms(self):
        return json.loads(self.guarantee or '{}')


class SettlementLine(ShopScoped):
    """One item on the settlement: a job's labour or a part, with who pays it. Written when settled."""
    LABOUR, PART = _money.LABOUR, _money.PART
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    settlement = pw.ForeignKeyField(Settlement, backref='lines', on_delete='CASCADE')
    kind = pw.CharField(max_length=10)
    key = pw.CharField(max_length=30)                       # where it came from: line:12, part:40, added:3…
    group = pw.CharField(max_length=30, default='')         # the key of the job a part belongs to
    description = pw.CharField(max_length=200)
    part_number = pw.CharField(max_length=40, default='')
    quantity = pw.DecimalField(max_digits=8, decimal_places=2, default=Decimal('1'))
    unit_price = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    hours = pw.DecimalField(max_digits=8, decimal_places=2, default=Decimal('0'))
    amount = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    payer = pw.CharField(max_length=10, default=CUSTOMER)
    category = pw.CharField(max_length=30, default=MINOR)
    added_work = pw.BooleanField(default=False)
    supplied_by = pw.CharField(max_length=10, default='shop')
    position = pw.IntegerField(default=0)


class Discount(ShopScoped):
    """A discount on what the customer pays: an amount or a share, always with a reason."""
    AMOUNT, SHARE = _money.AMOUNT, _money.SHARE
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    settlement = pw.ForeignKeyField(Settlement, backref='discounts', on_delete='CASCADE')
    kind = pw.CharField(max_length=10)
    value = pw.DecimalField(max_digits=12, decimal_places=4)
    amount = pw.DecimalField(max_digits=12, decimal_places=2, null=True)   # frozen when settled
    reason = pw.CharField(max_length=200)
    created_by = pw.ForeignKeyField(User, backref='+', on_delete='RESTRICT')
    created_at = pw.DateTimeField(default=utcnow)
    approved_by = pw.ForeignKeyField(User, null=True, backref='+', on_delete='RESTRICT')
    approved_at = pw.DateTimeField(null=True)


class _Received(ShopScoped):
    """Money received against a settled bill: how much, its reference, when and by whom (a base, no table)."""
    ABSTRACT = True
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    amount = pw.DecimalField(max_digits=12, decimal_places=2)
    reference = pw.CharField(max_length=60, default='')     # card slip, transfer, WeChat/Alipay or insurer reference
    paid_at = pw.DateTimeField(default=utcnow, index=True)
    received_by = pw.ForeignKeyField(User, backref='+', on_delete='RESTRICT')


class Payment(_Received):
    """The customer's payment."""
    CASH, CARD, BANK, MOBILE = _money.CASH, _money.CARD, _money.BANK_TRANSFER, _money.MOBILE
    settlement = pw.ForeignKeyField(Settlement, backref='payments', on_delete='RESTRICT')
    method = pw.CharField(max_length=15)


class PayerPayment(_Received):
    """Money from a payer other than the customer (an insurer, the maker) against its share of a settled bill."""
    settlement = pw.ForeignKeyField(Settlement, backref='payer_payments', on_delete='RESTRICT')
    payer = pw.CharField(max_length=10)


class CreditNote(Numbered):
    """The only correction of a settled order: it references the settlement and takes an amount off."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    settlement = pw.ForeignKeyField(Settlement, backref='credit_notes', on_delete='RESTRICT')
    number = pw.CharField(max_length=20)
    reason = pw.CharField(max_length=200)
    net = pw.DecimalField(max_digits=12, decimal_places=2)
    tax = pw.DecimalField(max_digits=12, decimal_places=2)
    total = pw.DecimalField(max_digits=12, decimal_places=2)
    created_by = pw.ForeignKeyField(User, backref='+', on_delete='RESTRICT')
    created_at = pw.DateTimeField(default=utcnow)


class CreditNoteLine(ShopScoped):
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    credit_note = pw.ForeignKeyField(CreditNote, backref='lines', on_delete='CASCADE')
    settlement_line = pw.ForeignKeyField(SettlementLine, null=True, on_delete='RESTRICT')
    description = pw.CharField(max_length=200)
    amount = pw.DecimalField(max_digits=12, decimal_places=2)


class VehicleDelivery(ShopScoped):
    """The hand-over checklist done with the customer (交车)."""
    OLD_RETURNED, OLD_DISPOSAL, OLD_WARRANTY, OLD_NONE = 'returned', 'disposal', 'warranty', 'none'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, unique=True, backref='deliveries', on_delete='RESTRICT')
    delivered_at = pw.DateTimeField(default=utcnow, index=True)
    delivered_by = pw.ForeignKeyField(User, backref='+', on_delete='RESTRICT')
    key_returned = pw.BooleanField(default=False)
    documents_returned = pw.BooleanField(default=False)
    documents_note = pw.CharField(max_length=200, default='')
    old_parts = pw.CharField(max_length=10, default=OLD_NONE)
    satisfaction = pw.IntegerField(null=True)
    comment = pw.TextField(default='')
    signature = pw.ForeignKeyField(Signature, null=True, on_delete='SET NULL')
    next_service_date = pw.DateField(null=True)
    next_service_km = pw.IntegerField(null=True)
    balance = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))   # owed when the car left
    on_account_reason = pw.CharField(max_length=200, default='')


class BelongingReturn(ShopScoped):
    """One belonging checked at delivery: handed back, or missing with a note of what happened."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    delivery = pw.ForeignKeyField(VehicleDelivery, backref='belongings', on_delete='CASCADE')
    belonging = pw.ForeignKeyField(Belonging, null=True, on_delete='SET NULL')
    name = pw.CharField(max_length=100)
    quantity = pw.IntegerField(default=1)
    returned = pw.BooleanField(default=True)
    note = pw.CharField(max_length=200, default='')
