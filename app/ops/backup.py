"""A consistent copy of a running SQLite shop and its photos, and putting it back.

`make_backup` copies the database with SQLite's online backup API (one step, so the copy is one
committed state even while workers keep writing; readers and writers are not stopped), checks the
copy, then copies the photos folder and packs both with a manifest into
`servicebay-backup-<UTC time>.tar.gz`. The database is copied first: a photo saved a moment later is
an extra file in the archive, never a row without its file.

`restore_backup` checks the archive (manifest, SQLite integrity) and puts database and photos in
place of the configured ones; it refuses to overwrite a database that has data unless forced, and even
then keeps the replaced files beside them. Stop the server before restoring.

PostgreSQL is backed up with pg_dump / pg_restore (see the README); its photos folder with `--photos-only`.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import datetime, timezone

from app.core import db as core_db

DB_NAME = 'servicebay.db'
PHOTOS = 'photos'
MANIFEST = 'manifest.json'


class BackupError(RuntimeError):
    """Why a backup or restore was not done, for the operator."""


def sqlite_path():
    """The file of the configured SQLite database, or None on PostgreSQL."""
    database = core_db.db.obj
    if not core_db.is_sqlite():
        return None
    path = database.database
    return None if path in ('', ':memory:') else path


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def table_counts(path):
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                           "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: con.execute('SELECT COUNT(*) FROM "%s"' % n).fetchone()[0] for n in names}
    finally:
        con.close()


def _check(path):
    con = sqlite3.connect(path)
    try:
        result = con.execute('PRAGMA integrity_check').fetchone()[0]
    finally:
        con.close()
    if result != 'ok':
        raise BackupError('the database copy is damaged: %s' % result)


def copy_database(source, target):
    """SQLite online backup of `source` into a new file `target`, in one step (one consistent state)."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)          # pages=-1: all at once, under one read transaction
    finally:
        dst.close()
        src.close()
    _check(target)


def _copy_photos(source_dir, target_dir):
    """The stored photos (not half-written `.part` files, not thumbnails: they are made again on demand)."""
    os.makedirs(target_dir, exist_ok=True)
    count = 0
    if not os.path.isdir(source_dir):
        return count
    for name in sorted(os.listdir(source_dir)):
        src = os.path.join(source_dir, name)
        if name.endswith('.part') or name.startswith('thumb-') or not os.path.isfile(src):
            continue
        try:
            shutil.copy2(src, os.path.join(target_dir, name))
        except FileNotFoundError:
            continue         # removed meanwhile (its row went with it)
        count += 1
    return count


def make_backup(dest_dir, photo_dir, *, photos_only=False, now=None):
    """Write the archive into dest_dir; returns (archive path, manifest)."""
    source = sqlite_path()
    if source is None and not photos_only:
        raise BackupError('This database is PostgreSQL: back it up with pg_dump (see the README), and the photos '
                          'with `flask backup --photos-only`.')
    now = now or datetime.now(timezone.utc)
    stamp = now.strftime('%Y%m%dT%H%M%SZ')
    os.makedirs(dest_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix='backup-', dir=dest_dir)
    try:
        manifest = {'format': 1, 'created_at': now.isoformat(), 'photos_only': photos_only}
        if not photos_only:
            copy = os.path.join(work, DB_NAME)
            copy_database(source, copy)
            manifest.update(database=DB_NAME, sha256=_sha256(copy), tables=table_counts(copy))
        manifest['photos'] = _copy_photos(photo_dir, os.path.join(work, PHOTOS))
        with open(os.path.join(work, MANIFEST), 'w') as fh:
            json.dump(manifest, fh, indent=1, sort_keys=True)
        archive = os.path.join(dest_dir, 'servicebay-backup-%s.tar.gz' % stamp)
        partial = archive + '.part'
        with tarfile.open(partial, 'w:gz') as tar:
            for name in sorted(os.listdir(work)):
                tar.add(os.path.join(work, name), arcname=name)
        os.replace(partial, archive)     # a backup cut off half-way never looks like a finished one
        return archive, manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _has_data(path):
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return False
    try:
        return any(count for name, count in table_counts(path).items() if name != 'schema_migration')
    except sqlite3.DatabaseError:
        return True


def _unpack(archive, into):
    with tarfile.open(archive, 'r:gz') as tar:
        tar.extractall(into, filter='data')     # no absolute paths, no links out of the folder
    try:
        with open(os.path.join(into, MANIFEST)) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        raise BackupError('%s is not a ServiceBay backup (no manifest).' % archive)


def restore_backup(archive, photo_dir, *, force=False, now=None):
    """Put the archive's database and photos in place of the configured ones; returns the manifest."""
    target = sqlite_path()
    if not os.path.isfile(archive):
        raise BackupError('No such backup: %s' % archive)
    work = tempfile.mkdtemp(prefix='restore-')
    try:
        manifest = _unpack(archive, work)
        if not manifest.get('photos_only'):
            if target is None:
                raise BackupError('This database is PostgreSQL: restore it with pg_restore (see the README), '
                                  'and the photos from a --photos-only backup.')
            copy = os.path.join(work, manifest['database'])
            if _sha256(copy) != manifest['sha256']:
                raise BackupError('The backup is damaged: the database does not match its checksum.')
            _check(copy)
        existing_photos = os.path.isdir(photo_dir) and any(not n.startswith('thumb-') for n in os.listdir(photo_dir))
        if not force and ((target and not manifest.get('photos_only') and _has_data(target)) or existing_photos):
            raise BackupError('The database or the photos folder already has data: nothing was changed. '
                              'Use --force to replace them (the old files are kept beside them).')
        stamp = (now or datetime.now(timezone.utc)).strftime('%Y%m%dT%H%M%SZ')
        if not core_db.db.is_closed():
            core_db.db.close()
        if not manifest.get('photos_only'):
            _put_database(os.path.join(work, manifest['database']), target, stamp)
        _put_photos(os.path.join(work, PHOTOS), photo_dir, stamp)
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _put_database(copy, target, stamp):
    os.makedirs(os.path.dirname(target) or '.', exist_ok=True)
    if _has_data(target):
        shutil.copy2(target, '%s.before-restore-%s' % (target, stamp))
    for suffix in ('-wal', '-shm'):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)      # the old log must not be replayed onto the restored file
    staged = target + '.restoring'
    shutil.copy2(copy, staged)
    os.replace(staged, target)


def _put_photos(source, photo_dir, stamp):
    if os.path.isdir(photo_dir) and os.listdir(photo_dir):
        os.replace(photo_dir, '%s.before-restore-%s' % (photo_dir, stamp))
    os.makedirs(photo_dir, exist_ok=True)
    if os.path.isdir(source):
        shutil.copytree(source, photo_dir, dirs_exist_ok=True)
