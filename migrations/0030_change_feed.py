"""PostgreSQL tells the app which records changed (app.core.changes): NOTIFY servicebay_changes with the key of each
changed repair order, status link (its order's key), customer and new event (its record's key), `*` for an emptied
table. What the status page's kept state depends on (app.status.fastpath). SQLite has no such feed: nothing to do.
Hand-written."""
from peewee import PostgresqlDatabase

# table -> (the key's record type, '' for the row's own record_type; the column holding the record's id)
WATCHED = {'repair_order': ('repair_order', 'id'), 'status_link': ('repair_order', 'order_id'),
           'customer': ('customer', 'id'), 'event': ('', 'record_id')}

FUNCTION = """
CREATE OR REPLACE FUNCTION servicebay_changed() RETURNS trigger AS $$
DECLARE
    r jsonb;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('servicebay_changes', '*');
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        r := to_jsonb(OLD);
        PERFORM pg_notify('servicebay_changes',
                          COALESCE(NULLIF(TG_ARGV[0], ''), r->>'record_type') || ':' || (r->>TG_ARGV[1]));
    END IF;
    IF TG_OP <> 'DELETE' THEN
        r := to_jsonb(NEW);
        PERFORM pg_notify('servicebay_changes',
                          COALESCE(NULLIF(TG_ARGV[0], ''), r->>'record_type') || ':' || (r->>TG_ARGV[1]));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql(FUNCTION)
    for table, (kind, column) in WATCHED.items():
        # events are only ever inserted (0001 refuses the rest)
        ops = 'INSERT' if table == 'event' else 'INSERT OR UPDATE OR DELETE'
        db.execute_sql("CREATE TRIGGER %s_changed AFTER %s ON %s FOR EACH ROW "
                       "EXECUTE FUNCTION servicebay_changed('%s', '%s')" % (table, ops, table, kind, column))
        if table != 'event':
            db.execute_sql('CREATE TRIGGER %s_emptied AFTER TRUNCATE ON %s FOR EACH STATEMENT '
                           'EXECUTE FUNCTION servicebay_changed()' % (table, table))


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP FUNCTION IF EXISTS servicebay_changed() CASCADE')
