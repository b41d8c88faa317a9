"""flask backup / flask restore: a consistent copy of a running shop, put back into a new instance."""
import os
import sqlite3
import tarfile
import threading

import pytest

from app import create_app
from app.core import db as core_db
from app.core.db import transaction
from tests import factories
from tests.helpers import TEST_CONFIG, TEST_DB

sqlite_only = pytest.mark.skipif(TEST_DB == 'postgres', reason='the SQLite online backup')
WRITTEN = ('customer', 'vehicle', 'plate_part')     # the tables the concurrent writer adds to (a car's plate parts)


def rows(path, table):
    con = sqlite3.connect(path)
    try:
        return con.execute('SELECT * FROM "%s" ORDER BY 1' % table).fetchall()
    finally:
        con.close()


def tables(path):
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                          "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    finally:
        con.close()


class Writer(threading.Thread):
    """Keeps adding a customer with their car, one transaction each, as the workshop would while the backup runs."""

    def __init__(self, shop):
        super().__init__(daemon=True)
        self.shop, self.stop, self.commits, self.error = shop, threading.Event(), 0, None

    def run(self):
        try:
            with core_db.db.connection_context():
                while not self.stop.is_set():
                    with transaction():
                        owner = factories.make_customer(self.shop, name='并发 %d' % self.commits)
                        factories.make_vehicle(self.shop, owner)
                    self.commits += 1
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc


def restore_into(tmp_path, archive, *args):
    """A new, empty instance (its own database file and photos folder) and `flask restore` into it."""
    os.environ['INSTANCE_PATH'] = str(tmp_path / 'restored-instance')
    try:
        fresh = create_app(dict(TEST_CONFIG, DATABASE_URL='sqlite:///%s' % (tmp_path / 'restored.db')))
    finally:
        os.environ.pop('INSTANCE_PATH', None)
    return fresh, restore(fresh, archive, *args)


def restore(app, archive, *args):
    with app.app_context():          # the test's own app context would otherwise be the one the command sees
        return app.test_cli_runner().invoke(args=['restore', archive, *args])


@sqlite_only
def test_backup_under_write_load_restores_every_table_row_by_row(app, shop, make_user, runner, database_url,
                                                                  tmp_path):
    """A backup taken while the shop keeps writing comes back whole: every table as it was at one instant."""
    advisor = make_user('amy', ['advisor'])
    ids = factories.make_checkin(shop, advisor)          # orders, a walk-around photo and a signature on disk
    for _ in range(5):
        factories.make_order(shop, advisor)
    writer = Writer(shop)
    writer.start()
    while writer.commits < 20 and writer.is_alive():
        threading.Event().wait(0.01)
    before = writer.commits
    result = runner.invoke(args=['backup', '--to', str(tmp_path / 'backups')])
    during = writer.commits
    writer.stop.set()
    writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert during > before, 'the writer did not keep writing while the backup ran'
    archive = result.output.split('backup written: ', 1)[1].split(' (', 1)[0]
    assert os.path.basename(archive).startswith('servicebay-backup-') and archive.endswith('.tar.gz')
    source = database_url.split(':///', 1)[1]

    fresh, restored = restore_into(tmp_path, archive)
    assert restored.exit_code == 0, restored.output
    target = str(tmp_path / 'restored.db')
    assert tables(target) == tables(source)
    for table in tables(source):
        mine, theirs = rows(target, table), rows(source, table)
        if table in WRITTEN:
            assert set(mine) <= set(theirs), table          # nothing invented, nothing changed
        else:
            assert mine == theirs, 'table %s differs after restore' % table
    customers = {r[0] for r in rows(target, 'customer')}
    owners = {r for (r,) in sqlite3.connect(target).execute('SELECT owner_id FROM vehicle')}
    written = [r for r in rows(target, 'customer') if r[3].startswith('并发 ')]
    assert before <= len(written) <= writer.commits
    assert owners <= customers and {r[0] for r in written} <= owners, 'a customer without the car of the same transaction'
    # the photos came back with the database, byte for byte
    with fresh.app_context():
        from app.core.models import Photo, Signature
        core_db.db.connect(reuse_if_open=True)
        names = [p.filename for p in Photo.select()] + [s.filename for s in Signature.select()]
        core_db.db.close()
    assert names
    for name in names:
        with open(os.path.join(app.instance_path, 'photos', name), 'rb') as a, \
                open(os.path.join(fresh.instance_path, 'photos', name), 'rb') as b:
            assert a.read() == b.read(), name
    assert ids['photo_id']


@sqlite_only
def test_restore_refuses_to_overwrite_without_force(app, shop, make_user, runner, tmp_path):
    """Restoring over a shop that has data changes nothing unless forced, and then keeps the old files."""
    advisor = make_user('amy', ['advisor'])
    factories.make_order(shop, advisor)
    result = runner.invoke(args=['backup', '--to', str(tmp_path / 'backups')])
    assert result.exit_code == 0, result.output
    archive = result.output.split('backup written: ', 1)[1].split(' (', 1)[0]

    fresh, first = restore_into(tmp_path, archive)
    assert first.exit_code == 0, first.output
    target = str(tmp_path / 'restored.db')
    con = sqlite3.connect(target)
    con.execute("UPDATE customer SET name = 'changed after restore'")
    con.commit()
    con.close()

    again = restore(fresh, archive)
    assert again.exit_code != 0
    assert 'already has data' in again.output
    assert rows(target, 'customer')[0][3] == 'changed after restore'

    forced = restore(fresh, archive, '--force')
    assert forced.exit_code == 0, forced.output
    assert rows(target, 'customer')[0][3] != 'changed after restore'
    assert any(n.startswith('restored.db.before-restore-') for n in os.listdir(tmp_path))


@sqlite_only
def test_a_damaged_archive_is_refused(app, runner, tmp_path):
    """A backup whose database was altered after it was made is not restored over anything."""
    result = runner.invoke(args=['backup', '--to', str(tmp_path / 'backups')])
    archive = result.output.split('backup written: ', 1)[1].split(' (', 1)[0]
    unpacked = tmp_path / 'unpacked'
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter='data')
    with open(unpacked / 'servicebay.db', 'r+b') as fh:
        fh.seek(200)
        fh.write(b'\xff' * 16)
    damaged = str(tmp_path / 'damaged.tar.gz')
    with tarfile.open(damaged, 'w:gz') as tar:
        for name in os.listdir(unpacked):
            tar.add(unpacked / name, arcname=name)
    _fresh, restored = restore_into(tmp_path, damaged)
    assert restored.exit_code != 0
    assert 'damaged' in restored.output
    assert not os.path.exists(tmp_path / 'restored.db') or os.path.getsize(tmp_path / 'restored.db') == 0


@pytest.mark.skipif(TEST_DB != 'postgres', reason='PostgreSQL')
def test_backup_on_postgres_points_to_pg_dump_and_keeps_the_photos(app, shop, make_user, runner, tmp_path):
    """On PostgreSQL the operator is sent to pg_dump for the database; the photos are still backed up."""
    factories.make_checkin(shop, make_user('amy', ['advisor']))
    refused = runner.invoke(args=['backup', '--to', str(tmp_path)])
    assert refused.exit_code != 0 and 'pg_dump' in refused.output
    result = runner.invoke(args=['backup', '--photos-only', '--to', str(tmp_path)])
    assert result.exit_code == 0, result.output
    archive = result.output.split('backup written: ', 1)[1].split(' (', 1)[0]
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert 'manifest.json' in names and 'servicebay.db' not in names
    assert sum(1 for n in names if n.startswith('photos/') and n != 'photos') == 2
