"""The load test's shop: a fresh database with the demo, scaled to 300 open orders and 40 technicians.

Run as a script (no gevent here): migrates and loads the database at --url, adds the advisors and
board screens the scenario signs in as (through the accounts model, as the admin page would), issues
status links for `--customers` open orders and writes who signs in and which links exist to --out (JSON).
"""
import argparse
import json
import os
import secrets
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
sys.path[:0] = [ROOT, BENCH]

EXTRA_ADVISORS = 3      # the demo has advisor and advisor2; the scenario has 5 tablets
BOARD_LOGINS = ('foreman', 'manager', 'qc')


def reset(url):
    """An empty database at url (PostgreSQL: the public schema of this database only)."""
    from app.core import db as core_db
    if url.startswith('sqlite'):
        path = url.split(':///', 1)[1]
        for suffix in ('', '-wal', '-shm'):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return
    database = core_db.open_database(url)
    database.connect()
    database.execute_sql('DROP SCHEMA IF EXISTS public CASCADE')
    database.execute_sql('CREATE SCHEMA public')
    database.close()


def build(url, instance, technicians=40, orders=300, customers=200, shops=1):
    """The shop (or, with shops > 1, a dealer group of that many such shops on one database) and its logins."""
    os.environ['INSTANCE_PATH'] = instance
    reset(url)
    from app import create_app
    app = create_app({'DATABASE_URL': url, 'SECRET_KEY': os.environ.get('SECRET_KEY', 'load-test')})
    result = app.test_cli_runner().invoke(args=['demo'])
    assert result.exit_code == 0, result.output
    from workshop_data import build_floor
    shop = build_floor(app, orders=orders, technicians=technicians)
    advisors = ['advisor', 'advisor2'] + ['bench_adv%d' % i for i in range(1, EXTRA_ADVISORS + 1)]
    data = shop_data(app, shop, technicians, customers, advisors, list(BOARD_LOGINS))
    if shops == 1:
        _analyze(app)
        return dict(data, password='servicebay')
    group = [data]
    for n in range(2, shops + 1):
        code = 'GRP%02d' % n
        other = copy_shop(app, shop, code)
        build_floor(app, orders=orders, technicians=technicians, seed=11 + n, shop_code=code)
        prefix = code.lower()
        group.append(shop_data(app, other, technicians, customers,
                               ['%s_adv%d' % (prefix, i) for i in range(1, len(advisors) + 1)],
                               ['%s_board%d' % (prefix, i) for i in range(1, len(BOARD_LOGINS) + 1)]))
    _analyze(app)
    return {'shops': group, 'password': 'servicebay'}


def _analyze(app):
    """PostgreSQL's statistics of the loaded tables, as autovacuum would have them within a minute of such a bulk
    load in service (the runs start seconds after it, and a plan made on empty-table statistics scans). SQLite is
    left as `make run` leaves it."""
    from app.core.db import connection, db, is_sqlite
    with app.app_context(), connection():
        if not is_sqlite():
            db.execute_sql('ANALYZE')


def copy_shop(app, like, code):
    """Another shop of the group, with the first one's bays and labour catalogue."""
    from app.catalogue.models import CannedJob
    from app.core.db import connection, transaction
    from app.core.models import Shop
    from app.workshop.models import Bay
    with app.app_context(), connection(), transaction():
        shop = Shop.create(code=code, name='星河丰田 %s' % code, name_en='Xinghe Toyota %s' % code, phone=like.phone,
                           timezone=like.timezone, opening_hours=like.opening_hours)
        for model in (Bay, CannedJob):
            rows = [{f.name: getattr(r, f.name) for f in model._meta.sorted_fields if f.name != 'id'}
                    for r in model.for_shop(like)]
            model.insert_many([dict(r, shop=shop.id) for r in rows]).execute()
    return shop


def _staff(shop, names, role, template):
    """Users `names` with one role in this shop (the demo's password), made if missing."""
    from app.accounts.models import Membership, User, UserRole
    from app.core.db import utcnow
    for name in names:
        if User.get_or_none(User.username == name) is None:
            user = User.create(username=name, password_hash=template.password_hash, display_name=name.title(),
                               session_token=secrets.token_hex(16), created_at=utcnow())
            UserRole.create(user=user, role=role)
            Membership.create(user=user, shop=shop)


def shop_data(app, shop, technicians, customers, advisors, boards):
    """One shop's logins, status links (issued now), added-work items, searches and open orders."""
    from app.accounts.models import User
    from app.core import stages
    from app.core.access import ADVISOR, FOREMAN, TECHNICIAN
    from app.core.db import connection, transaction
    from app.reception.links import issue_link
    from app.reception.models import Customer, RepairOrder, Vehicle
    from app.workshop.models import AddedWork
    with app.app_context(), connection():
        template = User.get(User.username == 'advisor')
        with transaction():
            _staff(shop, advisors, ADVISOR, template)
            _staff(shop, boards, FOREMAN, template)
        techs = [u.username for u in User.with_role(shop, TECHNICIAN).order_by(User.id)][:technicians]
        open_orders = list(RepairOrder.open_orders(shop).order_by(RepairOrder.id))
        tokens = []
        for order in open_orders:
            if len(tokens) >= customers:
                break
            if order.stage == stages.DRAFT:
                continue
            tokens.append(issue_link(order, None))
        pending = [w.id for w in AddedWork.select(AddedWork.id).where(
            (AddedWork.shop == shop) & (AddedWork.status == AddedWork.PENDING)).order_by(AddedWork.id)]
        searches = [v.plate[-4:] for v in Vehicle.for_shop(shop).order_by(Vehicle.id).limit(60)]
        searches += [c.name[:2] for c in Customer.for_shop(shop).order_by(Customer.id).limit(40)]
        orders_ids = [o.id for o in open_orders]
    return {'technicians': techs, 'advisors': advisors, 'boards': boards, 'status_tokens': tokens,
            'added_work': pending, 'searches': searches, 'orders': orders_ids}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--url', required=True)
    parser.add_argument('--instance', required=True)
    parser.add_argument('--out', required=True)
    parser.add_argument('--technicians', type=int, default=40)
    parser.add_argument('--customers', type=int, default=200)
    parser.add_argument('--shops', type=int, default=1)
    args = parser.parse_args()
    data = build(args.url, args.instance, technicians=args.technicians, customers=args.customers, shops=args.shops)
    with open(args.out, 'w') as fh:
        json.dump(data, fh)
    for one in data.get('shops', [data]):
        print('load data: %d technicians, %d advisors, %d status links, %d added-work items'
              % (len(one['technicians']), len(one['advisors']), len(one['status_tokens']), len(one['added_work'])))


if __name__ == '__main__':
    main()
