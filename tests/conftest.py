"""Test harness: the same suite runs on SQLite (default) and on PostgreSQL (TEST_DB=postgres).

Each test gets a freshly migrated database: on SQLite a copy of a file migrated once per
session, on PostgreSQL the tables are truncated after each test. In CI (CI=true) a
PostgreSQL or browser test that cannot run fails instead of skipping.
"""
import os
import shutil

import peewee as pw
import pytest
from flask.testing import FlaskClient

from app import create_app
from app.core import db as core_db
from tests import factories

TEST_DB = os.environ.get('TEST_DB', 'sqlite')
TEST_DATABASE_URL = os.environ.get('TEST_DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/test')
IN_CI = os.environ.get('CI') == 'true'


def require(condition, why):
    """Skip when something outside is missing; in CI that is a failure, never a silent skip."""
    if condition:
        return
    if IN_CI:
        pytest.fail('CI must run this test, but: %s' % why)
    pytest.skip(why)


def postgres_available():
    try:
        database = core_db.open_database(TEST_DATABASE_URL)
        database.connect()
        database.close()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


TEST_CONFIG = {
    'TESTING': True,
    'SECRET_KEY': 'test-secret',
    'WTF_CSRF_ENABLED': False,
    'ARGON2_TIME_COST': 1,
    'ARGON2_MEMORY_COST': 1024,
    'SERVER_NAME': None,
    'BABEL_DEFAULT_LOCALE': 'en',  # assertions read English; zh is tested with Accept-Language
}


def reset_postgres(database):
    """An empty public schema, so migrations start from nothing."""
    database.execute_sql('DROP SCHEMA IF EXISTS public CASCADE')
    database.execute_sql('CREATE SCHEMA public')


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


@pytest.fixture
def database_url(database_template, tmp_path):
    if TEST_DB == 'postgres':
        yield database_template
        database = core_db.open_database(database_template)
        database.connect()
        tables = [m._meta.table_name for m in core_db.all_models()] + ['schema_migration']
        keep = ', '.join('"%s"' % t for t in tables if t != 'schema_migration')
        # Triggers off for this session only: the append-only event table refuses TRUNCATE otherwise.
        database.execute_sql('SET session_replication_role = replica')
        database.execute_sql('TRUNCATE %s RESTART IDENTITY CASCADE' % keep)
        database.close()
    else:
        path = tmp_path / 'test.db'
        shutil.copy(database_template, path)
        yield 'sqlite:///%s' % path


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (and `g`), as in production.

    Flask reuses an app context already pushed (the fixture's), which would let
    `g` (the loaded user, the current shop) leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


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
def shop(app):
    return factories.make_shop('S1', name='一号店 Shop One')


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
