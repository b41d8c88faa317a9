"""The connection: a pool for PostgreSQL, sized from the server's threads; nothing opened for requests that need none."""
import re
import threading
import time

import peewee as pw
import pytest
from playhouse.pool import PooledPostgresqlDatabase

from app.board import queries as board_queries
from app.core import db as core_db
from tests.helpers import HX, TEST_DATABASE_URL, TEST_DB, mid_minute, sign_in

postgres_only = pytest.mark.skipif(TEST_DB != 'postgres', reason='PostgreSQL connections')


def test_pool_settings_from_the_environment():
    """A server started with 4 threads per worker holds at most 4 connections per worker, recycled after a while."""
    config = {'DATABASE_CONNECT_WAIT': 5, 'DATABASE_POOL_STALE': 300}
    assert core_db.pool_settings(config, {'GUNICORN_THREADS': '4'}) == {
        'max_connections': 4, 'stale_timeout': 300, 'timeout': 5.0}
    assert core_db.pool_settings(dict(config, DATABASE_POOL_SIZE='12'), {'GUNICORN_THREADS': '4'})[
        'max_connections'] == 12
    assert core_db.pool_settings(config, {'DATABASE_POOL_SIZE': '6', 'GUNICORN_THREADS': '4'})[
        'max_connections'] == 6
    assert core_db.pool_settings(config, {})['max_connections'] == 8        # flask run, scripts
    assert core_db.pool_settings(dict(config, DATABASE_POOL_STALE=60.0, DATABASE_CONNECT_WAIT=0.5), {}) == {
        'max_connections': 8, 'stale_timeout': 60, 'timeout': 0.5}


def test_postgres_is_pooled_and_sqlite_is_not(app):
    """PostgreSQL connections are kept and reused; SQLite opens its file per thread as before."""
    database = core_db.open_database('postgresql://u@127.0.0.1:5432/x', pool={'max_connections': 3,
                                                                               'stale_timeout': 300, 'timeout': 2},
                                     connect_wait=4)
    assert isinstance(database, PooledPostgresqlDatabase)
    assert (database._max_connections, database._stale_timeout, database._wait_timeout) == (3, 300, 2)
    assert database.connect_wait == 4 and database.database == 'x'
    sqlite = core_db.open_database('sqlite:///:memory:', pool={'max_connections': 3}, connect_wait=4)
    assert isinstance(sqlite, pw.SqliteDatabase) and not isinstance(sqlite, PooledPostgresqlDatabase)
    if TEST_DB == 'postgres':
        assert isinstance(core_db.db.obj, PooledPostgresqlDatabase)
        assert core_db.db.obj._max_connections == core_db.pool_settings(app.config)['max_connections']


def test_a_connection_handed_back_a_moment_ago_is_not_pinged():
    """A busy worker pays no round trip per request to check its connection; one idle a while is checked."""
    database = core_db.open_database('postgresql://u@127.0.0.1:5432/x', pool=core_db.pool_settings({}, {}))

    class Conn:
        closed, pinged = 0, 0

        def get_transaction_status(self):
            return 0                          # idle

        def cursor(self):
            self.pinged += 1
            return type('Cursor', (), {'execute': lambda cursor, sql: None})()
    conn = Conn()
    database._returned[database.conn_key(conn)] = time.monotonic()
    assert database._is_closed(conn) is False and conn.pinged == 0
    database._returned[database.conn_key(conn)] = time.monotonic() - 5
    assert database._is_closed(conn) is False and conn.pinged == 1
    conn.get_transaction_status = lambda: 4  # unknown: the server is gone
    database._returned[database.conn_key(conn)] = time.monotonic()
    assert database._is_closed(conn) is True


def test_a_full_pool_is_a_busy_database_not_a_crash(app):
    """All connections in use: the request gets the "busy, try again" page (an OperationalError), not a 500."""
    from playhouse.pool import MaxConnectionsExceeded

    class Full(core_db._WaitingConnect, pw.SqliteDatabase):
        def _connect(self):
            raise MaxConnectionsExceeded('full')
    with pytest.raises(pw.OperationalError):
        Full(':memory:').connect()


def _count_connects(monkeypatch):
    """The connections opened from here on (the one open now closed first)."""
    database = core_db.db.obj
    if not database.is_closed():
        database.close()
    opened = []
    real = database.connect

    def counting(*args, **kwargs):
        opened.append(args)
        return real(*args, **kwargs)
    monkeypatch.setattr(database, 'connect', counting)
    return opened


@pytest.fixture
def connects(app, monkeypatch):
    return _count_connects(monkeypatch)


def test_static_files_and_robots_open_no_connection(client, make_user, connects):
    """A phone fetching the stylesheet or a crawler reading robots.txt costs the database nothing, signed in or not."""
    for path in ('/static/status.css', '/static/favicon.svg', '/robots.txt'):
        assert client.get(path).status_code == 200, path
    sign_in(client, make_user('sam', ['technician']))
    core_db.db.close()          # (SQLite's stays with the thread)
    connects.clear()
    for path in ('/static/css/servicebay.css', '/static/app.js', '/robots.txt'):
        assert client.get(path).status_code == 200, path
    assert connects == []
    assert client.get('/jobs').status_code == 200      # a page that needs it connects by itself
    assert connects


def test_unchanged_board_poll_opens_no_connection(app, client, make_user, monkeypatch):
    """The wall screens' poll, answered in front of the app, needs no connection while the version is fresh."""
    monkeypatch.setattr(board_queries, 'clock_bucket', lambda: 1000)
    app.config['BOARD_VERSION_TTL'] = 3600
    with mid_minute():
        sign_in(client, make_user('fred', ['foreman']))
        page = client.get('/board').get_data(as_text=True)
        token = re.search(r'data-version="([^"]+)"', page).group(1)
        assert client.get('/board/poll?view=wall&since=%s' % token, headers=HX).status_code == 204  # version read
        opened = _count_connects(monkeypatch)
        for _ in range(3):
            assert client.get('/board/poll?view=wall&since=%s' % token, headers=HX).status_code == 204
        assert opened == []


def test_a_prepared_query_is_compiled_once_and_answers_each_call_with_its_own_arguments(app, shop):
    """The job card's and the status page's hottest reads: built once per database, each call binding its own ids
    and text (a wrong binding would show one car's card or link for another), on PostgreSQL as a statement each
    connection prepares once."""
    from app.core.models import Shop
    other = Shop.create(code='PQ2', name='Other', timezone='Asia/Shanghai')
    built = []

    def build(shop_id, code):
        built.append((shop_id, code))
        return (Shop.select(Shop.id, Shop.code).where((Shop.id == shop_id) & (Shop.code == code)
                                                      & (Shop.name != "it's fixed")).tuples().limit(1))
    query = core_db.Prepared(build, int, str)
    with core_db.connection():
        assert query(shop.id, shop.code).first() == (shop.id, shop.code)
        assert query(other.id, 'PQ2').first() == (other.id, 'PQ2')
        assert query(other.id, shop.code).first() is None
        assert len(built) == 1
        if TEST_DB == 'postgres':
            names = [n for (n,) in core_db.db.execute_sql('SELECT name FROM pg_prepared_statements')]
            assert query.name in names
    with pytest.raises(ValueError):       # an argument folded into the SQL would be bound to every call
        with core_db.connection():
            core_db.Prepared(lambda shop_id: Shop.select().where(Shop.id == shop_id + 1), int)(shop.id)


def test_a_prepared_query_binds_a_day(app, shop):
    """A day is an argument too (the recalls running on the shop's today): each call compares with its own day, on
    PostgreSQL as a prepared statement's date parameter."""
    from datetime import date, datetime

    from app.core.models import Shop
    Shop.update(created_at=datetime(2026, 3, 1, 12)).where(Shop.id == shop.id).execute()
    query = core_db.Prepared(lambda shop_id, day: Shop.select(Shop.id).where(
        (Shop.id == shop_id) & (pw.fn.DATE(Shop.created_at) <= day)).tuples(), int, date)
    with core_db.connection():
        assert list(query(shop.id, date(2026, 3, 1))) == [(shop.id,)]
        assert list(query(shop.id, date(2026, 2, 28))) == []
        assert list(query(shop.id, date(2027, 1, 1))) == [(shop.id,)]
        if TEST_DB == 'postgres':
            names = [n for (n,) in core_db.db.execute_sql('SELECT name FROM pg_prepared_statements')]
            assert query.name in names


def _kept(database):
    return database._kept.get(threading.get_ident())


@postgres_only
def test_a_thread_keeps_its_connection_between_requests(client, make_user, monkeypatch):
    """No handing back and taking again per request: the next request of the thread uses the connection it kept."""
    sign_in(client, make_user('sam', ['technician']))
    assert client.get('/jobs').status_code == 200
    database = core_db.db.obj
    kept = _kept(database)
    assert kept is not None and kept is database._state.conn and database._state.kept_at is not None
    taken = []
    monkeypatch.setattr(database, '_connect', lambda: taken.append(1) or pytest.fail('taken from the pool'))
    for path in ('/jobs', '/', '/jobs'):
        assert client.get(path).status_code == 200, path
        assert _kept(database) is kept
    assert taken == []


def _end_on_the_server(conn):
    import psycopg2
    admin = psycopg2.connect(TEST_DATABASE_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute('SELECT pg_terminate_backend(%s)', (conn.get_backend_pid(),))
    admin.close()


@postgres_only
def test_a_kept_connection_idle_a_while_is_checked_and_replaced_when_the_server_ended_it(client, make_user):
    """A server restart ends kept connections without them knowing: one idle past PING_AFTER is asked first, and a
    dead one is replaced, so the request shows its page instead of "try again"."""
    sign_in(client, make_user('sam', ['technician']))
    assert client.get('/jobs').status_code == 200
    database = core_db.db.obj
    kept = _kept(database)
    _end_on_the_server(kept)
    database._state.kept_at -= database.PING_AFTER + 1       # idle past PING_AFTER
    assert client.get('/jobs').status_code == 200
    assert kept.closed and _kept(database) is not kept and _kept(database) is not None
    assert database.conn_key(kept) not in database._in_use


@postgres_only
def test_a_kept_connection_past_the_stale_timeout_is_opened_afresh(client, make_user):
    sign_in(client, make_user('sam', ['technician']))
    assert client.get('/jobs').status_code == 200
    database = core_db.db.obj
    kept = _kept(database)
    entry = database._in_use[database.conn_key(kept)]
    database._in_use[database.conn_key(kept)] = entry._replace(timestamp=entry.timestamp
                                                               - database._stale_timeout - 1)
    assert client.get('/jobs').status_code == 200
    assert kept.closed and _kept(database) not in (None, kept)


@postgres_only
def test_threads_that_ended_leave_their_kept_connections_to_others(app):
    """A pool of two and three threads one after another, each keeping its connection as a request does: the third
    takes over one a finished thread kept instead of waiting for a free one; close_idle closes the kept ones."""
    database = core_db.open_database(TEST_DATABASE_URL, pool={'max_connections': 2, 'stale_timeout': 300,
                                                              'timeout': 1})
    pids, errors = [], []

    def request():
        try:
            pids.append(database.execute_sql('SELECT pg_backend_pid()').fetchone()[0])
            database.keep()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    for n in range(3):
        t = threading.Thread(target=request)
        t.start()
        t.join()
        if t.ident in database._kept:     # as if no later thread got the same ident again
            database._kept[-1 - n] = database._kept.pop(t.ident)
    assert errors == [] and len(pids) == 3
    assert len(database._kept) <= 2 and len(database._in_use) <= 2
    kept = list(database._kept.values())
    database.close_idle()
    assert database._kept == {} and all(conn.closed for conn in kept)
