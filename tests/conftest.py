"""Test harness: the same suite runs on SQLite (default) and on PostgreSQL (TEST_DB=postgres).

Each test gets a freshly migrated database: on SQLite a copy of a file migrated once per
session, on PostgreSQL the tables are truncated after each test. In CI (CI=true) a
PostgreSQL or browser test that cannot run fails instead of skipping.
"""
import os
import shutil

import peewee as pw
import pytest

from app import create_app
from app.core import db as core_db
from tests import factories
from tests.helpers import (TEST_CONFIG, TEST_DATABASE_URL, TEST_DB, FeedWatch, FreshContextClient,  # noqa: F401
                           postgres_available, require, reset_postgres)

@pytest.fixture(scope='session')
def database_template(tmp_path_factory):
    """A migrated database to start each test from."""
    if TEST_DB == 'postgres':
        require(postgres_available(), 'PostgreSQL is not reachable at %s' % TEST_DATABASE_URL)
        database = core_db.open_database(TEST_DATABASE_URL)
        database.connect()
        reset_postgres(database)
        core_db.upgrade(database)
        database.close()
        return TEST_DATABASE_URL
    path = tmp_path_factory.mktemp('db') / 'template.db'
    database = core_db.open_database('sqlite:///%s' % path)
    database.connect()
    core_db.upgrade(database)
    database.close()
    return str(path)


_RESET_SQL = {}


def _postgres_reset_sql(database):
    """One batch emptying every table and restarting every sequence (read from the catalog once per session)."""
    if database.database not in _RESET_SQL:
        tables = [r[0] for r in database.execute_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migration'")]
        sequences = [r[0] for r in database.execute_sql(
            "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'")]
        _RESET_SQL[database.database] = ''.join(
            ['DELETE FROM "%s";' % t for t in tables] + ['ALTER SEQUENCE "%s" RESTART;' % q for q in sequences])
    return _RESET_SQL[database.database]


@pytest.fixture
def database_url(database_template, tmp_path):
    if TEST_DB == 'postgres':
        yield database_template
        database = core_db.open_database(database_template)
        database.connect()
        # DELETE is much faster than TRUNCATE on tables this small (no new files per table). Triggers and
        # foreign-key checks are off for this session only: the append-only event table refuses deletes otherwise.
        database.execute_sql('SET session_replication_role = replica')
        database.execute_sql(_postgres_reset_sql(database))
        database.close()
    else:
        path = tmp_path / 'test.db'
        shutil.copy(database_template, path)
        yield 'sqlite:///%s' % path


@pytest.fixture
def app(database_url, tmp_path):
    os.environ['INSTANCE_PATH'] = str(tmp_path / 'instance')
    try:
        application = create_app(dict(TEST_CONFIG, DATABASE_URL=database_url))
    finally:
        os.environ.pop('INSTANCE_PATH', None)
    application.test_client_class = FreshContextClient
    with application.app_context():
        core_db.db.connect(reuse_if_open=True)
        yield application
        if not core_db.db.is_closed():
            core_db.db.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username, password=factories.PASSWORD, remember=False):
        data = {'username': username, 'password': password}
        if remember:
            data['remember'] = 'y'
        return self._client.post('/login', data=data)

    def logout(self):
        return self._client.post('/logout')


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def shop(app, request):
    """The test's shop, in TEST_SHOP_TZ; a test worked out in one zone's wall clock says so with
    @pytest.mark.shop_tz('Asia/Shanghai'), so the date run's Berlin night leaves it in Shanghai."""
    marker = request.node.get_closest_marker('shop_tz')
    return factories.make_shop('S1', name='一号店 Shop One', **({'timezone': marker.args[0]} if marker else {}))


@pytest.fixture
def make_user(app, shop):
    """make_user('amy', ['advisor']) in the default shop."""
    def _make(username, roles, shops=None, **kw):
        return factories.make_user(username, roles, shops or [shop], **kw)
    return _make


def is_sqlite():
    return TEST_DB != 'postgres'


@pytest.fixture
def integrity_errors():
    """What the database raises when a trigger or constraint refuses a write."""
    return (pw.IntegrityError, pw.InternalError, pw.OperationalError, pw.DatabaseError)


@pytest.fixture
def change_feed(app):
    """The app's change feed on (PostgreSQL; the tests run with it off), stopped after the test."""
    from app.core import changes
    try:
        yield FeedWatch(app)
    finally:
        changes.stop_feeds()
