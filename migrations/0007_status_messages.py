"""The customer's status links (only the token's hash), the link space's rate-limit counters, and the outbox.

Generated from the models with playhouse.migrations.template against a database migrated to
0003, then frozen. Python-side defaults (timestamps) live in the models, not the schema.
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

    class Message(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, null=True, on_delete='SET NULL')
        customer = ForeignKeyField(Customer, null=True, on_delete='SET NULL')
        kind = CharField(index=True, max_length=30)
        channel = CharField(max_length=12)
        to_address = CharField(max_length=200, default='')
        language = CharField(max_length=5, default='zh')
        subject = CharField(max_length=200, default='')
        body = TextField(default='')
        status = CharField(index=True, max_length=10, default='queued')
        error = CharField(max_length=500, default='')
        created_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        created_by = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'message'
            indexes = ((('shop', 'created_at'), False),)
    db.create_tables([Message])

    class StatusHit(Model):
        address_hash = CharField(max_length=32)
        minute = IntegerField()
        hits = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'status_hit'
            indexes = ((('address_hash', 'minute'), True),)
    db.create_tables([StatusHit])

    class StatusLink(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        order = ForeignKeyField(RepairOrder, on_delete='CASCADE')
        nonce = CharField(max_length=32)
        token_hash = CharField(unique=True, max_length=64)
        active_order = IntegerField(unique=True, null=True)
        created_at = DateTimeField()
        created_by = IntegerField(null=True)
        revoked_at = DateTimeField(null=True)
        revoked_by = IntegerField(null=True)
        expires_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'status_link'
    db.create_tables([StatusLink])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('status_link'))
    migrator.migrate(migrator.drop_table('status_hit'))
    migrator.migrate(migrator.drop_table('message'))
