"""Helpers every area's tests share: signing in, putting an order in a stage, reloading a record, counting queries,
the clock. The generators of records are tests.factories (`make_*`); an area's own helpers live in
tests/<area>/helpers.py. No test file imports another test file or a conftest."""
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask.testing import FlaskClient

from app.core import changes
from app.core import db as core_db
from app.core.db import db
from tests import factories

# --- the test environment (tests/conftest.py builds the fixtures on it) ------------------------------

TEST_DB = os.environ.get('TEST_DB', 'sqlite')
BASE_DATABASE_URL = os.environ.get('TEST_DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/test')
# Under pytest-xdist each worker gets its own PostgreSQL database (test_gw0, test_gw1, ...), created on first use.
WORKER = os.environ.get('PYTEST_XDIST_WORKER', '')
TEST_DATABASE_URL = '%s_%s' % (BASE_DATABASE_URL, WORKER) if WORKER else BASE_DATABASE_URL
IN_CI = os.environ.get('CI') == 'true'


def require(condition, why):
    """Skip when something outside is missing; in CI that is a failure, never a silent skip."""
    if condition:
        return
    if IN_CI:
        pytest.fail('CI must run this test, but: %s' % why)
    pytest.skip(why)


def _create_worker_database():
    import psycopg2
    name = TEST_DATABASE_URL.rsplit('/', 1)[1]
    conn = psycopg2.connect(BASE_DATABASE_URL)
    try:
        conn.autocommit = True                 # CREATE DATABASE cannot run inside a transaction
        with conn.cursor() as cur:
            cur.execute('SELECT 1 FROM pg_database WHERE datname = %s', (name,))
            if cur.fetchone() is None:
                cur.execute('CREATE DATABASE "%s"' % name)
    finally:
        conn.close()


def postgres_available():
    try:
        if WORKER:
            _create_worker_database()
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
    'DEMO_TIMEZONE': factories.SHOP_TZ,
    # A change reaches app.core.changes' feed a moment after its commit, and a test reads right after it writes:
    # the tests that keep reads turn it on and wait for the feed (tests/core/test_changes.py).
    'CHANGE_FEED': False,
}


def reset_postgres(database):
    """An empty public schema, so migrations start from nothing."""
    database.execute_sql('DROP SCHEMA IF EXISTS public CASCADE')
    database.execute_sql('CREATE SCHEMA public')


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (and `g`), as in production.

    Flask reuses an app context already pushed (the fixture's), which would let
    `g` (the loaded user, the current shop) leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


# --- signing in, orders, records ---------------------------------------------------------------------

# The header an htmx request carries: a test asking for the swappable piece sends it.
HX = {'HX-Request': 'true'}


def sign_in(client, who, password=factories.PASSWORD):
    """Sign a test client in and return it. `who`: a User (its session set as the login form would, fast), or a user
    name (through the login form itself, after signing out whoever was signed in)."""
    if isinstance(who, str):
        client.post('/logout')
        resp = client.post('/login', data={'username': who, 'password': password})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
        return client
    with client.session_transaction() as session:
        session['_user_id'] = who.get_id()
        session['_fresh'] = True
    return client


def signed_in(app, who, password=factories.PASSWORD):
    """A fresh client of `app` signed in as `who` (a User or a user name): a second device, a second person."""
    return sign_in(app.test_client(), who, password)


def at_stage(order, stage):
    """The order put in a stage directly (when the moves that lead there are not what the test is about)."""
    type(order).update(stage=stage).where(type(order).id == order.id).execute()
    return type(order).get_by_id(order.id)


def reload(record):
    """The record as the database has it now."""
    return type(record).get_by_id(record.id)


@contextmanager
def count_queries():
    """The SQL statements run inside the block (a list, filled as they run)."""
    database = db.obj
    real = database.execute_sql
    seen = []

    def counting(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return real(sql, params, *args, **kwargs)

    database.execute_sql = counting
    try:
        yield seen
    finally:
        del database.execute_sql     # the class's own method again


@contextmanager
def at_local(when, tz='Asia/Shanghai', tick=False):
    """The whole process's clock (Python, SQLite) at a shop's local wall-clock time 'YYYY-MM-DD HH:MM'.

    For the hard days the date run (`make test-dates`) found: a case fixed there is pinned here, so it is
    tested on every day of the calendar, not only on the day it breaks.
    """
    moment = datetime.strptime(when, '%Y-%m-%d %H:%M').replace(tzinfo=ZoneInfo(tz))
    # in UTC: given a ZoneInfo, time-machine would also move the process's own time zone (TZ), and the
    # server's zone is exactly what these cases are about
    with time_machine.travel(moment.astimezone(timezone.utc), tick=tick):
        yield moment


@contextmanager
def mid_minute():
    """The clock stopped half-way through the current minute: for what is counted per clock minute (the board's
    version, the status page's rate limit), so a test does not fail when a new minute starts half-way through it."""
    now = datetime.now(timezone.utc).replace(second=30, microsecond=0)
    with time_machine.travel(now, tick=False):
        yield now


class FeedWatch:
    """The app's change feed (app.core.changes) turned on and listening, with the keys it has told so far."""

    def __init__(self, app, timeout=10):
        app.config['CHANGE_FEED'] = True
        self.feed = changes.feed_for(app, core_db.db.obj)
        self.keys, self.cond, self.markers = [], threading.Condition(), 0
        self.feed.subscribe(self._changed)
        deadline = time.monotonic() + timeout
        while not self.feed.trusted():
            assert time.monotonic() < deadline, 'the change feed did not start listening'
            time.sleep(0.02)

    def _changed(self, key):
        with self.cond:
            self.keys.append(key)
            self.cond.notify_all()

    def wait_for(self, key, timeout=10):
        with self.cond:
            assert self.cond.wait_for(lambda: key in self.keys, timeout), (key, self.keys)

    def caught_up(self):
        """Wait until the feed has told everything committed so far: a marker of our own, told after it."""
        self.markers += 1
        marker = 'test-marker:%d' % self.markers
        core_db.db.execute_sql("SELECT pg_notify('servicebay_changes', %s)", (marker,))
        self.wait_for(marker)
