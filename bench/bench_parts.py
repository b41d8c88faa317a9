"""Parts stock with 20,000 parts and 500,000 ledger rows: part search and the stock-on-hand page over htmx.

Builds a fresh SQLite file (bulk inserts through executemany, a few seconds): the catalogue, a ledger of
receipts, issues, returns and adjustments per part with its running on-hand and moving-average value, and the
stock levels those rows add up to. Then times GET /parts/catalogue?q=… as htmx sends it (number prefixes,
scans, name fragments in Chinese and English, misses) and GET /parts/stock (first and later pages, bin
filters, below-minimum), and a part's page with its ledger.
"""
import os
import random
import statistics
import tempfile
import time
from decimal import Decimal

from common import p95, report

PARTS = 20_000
MOVES = 500_000
KINDS = [('90915', '机油滤清器', 'Oil filter'), ('17801', '空气滤清器', 'Air filter'), ('87139', '空调滤清器', 'Cabin filter'),
         ('04465', '前刹车片', 'Front brake pads'), ('04466', '后刹车片', 'Rear brake pads'), ('43512', '前刹车盘', 'Brake disc'),
         ('90919', '火花塞', 'Spark plug'), ('85222', '雨刮片', 'Wiper blade'), ('90916', '正时皮带', 'Timing belt'),
         ('16100', '水泵', 'Water pump'), ('28800', '蓄电池', 'Battery'), ('81110', '前大灯总成', 'Headlamp'),
         ('48510', '前减震器', 'Shock absorber'), ('16400', '散热器', 'Radiator'), ('88310', '空调压缩机', 'A/C compressor'),
         ('31250', '离合器片', 'Clutch disc'), ('27060', '发电机', 'Alternator'), ('45046', '转向拉杆球头', 'Tie rod end'),
         ('90369', '前轮轴承', 'Wheel bearing'), ('42611', '轮胎', 'Tyre')]
MODELS = [('凯美瑞', 'Camry'), ('卡罗拉', 'Corolla'), ('雷凌', 'Levin'), ('汉兰达', 'Highlander'), ('RAV4', 'RAV4'),
          ('雅阁', 'Accord'), ('思域', 'Civic'), ('轩逸', 'Sylphy'), ('朗逸', 'Lavida'), ('帕萨特', 'Passat')]


def build(tmp):
    os.environ['INSTANCE_PATH'] = os.path.join(tmp, 'instance')
    from app import create_app
    from app.accounts.models import User
    from app.core import db as core_db
    from app.core.models import Shop
    from app.parts.models import Part

    app = create_app({'DATABASE_URL': 'sqlite:///%s/bench.db' % tmp, 'WTF_CSRF_ENABLED': False,
                      'SECRET_KEY': 'bench', 'ARGON2_TIME_COST': 1, 'ARGON2_MEMORY_COST': 1024})
    rng = random.Random(2026)
    with app.app_context(), core_db.connection():
        core_db.upgrade()
        shop = Shop.create(code='BENCH', name='基准测试店')
        user = User.create_account(username='clerk', display_name='Clerk', password='bench-password',
                                   roles=['parts'], shops=[shop], by=None)
        now = core_db.utcnow()
        numbers, parts = set(), []
        while len(parts) < PARTS:
            stem, zh, en = rng.choice(KINDS)
            model_zh, model_en = rng.choice(MODELS)
            number = '%s-%05d' % (stem, rng.randint(0, 99999))
            if number in numbers:
                continue
            numbers.add(number)
            cost = Decimal(rng.randint(1000, 200000)) / 100
            parts.append((shop.id, number, '%s %s' % (model_zh, zh), '%s %s' % (model_en, en),
                          rng.choice(('oem', 'aftermarket')), '%s-%02d-%d' % ('ABCDEFGH'[rng.randint(0, 7)],
                                                                               rng.randint(1, 40), rng.randint(1, 5)),
                          'pc', str(cost), str((cost * Decimal('1.8')).quantize(Decimal('0.01'))),
                          str(rng.choice((0, 0, 1, 2, 5))), '20', True, now))
        conn = core_db.db.connection()
        with core_db.transaction():
            conn.executemany('INSERT INTO part (shop_id, number, name_zh, name_en, origin, bin, unit, cost_price, '
                             'sell_price, min_qty, max_qty, active, created_at) '
                             'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', parts)
        ids = [(p.id, int(Decimal(p.cost_price) * 100)) for p in Part.select(Part.id, Part.cost_price).order_by(Part.id)]
        moves, levels = [], []
        per_part = MOVES // PARTS
        start = int(now.timestamp()) - 400 * 86400
        money = lambda cents: '%d.%02d' % divmod(cents, 100) if cents >= 0 else '-%d.%02d' % divmod(-cents, 100)
        for part_id, cost in ids:              # integer cents: the running figures the ledger rows carry
            on_hand, value = 0, 0
            at = start + rng.randint(0, 86400 * 30)
            last = None
            for i in range(per_part):
                at += rng.randint(3600, 86400 * 14)
                if i == 0 or on_hand < 2:
                    kind, qty = 'receipt', rng.randint(5, 20)
                    unit = cost * rng.randint(95, 105) // 100
                    delta = qty * unit
                else:
                    kind = rng.choice(('issue', 'issue', 'issue', 'return', 'adjustment'))
                    qty = -rng.randint(1, 2) if kind != 'return' else 1
                    unit = value // on_hand
                    delta = -value if on_hand + qty == 0 else qty * unit
                on_hand += qty
                value += delta
                stamp = time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(at))
                moves.append((shop.id, part_id, kind, qty, money(unit), money(delta), on_hand, money(value),
                              stamp, user.id, '', 'B-%d' % i, False))
                last = stamp
            avg = value // on_hand if on_hand else cost
            levels.append((part_id, shop.id, on_hand, money(value), money(avg), last, last, per_part))
        with core_db.transaction():
            for i in range(0, len(moves), 50_000):
                conn.executemany('INSERT INTO stock_move (shop_id, part_id, kind, quantity, unit_cost, value, '
                                 'on_hand_after, value_after, at, moved_by_id, reason, reference, override) '
                                 'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', moves[i:i + 50_000])
            conn.executemany('INSERT INTO stock_level (part_id, shop_id, on_hand, value, avg_cost, last_move_at, '
                             'last_activity_at, moves) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', levels)
        core_db.db.execute_sql('ANALYZE')
        counted = core_db.db.execute_sql('SELECT (SELECT COUNT(*) FROM part), (SELECT COUNT(*) FROM stock_move)').fetchone()
        assert counted == (PARTS, MOVES), counted
    return app, parts


def queries(parts):
    """Searches as the counter types them: number prefixes, whole numbers (a scan), name words, misses."""
    rng = random.Random(11)
    out = []
    for p in rng.sample(parts, 150):
        out.append(p[1][:rng.randint(3, 7)])              # number prefix
    for p in rng.sample(parts, 100):
        out.append(p[1])                                  # a scanned number
    for p in rng.sample(parts, 100):
        out.append(rng.choice(p[2].split(' ')))           # 凯美瑞 / 刹车片 …
    for p in rng.sample(parts, 80):
        out.append(rng.choice(p[3].split(' ')).lower())   # camry / filter …
    for _ in range(60):
        zh = rng.choice(KINDS)[1]
        out.append(zh[:2])                                # two characters as typed so far
    out += ['zzz', '99999-', '不存在', 'XYZ-1', 'q'] * 4
    rng.shuffle(out)
    return out


def main():
    started = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix='servicebay-bench-parts-')
    app, parts = build(tmp)
    built = time.perf_counter() - started
    qs = queries(parts)

    client = app.test_client()
    resp = client.post('/login', data={'username': 'clerk', 'password': 'bench-password'})
    assert resp.status_code == 302, resp.status_code
    hx = {'HX-Request': 'true', 'HX-Current-URL': 'http://localhost/parts/catalogue'}
    for q in qs[:30]:
        client.get('/parts/catalogue', query_string={'q': q}, headers=hx)
    search = []
    for q in qs:
        t = time.perf_counter()
        resp = client.get('/parts/catalogue', query_string={'q': q}, headers=hx)
        search.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200 and b'id="part-results"' in resp.data and b'<html' not in resp.data

    rng = random.Random(5)
    pages = []
    for _ in range(300):
        roll = rng.random()
        if roll < 0.3:
            args = {}
        elif roll < 0.55:
            args = {'page': rng.randint(2, 400)}
        elif roll < 0.8:
            args = {'bin': '%s-%02d' % ('ABCDEFGH'[rng.randint(0, 7)], rng.randint(1, 40))}
        elif roll < 0.9:
            args = {'only': 'below_min'}
        else:
            args = {'only': 'in_stock', 'bin': 'ABCDEFGH'[rng.randint(0, 7)]}
        pages.append(args)
    for args in pages[:20]:
        client.get('/parts/stock', query_string=args)
    stock_page = []
    for args in pages:
        t = time.perf_counter()
        resp = client.get('/parts/stock', query_string=args)      # the full page, as a browser loads it
        stock_page.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200 and b'id="stock-rows"' in resp.data

    part_page = []
    for p_id in random.Random(9).sample(range(1, PARTS + 1), 100):
        t = time.perf_counter()
        resp = client.get('/parts/catalogue/%d' % p_id)
        part_page.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200 and b'id="part-ledger"' in resp.data

    print('parts: %d parts, %d ledger rows built in %.1f s; %d searches median %.2f ms; %d stock pages median %.2f ms; '
          'part page with ledger median %.2f ms p95 %.2f ms' % (
              PARTS, MOVES, built, len(qs), statistics.median(search), len(pages), statistics.median(stock_page),
              statistics.median(part_page), p95(part_page)))
    report('part_search_p95', p95(search), 'ms', '<', 100)
    report('stock_page_p95', p95(stock_page), 'ms', '<', 100)


if __name__ == '__main__':
    main()
