"""Parts stock: catalogue, suppliers, the append-only stock ledger with its derived stock levels, purchase
orders, receipts with inspection, stock counts, old parts.

Generated from the models with playhouse.migrations.template(diff_models(db, [Supplier, Part, StockLevel,
PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, StockCount, StockCountLine, StockMove, OldPart]))
against a database migrated to 0010, then frozen. Python-side defaults (timestamps) live in the models.
The database refuses UPDATE and DELETE on stock_move (a ledger row is only reversed by a new row).
"""
from peewee import *
import decimal


def up(migrator, db):
    class OrderLine(Model):
        class Meta:
            database = db
            table_name = 'order_line'

    class PartLine(Model):
        class Meta:
            database = db
            table_name = 'part_line'

    class PartsRequest(Model):
        class Meta:
            database = db
            table_name = 'parts_request'

    class RepairOrder(Model):
        class Meta:
            database = db
            table_name = 'repair_order'

    class Shop(Model):
        class Meta:
            database = db
            table_name = 'shop'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class OldPart(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='RESTRICT')
        order_line = ForeignKeyField(OrderLine, null=True, on_delete='SET NULL')
        part_line = ForeignKeyField(PartLine, null=True, on_delete='SET NULL')
        part_number = CharField(max_length=40, default='')
        name = CharField(max_length=100)
        quantity = DecimalField(max_digits=12, decimal_places=3, default=decimal.Decimal('1'))
        status = CharField(index=True, max_length=10, default='pending')
        tag_number = CharField(max_length=40, default='')
        created_at = DateTimeField()
        decided_at = DateTimeField(null=True)
        decided_by = IntegerField(null=True)
        note = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'old_part'
            indexes = ((('shop', 'status', 'created_at'), False),)
    db.create_tables([OldPart])

    class Supplier(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        name = CharField(max_length=100)
        contact = CharField(max_length=60, default='')
        phone = CharField(max_length=30, default='')
        lead_days = IntegerField(default=2)
        class Meta:
            database = db
            table_name = 'supplier'
            indexes = ((('shop', 'name'), True),)
    db.create_tables([Supplier])

    class Part(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        number = CharField(max_length=40)
        name_zh = CharField(max_length=100)
        name_en = CharField(max_length=100, default='')
        origin = CharField(max_length=12, default='oem')
        supplier = ForeignKeyField(Supplier, null=True, on_delete='SET NULL')
        bin = CharField(max_length=20, default='')
        unit = CharField(max_length=10, default='pc')
        cost_price = DecimalField(max_digits=14, decimal_places=4, default=decimal.Decimal('0'))
        sell_price = DecimalField(max_digits=14, decimal_places=2, default=decimal.Decimal('0'))
        min_qty = DecimalField(max_digits=12, decimal_places=3, default=decimal.Decimal('0'))
        max_qty = DecimalField(max_digits=12, decimal_places=3, default=decimal.Decimal('0'))
        active = BooleanField(default=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'part'
            indexes = ((('shop', 'number'), True), (('shop', 'active', 'bin', 'number'), False), (('shop', 'number', 'name_zh', 'name_en'), False))
    db.create_tables([Part])

    class PurchaseOrder(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        number = CharField(max_length=20)
        supplier = ForeignKeyField(Supplier, on_delete='RESTRICT')
        status = CharField(index=True, max_length=10, default='draft')
        expected_on = DateField(null=True)
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        ordered_at = DateTimeField(null=True)
        note = CharField(max_length=200, default='')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'purchase_order'
            indexes = ((('shop', 'number'), True),)
    db.create_tables([PurchaseOrder])

    class PurchaseOrderLine(Model):
        po = ForeignKeyField(PurchaseOrder, on_delete='CASCADE')
        part = ForeignKeyField(Part, on_delete='RESTRICT')
        quantity = DecimalField(max_digits=12, decimal_places=3)
        unit_cost = DecimalField(max_digits=14, decimal_places=4)
        received_qty = DecimalField(max_digits=12, decimal_places=3, default=decimal.Decimal('0'))
        rejected_qty = DecimalField(max_digits=12, decimal_places=3, default=decimal.Decimal('0'))
        class Meta:
            database = db
            table_name = 'purchase_order_line'
    db.create_tables([PurchaseOrderLine])

    class Receipt(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        number = CharField(max_length=20)
        po = ForeignKeyField(PurchaseOrder, null=True, on_delete='RESTRICT')
        supplier = ForeignKeyField(Supplier, null=True, on_delete='RESTRICT')
        received_by = ForeignKeyField(User, on_delete='RESTRICT')
        received_at = DateTimeField()
        delivery_note = CharField(max_length=60, default='')
        class Meta:
            database = db
            table_name = 'receipt'
            indexes = ((('shop', 'number'), True),)
    db.create_tables([Receipt])

    class ReceiptLine(Model):
        receipt = ForeignKeyField(Receipt, on_delete='RESTRICT')
        po_line = ForeignKeyField(PurchaseOrderLine, null=True, on_delete='RESTRICT')
        part = ForeignKeyField(Part, on_delete='RESTRICT')
        delivered_qty = DecimalField(max_digits=12, decimal_places=3)
        accepted_qty = DecimalField(max_digits=12, decimal_places=3)
        rejected_qty = DecimalField(max_digits=12, decimal_places=3, default=decimal.Decimal('0'))
        reject_reason = CharField(max_length=200, default='')
        unit_cost = DecimalField(max_digits=14, decimal_places=4)
        returned_at = DateTimeField(null=True)
        returned_by = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'receipt_line'
    db.create_tables([ReceiptLine])

    class StockCount(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        number = CharField(max_length=20)
        bins = CharField(max_length=100, default='')
        status = CharField(index=True, max_length=10, default='open')
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        submitted_at = DateTimeField(null=True)
        approved_by = IntegerField(null=True)
        approved_at = DateTimeField(index=True, null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'stock_count'
            indexes = ((('shop', 'number'), True),)
    db.create_tables([StockCount])

    class StockCountLine(Model):
        sheet = ForeignKeyField(StockCount, on_delete='RESTRICT')
        part = ForeignKeyField(Part, on_delete='RESTRICT')
        bin = CharField(max_length=20, default='')
        book_qty = DecimalField(max_digits=12, decimal_places=3)
        unit_cost = DecimalField(max_digits=14, decimal_places=4)
        counted_qty = DecimalField(null=True, max_digits=12, decimal_places=3)
        counted_by = IntegerField(null=True)
        counted_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'stock_count_line'
    db.create_tables([StockCountLine])

    class StockLevel(Model):
        part = ForeignKeyField(Part, primary_key=True, on_delete='RESTRICT')
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        on_hand = DecimalField(max_digits=12, decimal_places=3, default=decimal.Decimal('0'))
        value = DecimalField(max_digits=14, decimal_places=2, default=decimal.Decimal('0'))
        avg_cost = DecimalField(max_digits=14, decimal_places=4, default=decimal.Decimal('0'))
        last_move_at = DateTimeField(null=True)
        last_activity_at = DateTimeField(null=True)
        moves = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'stock_level'
            indexes = ((('shop', 'on_hand', 'value'), False),)
    db.create_tables([StockLevel])

    class StockMove(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        part = ForeignKeyField(Part, on_delete='RESTRICT')
        kind = CharField(max_length=12)
        quantity = DecimalField(max_digits=12, decimal_places=3)
        unit_cost = DecimalField(max_digits=14, decimal_places=4)
        value = DecimalField(max_digits=14, decimal_places=2)
        on_hand_after = DecimalField(max_digits=12, decimal_places=3)
        value_after = DecimalField(max_digits=14, decimal_places=2)
        at = DateTimeField()
        moved_by = ForeignKeyField(User, on_delete='RESTRICT')
        reason = CharField(max_length=200, default='')
        reference = CharField(max_length=60, default='')
        order = ForeignKeyField(RepairOrder, null=True, on_delete='RESTRICT')
        order_line_id = IntegerField(null=True)
        part_line_id = IntegerField(null=True)
        parts_request = ForeignKeyField(PartsRequest, null=True, on_delete='RESTRICT')
        receipt_line = ForeignKeyField(ReceiptLine, null=True, on_delete='RESTRICT')
        count_line = ForeignKeyField(StockCountLine, null=True, on_delete='RESTRICT')
        reverses = ForeignKeyField('self', unique=True, null=True, on_delete='RESTRICT')
        issue = ForeignKeyField('self', null=True, on_delete='RESTRICT')
        override = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'stock_move'
            indexes = ((('part', 'at'), False), (('shop', 'kind', 'at'), False))
    db.create_tables([StockMove])

    append_only_ledger(db)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP FUNCTION IF EXISTS stock_move_append_only() CASCADE')
    migrator.migrate(migrator.drop_table('stock_move'))
    migrator.migrate(migrator.drop_table('stock_level'))
    migrator.migrate(migrator.drop_table('stock_count_line'))
    migrator.migrate(migrator.drop_table('stock_count'))
    migrator.migrate(migrator.drop_table('receipt_line'))
    migrator.migrate(migrator.drop_table('receipt'))
    migrator.migrate(migrator.drop_table('purchase_order_line'))
    migrator.migrate(migrator.drop_table('purchase_order'))
    migrator.migrate(migrator.drop_table('part'))
    migrator.migrate(migrator.drop_table('supplier'))
    migrator.migrate(migrator.drop_table('old_part'))


def append_only_ledger(db):
    """The database itself refuses UPDATE and DELETE on ledger rows."""
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION stock_move_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'stock ledger rows are append-only'; END; $$ LANGUAGE plpgsql")
        for op in ('UPDATE', 'DELETE'):
            db.execute_sql('CREATE TRIGGER stock_move_no_%s BEFORE %s ON stock_move '
                           'FOR EACH ROW EXECUTE FUNCTION stock_move_append_only()' % (op.lower(), op))
    else:
        for op in ('UPDATE', 'DELETE'):
            db.execute_sql("CREATE TRIGGER stock_move_no_%s BEFORE %s ON stock_move "
                           "BEGIN SELECT RAISE(ABORT, 'stock ledger rows are append-only'); END" % (op.lower(), op))
