"""Search by any part of a plate and by a phone's last 4 (app/customers/search.py): the endings of every
vehicle's plate key in plate_part, and customer.phone_tail.

Generated from the models with playhouse.migrations.template(diff_models(db, [Customer, PlatePart])) against a
database migrated to 0016, then frozen. Existing vehicles and customers are filled in here.
"""
from peewee import *

MIN_PLATE_PART = 3      # app.customers.models.MIN_PLATE_PART when this was written


def up(migrator, db):
    class Shop(Model):
        class Meta:
            database = db
            table_name = 'shop'

    class Vehicle(Model):
        class Meta:
            database = db
            table_name = 'vehicle'

    class PlatePart(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        vehicle = ForeignKeyField(Vehicle, on_delete='CASCADE')
        part = CharField(max_length=10)
        class Meta:
            database = db
            table_name = 'plate_part'
            indexes = ((('shop', 'part'), False),)
    db.create_tables([PlatePart])

    migrator.migrate(migrator.add_column('customer', 'phone_tail', CharField(index=True, max_length=4, default='')))

    # existing records: the last 4 digits of each phone, the endings of each plate key
    param = db.param
    for customer_id, phone in db.execute_sql('SELECT id, phone FROM customer').fetchall():
        digits = ''.join(c for c in (phone or '') if c.isdigit())
        db.execute_sql('UPDATE customer SET phone_tail = %s WHERE id = %s' % (param, param), (digits[-4:], customer_id))
    rows = []
    for vehicle_id, shop_id, key in db.execute_sql('SELECT id, shop_id, plate_key FROM vehicle').fetchall():
        key = key or ''
        rows += [dict(shop=shop_id, vehicle=vehicle_id, part=key[i:]) for i in range(1, len(key) - MIN_PLATE_PART + 1)]
    for start in range(0, len(rows), 500):
        PlatePart.insert_many(rows[start:start + 500]).execute()
