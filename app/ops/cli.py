"""flask backup / flask restore / flask photos-sweep."""
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from app.core import photos
from app.core.db import connection
from app.ops import backup as ops


def _photo_dir():
    return os.path.join(current_app.instance_path, 'photos')


@click.command('backup')
@click.option('--to', 'dest', default=None, help='Folder for the archive (default: instance/backups).')
@click.option('--photos-only', is_flag=True, help='Only the photos (PostgreSQL: the database goes by pg_dump).')
@with_appcontext
def backup_command(dest, photos_only):
    """Copy the running database (SQLite online backup) and the photos into a timestamped archive."""
    dest = dest or os.path.join(current_app.instance_path, 'backups')
    try:
        with connection():
            photos.sweep_orphans()      # files left by requests that died before their commit stay out
            archive, manifest = ops.make_backup(dest, _photo_dir(), photos_only=photos_only)
    except ops.BackupError as exc:
        raise click.ClickException(str(exc))
    rows = sum(manifest.get('tables', {}).values())
    click.echo('backup written: %s (%d tables, %d rows, %d photos)'
               % (archive, len(manifest.get('tables', {})), rows, manifest['photos']))


@click.command('restore')
@click.argument('archive', type=click.Path(dir_okay=False))
@click.option('--force', is_flag=True, help='Replace a database or photos that already have data (kept beside).')
@with_appcontext
def restore_command(archive, force):
    """Put a backup archive back as this instance's database and photos (stop the server first)."""
    try:
        manifest = ops.restore_backup(archive, _photo_dir(), force=force)
    except ops.BackupError as exc:
        raise click.ClickException(str(exc))
    click.echo('restored %s: %d tables, %d photos (backup of %s)'
               % (archive, len(manifest.get('tables', {})), manifest['photos'], manifest['created_at']))


@click.command('photos-sweep')
@click.option('--min-age', default=photos.ORPHAN_AGE, help='Only files older than this many seconds.')
@with_appcontext
def photos_sweep_command(min_age):
    """Remove photo files no record refers to (left by a request that died before it committed)."""
    with connection():
        removed = photos.sweep_orphans(max_age=min_age)
    click.echo('removed %d orphan file(s)%s' % (len(removed), (': ' + ', '.join(removed)) if removed else ''))
