"""The schema is only ever created by migrations, and it matches the models exactly."""
from playhouse.schema_diff import diff_models

from app.core import db as core_db
from tests.helpers import TEST_DATABASE_URL, TEST_DB, postgres_available, require, reset_postgres


def _empty_database(tmp_path):
    if TEST_DB == 'postgres':
        require(postgres_available(), 'PostgreSQL is not reachable')
        database = core_db.open_database(TEST_DATABASE_URL)
        database.connect()
        reset_postgres(database)
        return database
    database = core_db.open_database('sqlite:///%s' % (tmp_path / 'empty.db'))
    database.connect()
    return database


def test_migrating_an_empty_database_matches_the_models(tmp_path, app):
    """A fresh install would crash on a missing table or column."""
    database = _empty_database(tmp_path)
    try:
        assert database.get_tables() == []
        applied = core_db.upgrade(database)
        assert applied and applied[0] == '0001_initial'
        diff = diff_models(database, core_db.all_models())
        assert not diff, str(diff)
        assert core_db.upgrade(database) == []  # running again applies nothing
    finally:
        if TEST_DB == 'postgres':
            # leave the shared test database migrated for the tests that follow
            reset_postgres(database)
            core_db.upgrade(database)
        database.close()


def test_sqlite_connection_settings(tmp_path):
    """Two workers writing at once would fail with "database is locked" without WAL, a busy timeout and IMMEDIATE."""
    database = core_db.open_database('sqlite:///%s' % (tmp_path / 'p.db'))
    database.connect()
    try:
        assert database.execute_sql('PRAGMA journal_mode').fetchone()[0] == 'wal'
        assert database.execute_sql('PRAGMA foreign_keys').fetchone()[0] == 1
        assert database.execute_sql('PRAGMA busy_timeout').fetchone()[0] >= 5000
        assert database._lock_type == 'IMMEDIATE'
    finally:
        database.close()


def test_relative_sqlite_path_lands_in_the_project_instance_folder(tmp_path):
    """`make run` from another directory would create a second, empty database."""
    database = core_db.open_database('sqlite:///instance/x.db', str(tmp_path / 'instance'))
    assert database.database == str(tmp_path / 'instance' / 'x.db')


def test_db_upgrade_command(runner):
    """The documented `flask db upgrade` must work (and say the database is current)."""
    result = runner.invoke(args=['db', 'upgrade'])
    assert result.exit_code == 0, result.output
    assert 'up to date' in result.output
    result = runner.invoke(args=['db', 'diff'])
    assert 'schema matches models' in result.output
