"""The database: chosen by DATABASE_URL, one connection per request, writes in one transaction."""
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from urllib.parse import urlparse

import peewee as pw
from flask import g, has_request_context
from playhouse.db_url import connect

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


def open_database(url, instance_path=None, busy_timeout=10):
    """Build (not connect) the database named by a URL. SQLite waits up to `busy_timeout` s for the write lock."""
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
        return pw.SqliteDatabase(path or ':memory:', pragmas=pragmas, timeout=busy_timeout, lock_type='IMMEDIATE')
    return connect(url)


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


def connect_waiting(wait):
    """Connect, retrying for up to `wait` seconds: a database restarting for a moment is waited for.

    Past that the error goes to the 503 "try again" page (app.core.web); the next request connects afresh.
    """
    deadline, pause = time.monotonic() + wait, 0.1
    while True:
        try:
            return db.connect(reuse_if_open=True)
        except (pw.OperationalError, pw.InterfaceError):
            if time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


def init_app(app):
    database = open_database(app.config['DATABASE_URL'], app.instance_path,
                             app.config.get('DATABASE_BUSY_TIMEOUT', 10))
    db.initialize(database)

    @app.before_request
    def _connect():
        connect_waiting(app.config.get('DATABASE_CONNECT_WAIT', 5))

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            db.close()


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
