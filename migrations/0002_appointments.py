"""Appointments: the booked visit, the jobs asked for and the parts to order.

Generated from the models with playhouse.migrations.template against a database migrated to
0001, then frozen. Python-side defaults (timestamps) live in the models, not the schema.
"""
from peewee import *
import decimal


def up(migrator, db):
    class CannedJob(Model):
        class Meta:
            database = db
            table_name = 'canned_job'

    class Customer(Model):
        class Meta:
            database = db
            table_name = 'customer'

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

    class Appointment(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        customer = ForeignKeyField(Customer, on_delete='RESTRICT')
        vehicle = ForeignKeyField(Vehicle, null=True, on_delete='RESTRICT')
        advisor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        start_at = DateTimeField()
        duration = DecimalField(max_digits=5, decimal_places=2)
        requested_work = TextField(default='')
        status = CharField(index=True, max_length=12, default='booked')
        order_id = IntegerField(null=True)
        reminded_at = DateTimeField(null=True)
        reminded_by = IntegerField(null=True)
        reminder_channel = CharField(max_length=12, default='')
        reminder_note = CharField(max_length=200, default='')
        deposit = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        deposit_method = CharField(null=True, max_length=16)
        created_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'appointment'
            indexes = ((('shop', 'start_at'), False),)
    db.create_tables([Appointment])

    class AppointmentJob(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        appointment = ForeignKeyField(Appointment, on_delete='CASCADE')
        canned_job = ForeignKeyField(CannedJob, null=True, on_delete='SET NULL')
        description = CharField(max_length=200)
        hours = DecimalField(max_digits=6, decimal_places=2, default=decimal.Decimal('0'))
        class Meta:
            database = db
            table_name = 'appointment_job'
    db.create_tables([AppointmentJob])

    class AppointmentPart(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        appointment = ForeignKeyField(Appointment, on_delete='CASCADE')
        part_number = CharField(max_length=40, default='')
        name = CharField(max_length=100)
        quantity = DecimalField(max_digits=8, decimal_places=2, default=decimal.Decimal('1'))
        unit_price = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        class Meta:
            database = db
            table_name = 'appointment_part'
    db.create_tables([AppointmentPart])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('appointment_part'))
    migrator.migrate(migrator.drop_table('appointment_job'))
    migrator.migrate(migrator.drop_table('appointment'))
