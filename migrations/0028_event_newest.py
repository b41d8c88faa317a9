"""The newest event of a record (the status page's and the job card's version) read from an index alone:
event (record_type, record_id, id). Hand-written, like 0005's event index."""


def up(migrator, db):
    migrator.migrate(migrator.add_index('event', ('record_type', 'record_id', 'id'), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('event', 'event_record_type_record_id_id'))
