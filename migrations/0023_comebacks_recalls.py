"""Comebacks (返修, app.warranty.comebacks) and recalls / service campaigns (召回 / 服务活动, app.recalls): comeback,
campaign, campaign_vin, campaign_job, campaign_call.

Generated from the models with playhouse.migrations.template(diff_models(db, models)) against a database migrated to
0020, then frozen.
"""
from peewee import *
import decimal


def up(migrator, db):
    class FollowUpTask(Model):
        class Meta:
            database = db
            table_name = 'follow_up_task'

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

    class Vehicle(Model):
        class Meta:
            database = db
            table_name = 'vehicle'

    class Campaign(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        code = CharField(max_length=30)
        title = CharField(max_length=120)
        kind = CharField(max_length=10, default='recall')
        work = CharField(max_length=200)
        system = CharField(max_length=20, default='other')
        labour_hours = DecimalField(max_digits=8, decimal_places=2, default=decimal.Decimal('0'))
        parts = TextField(default='[]')
        starts_on = DateField()
        ends_on = DateField(null=True)
        note = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'campaign'
            indexes = ((('shop', 'code'), True),)
    db.create_tables([Campaign])

    class CampaignCall(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        campaign = ForeignKeyField(Campaign, on_delete='CASCADE')
        vehicle = ForeignKeyField(Vehicle, on_delete='RESTRICT')
        task = ForeignKeyField(FollowUpTask, on_delete='CASCADE')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'campaign_call'
            indexes = ((('campaign', 'vehicle'), True),)
    db.create_tables([CampaignCall])

    class CampaignJob(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        campaign = ForeignKeyField(Campaign, on_delete='RESTRICT')
        vehicle = ForeignKeyField(Vehicle, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        line = ForeignKeyField(OrderLine, unique=True, on_delete='CASCADE')
        added_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        added_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'campaign_job'
            indexes = ((('campaign', 'vehicle'), False),)
    db.create_tables([CampaignJob])

    class CampaignVin(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        campaign = ForeignKeyField(Campaign, on_delete='CASCADE')
        vin_from = CharField(max_length=17)
        vin_to = CharField(max_length=17)
        class Meta:
            database = db
            table_name = 'campaign_vin'
    db.create_tables([CampaignVin])

    class Comeback(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        earlier_order = ForeignKeyField(RepairOrder, on_delete='RESTRICT')
        earlier_line = ForeignKeyField(OrderLine, null=True, on_delete='SET NULL')
        technician = ForeignKeyField(User, null=True, on_delete='SET NULL')
        system = CharField(max_length=20)
        cause = CharField(max_length=12)
        days = IntegerField(default=0)
        km = IntegerField(null=True)
        note = CharField(max_length=200, default='')
        recorded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        recorded_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'comeback'
            indexes = ((('order', 'earlier_order'), True),)
    db.create_tables([Comeback])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('comeback'))
    migrator.migrate(migrator.drop_table('campaign_vin'))
    migrator.migrate(migrator.drop_table('campaign_job'))
    migrator.migrate(migrator.drop_table('campaign_call'))
    migrator.migrate(migrator.drop_table('campaign'))

