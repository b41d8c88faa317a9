"""Settlement and delivery: the settlement with its items, discounts, payments and credit notes; the
quality guarantee table; the delivery checklist with the belongings handed back.

Generated from the models with playhouse.migrations.template against a database migrated to the
migrations before it, then frozen. Python-side defaults (timestamps) live in the models, not the schema.
"""
from peewee import *
import decimal


def up(migrator, db):
    class Belonging(Model):
        class Meta:
            database = db
            table_name = 'belonging'

    class RepairOrder(Model):
        class Meta:
            database = db
            table_name = 'repair_order'

    class Shop(Model):
        class Meta:
            database = db
            table_name = 'shop'

    class Signature(Model):
        class Meta:
            database = db
            table_name = 'signature'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class VehicleDelivery(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, unique=True, on_delete='RESTRICT')
        delivered_at = DateTimeField(index=True)
        delivered_by = ForeignKeyField(User, on_delete='RESTRICT')
        key_returned = BooleanField(default=False)
        documents_returned = BooleanField(default=False)
        documents_note = CharField(max_length=200, default='')
        old_parts = CharField(max_length=10, default='none')
        satisfaction = IntegerField(null=True)
        comment = TextField(default='')
        signature = ForeignKeyField(Signature, null=True, on_delete='SET NULL')
        next_service_date = DateField(null=True)
        next_service_km = IntegerField(null=True)
        balance = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        on_account_reason = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'vehicle_delivery'
    db.create_tables([VehicleDelivery])

    class BelongingReturn(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        delivery = ForeignKeyField(VehicleDelivery, on_delete='CASCADE')
        belonging = ForeignKeyField(Belonging, null=True, on_delete='SET NULL')
        name = CharField(max_length=100)
        quantity = IntegerField(default=1)
        returned = BooleanField(default=True)
        note = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'belonging_return'
    db.create_tables([BelongingReturn])

    class Settlement(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, unique=True, on_delete='RESTRICT')
        number = CharField(null=True, max_length=20)
        status = CharField(index=True, max_length=10, default='draft')
        payers = TextField(default='{}')
        tax_rate = DecimalField(null=True, max_digits=6, decimal_places=4)
        labour = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        parts = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        discount = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        tax = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        total = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        customer_total = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        warranty_total = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        insurance_total = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        internal_total = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        guarantee = TextField(default='{}')
        created_at = DateTimeField()
        created_by = IntegerField(null=True)
        settled_at = DateTimeField(index=True, null=True)
        settled_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'settlement'
            indexes = ((('shop', 'number'), True),)
    db.create_tables([Settlement])

    class CreditNote(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        settlement = ForeignKeyField(Settlement, on_delete='RESTRICT')
        number = CharField(max_length=20)
        reason = CharField(max_length=200)
        net = DecimalField(max_digits=12, decimal_places=2)
        tax = DecimalField(max_digits=12, decimal_places=2)
        total = DecimalField(max_digits=12, decimal_places=2)
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'credit_note'
            indexes = ((('shop', 'number'), True),)
    db.create_tables([CreditNote])

    class SettlementLine(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        settlement = ForeignKeyField(Settlement, on_delete='CASCADE')
        kind = CharField(max_length=10)
        key = CharField(max_length=30)
        group = CharField(max_length=30, default='')
        description = CharField(max_length=200)
        part_number = CharField(max_length=40, default='')
        quantity = DecimalField(max_digits=8, decimal_places=2, default=decimal.Decimal('1'))
        unit_price = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        hours = DecimalField(max_digits=8, decimal_places=2, default=decimal.Decimal('0'))
        amount = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        payer = CharField(max_length=10, default='customer')
        category = CharField(max_length=30, default='minor')
        added_work = BooleanField(default=False)
        supplied_by = CharField(max_length=10, default='shop')
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'settlement_line'
    db.create_tables([SettlementLine])

    class CreditNoteLine(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        credit_note = ForeignKeyField(CreditNote, on_delete='CASCADE')
        settlement_line = ForeignKeyField(SettlementLine, null=True, on_delete='RESTRICT')
        description = CharField(max_length=200)
        amount = DecimalField(max_digits=12, decimal_places=2)
        class Meta:
            database = db
            table_name = 'credit_note_line'
    db.create_tables([CreditNoteLine])

    class Discount(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        settlement = ForeignKeyField(Settlement, on_delete='CASCADE')
        kind = CharField(max_length=10)
        value = DecimalField(max_digits=12, decimal_places=4)
        amount = DecimalField(null=True, max_digits=12, decimal_places=2)
        reason = CharField(max_length=200)
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        approved_by = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        approved_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'discount'
    db.create_tables([Discount])

    class GuaranteeTerm(Model):
        shop = ForeignKeyField(Shop, on_delete='CASCADE')
        category = CharField(max_length=30)
        days = IntegerField()
        km = IntegerField()
        updated_at = DateTimeField()
        updated_by = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'guarantee_term'
            indexes = ((('shop', 'category'), True),)
    db.create_tables([GuaranteeTerm])

    class Payment(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        settlement = ForeignKeyField(Settlement, on_delete='RESTRICT')
        method = CharField(max_length=15)
        amount = DecimalField(max_digits=12, decimal_places=2)
        reference = CharField(max_length=60, default='')
        paid_at = DateTimeField(index=True)
        received_by = ForeignKeyField(User, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'payment'
    db.create_tables([Payment])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('payment'))
    migrator.migrate(migrator.drop_table('guarantee_term'))
    migrator.migrate(migrator.drop_table('discount'))
    migrator.migrate(migrator.drop_table('credit_note_line'))
    migrator.migrate(migrator.drop_table('settlement_line'))
    migrator.migrate(migrator.drop_table('credit_note'))
    migrator.migrate(migrator.drop_table('settlement'))
    migrator.migrate(migrator.drop_table('belonging_return'))
    migrator.migrate(migrator.drop_table('vehicle_delivery'))
