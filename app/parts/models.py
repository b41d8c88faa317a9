"""Parts stock: the catalogue, the stock ledger and what feeds it (purchase orders, receipts, counts), old parts.

The ledger (`StockMove`) is append-only: a row is never edited or deleted, only reversed by a new row
(the database refuses UPDATE and DELETE, see migrations/0011). `StockLevel` — on hand, value, moving average
cost — is derived from it and written only by `app.parts.stock.post`, in the same transaction as the row.
"""
from decimal import Decimal

import peewee as pw

from app.accounts.models import User
from app.core.db import BaseModel, Numbered, ShopScoped, utcnow
from app.core.models import Shop
from app.reception.models import OrderLine, PartLine, RepairOrder
from app.workshop.models import PartsRequest

QTY = dict(max_digits=12, decimal_places=3)
MONEY = dict(max_digits=14, decimal_places=2)
COST = dict(max_digits=14, decimal_places=4)


class LedgerWriteError(Exception):
    pass


class Supplier(ShopScoped):
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    name = pw.CharField(max_length=100)
    contact = pw.CharField(max_length=60, default='')
    phone = pw.CharField(max_length=30, default='')
    lead_days = pw.IntegerField(default=2)

    class Meta:
        indexes = ((('shop', 'name'), True),)

    def __str__(self):
        return self.name


class Part(ShopScoped):
    """One catalogue entry of a shop: what the part is, where it lives, what it costs and sells for."""
    OEM, AFTERMARKET = 'oem', 'aftermarket'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    number = pw.CharField(max_length=40)
    name_zh = pw.CharField(max_length=100)
    name_en = pw.CharField(max_length=100, default='')
    origin = pw.CharField(max_length=12, default=OEM)
    supplier = pw.ForeignKeyField(Supplier, null=True, on_delete='SET NULL')
    bin = pw.CharField(max_length=20, default='')
    unit = pw.CharField(max_length=10, default='pc')
    cost_price = pw.DecimalField(**COST, default=Decimal('0'))      # the last agreed purchase price
    sell_price = pw.DecimalField(**MONEY, default=Decimal('0'))
    min_qty = pw.DecimalField(**QTY, default=Decimal('0'))
    max_qty = pw.DecimalField(**QTY, default=Decimal('0'))
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        # (shop, number, names) covers the search: a name match walks the index in number order, no row lookups
        indexes = ((('shop', 'number'), True), (('shop', 'active', 'bin', 'number'), False),
                   (('shop', 'number', 'name_zh', 'name_en'), False))

    def display_name(self, locale='zh'):
        if locale == 'en' and self.name_en:
            return self.name_en
        return self.name_zh


class StockLevel(BaseModel):
    """On hand and value of one part: derived from the ledger, written only with a ledger row."""
    part = pw.ForeignKeyField(Part, primary_key=True, backref='stock_levels', on_delete='RESTRICT')
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    on_hand = pw.DecimalField(**QTY, default=Decimal('0'))
    value = pw.DecimalField(**MONEY, default=Decimal('0'))
    avg_cost = pw.DecimalField(**COST, default=Decimal('0'))
    last_move_at = pw.DateTimeField(null=True)
    last_activity_at = pw.DateTimeField(null=True)    # last receipt, issue, return or transfer (not counts)
    moves = pw.IntegerField(default=0)

    class Meta:
        indexes = ((('shop', 'on_hand', 'value'), False),)      # covers the stock page's totals


class PurchaseOrder(Numbered):
    DRAFT, ORDERED, PARTLY, RECEIVED, CANCELLED = 'draft', 'ordered', 'partly', 'received', 'cancelled'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    number = pw.CharField(max_length=20)
    supplier = pw.ForeignKeyField(Supplier, on_delete='RESTRICT')
    status = pw.CharField(max_length=10, default=DRAFT, index=True)
    expected_on = pw.DateField(null=True)
    created_by = pw.ForeignKeyField(User, on_delete='RESTRICT')
    created_at = pw.DateTimeField(default=utcnow)
    ordered_at = pw.DateTimeField(null=True)
    note = pw.CharField(max_length=200, default='')
    version = pw.IntegerField(default=1)


class PurchaseOrderLine(BaseModel):
    po = pw.ForeignKeyField(PurchaseOrder, backref='lines', on_delete='CASCADE')
    part = pw.ForeignKeyField(Part, on_delete='RESTRICT')
    quantity = pw.DecimalField(**QTY)
    unit_cost = pw.DecimalField(**COST)
    received_qty = pw.DecimalField(**QTY, default=Decimal('0'))   # accepted into stock
    rejected_qty = pw.DecimalField(**QTY, default=Decimal('0'))

    @property
    def outstanding(self):
        return max(self.quantity - self.received_qty, Decimal('0'))


class Receipt(Numbered):
    """One delivery taken in (against a purchase order or not), inspected line by line."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    number = pw.CharField(max_length=20)
    po = pw.ForeignKeyField(PurchaseOrder, null=True, backref='receipts', on_delete='RESTRICT')
    supplier = pw.ForeignKeyField(Supplier, null=True, on_delete='RESTRICT')
    received_by = pw.ForeignKeyField(User, on_delete='RESTRICT')
    received_at = pw.DateTimeField(default=utcnow)
    delivery_note = pw.CharField(max_length=60, default='')


class ReceiptLine(BaseModel):
    receipt = pw.ForeignKeyField(Receipt, backref='lines', on_delete='RESTRICT')
    po_line = pw.ForeignKeyField(PurchaseOrderLine, null=True, on_delete='RESTRICT')
    part = pw.ForeignKeyField(Part, on_delete='RESTRICT')
    delivered_qty = pw.DecimalField(**QTY)
    accepted_qty = pw.DecimalField(**QTY)
    rejected_qty = pw.DecimalField(**QTY, default=Decimal('0'))
    reject_reason = pw.CharField(max_length=200, default='')
    unit_cost = pw.DecimalField(**COST)
    returned_at = pw.DateTimeField(null=True)       # rejected goods sent back to the supplier
    returned_by = pw.IntegerField(null=True)


class StockCount(Numbered):
    """A count sheet for some bins: book quantities frozen when it is opened; approval adjusts the ledger."""
    OPEN, SUBMITTED, APPROVED, CANCELLED = 'open', 'submitted', 'approved', 'cancelled'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    number = pw.CharField(max_length=20)
    bins = pw.CharField(max_length=100, default='')     # the bin prefix(es) counted, '' = every bin
    status = pw.CharField(max_length=10, default=OPEN, index=True)
    created_by = pw.ForeignKeyField(User, on_delete='RESTRICT')
    created_at = pw.DateTimeField(default=utcnow)
    submitted_at = pw.DateTimeField(null=True)
    approved_by = pw.IntegerField(null=True)
    approved_at = pw.DateTimeField(null=True, index=True)
    version = pw.IntegerField(default=1)


class StockCountLine(BaseModel):
    sheet = pw.ForeignKeyField(StockCount, backref='lines', on_delete='RESTRICT')
    part = pw.ForeignKeyField(Part, on_delete='RESTRICT')
    bin = pw.CharField(max_length=20, default='')
    book_qty = pw.DecimalField(**QTY)
    unit_cost = pw.DecimalField(**COST)
    counted_qty = pw.DecimalField(**QTY, null=True)
    counted_by = pw.IntegerField(null=True)
    counted_at = pw.DateTimeField(null=True)

    @property
    def difference(self):
        return None if self.counted_qty is None else self.counted_qty - self.book_qty

    @property
    def difference_value(self):
        """The gain (+) or loss (-) in money, at the cost frozen on the sheet."""
        diff = self.difference
        return None if diff is None else (diff * self.unit_cost).quantize(Decimal('0.01'))


class StockMove(ShopScoped):
    """One row of the stock ledger. Quantity and value are signed: + into stock, - out of it."""
    RECEIPT, ISSUE, RETURN, TRANSFER, ADJUSTMENT, COUNT = 'receipt', 'issue', 'return', 'transfer', 'adjustment', 'count'
    KINDS = (RECEIPT, ISSUE, RETURN, TRANSFER, ADJUSTMENT, COUNT)
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    part = pw.ForeignKeyField(Part, backref='moves', on_delete='RESTRICT')
    kind = pw.CharField(max_length=12)
    quantity = pw.DecimalField(**QTY)
    unit_cost = pw.DecimalField(**COST)
    value = pw.DecimalField(**MONEY)
    on_hand_after = pw.DecimalField(**QTY)
    value_after = pw.DecimalField(**MONEY)
    at = pw.DateTimeField(default=utcnow)
    moved_by = pw.ForeignKeyField(User, on_delete='RESTRICT')
    reason = pw.CharField(max_length=200, default='')
    reference = pw.CharField(max_length=60, default='')
    order = pw.ForeignKeyField(RepairOrder, null=True, on_delete='RESTRICT')
    # plain ids: the estimate's lines and parts may be reworked; the ledger keeps where the part went
    order_line_id = pw.IntegerField(null=True)
    part_line_id = pw.IntegerField(null=True)
    parts_request = pw.ForeignKeyField(PartsRequest, null=True, on_delete='RESTRICT')
    receipt_line = pw.ForeignKeyField(ReceiptLine, null=True, on_delete='RESTRICT')
    count_line = pw.ForeignKeyField(StockCountLine, null=True, on_delete='RESTRICT')
    reverses = pw.ForeignKeyField('self', null=True, unique=True, backref='reversal', on_delete='RESTRICT')
    issue = pw.ForeignKeyField('self', null=True, backref='returns', on_delete='RESTRICT')   # a return: of which issue
    override = pw.BooleanField(default=False)      # a manager let stock go below zero

    class Meta:
        indexes = ((('part', 'at'), False), (('shop', 'kind', 'at'), False))

    def save(self, *args, **kwargs):
        if self.id is not None and not kwargs.get('force_insert'):
            raise LedgerWriteError('ledger rows are never edited: reverse them')
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise LedgerWriteError('ledger rows are never deleted: reverse them')


class OldPart(ShopScoped):
    """A part taken off a car (旧件): returned to the customer, scrapped, or kept for a warranty return."""
    PENDING, RETURNED, SCRAPPED, KEPT, SENT = 'pending', 'returned', 'scrapped', 'kept', 'sent'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='old_parts', on_delete='RESTRICT')
    order_line = pw.ForeignKeyField(OrderLine, null=True, on_delete='SET NULL')
    part_line = pw.ForeignKeyField(PartLine, null=True, on_delete='SET NULL')
    part_number = pw.CharField(max_length=40, default='')
    name = pw.CharField(max_length=100)
    quantity = pw.DecimalField(**QTY, default=Decimal('1'))
    status = pw.CharField(max_length=10, default=PENDING, index=True)
    tag_number = pw.CharField(max_length=40, default='')
    created_at = pw.DateTimeField(default=utcnow)
    decided_at = pw.DateTimeField(null=True)
    decided_by = pw.IntegerField(null=True)
    note = pw.CharField(max_length=200, default='')

    class Meta:
        indexes = ((('shop', 'status', 'created_at'), False),)
