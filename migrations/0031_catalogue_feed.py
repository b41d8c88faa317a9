"""PostgreSQL tells the app when the labour catalogue or a recall campaign changed, or an audit event was written
(app.core.changes): NOTIFY servicebay_changes with `table:<name>` once per statement that changes canned_job,
campaign, campaign_vin or event. The job card keeps the shop's canned jobs and running recalls until then, and every
page the shop's newest event id (its screens' version), as the status page keeps its state (0030). SQLite has no
feed: nothing to do. Hand-written."""
from peewee import PostgresqlDatabase

TABLES = ('canned_job', 'campaign', 'campaign_vin', 'event')

# once per statement, not per row: a campaign's thousand VINs are one change; events are only ever inserted (0001)
OPS = {'event': 'INSERT'}


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("CREATE OR REPLACE FUNCTION servicebay_table_changed() RETURNS trigger LANGUAGE plpgsql AS "
                       "$$ BEGIN PERFORM pg_notify('servicebay_changes', 'table:' || TG_TABLE_NAME); RETURN NULL; "
                       "END; $$")
        for table in TABLES:
            db.execute_sql('CREATE TRIGGER %s_table_changed AFTER %s ON %s FOR EACH STATEMENT EXECUTE FUNCTION '
                           'servicebay_table_changed()'
                           % (table, OPS.get(table, 'INSERT OR UPDATE OR DELETE OR TRUNCATE'), table))


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP FUNCTION IF EXISTS servicebay_table_changed() CASCADE')
