"""Initial schema: shops, settings, audit events, accounts, customers, vehicles, repair orders.

Generated from the models with playhouse.migrations.template, then frozen. Python-side
defaults (timestamps, tokens) live in the models, not the schema.
"""
from peewee import *
import decimal


def up(migrator, db):
    class Shop(Model):
        code = CharField(unique=True, max_length=20)
        name = CharField(max_length=100)
        name_en = CharField(max_length=100, default='')
        phone = CharField(max_length=30, default='')
        address = CharField(max_length=200, default='')
        timezone = CharField(max_length=50, default='Asia/Shanghai')
        opening_hours = CharField(max_length=100, default='08:30-18:00')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'shop'
    db.create_tables([Shop])

    class Counter(Model):
        shop = ForeignKeyField(Shop, on_delete='CASCADE')
        name = CharField(max_length=30)
        year = IntegerField()
        last = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'counter'
            indexes = ((('shop', 'name', 'year'), True),)
    db.create_tables([Counter])

    class Customer(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        kind = CharField(max_length=10, default='person')
        name = CharField(index=True, max_length=100)
        phone = CharField(index=True, max_length=20)
        phone2 = CharField(max_length=20, default='')
        language = CharField(max_length=5, default='zh')
        consent_contact = BooleanField(default=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'customer'
    db.create_tables([Customer])

    class Event(Model):
        shop = ForeignKeyField(Shop, null=True, on_delete='RESTRICT')
        at = DateTimeField(index=True)
        actor = IntegerField(null=True)
        actor_name = CharField(max_length=100, default='')
        action = CharField(index=True, max_length=60)
        record_type = CharField(max_length=40)
        record_id = IntegerField(null=True)
        before = TextField(null=True)
        after = TextField(null=True)
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'event'
            indexes = ((('record_type', 'record_id', 'at'), False),)
    db.create_tables([Event])

    class LoginFailure(Model):
        username = CharField(index=True, max_length=50)
        address = CharField(index=True, max_length=64)
        at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'login_failure'
    db.create_tables([LoginFailure])

    class User(Model):
        username = CharField(unique=True, max_length=50)
        display_name = CharField(max_length=100)
        password_hash = CharField(max_length=200)
        language = CharField(null=True, max_length=5)
        active = BooleanField(default=True)
        session_token = CharField(max_length=64)
        phone = CharField(max_length=30, default='')
        skills = CharField(max_length=200, default='')
        created_at = DateTimeField()
        last_login_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class Membership(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        shop = ForeignKeyField(Shop, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'membership'
            indexes = ((('user', 'shop'), True),)
    db.create_tables([Membership])

    class Vehicle(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        owner = ForeignKeyField(Customer, on_delete='RESTRICT')
        vin = CharField(max_length=17)
        plate = CharField(max_length=10)
        plate_key = CharField(index=True, max_length=10)
        make = CharField(max_length=40)
        model = CharField(max_length=60)
        year = IntegerField(null=True)
        colour = CharField(max_length=30, default='')
        sale_date = DateField(null=True)
        mileage = IntegerField(default=0)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'vehicle'
            indexes = ((('shop', 'vin'), True), (('shop', 'plate'), False))
    db.create_tables([Vehicle])

    class RepairOrder(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        number = CharField(max_length=20)
        customer = ForeignKeyField(Customer, on_delete='RESTRICT')
        vehicle = ForeignKeyField(Vehicle, on_delete='RESTRICT')
        advisor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        stage = CharField(index=True, max_length=20, default='checked_in')
        version = IntegerField(default=1)
        complaint = TextField(default='')
        odometer = IntegerField(default=0)
        fuel_eighths = IntegerField(default=4)
        checked_in_at = DateTimeField()
        promised_at = DateTimeField(null=True)
        delivered_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'repair_order'
            indexes = ((('shop', 'number'), True),)
    db.create_tables([RepairOrder])

    class OrderLine(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        description = CharField(max_length=200)
        labour_hours = DecimalField(max_digits=8, decimal_places=2, default=decimal.Decimal('0'))
        labour_price = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        technician = ForeignKeyField(User, null=True, on_delete='SET NULL')
        status = CharField(max_length=12, default='pending')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'order_line'
    db.create_tables([OrderLine])

    class Setting(Model):
        shop = ForeignKeyField(Shop, on_delete='CASCADE')
        key = CharField(max_length=80)
        value = TextField()
        class Meta:
            database = db
            table_name = 'setting'
            indexes = ((('shop', 'key'), True),)
    db.create_tables([Setting])

    class UserRole(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        role = CharField(max_length=30)
        class Meta:
            database = db
            table_name = 'user_role'
            indexes = ((('user', 'role'), True),)
    db.create_tables([UserRole])

    append_only_events(db)


def append_only_events(db):
    """The database itself refuses UPDATE and DELETE on audit events."""
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION event_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql")
        for op in ('UPDATE', 'DELETE'):
            db.execute_sql('CREATE TRIGGER event_no_%s BEFORE %s ON event '
                           'FOR EACH ROW EXECUTE FUNCTION event_append_only()' % (op.lower(), op))
    else:
        for op in ('UPDATE', 'DELETE'):
            db.execute_sql("CREATE TRIGGER event_no_%s BEFORE %s ON event "
                           "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END" % (op.lower(), op))


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP FUNCTION IF EXISTS event_append_only() CASCADE')
    migrator.migrate(migrator.drop_table('user_role'))
    migrator.migrate(migrator.drop_table('setting'))
    migrator.migrate(migrator.drop_table('order_line'))
    migrator.migrate(migrator.drop_table('repair_order'))
    migrator.migrate(migrator.drop_table('vehicle'))
    migrator.migrate(migrator.drop_table('membership'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('login_failure'))
    migrator.migrate(migrator.drop_table('event'))
    migrator.migrate(migrator.drop_table('customer'))
    migrator.migrate(migrator.drop_table('counter'))
    migrator.migrate(migrator.drop_table('shop'))
