"""The database: chosen by DATABASE_URL, one connection per request, writes in one transaction."""
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from urllib.parse import urlparse

import peewee as pw
from playhouse.db_url import connect

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


def open_database(url, instance_path=None):
    """Build (not connect) the database named by a URL."""
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
        return pw.SqliteDatabase(path or ':memory:', pragmas=SQLITE_PRAGMAS, timeout=10,
                                 lock_type='IMMEDIATE')
    return connect(url)


def is_sqlite():
    return isinstance(db.obj, pw.SqliteDatabase)


def transaction():
    """One transaction per user action (IMMEDIATE on SQLite, see open_database)."""
    return db.atomic()


def init_app(app):
    database = open_database(app.config['DATABASE_URL'], app.instance_path)
    db.initialize(database)

    @app.before_request
    def _connect():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            db.close()


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False


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
