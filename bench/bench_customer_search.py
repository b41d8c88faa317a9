"""Customer search with 20,000 customers and 30,000 vehicles: the bare query and the htmx request.

Builds a fresh SQLite database (bulk inserts, a few seconds), then times search() and
GET /customers?q=… as htmx sends it over a mix of realistic queries: 3-character plate
fragments with and without the province, full plates, the plate's last 4-5 characters,
4-11 digit phone fragments in several formats, the phone's last 4, VIN last 6 and full
VINs, name prefixes, and misses.
"""
import os
import random
import statistics
import tempfile
import time

from common import p95, report

CUSTOMERS = 20_000
VEHICLES = 30_000
WITHOUT_VEHICLE = 2_000
SURNAMES = ('王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈'
            '姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤')
GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超华平刚桂英玲萍鹏辉建文斌宇浩凯秀兰霞琳晨欣怡子轩博瑞嘉睿思雨梓涵晓东海波峰'
COMPANY_WORDS = ['鹏程', '华强', '南山', '前海', '宝安', '龙华', '福田', '深港', '粤海', '星河']
COMPANY_KINDS = ['物流有限公司', '科技有限公司', '贸易有限公司', '汽车租赁有限公司', '建筑工程有限公司']
PROVINCES = '粤' * 17 + '湘桂赣闽京沪'
OFFICES = 'BBBBBBCDEFGHJKLMS'
CARS = [('丰田 Toyota', '凯美瑞 Camry'), ('丰田 Toyota', '卡罗拉 Corolla'), ('丰田 Toyota', 'RAV4 荣放'),
        ('丰田 Toyota', '汉兰达 Highlander'), ('本田 Honda', '雅阁 Accord'), ('比亚迪 BYD', '汉 Han EV')]
QUERY_SEED = 11


def build(tmp):
    os.environ['INSTANCE_PATH'] = os.path.join(tmp, 'instance')
    from app import create_app
    from app.accounts.models import User
    from app.core import db as core_db
    from app.core.models import Shop
    from app.core.validators import plate_search_key, random_mobile, random_plate, random_vin
    from app.customers.models import PlatePart, phone_tail
    from app.reception.models import Customer, Vehicle

    app = create_app({'DATABASE_URL': 'sqlite:///%s/bench.db' % tmp, 'WTF_CSRF_ENABLED': False,
                      'SECRET_KEY': 'bench', 'ARGON2_TIME_COST': 1, 'ARGON2_MEMORY_COST': 1024})
    rng = random.Random(2026)
    with app.app_context(), core_db.connection():
        core_db.upgrade()
        shop = Shop.create(code='BENCH', name='基准测试店')
        User.create_account(username='advisor', display_name='Advisor', password='bench-password',
                            roles=['advisor'], shops=[shop], by=None)
        phones, plates, vins = set(), set(), set()

        def unique(make, seen):
            while True:
                value = make()
                if value not in seen:
                    seen.add(value)
                    return value

        customers = []
        for _ in range(CUSTOMERS):
            if rng.random() < 0.05:
                name = '深圳市' + rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_KINDS)
                kind = 'company'
            else:
                name = rng.choice(SURNAMES) + ''.join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
                kind = 'person'
            phone = unique(lambda: random_mobile(rng), phones)
            customers.append(dict(shop=shop.id, kind=kind, name=name, phone=phone, phone_tail=phone_tail(phone),
                                  phone2='', language='zh', consent_contact=True, note='',
                                  created_at=core_db.utcnow()))
        with core_db.transaction():
            for start in range(0, len(customers), 500):
                Customer.insert_many(customers[start:start + 500]).execute()
        ids = [c.id for c in Customer.select(Customer.id).order_by(Customer.id)]
        owners = ids[:CUSTOMERS - WITHOUT_VEHICLE]
        owner_of = owners + [rng.choice(owners) for _ in range(VEHICLES - len(owners))]
        vehicles = []
        for owner in owner_of:
            make, model = rng.choice(CARS)
            plate = unique(lambda: random_plate(rng, new_energy=rng.random() < 0.15, province=rng.choice(PROVINCES),
                                                letter=rng.choice(OFFICES)), plates)
            vin = unique(lambda: random_vin(rng, None), vins)
            vehicles.append(dict(shop=shop.id, owner=owner, vin=vin, vin_tail=vin[-6:], plate=plate,
                                 plate_key=plate_search_key(plate), make=make, model=model,
                                 year=rng.randint(2012, 2026), colour='', mileage=rng.randint(1, 200) * 1000,
                                 created_at=core_db.utcnow()))
        with core_db.transaction():
            for start in range(0, len(vehicles), 500):
                Vehicle.insert_many(vehicles[start:start + 500]).execute()
            parts = [r for vid, key in Vehicle.select(Vehicle.id, Vehicle.plate_key).tuples()
                     for r in PlatePart.rows(shop.id, vid, key)]
            for start in range(0, len(parts), 500):
                PlatePart.insert_many(parts[start:start + 500]).execute()
        assert Customer.select().count() == CUSTOMERS and Vehicle.select().count() == VEHICLES
    return app, shop.id, customers, vehicles


def queries(customers, vehicles):
    """At least 500 queries as people type them at the front desk."""
    rng = random.Random(QUERY_SEED)
    out = []
    for v in rng.sample(vehicles, 120):                       # 3 characters after the province
        out.append(v['plate_key'][:3])
    for v in rng.sample(vehicles, 60):                        # the province and 3 characters
        out.append(v['plate'][:4])
    for v in rng.sample(vehicles, 50):                        # whole plates, some in lower case
        out.append(v['plate'] if rng.random() < 0.5 else v['plate_key'].lower())
    for c in rng.sample(customers, 120):                      # 4-11 digits of the mobile, as typed
        national = c['phone'][3:]
        digits = national[:rng.randint(4, 11)]
        style = rng.random()
        if style < 0.5:
            out.append(digits)
        elif style < 0.75:
            out.append(' '.join((digits[:3], digits[3:7], digits[7:])).strip())
        else:
            out.append('+86 ' + digits)
    for v in rng.sample(vehicles, 60):                        # last 6 of the VIN
        out.append(v['vin'][-6:])
    for v in rng.sample(vehicles, 20):                        # whole VIN
        out.append(v['vin'])
    for c in rng.sample(customers, 100):                      # first 1-3 characters of the name
        out.append(c['name'][:rng.randint(1, 3)])
    for v in rng.sample(vehicles, 40):                        # 4-5 characters off the end of the plate
        out.append(v['plate_key'][-rng.randint(4, 5):])
    for c in rng.sample(customers, 40):                       # the last 4 of the phone
        out.append(c['phone'][-4:])
    out += ['粤Z', 'Q0Q', '19999', 'ZZZZZZ', '欧阳', 'Smith', '0755', 'B', '粤', '13']  # misses and stubs
    rng.shuffle(out)
    return out


def main():
    started = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix='servicebay-bench-search-')
    app, shop_id, customers, vehicles = build(tmp)
    built = time.perf_counter() - started
    qs = queries(customers, vehicles)
    assert len(qs) >= 500

    from app.core import db as core_db
    from app.core.models import Shop
    from app.customers.search import search

    with app.app_context(), core_db.connection():
        shop = Shop.get_by_id(shop_id)
        for q in qs[:30]:                                     # warm-up
            search(shop, q)
        bare, found = [], 0
        for q in qs:
            t = time.perf_counter()
            found += bool(search(shop, q))
            bare.append((time.perf_counter() - t) * 1000)

    client = app.test_client()
    resp = client.post('/login', data={'username': 'advisor', 'password': 'bench-password'})
    assert resp.status_code == 302, resp.status_code
    headers = {'HX-Request': 'true', 'HX-Trigger': 'customer-q', 'HX-Current-URL': 'http://localhost/customers'}
    for q in qs[:30]:
        client.get('/customers', query_string={'q': q}, headers=headers)
    http = []
    for q in qs:
        t = time.perf_counter()
        resp = client.get('/customers', query_string={'q': q}, headers=headers)
        http.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200 and b'id="search-results"' in resp.data and b'<html' not in resp.data

    print('customer search: %d customers, %d vehicles built in %.1f s; %d queries, %d with matches; '
          'query median %.2f ms, htmx median %.2f ms' % (CUSTOMERS, VEHICLES, built, len(qs), found,
                                                         statistics.median(bare), statistics.median(http)))
    report('customer_search_p95', p95(http), 'ms', '<', 50)
    report('customer_search_query_p95', p95(bare), 'ms', '<', 50)


if __name__ == '__main__':
    main()
