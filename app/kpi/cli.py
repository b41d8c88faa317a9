"""flask kpi rebuild: make the KPI facts (app.kpi.facts) again from the records."""
import time

import click
from flask.cli import AppGroup

from app.core import db as core_db
from app.core.models import Shop
from app.kpi import facts

kpi_cli = AppGroup('kpi', help='The KPI dashboard\'s facts.')


@kpi_cli.command('rebuild')
@click.option('--shop', 'shop_codes', multiple=True, help='Shop code (default: every shop).')
def rebuild(shop_codes):
    """Work out every order's KPI facts again (after a canned job's category changed, or to check)."""
    with core_db.connection():
        shops = Shop.select(Shop.id, Shop.code)
        if shop_codes:
            shops = shops.where(Shop.code.in_(list(shop_codes)))
        ids = [s.id for s in shops]
        if not ids:
            raise click.ClickException('no such shop')
        started = time.perf_counter()
        orders = facts.rebuild(ids)
    click.echo('KPI facts rebuilt: %d orders in %d shop(s), %.1f s' % (orders, len(ids), time.perf_counter() - started))
