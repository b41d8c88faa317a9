"""Aftercare: follow-up call tasks and call records, shop events, reminders sent, complaints and handovers.

Generated from the models with playhouse.migrations.template against a database migrated to the
migrations before it, then frozen. Python-side defaults (timestamps) live in the models, not the schema.
"""
from peewee import *


def up(migrator, db):
    class Customer(Model):
        class Meta:
            database = db
            table_name = 'customer'

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

    class Vehicle(Model):
        class Meta:
            database = db
            table_name = 'vehicle'

    class ShopEvent(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        title = CharField(max_length=120)
        title_en = CharField(max_length=120, default='')
        starts_on = DateField(index=True)
        description = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'shop_event'
    db.create_tables([ShopEvent])

    class FollowUpTask(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, null=True, on_delete='RESTRICT')
        customer = ForeignKeyField(Customer, on_delete='RESTRICT')
        vehicle = ForeignKeyField(Vehicle, null=True, on_delete='RESTRICT')
        event = ForeignKeyField(ShopEvent, null=True, on_delete='RESTRICT')
        kind = CharField(max_length=10)
        due_from = DateField()
        due_by = DateField(index=True)
        call_back_at = DateTimeField(null=True)
        assigned_to = ForeignKeyField(User, null=True, on_delete='SET NULL')
        status = CharField(index=True, max_length=10, default='open')
        attempts = IntegerField(default=0)
        done_at = DateTimeField(null=True)
        note = CharField(max_length=200, default='')
        created_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'follow_up_task'
            indexes = ((('order', 'kind'), True),)
    db.create_tables([FollowUpTask])

    class CallRecord(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        task = ForeignKeyField(FollowUpTask, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, null=True, on_delete='RESTRICT')
        customer = ForeignKeyField(Customer, on_delete='RESTRICT')
        caller = ForeignKeyField(User, null=True, on_delete='SET NULL')
        called_at = DateTimeField(index=True)
        outcome = CharField(max_length=15)
        call_back_at = DateTimeField(null=True)
        satisfaction = IntegerField(null=True)
        notes = TextField(default='')
        request = TextField(default='')
        request_status = CharField(index=True, max_length=10, default='none')
        request_due_at = DateTimeField(null=True)
        answer = TextField(default='')
        answered_at = DateTimeField(null=True)
        answered_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        told_channel = CharField(max_length=15, default='')
        escalated_at = DateTimeField(null=True)
        escalated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        escalated_to = ForeignKeyField(User, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'call_record'
    db.create_tables([CallRecord])

    class Complaint(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        logged_at = DateTimeField(index=True)
        logged_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        owner = ForeignKeyField(User, null=True, on_delete='SET NULL')
        channel = CharField(max_length=12)
        customer = ForeignKeyField(Customer, null=True, on_delete='RESTRICT')
        contact = CharField(max_length=120, default='')
        order = ForeignKeyField(RepairOrder, null=True, on_delete='RESTRICT')
        content = TextField()
        cause_category = CharField(max_length=12, default='')
        service_fault = BooleanField(null=True)
        investigation = TextField(default='')
        resolution = TextField(default='')
        first_answer_due_at = DateTimeField(index=True)
        first_answer_at = DateTimeField(null=True)
        first_answer = TextField(default='')
        customer_told_at = DateTimeField(null=True)
        told_channel = CharField(max_length=12, default='')
        customer_satisfaction = IntegerField(null=True)
        status = CharField(index=True, max_length=10, default='open')
        escalated_at = DateTimeField(null=True)
        escalated_to = ForeignKeyField(User, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'complaint'
    db.create_tables([Complaint])

    class ComplaintHandover(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        complaint = ForeignKeyField(Complaint, on_delete='CASCADE')
        from_user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        to_user = ForeignKeyField(User, on_delete='RESTRICT')
        at = DateTimeField()
        note = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'complaint_handover'
    db.create_tables([ComplaintHandover])

    class Outreach(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        kind = CharField(max_length=12)
        customer = ForeignKeyField(Customer, on_delete='RESTRICT')
        vehicle = ForeignKeyField(Vehicle, null=True, on_delete='RESTRICT')
        event = ForeignKeyField(ShopEvent, null=True, on_delete='RESTRICT')
        due_on = DateField()
        via = CharField(max_length=10)
        task = ForeignKeyField(FollowUpTask, null=True, on_delete='SET NULL')
        at = DateTimeField()
        by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'outreach'
            indexes = ((('shop', 'kind', 'customer', 'due_on'), False),)
    db.create_tables([Outreach])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('outreach'))
    migrator.migrate(migrator.drop_table('complaint_handover'))
    migrator.migrate(migrator.drop_table('complaint'))
    migrator.migrate(migrator.drop_table('call_record'))
    migrator.migrate(migrator.drop_table('follow_up_task'))
    migrator.migrate(migrator.drop_table('shop_event'))
