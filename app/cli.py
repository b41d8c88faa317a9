"""Command line: flask db upgrade, flask demo, flask lan-qr."""
import random
import socket

import click
from flask.cli import AppGroup, with_appcontext

from app.core import db as core_db

db_cli = AppGroup('db', help='Database schema (migrations in migrations/).')


@db_cli.command('upgrade')
def db_upgrade():
    """Apply pending migrations."""
    with core_db.connection():
        applied = core_db.upgrade()
    click.echo('applied: %s' % ', '.join(applied) if applied else 'database is up to date')


@db_cli.command('status')
def db_status():
    """List migrations and whether each is applied."""
    with core_db.connection():
        for m in core_db.migration_runner().status():
            click.echo('[%s] %s' % ('x' if m.applied else ' ', m.name))


@db_cli.command('diff')
def db_diff():
    """Show differences between the migrated schema and the models (should be none)."""
    from playhouse.schema_diff import diff_models
    with core_db.connection() as database:
        diff = diff_models(database.obj, core_db.all_models())
    click.echo(str(diff) if diff else 'schema matches models')


@click.command('demo')
@click.option('--seed', default=2026, help='Random seed, so the demo is the same every time.')
@click.option('--if-new', is_flag=True, help='Load only into a database that has no shop yet.')
@click.option('--timezone', default=None, help='Time zone of the demo shops (default: DEMO_TIMEZONE or Asia/Shanghai).')
@with_appcontext
def demo(seed, if_new, timezone):
    """Load the demo shop (idempotent) and print the logins."""
    from flask import current_app

    from app.core.models import Shop
    if timezone:
        current_app.config['DEMO_TIMEZONE'] = timezone
    from app.registry import demo_loaders
    with core_db.connection():
        core_db.upgrade()
        if if_new and Shop.select().exists() and not Shop.select().where(Shop.code == 'XH01').exists():
            click.echo('This database already has a shop of its own; the demo was not loaded.')
            return
        rng = random.Random(seed)
        logins = []
        for load in demo_loaders():
            logins.extend(load(rng) or [])
    if logins:
        click.echo('Demo logins (password for all: %s)' % logins[0][2])
        for username, roles, _password in logins:
            click.echo('  %-12s %s' % (username, roles))


def lan_address():
    """The address other devices on the shop's Wi-Fi reach this machine at (no packet is sent)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(('10.255.255.255', 1))  # UDP connect only picks a route; nothing leaves the machine
        return s.getsockname()[0]
    except OSError:
        return '127.0.0.1'
    finally:
        s.close()


@click.command('lan-qr')
@click.option('--port', default=5000)
def lan_qr(port):
    """Print a QR code of the LAN address so a phone opens the app at once."""
    import qrcode
    url = 'http://%s:%d/' % (lan_address(), port)
    qr = qrcode.QRCode(border=1)
    qr.add_data(url)
    qr.print_ascii(invert=True)
    click.echo('Open on a phone on the same Wi-Fi: %s' % url)


def init_app(app):
    app.cli.add_command(db_cli)
    app.cli.add_command(demo)
    app.cli.add_command(lan_qr)
    from app.kpi.cli import kpi_cli     # app/kpi: flask kpi rebuild
    app.cli.add_command(kpi_cli)
    from app.ops.cli import backup_command, photos_sweep_command, restore_command   # app/ops
    for command in (backup_command, restore_command, photos_sweep_command):
        app.cli.add_command(command)
