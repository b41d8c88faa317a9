"""The board's version check: the newest audit event of a shop, read from an index on (shop_id, id).

Every board screen asks for max(event.id) of its shop every three seconds; with this index it is one
index entry whatever the size of the event table or the number of shops.
"""


def up(migrator, db):
    migrator.migrate(migrator.add_index('event', ('shop_id', 'id'), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('event', 'event_shop_id_id'))
