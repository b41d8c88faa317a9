"""Warranty: who pays for each job line (coverage and eligibility), claims to the maker, loaner cars.

Generated from the models with playhouse.migrations.template(diff_models(db, [LineCoverage, Claim,
LoanerRecord])) against a database migrated to 0009, then frozen. Python-side defaults (timestamps)
live in the models, not the schema.
"""
from peewee import *
import decimal


def up(migrator, db):
    class OrderLine(Model):
        class Meta:
            database = db
            table_name = 'order_line'

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

    class Claim(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        number = CharField(max_length=20)
        order = ForeignKeyField(RepairOrder, on_delete='RESTRICT')
        line = ForeignKeyField(OrderLine, unique=True, null=True, on_delete='RESTRICT')
        labour_amount = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        parts_amount = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        old_part_tag = CharField(max_length=40, default='')
        note = TextField(default='')
        status = CharField(index=True, max_length=10, default='draft')
        submissions = IntegerField(default=0)
        first_result = CharField(max_length=10, default='')
        first_decided_at = DateTimeField(null=True)
        submitted_at = DateTimeField(null=True)
        decided_at = DateTimeField(null=True)
        rejection_reason = TextField(default='')
        paid_at = DateTimeField(null=True)
        paid_amount = DecimalField(null=True, max_digits=12, decimal_places=2)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'claim'
            indexes = ((('shop', 'number'), True), (('shop', 'status'), False))
    db.create_tables([Claim])

    class LineCoverage(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        line = ForeignKeyField(OrderLine, unique=True, on_delete='CASCADE')
        kind = CharField(max_length=12, default='customer_pay')
        system = CharField(max_length=20)
        fault_code = CharField(max_length=30, default='')
        reason = TextField()
        within_warranty = BooleanField(default=False)
        within_three_guarantee = BooleanField(default=False)
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        decided_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'line_coverage'
    db.create_tables([LineCoverage])

    class LoanerRecord(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        kind = CharField(max_length=24)
        given_at = DateTimeField()
        amount = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        note = CharField(max_length=200, default='')
        recorded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        recorded_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'loaner_record'
    db.create_tables([LoanerRecord])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('loaner_record'))
    migrator.migrate(migrator.drop_table('line_coverage'))
    migrator.migrate(migrator.drop_table('claim'))
