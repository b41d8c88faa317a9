"""The database: chosen by DATABASE_URL, connected when a request first needs it, writes in one transaction.

PostgreSQL connections come from a pool per process (playhouse.pool), sized by `pool_settings`; a thread keeps
its connection between requests, checked before it is used again (PooledPostgres). SQLite keeps one connection
per thread across requests (opening the file and setting its pragmas costs more than most queries), closed only
if a request left a transaction open. A request that never
queries (static files, robots.txt, the fast poll paths) never connects: peewee connects on the first query,
through `_WaitingConnect`, which waits up to DATABASE_CONNECT_WAIT seconds for a database that is restarting.
"""
import os
import sys
import threading
import time
import weakref
from contextlib import contextmanager
from datetime import date, datetime, timezone
from urllib.parse import urlparse

import peewee as pw
from flask import g, has_request_context
from playhouse.db_url import connect, parse
from playhouse.pool import MaxConnectionsExceeded, PooledDatabase, PooledPostgresqlDatabase

from app.core.errors import StaleRecord

db = pw.DatabaseProxy()

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), 'migrations')

SQLITE_PRAGMAS = {
    'journal_mode': 'wal',
    'foreign_keys': 1,
    'synchronous': 'normal',
    'busy_timeout': 10000,
    'cache_size': -16000,
}


def utcnow():
    """Naive UTC timestamp: what every DateTimeField stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class _WaitingConnect:
    """connect() retried for up to `connect_wait` seconds: a database restarting for a moment is waited for.

    Past that the error goes to the 503 "try again" page (app.core.web); the next request connects afresh. A pool
    with every connection in use counts as a database away for the moment, not as a crash.
    """
    connect_wait = 0.0

    def connect(self, reuse_if_open=False):
        if not self.is_closed():
            return super().connect(reuse_if_open)
        deadline, pause = time.monotonic() + self.connect_wait, 0.1
        while True:
            try:
                return super().connect(reuse_if_open)
            except MaxConnectionsExceeded as exc:
                raise pw.OperationalError('every pooled connection is in use: %s' % exc) from exc
            except (pw.OperationalError, pw.InterfaceError):
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 1.0)


class WaitingSqliteDatabase(_WaitingConnect, pw.SqliteDatabase):
    """SQLite, one connection per thread, opened on first use."""


class PooledPostgres(_WaitingConnect, PooledPostgresqlDatabase):
    """PostgreSQL through the process's pool: a thread keeps its connection between requests; a dead one is never
    handed out.

    Handing a connection back and taking one again cost more than a status page's one query, so at the end of a
    request (release) a thread keeps its idle connection, as SQLite's threads keep theirs. Kept, it still counts in
    the pool. Before its next use it is checked as a pooled one is: one idle for more than PING_AFTER seconds is asked
    `SELECT 1` (a server restart ends connections without them knowing), one older than the pool's stale_timeout is
    closed and opened afresh; one used a moment ago is not asked, so a busy worker pays no round trip for it. A
    connection left in a transaction or broken goes back to the pool, which rolls it back or drops it. A thread that
    ended leaves its kept connection to the next thread short of one.
    """
    PING_AFTER = 1.0

    def __init__(self, *args, **kwargs):
        self._returned = {}
        self._kept = {}         # thread ident -> its kept connection (idle, between requests)
        super().__init__(*args, **kwargs)

    def keep(self):
        """This thread's request is done with its connection: kept if idle and sound, else handed back."""
        conn = self._state.conn
        if conn.closed or self._adapter.txn_status(conn) != self._adapter.txn_idle:
            return self.close()
        with self._pool_lock:
            earlier = self._kept.get(threading.get_ident())
            if earlier is not None and earlier is not conn:   # a thread that ended had this ident
                self._drop(earlier)
            self._kept[threading.get_ident()] = conn
        self._state.kept_at = time.monotonic()

    def _take_kept(self):
        """Before a kept connection is used again: checked as the pool would check it on handing it out."""
        kept_at = getattr(self._state, 'kept_at', None)
        if kept_at is None:
            return
        self._state.kept_at = None
        conn = self._state.conn
        with self._pool_lock:
            mine = conn is not None and self._kept.pop(threading.get_ident(), None) is conn
        if not mine:
            if conn is not None:                    # closed meanwhile (close_idle): connect afresh
                self._state.reset()
            return
        entry = self._in_use.get(self.conn_key(conn))
        stale = entry is None or (self._stale_timeout and self._is_stale(entry.timestamp))
        if stale or self._dead(conn, time.monotonic() - kept_at):
            with self._pool_lock:
                self._drop(conn)
            self._state.reset()

    def _drop(self, conn):
        self._in_use.pop(self.conn_key(conn), None)
        self._close_raw(conn)

    def connection(self):
        self._take_kept()
        return super().connection()

    def cursor(self, named_cursor=None):
        self._take_kept()
        return super().cursor(named_cursor)

    def _connect(self):
        try:
            return super()._connect()
        except MaxConnectionsExceeded:
            if not self._drop_kept(lambda ident, alive: ident not in alive):
                raise
            return super()._connect()

    def _drop_kept(self, which):
        """Close the kept connections `which(ident, alive idents)` picks; how many."""
        with self._pool_lock:
            alive = {t.ident for t in threading.enumerate()}
            idents = [ident for ident in self._kept if which(ident, alive)]
            for ident in idents:
                self._drop(self._kept.pop(ident))
            return len(idents)

    def close_idle(self):
        """The idle connections closed: those in the pool and those threads keep."""
        self._drop_kept(lambda ident, alive: True)
        super().close_idle()

    def _close(self, conn, close_conn=False):
        if close_conn:
            self._returned.pop(self.conn_key(conn), None)
        else:
            self._returned[self.conn_key(conn)] = time.monotonic()
        with self._pool_lock:
            if self._kept.get(threading.get_ident()) is conn:      # closed by its thread while kept
                del self._kept[threading.get_ident()]
                self._state.kept_at = None
        return super()._close(conn, close_conn)

    def _is_closed(self, conn):
        return self._dead(conn, time.monotonic() - self._returned.pop(self.conn_key(conn), 0.0))

    def _dead(self, conn, idle_for):
        """Whether a connection idle for `idle_for` seconds is gone: asked the server past PING_AFTER."""
        if idle_for > self.PING_AFTER:
            return super()._is_closed(conn)
        return bool(conn.closed) or self._adapter.txn_status(conn) == self._adapter.txn_unknown


def pool_settings(config, environ=os.environ):
    """The PostgreSQL pool of one process, from the app's config and the environment.

    max_connections: DATABASE_POOL_SIZE, else the gunicorn worker's threads (GUNICORN_THREADS, set by
    gunicorn.conf.py), else 8; every thread holds at most one connection, so a worker never waits for one and the
    server sees workers x threads connections at most (and one more per worker: app.core.changes). stale_timeout:
    DATABASE_POOL_STALE seconds (300), after which a connection is closed and opened afresh. timeout: how long a
    thread waits for a free connection, the same DATABASE_CONNECT_WAIT as for a restarting database.
    """
    size = config.get('DATABASE_POOL_SIZE') or environ.get('DATABASE_POOL_SIZE') or environ.get('GUNICORN_THREADS')
    return {'max_connections': max(1, int(size or 8)),
            'stale_timeout': max(1, int(float(config.get('DATABASE_POOL_STALE', 300)))),
            'timeout': max(0.1, float(config.get('DATABASE_CONNECT_WAIT', 5)))}


def open_database(url, instance_path=None, busy_timeout=10, pool=None, connect_wait=0.0):
    """Build (not connect) the database named by a URL. SQLite waits up to `busy_timeout` s for the write lock.

    `pool` (pool_settings): PostgreSQL through a connection pool; `connect_wait`: see _WaitingConnect."""
    parsed = urlparse(url)
    if parsed.scheme.startswith('sqlite'):
        path = url.split(':///', 1)[1] if ':///' in url else ''
        if path and path != ':memory:' and not os.path.isabs(path) and instance_path:
            # sqlite:///instance/x.db is relative to the project, not the cwd of whoever runs it.
            root = os.path.dirname(instance_path)
            path = os.path.join(root, path)
        if path and path != ':memory:':
            os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
        # IMMEDIATE: a write transaction takes the write lock when it begins, so two
        # workers queue on the busy timeout instead of failing half-way with "database is locked".
        pragmas = dict(SQLITE_PRAGMAS, busy_timeout=int(busy_timeout * 1000))
        database = WaitingSqliteDatabase(path or ':memory:', pragmas=pragmas, timeout=busy_timeout,
                                         lock_type='IMMEDIATE')
    elif pool is not None and parsed.scheme in ('postgres', 'postgresql'):
        database = PooledPostgres(**dict(parse(url), **pool))
    else:
        return connect(url)
    database.connect_wait = connect_wait
    return database


def is_sqlite():
    return isinstance(db.obj, pw.SqliteDatabase)


def transaction():
    """One transaction per user action (IMMEDIATE on SQLite, see open_database).

    When the outermost one begins inside a request, `g.on_first_transaction` (if set) runs in it
    first: app.core.idempotency stores the action's key there, so the key commits or rolls back
    with the action itself, and the answer is rendered after the commit, without the write lock.
    """
    return _ActionTransaction()


class _ActionTransaction:
    def __enter__(self):
        outermost = not db.in_transaction()
        self._atomic = db.atomic()
        txn = self._atomic.__enter__()
        if outermost and has_request_context():
            hook = g.get('on_first_transaction')
            if hook is not None:
                try:
                    hook()
                except BaseException:
                    self._atomic.__exit__(*sys.exc_info())
                    raise
        return txn

    def __exit__(self, exc_type, exc, tb):
        return self._atomic.__exit__(exc_type, exc, tb)


def init_app(app):
    """The app's database, connected lazily by each request that queries, and handed back when it ends."""
    previous = db.obj
    if isinstance(previous, PooledDatabase):
        previous.close_idle()         # a second app in the same process (the tests) leaves no idle connections behind
    database = open_database(app.config['DATABASE_URL'], app.instance_path,
                             app.config.get('DATABASE_BUSY_TIMEOUT', 10), pool=pool_settings(app.config),
                             connect_wait=app.config.get('DATABASE_CONNECT_WAIT', 5))
    db.initialize(database)

    @app.teardown_request
    def _close(exc):
        release()


def release():
    """The end of a request's use of the database (see the module's docstring)."""
    database = db.obj
    if database is None or database._state.closed:
        return
    if isinstance(database, pw.SqliteDatabase) and not database._state.conn.in_transaction:
        return
    if isinstance(database, PooledPostgres) and not database.in_transaction():
        return database.keep()
    database.close()


@contextmanager
def served():
    """The database for work in front of the app (app.board.fastpoll): connected on first use, released after."""
    try:
        yield db
    finally:
        release()


class Prepared:
    """A select built and compiled to SQL once per kind of database; a call only binds its arguments and runs it.

    For the hottest reads (the job card's order and its 5-second poll, the status page's state), where peewee
    compiling a query of many subqueries costs more than the database running it, and PostgreSQL planning it costs
    more than executing it: there each pooled connection prepares it once (PREPARE, then EXECUTE; outside a
    transaction only, where a failed PREPARE loses nothing). `build(*args)` makes the query from plain values
    of the types `kinds` names (int ids, str hashes, dates), each reaching the SQL as a parameter of its own,
    unchanged.
    """
    _count = 0

    def __init__(self, build, *kinds):
        Prepared._count += 1
        self._build, self._kinds, self._compiled = build, kinds, {}
        self.name = 'servicebay_prepared_%d' % Prepared._count

    def _marks(self):
        """Stand-ins for the arguments while compiling: no real id is negative, no real text starts with NUL, no
        real day is in the first century."""
        return [-730_000_001 - i if kind is int else date(1, 1, 1 + i) if kind is date else '\0prepared-%d' % i
                for i, kind in enumerate(self._kinds)]

    def _compile(self, database):
        marks = self._marks()
        template = self._build(*marks)
        sql, params = database.get_sql_context().sql(template).query()
        slots = [(i, marks.index(p)) for i, p in enumerate(params) if type(p) in self._kinds and p in marks]
        if {a for _i, a in slots} != set(range(len(marks))):
            raise ValueError('an argument of a prepared query is not a parameter of its SQL')
        prepare = _prepare_sql(self.name, sql, params, dict(slots), self._kinds) \
            if isinstance(database, pw.PostgresqlDatabase) else None
        execute = 'EXECUTE %s (%s)' % (self.name, ', '.join(['%s'] * len(marks)))
        return template, sql, params, slots, (prepare, execute) if prepare else None

    def __call__(self, *args):
        """The query, already run: iterate it, or .first() when it was built with .limit(1)."""
        database = db.obj
        key = type(database)
        if key not in self._compiled:
            self._compiled[key] = self._compile(database)
        template, sql, params, slots, prepare = self._compiled[key]
        if prepare is not None and not database.in_transaction():
            cursor = _run_prepared(database, self.name, *prepare, args)
        else:
            params = list(params)
            for i, a in slots:
                params[i] = args[a]
            cursor = database.execute_sql(sql, params)
        query = template.clone()
        query._cursor_wrapper = query._get_cursor_wrapper(cursor)
        return query


def _literal(value):
    """A fixed parameter written into a prepared statement (None when it cannot be written safely)."""
    if isinstance(value, bool):
        return 'TRUE' if value else 'FALSE'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and '\0' not in value:
        return "'%s'" % value.replace("'", "''")
    return None


def _prepare_sql(name, sql, params, slots, kinds):
    """PostgreSQL's PREPARE of a compiled query: the arguments as $1..$n, the fixed parameters written in (None
    when one cannot be, or the SQL holds a literal %: it then runs as it is)."""
    pieces = sql.split('%s')
    if '%%' in sql or len(pieces) != len(params) + 1:
        return None
    values = ['$%d' % (slots[i] + 1) if i in slots else _literal(p) for i, p in enumerate(params)]
    if None in values:
        return None
    types = ', '.join({int: 'bigint', date: 'date'}.get(kind, 'text') for kind in kinds)
    return 'PREPARE %s (%s) AS %s' % (name, types, ''.join(a + b for a, b in zip(pieces, values + [''])))


_prepared_on = weakref.WeakKeyDictionary()      # a PostgreSQL connection -> the statements prepared on it


def _run_prepared(database, name, prepare, execute, args):
    connection = database.connection()
    done = _prepared_on.setdefault(connection, set())
    if name not in done:
        try:        # the connection's set-up, once, not a query of the request (nor of the query-count tests)
            with pw.__exception_wrapper__:
                database.cursor().execute(prepare)
        except pw.ProgrammingError as exc:     # prepared already (outside a transaction: nothing lost)
            if 'already exists' not in str(exc):
                raise
        done.add(name)
    return database.execute_sql(execute, args)


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False

    def update_versioned(self, expected_version=None, *, where=None, **changes):
        """Write `changes` only if the row is still at `expected_version` (default: the version this object was read
        at), bumping it; else raise StaleRecord and write nothing. `where`: a further condition (the state the
        change was decided from). The one optimistic-locking write: a stale form never overwrites a newer change."""
        cls = type(self)
        version = self.version if expected_version is None else int(expected_version)
        condition = (cls._meta.primary_key == self._pk) & (cls.version == version)
        if where is not None:
            condition &= where
        if cls.update(version=cls.version + 1, **changes).where(condition).execute() != 1:
            raise StaleRecord(self._pk)
        for name, value in changes.items():
            setattr(self, name, value)
        self.version = version + 1
        return self


class label_of:
    """`status_label = label_of('status', 'STATUS_LABELS')`: a field's value in words, from a table on the model
    (or a dict given); an unknown value shows as itself, or as `missing` when one is given."""

    def __init__(self, field, table, missing=None):
        self.field, self.table, self.missing = field, table, missing

    def __get__(self, record, model):
        if record is None:
            return self
        value = getattr(record, self.field)
        table = getattr(record, self.table) if isinstance(self.table, str) else self.table
        return table.get(value, value if self.missing is None else self.missing)


class ShopScoped(BaseModel):
    """A record that belongs to one shop. Query through for_shop() so no page leaks another shop."""

    @classmethod
    def for_shop(cls, shop, *fields):
        return cls.select(*fields).where(cls.shop == shop)

    @classmethod
    def get_for_shop_or_404(cls, shop, pk):
        from flask import abort
        obj = cls.get_or_none((cls.id == pk) & (cls.shop == shop))
        if obj is None:
            abort(404)
        return obj


class Numbered(ShopScoped):
    """A record numbered within its shop (an order, a settlement, a purchase order…): the number is unique there.
    A base with no table of its own."""
    ABSTRACT = True

    class Meta:
        indexes = ((('shop', 'number'), True),)


# --- migrations -----------------------------------------------------------

def migration_runner(database=None):
    from playhouse.migrations import Runner
    return Runner(database or db.obj, MIGRATIONS_DIR)


def upgrade(database=None):
    """Apply pending migrations; returns their names."""
    return migration_runner(database).up()


def all_models():
    """Every model of the app, for schema_diff and test clean-up."""
    from app.registry import models
    return models()


@contextmanager
def connection():
    """A connection outside a request (CLI commands, scripts)."""
    opened = db.is_closed()
    if opened:
        db.connect()
    try:
        yield db
    finally:
        if opened and not db.is_closed():
            db.close()
