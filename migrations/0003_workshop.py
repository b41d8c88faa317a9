"""The workshop floor: bays, time clock, findings, added work, parts requests, QC, progress checks;
the foreman's acceptance and final-check columns on orders; bay and rework columns on lines.

Generated from the models with playhouse.migrations.template, then frozen.
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

    class Finding(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        line = ForeignKeyField(OrderLine, null=True, on_delete='SET NULL')
        technician = ForeignKeyField(User, on_delete='RESTRICT')
        severity = CharField(max_length=8)
        note = TextField()
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'finding'
    db.create_tables([Finding])

    class AddedWork(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        finding = ForeignKeyField(Finding, null=True, on_delete='SET NULL')
        requested_by = ForeignKeyField(User, on_delete='RESTRICT')
        canned_job_id = IntegerField(null=True)
        description = CharField(max_length=200)
        hours = DecimalField(max_digits=8, decimal_places=2, default=decimal.Decimal('0'))
        labour_price = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        parts_price = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        delay_minutes = IntegerField(default=0)
        safety = BooleanField(default=False)
        status = CharField(index=True, max_length=12, default='pending')
        requested_at = DateTimeField()
        decided_at = DateTimeField(null=True)
        decided_by = IntegerField(null=True)
        channel = CharField(max_length=12, default='')
        spoke_with = CharField(max_length=100, default='')
        price_told = DecimalField(null=True, max_digits=12, decimal_places=2)
        delay_told_minutes = IntegerField(null=True)
        note = CharField(max_length=200, default='')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'added_work'
    db.create_tables([AddedWork])

    class AddedWorkPart(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        added_work = ForeignKeyField(AddedWork, on_delete='CASCADE')
        part_number = CharField(max_length=40, default='')
        name = CharField(max_length=100)
        quantity = DecimalField(max_digits=8, decimal_places=2, default=decimal.Decimal('1'))
        unit_price = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        class Meta:
            database = db
            table_name = 'added_work_part'
    db.create_tables([AddedWorkPart])

    class Bay(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        number = IntegerField()
        name = CharField(max_length=40)
        kind = CharField(max_length=20, default='general')
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'bay'
            indexes = ((('shop', 'number'), True),)
    db.create_tables([Bay])

    class IdempotencyKey(Model):
        key = CharField(max_length=64)
        user_id = IntegerField()
        endpoint = CharField(max_length=80)
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'idempotency_key'
            indexes = ((('user_id', 'key'), True),)
    db.create_tables([IdempotencyKey])

    class PartsRequest(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        line = ForeignKeyField(OrderLine, null=True, on_delete='SET NULL')
        requested_by = ForeignKeyField(User, on_delete='RESTRICT')
        part_number = CharField(max_length=40, default='')
        name = CharField(max_length=100)
        quantity = DecimalField(max_digits=8, decimal_places=2, default=decimal.Decimal('1'))
        status = CharField(index=True, max_length=12, default='requested')
        requested_at = DateTimeField()
        answered_at = DateTimeField(null=True)
        answered_by = IntegerField(null=True)
        issued_part_number = CharField(max_length=40, default='')
        issued_quantity = DecimalField(null=True, max_digits=8, decimal_places=2)
        expected_at = DateTimeField(null=True)
        note = CharField(max_length=200, default='')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'parts_request'
    db.create_tables([PartsRequest])

    class ProgressCheck(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        checked_by = ForeignKeyField(User, on_delete='RESTRICT')
        checked_at = DateTimeField()
        on_track = BooleanField(default=True)
        note = CharField(max_length=200, default='')
        old_promised_at = DateTimeField(null=True)
        new_promised_at = DateTimeField(null=True)
        reason = CharField(max_length=200, default='')
        customer_told_at = DateTimeField(null=True)
        told_channel = CharField(max_length=12, default='')
        class Meta:
            database = db
            table_name = 'progress_check'
    db.create_tables([ProgressCheck])

    class QCInspection(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        inspector = ForeignKeyField(User, on_delete='RESTRICT')
        result = CharField(max_length=4)
        checklist = TextField(default='{}')
        reasons = TextField(default='')
        failed_lines = TextField(default='[]')
        first_time = BooleanField(default=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'qc_inspection'
    db.create_tables([QCInspection])

    class TimeEntry(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        technician = ForeignKeyField(User, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        line = ForeignKeyField(OrderLine, on_delete='CASCADE')
        started_at = DateTimeField()
        ended_at = DateTimeField(null=True)
        end_reason = CharField(max_length=20, default='')
        flagged = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'time_entry'
            indexes = ((('technician', 'ended_at'), False),)
    db.create_tables([TimeEntry])

    migrator.migrate(migrator.add_column('repair_order', 'accepted_at', DateTimeField(null=True)))
    migrator.migrate(migrator.add_column('repair_order', 'accepted_by', IntegerField(null=True)))
    migrator.migrate(migrator.add_column('repair_order', 'self_check', TextField(default='{}')))
    migrator.migrate(migrator.add_column('repair_order', 'final_check_at', DateTimeField(null=True)))
    migrator.migrate(migrator.add_column('repair_order', 'final_check_by', IntegerField(null=True)))
    migrator.migrate(migrator.add_column('repair_order', 'safety_declined', BooleanField(default=False)))
    migrator.migrate(migrator.add_column('order_line', 'bay_id', IntegerField(null=True)))
    migrator.migrate(migrator.add_column('order_line', 'added_work_id', IntegerField(null=True)))
    migrator.migrate(migrator.add_column('order_line', 'qc_failures', IntegerField(default=0)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('order_line', 'qc_failures'))
    migrator.migrate(migrator.drop_column('order_line', 'added_work_id'))
    migrator.migrate(migrator.drop_column('order_line', 'bay_id'))
    migrator.migrate(migrator.drop_column('repair_order', 'safety_declined'))
    migrator.migrate(migrator.drop_column('repair_order', 'final_check_by'))
    migrator.migrate(migrator.drop_column('repair_order', 'final_check_at'))
    migrator.migrate(migrator.drop_column('repair_order', 'self_check'))
    migrator.migrate(migrator.drop_column('repair_order', 'accepted_by'))
    migrator.migrate(migrator.drop_column('repair_order', 'accepted_at'))
    migrator.migrate(migrator.drop_table('time_entry'))
    migrator.migrate(migrator.drop_table('qc_inspection'))
    migrator.migrate(migrator.drop_table('progress_check'))
    migrator.migrate(migrator.drop_table('parts_request'))
    migrator.migrate(migrator.drop_table('idempotency_key'))
    migrator.migrate(migrator.drop_table('bay'))
    migrator.migrate(migrator.drop_table('added_work_part'))
    migrator.migrate(migrator.drop_table('added_work'))
    migrator.migrate(migrator.drop_table('finding'))
