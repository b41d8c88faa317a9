"""The database away for a moment: requests wait, or answer a translated "try again" page (503), never a
stack trace, and the server recovers by itself.

SQLite: another process holds the write lock (BEGIN EXCLUSIVE). PostgreSQL: this test database stops
taking connections and its backends are terminated (pg_terminate_backend on the test's own database,
never the shared server). The app runs in its own process (tests/ops/serve.py).
"""
import os
import subprocess
import sys
import threading
import time
import uuid

import pytest

from app.core import db as core_db
from app.core.models import IdempotencyKey
from tests import factories
from tests.helpers import TEST_DB, TEST_DATABASE_URL
from tests.ops.live import Browser, Server

sqlite_only = pytest.mark.skipif(TEST_DB == 'postgres', reason='SQLite file lock')
postgres_only = pytest.mark.skipif(TEST_DB != 'postgres', reason='PostgreSQL connections')

LOCKER = '''
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
con.execute('BEGIN EXCLUSIVE')
print('locked', flush=True)
time.sleep(float(sys.argv[2]))
con.execute('COMMIT')
'''


@pytest.fixture
def status_link(shop, make_user):
    """A customer's status link on a checked-in order."""
    from app.reception.links import issue_link
    advisor = make_user('amy', ['advisor'])
    order = factories.make_order(shop, advisor)
    return '/s/%s' % issue_link(order, advisor)


@pytest.fixture
def server(app, database_url, tmp_path):
    srv = Server(database_url, app.instance_path, str(tmp_path / 'server.log'))
    yield srv
    srv.stop()


def assert_try_again_page(resp, server):
    assert resp.status == 503, resp.text[:500]
    assert '系统暂时繁忙，请几秒后重试' in resp.text          # the customer's language, not a stack trace
    assert 'Traceback' not in resp.text and 'OperationalError' not in resp.text
    assert resp.headers.get('Retry-After') == '5'
    assert 'Traceback' not in server.log(), 'the server logged a crash instead of answering'


def hold_sqlite_lock(database_url, seconds):
    """Another process takes the write lock for `seconds`; returns once it holds it."""
    path = database_url.split(':///', 1)[1]
    proc = subprocess.Popen([sys.executable, '-c', LOCKER, path, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == 'locked'
    return proc


@sqlite_only
def test_sqlite_locked_for_a_moment_the_request_waits_and_succeeds(database_url, server, status_link, make_user):
    """An advisor saving while a backup or script holds the lock waits two seconds, then it is saved; a customer
    opening the status link meanwhile sees it at once (the page only reads)."""
    make_user('tina', ['technician'])
    server.start()
    staff = Browser(server.base)
    staff.login('tina', factories.PASSWORD)
    locker = hold_sqlite_lock(database_url, 2)
    started = time.monotonic()
    assert Browser(server.base).get(status_link, headers={'Accept-Language': 'zh'}).status == 200
    assert time.monotonic() - started < 1.5, 'the status page waited for the write lock'
    resp = staff.post('/account/language', {'acc-language': 'zh'}, headers={'HX-Request': 'true'})
    waited = time.monotonic() - started
    locker.wait(timeout=10)
    assert resp.status == 200, resp.text[:500]
    assert waited >= 1.5, 'the request did not wait for the lock (%.1f s)' % waited


@sqlite_only
def test_sqlite_locked_too_long_answers_try_again_then_recovers(database_url, server, status_link, shop, make_user):
    """Past the wait, the advisor sees "busy, try again" in their language; then it works again. The customer's
    status page, reading only, shows all along."""
    make_user('tina', ['technician'])
    server.start(DATABASE_BUSY_TIMEOUT='0.5')
    staff = Browser(server.base)
    staff.login('tina', factories.PASSWORD)
    locker = hold_sqlite_lock(database_url, 4)
    customer = Browser(server.base)
    assert customer.get(status_link, headers={'Accept-Language': 'zh'}).status == 200
    # an htmx write from a phone: the message goes where the user acted, no retry of anything half-done
    resp = staff.post('/account/language', {'acc-language': 'zh'}, headers={'HX-Request': 'true', 'Accept-Language': 'zh'})
    assert_try_again_page(resp, server)
    assert resp.headers.get('HX-Retarget') == '#flash'
    locker.wait(timeout=10)
    assert customer.get(status_link).status == 200           # recovered by itself: same process, no restart
    assert staff.get('/jobs').status == 200
    assert staff.post('/account/language', {'acc-language': 'zh'}, headers={'HX-Request': 'true'}).status == 200


class Admin:
    """A connection to the server's `postgres` database that cuts this test's database off and lets it back."""

    def __init__(self):
        import psycopg2
        self.name = core_db.db.execute_sql('SELECT current_database()').fetchone()[0]   # under xdist: the worker's
        self.own_pid = core_db.db.execute_sql('SELECT pg_backend_pid()').fetchone()[0]
        self.con = psycopg2.connect(TEST_DATABASE_URL.rsplit('/', 1)[0] + '/postgres')
        self.con.autocommit = True

    def cut_off(self):
        """No new connection to this test database, and every one but the test's own ended."""
        with self.con.cursor() as cur:
            cur.execute('ALTER DATABASE "%s" ALLOW_CONNECTIONS false' % self.name)
            cur.execute('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s',
                        (self.name, self.own_pid))

    def reopen(self):
        with self.con.cursor() as cur:
            cur.execute('ALTER DATABASE "%s" ALLOW_CONNECTIONS true' % self.name)


@pytest.fixture
def admin(app):
    admin = Admin()
    yield admin
    admin.reopen()
    admin.con.close()


@postgres_only
def test_postgres_away_for_a_moment_the_request_waits_and_succeeds(server, status_link, admin):
    """A status page asked while PostgreSQL restarts waits for it and shows, instead of an error."""
    server.start(DATABASE_CONNECT_WAIT='8')
    browser = Browser(server.base)
    assert browser.get(status_link).status == 200
    admin.cut_off()
    threading.Timer(2.0, admin.reopen).start()
    started = time.monotonic()
    resp = browser.get(status_link, headers={'Accept-Language': 'zh'})
    assert resp.status == 200, resp.text[:500]
    assert time.monotonic() - started >= 1.5


@postgres_only
def test_postgres_away_answers_try_again_and_a_cut_write_is_not_half_saved(app, shop, make_user, server, status_link,
                                                                          admin, tmp_path):
    """PostgreSQL gone mid-action: "try again" in the user's language, nothing saved; back up, the retry works."""
    from app.core import stages
    from app.workshop.models import AddedWork
    from tests.approvals.helpers import make_work
    from tests.helpers import at_stage
    advisor = make_user('max', ['advisor'])
    tech = make_user('tom', ['technician'])
    order = at_stage(factories.make_order(shop, advisor), stages.WAITING_APPROVAL)
    work = make_work(order, tech)
    marker = str(tmp_path / 'in-transaction')
    server.start(DATABASE_CONNECT_WAIT='0.5', FAULT_HANG_AT='added_work.unreachable', FAULT_MARKER=marker,
                 FAULT_SLEEP='3')
    browser = Browser(server.base)
    browser.login('max', factories.PASSWORD)
    key = uuid.uuid4().hex
    form = {'version': str(work.version), 'decision': 'unreachable', 'channel': 'phone', 'idem': key,
            'at': time.strftime('%Y-%m-%dT%H:%M', time.gmtime(time.time() + 8 * 3600 - 300))}
    answer = {}
    thread = threading.Thread(target=lambda: answer.update(r=browser.post(
        '/approvals/%d/decide' % work.id, form, headers={'Accept-Language': 'zh'})))
    thread.start()
    deadline = time.monotonic() + 20
    while not os.path.exists(marker):
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.05)
    admin.cut_off()                             # the server's connection dies inside the transaction
    thread.join(timeout=30)
    assert_try_again_page(answer['r'], server)
    assert AddedWork.get_by_id(work.id).version == work.version, 'half of the decision was saved'
    assert not IdempotencyKey.select().where(IdempotencyKey.key == key).exists()

    assert_try_again_page(Browser(server.base).get(status_link, headers={'Accept-Language': 'zh'}), server)
    admin.reopen()
    resp = browser.post('/approvals/%d/decide' % work.id, form)    # the user's retry, same key
    assert resp.status == 200, resp.text[:500]
    assert AddedWork.get_by_id(work.id).version == work.version + 1
