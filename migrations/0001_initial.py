"""Initial schema: shops, settings, audit events, accounts, customers, vehicles, repair orders and check-in.

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

    class Customer(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        kind = CharField(max_length=10, default='person')
        name = CharField(index=True, max_length=100)
        phone = CharField(index=True, max_length=20)
        phone2 = CharField(max_length=20, default='')
        language = CharField(max_length=5, default='zh')
        consent_contact = BooleanField(default=True)
        note = TextField(default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'customer'
    db.create_tables([Customer])

    class Vehicle(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        owner = ForeignKeyField(Customer, on_delete='RESTRICT')
        vin = CharField(max_length=17)
        vin_tail = CharField(index=True, max_length=6)
        plate = CharField(max_length=10)
        plate_key = CharField(index=True, max_length=10)
        make = CharField(max_length=40)
        model = CharField(max_length=60)
        year = IntegerField(null=True)
        colour = CharField(max_length=30, default='')
        sale_date = DateField(null=True)
        mileage = IntegerField(default=0)
        next_service_date = DateField(null=True)
        next_service_km = IntegerField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'vehicle'
            indexes = ((('shop', 'vin'), True), (('shop', 'plate'), False))
    db.create_tables([Vehicle])

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

    class KeyTag(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        number = IntegerField()
        token = CharField(unique=True, max_length=32)
        order_id = IntegerField(index=True, null=True)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'key_tag'
            indexes = ((('shop', 'number'), True),)
    db.create_tables([KeyTag])

    class KeyHook(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        number = IntegerField()
        order_id = IntegerField(index=True, null=True)
        class Meta:
            database = db
            table_name = 'key_hook'
            indexes = ((('shop', 'number'), True),)
    db.create_tables([KeyHook])

    class RepairOrder(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        number = CharField(null=True, max_length=20)
        customer = ForeignKeyField(Customer, null=True, on_delete='RESTRICT')
        vehicle = ForeignKeyField(Vehicle, null=True, on_delete='RESTRICT')
        advisor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        appointment_id = IntegerField(null=True)
        stage = CharField(index=True, max_length=20, default='draft')
        version = IntegerField(default=1)
        checkin_step = CharField(max_length=20, default='vehicle')
        complaint = TextField(default='')
        advisor_notes = TextField(default='')
        odometer = IntegerField(default=0)
        fuel_eighths = IntegerField(default=4)
        documents = TextField(default='[]')
        checks = TextField(default='{}')
        valuables_reminded = BooleanField(default=False)
        estimate_method = CharField(max_length=10, default='item')
        no_guarantee_note = BooleanField(default=False)
        key_tag = ForeignKeyField(KeyTag, null=True, on_delete='SET NULL')
        key_hook = ForeignKeyField(KeyHook, null=True, on_delete='SET NULL')
        label_token = CharField(unique=True, max_length=32)
        created_at = DateTimeField()
        checked_in_at = DateTimeField(null=True)
        promised_at = DateTimeField(null=True)
        delivered_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'repair_order'
            indexes = ((('shop', 'number'), True),)
    db.create_tables([RepairOrder])

    class Belonging(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        preset = CharField(max_length=30, default='')
        name = CharField(max_length=100)
        quantity = IntegerField(default=1)
        returned = BooleanField(null=True)
        class Meta:
            database = db
            table_name = 'belonging'
    db.create_tables([Belonging])

    class CannedJob(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        code = CharField(max_length=20)
        name = CharField(max_length=100)
        name_en = CharField(max_length=100, default='')
        system = CharField(max_length=30, default='')
        category = CharField(max_length=30, default='minor')
        hours = DecimalField(max_digits=6, decimal_places=2)
        labour_rate = DecimalField(null=True, decimal_places=2)
        skill = CharField(max_length=30, default='')
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'canned_job'
            indexes = ((('shop', 'code'), True),)
    db.create_tables([CannedJob])

    class CannedJobPart(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        job = ForeignKeyField(CannedJob, on_delete='CASCADE')
        part_number = CharField(max_length=40)
        name = CharField(max_length=100)
        quantity = DecimalField(max_digits=8, decimal_places=2, default=decimal.Decimal('1'))
        unit_price = DecimalField(max_digits=12, decimal_places=2)
        class Meta:
            database = db
            table_name = 'canned_job_part'
    db.create_tables([CannedJobPart])

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

    class Membership(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        shop = ForeignKeyField(Shop, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'membership'
            indexes = ((('user', 'shop'), True),)
    db.create_tables([Membership])

    class MileageReading(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        vehicle = ForeignKeyField(Vehicle, on_delete='CASCADE')
        km = IntegerField()
        at = DateTimeField()
        order_id = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'mileage_reading'
    db.create_tables([MileageReading])

    class OrderLine(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        canned_job = ForeignKeyField(CannedJob, null=True, on_delete='SET NULL')
        description = CharField(max_length=200)
        system = CharField(max_length=30, default='')
        labour_hours = DecimalField(max_digits=8, decimal_places=2, default=decimal.Decimal('0'))
        labour_rate = DecimalField(decimal_places=2, default=decimal.Decimal('0'))
        labour_price = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        technician = ForeignKeyField(User, null=True, on_delete='SET NULL')
        status = CharField(max_length=12, default='pending')
        position = IntegerField(default=0)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'order_line'
    db.create_tables([OrderLine])

    class Ownership(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        vehicle = ForeignKeyField(Vehicle, on_delete='CASCADE')
        customer = ForeignKeyField(Customer, on_delete='RESTRICT')
        since = DateTimeField()
        until = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'ownership'
    db.create_tables([Ownership])

    class PartLine(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        line = ForeignKeyField(OrderLine, on_delete='CASCADE')
        part_number = CharField(max_length=40, default='')
        name = CharField(max_length=100)
        quantity = DecimalField(max_digits=8, decimal_places=2, default=decimal.Decimal('1'))
        unit_price = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal('0'))
        supplied_by = CharField(max_length=10, default='shop')
        origin = CharField(max_length=12, default='oem')
        key_system = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'part_line'
    db.create_tables([PartLine])

    class Photo(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        record_type = CharField(max_length=30)
        record_id = IntegerField()
        filename = CharField(unique=True, max_length=80)
        width = IntegerField()
        height = IntegerField()
        uploaded_by = IntegerField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'photo'
            indexes = ((('record_type', 'record_id'), False),)
    db.create_tables([Photo])

    class Recommendation(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        vehicle = ForeignKeyField(Vehicle, on_delete='CASCADE')
        order_id = IntegerField(null=True)
        description = CharField(max_length=200)
        safety = BooleanField(default=False)
        price = DecimalField(null=True, max_digits=12, decimal_places=2)
        created_at = DateTimeField()
        done_order_id = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'recommendation'
    db.create_tables([Recommendation])

    class Setting(Model):
        shop = ForeignKeyField(Shop, on_delete='CASCADE')
        key = CharField(max_length=80)
        value = TextField()
        class Meta:
            database = db
            table_name = 'setting'
            indexes = ((('shop', 'key'), True),)
    db.create_tables([Setting])

    class Signature(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        purpose = CharField(max_length=20)
        filename = CharField(max_length=80)
        signer = CharField(max_length=100, default='')
        signed_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'signature'
    db.create_tables([Signature])

    class UserRole(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        role = CharField(max_length=30)
        class Meta:
            database = db
            table_name = 'user_role'
            indexes = ((('user', 'role'), True),)
    db.create_tables([UserRole])

    class WalkaroundMark(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        view = CharField(max_length=10, default='top')
        x = DecimalField(max_digits=5, decimal_places=2)
        y = DecimalField(max_digits=5, decimal_places=2)
        kind = CharField(max_length=10)
        note = CharField(max_length=200, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'walkaround_mark'
    db.create_tables([WalkaroundMark])

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
        db.execute_sql('CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event '
                       'FOR EACH STATEMENT EXECUTE FUNCTION event_append_only()')
    else:
        for op in ('UPDATE', 'DELETE'):
            db.execute_sql("CREATE TRIGGER event_no_%s BEFORE %s ON event "
                           "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END" % (op.lower(), op))


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP FUNCTION IF EXISTS event_append_only() CASCADE')
    migrator.migrate(migrator.drop_table('walkaround_mark'))
    migrator.migrate(migrator.drop_table('user_role'))
    migrator.migrate(migrator.drop_table('signature'))
    migrator.migrate(migrator.drop_table('setting'))
    migrator.migrate(migrator.drop_table('recommendation'))
    migrator.migrate(migrator.drop_table('photo'))
    migrator.migrate(migrator.drop_table('part_line'))
    migrator.migrate(migrator.drop_table('ownership'))
    migrator.migrate(migrator.drop_table('order_line'))
    migrator.migrate(migrator.drop_table('mileage_reading'))
    migrator.migrate(migrator.drop_table('membership'))
    migrator.migrate(migrator.drop_table('login_failure'))
    migrator.migrate(migrator.drop_table('event'))
    migrator.migrate(migrator.drop_table('counter'))
    migrator.migrate(migrator.drop_table('canned_job_part'))
    migrator.migrate(migrator.drop_table('canned_job'))
    migrator.migrate(migrator.drop_table('belonging'))
    migrator.migrate(migrator.drop_table('repair_order'))
    migrator.migrate(migrator.drop_table('key_hook'))
    migrator.migrate(migrator.drop_table('key_tag'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('vehicle'))
    migrator.migrate(migrator.drop_table('customer'))
    migrator.migrate(migrator.drop_table('shop'))
