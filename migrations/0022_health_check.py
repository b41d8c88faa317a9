"""The vehicle health check (检测诊断单, issue 16): a check per repair order and its recorded items; a declined
recommendation keeps the catalogue job that does it, to add it again at the next check-in in one tap.

Generated from the models with playhouse.migrations.template(diff_models(db, models)) against a database
migrated to 0020, then frozen."""
from peewee import *


def up(migrator, db):
    class AddedWork(Model):
        class Meta:
            database = db
            table_name = 'added_work'

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

    class HealthCheck(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, unique=True, on_delete='CASCADE')
        groups = CharField(max_length=120)
        technician = ForeignKeyField(User, on_delete='RESTRICT')
        started_at = DateTimeField()
        finished_at = DateTimeField(null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'health_check'
    db.create_tables([HealthCheck])

    class HealthItem(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        check = ForeignKeyField(HealthCheck, on_delete='CASCADE')
        key = CharField(max_length=30)
        colour = CharField(max_length=8)
        measurement = CharField(max_length=40, default='')
        note = CharField(max_length=200, default='')
        added_work = ForeignKeyField(AddedWork, null=True, on_delete='SET NULL')
        recorded_by = ForeignKeyField(User, on_delete='RESTRICT')
        recorded_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'health_item'
            indexes = ((('check', 'key'), True),)
    db.create_tables([HealthItem])

    migrator.migrate(migrator.add_column('recommendation', 'canned_job_id', IntegerField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('recommendation', 'canned_job_id'))
    migrator.migrate(migrator.drop_table('health_item'))
    migrator.migrate(migrator.drop_table('health_check'))

