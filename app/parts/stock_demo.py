"""Demo: the first shop's parts stock — a catalogue of a few hundred parts for the common models, three months of
receipts and issues to the shop's orders, a purchase order half received (one line with rejects), a draft and an
overdue order, a count waiting for the manager's approval, and old parts in their various states.

Loads once (skipped when the shop already has a catalogue). Called by app.parts.demo.load.
"""
from datetime import timedelta
from decimal import Decimal

from app.accounts.models import User
from app.core.access import MANAGER, PARTS
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.timeutil import to_local
from app.parts import counts, purchasing, stock
from app.parts.models import OldPart, Part, StockLevel, StockMove, Supplier
from app.reception.models import OrderLine, RepairOrder

SUPPLIERS = [
    ('广汽丰田配件中心 GAC Toyota Parts', '刘经理', '020-8888 1201', 2),
    ('广州车享汽配 Chexiang Auto Parts', '陈小姐', '020-3456 7788', 1),
    ('博世汽车服务 Bosch Car Service', '王工', '400-826-8000', 3),
    ('米其林轮胎华南仓 Michelin South China', '赵先生', '020-6123 4567', 4),
]
# (number stem, 中文名, English, unit, cost, margin, bin zone, supplier index, OEM?)
KINDS = [
    ('90915', '机油滤清器', 'Oil filter', 'pc', '28', '2.2', 'A-01', 0, True),
    ('17801', '空气滤清器', 'Air filter', 'pc', '65', '2.0', 'A-02', 0, True),
    ('87139', '空调滤清器', 'Cabin air filter', 'pc', '48', '2.3', 'A-03', 1, False),
    ('23300', '燃油滤清器', 'Fuel filter', 'pc', '120', '1.9', 'A-04', 0, True),
    ('04465', '前刹车片', 'Front brake pads', 'set', '320', '1.9', 'B-01', 0, True),
    ('04466', '后刹车片', 'Rear brake pads', 'set', '260', '1.9', 'B-02', 2, False),
    ('43512', '前刹车盘', 'Front brake disc', 'pc', '410', '1.8', 'B-03', 0, True),
    ('42431', '后刹车盘', 'Rear brake disc', 'pc', '350', '1.8', 'B-04', 2, False),
    ('90919', '火花塞', 'Spark plug', 'pc', '75', '2.0', 'C-01', 2, False),
    ('85222', '雨刮片', 'Wiper blade', 'pc', '58', '2.2', 'C-02', 1, False),
    ('90916', '正时皮带', 'Timing belt', 'pc', '380', '1.8', 'C-03', 0, True),
    ('16100', '水泵', 'Water pump', 'pc', '560', '1.7', 'C-04', 0, True),
    ('28800', '蓄电池', 'Battery 12V', 'pc', '520', '1.5', 'D-01', 2, False),
    ('81110', '前大灯总成', 'Headlamp assembly', 'pc', '1650', '1.5', 'D-02', 0, True),
    ('48510', '前减震器', 'Front shock absorber', 'pc', '780', '1.7', 'D-03', 2, False),
    ('48520', '后减震器', 'Rear shock absorber', 'pc', '690', '1.7', 'D-04', 2, False),
    ('16400', '散热器', 'Radiator', 'pc', '980', '1.6', 'E-01', 0, True),
    ('88310', '空调压缩机', 'A/C compressor', 'pc', '2600', '1.5', 'E-02', 0, True),
    ('31250', '离合器片', 'Clutch disc', 'pc', '620', '1.7', 'E-03', 1, False),
    ('27060', '发电机', 'Alternator', 'pc', '1450', '1.5', 'E-04', 2, False),
    ('43330', '下摆臂球头', 'Lower ball joint', 'pc', '210', '1.9', 'F-01', 1, False),
    ('45046', '转向拉杆球头', 'Tie rod end', 'pc', '180', '2.0', 'F-02', 1, False),
    ('90369', '前轮轴承', 'Front wheel bearing', 'pc', '330', '1.8', 'F-03', 0, True),
    ('42611', '轮胎 215/55R17', 'Tyre 215/55R17', 'pc', '620', '1.4', 'G-01', 3, False),
]
MODELS = [('1', '凯美瑞', 'Camry'), ('2', '卡罗拉', 'Corolla'), ('3', '雷凌', 'Levin'), ('4', '汉兰达', 'Highlander'),
          ('5', 'RAV4', 'RAV4'), ('6', '威驰', 'Vios'), ('7', '亚洲龙', 'Avalon'), ('8', '锐志', 'Reiz'),
          ('9', '普拉多', 'Prado'), ('0', '致炫', 'Yaris L'), ('A', '赛那', 'Sienna'), ('B', 'C-HR', 'C-HR')]
# bulk fluids and consumables (unit litre or bottle), one each
FLUIDS = [
    ('08880-83715', '全合成机油 5W-30 (4L)', 'Engine oil 5W-30 4L', 'can', '260', '1.6', 'H-01-1', 0),
    ('08880-10705', '全合成机油 0W-20 (4L)', 'Engine oil 0W-20 4L', 'can', '290', '1.6', 'H-01-2', 0),
    ('08886-02505', '自动变速箱油 ATF WS', 'ATF WS', 'L', '85', '1.8', 'H-02-1', 0),
    ('08823-80010', '刹车油 DOT4', 'Brake fluid DOT4', 'bottle', '45', '2.0', 'H-02-2', 1),
    ('08889-80060', '防冻液 (4L)', 'Coolant 4L', 'can', '110', '1.8', 'H-03-1', 1),
    ('08887-01906', '玻璃水 (2L)', 'Washer fluid 2L', 'bottle', '12', '2.5', 'H-03-2', 1),
]


def _users(shop):
    clerk = User.with_role(shop, PARTS).first()
    manager = User.with_role(shop, MANAGER).first()
    return clerk, manager or clerk


def _catalogue(shop, rng, suppliers):
    rows = []
    for stem, zh, en, unit, cost, margin, zone, sup, oem in KINDS:
        for code, model_zh, model_en in MODELS:
            number = '%s-%s%s%03d' % (stem, code, 'A' if oem else 'B', rng.randint(0, 999))
            base = Decimal(cost) * Decimal(rng.randint(85, 125)) / 100
            rows.append(dict(shop=shop.id, number=number, name_zh='%s %s' % (model_zh, zh),
                             name_en='%s %s' % (model_en, en), origin='oem' if oem else 'aftermarket',
                             supplier=suppliers[sup].id, bin='%s-%d' % (zone, rng.randint(1, 4)), unit=unit,
                             cost_price=stock.cost(base), sell_price=(base * Decimal(margin)).quantize(Decimal('1')),
                             min_qty=Decimal(rng.choice([0, 0, 1, 2])), max_qty=Decimal(rng.choice([4, 6, 10])),
                             created_at=utcnow() - timedelta(days=400)))
    for number, zh, en, unit, cost, margin, bin_, sup in FLUIDS:
        rows.append(dict(shop=shop.id, number=number, name_zh=zh, name_en=en, origin='oem', supplier=suppliers[sup].id,
                         bin=bin_, unit=unit, cost_price=Decimal(cost),
                         sell_price=(Decimal(cost) * Decimal(margin)).quantize(Decimal('1')), min_qty=Decimal('10'),
                         max_qty=Decimal('60'), created_at=utcnow() - timedelta(days=400)))
    Part.insert_many(rows).execute()
    return list(Part.for_shop(shop).order_by(Part.number))


def load_stock(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or Part.for_shop(shop).exists():
        return
    clerk, manager = _users(shop)
    if clerk is None:
        return
    now = utcnow()
    with transaction():
        suppliers = [Supplier.create(shop=shop, name=n, contact=c, phone=p, lead_days=d) for n, c, p, d in SUPPLIERS]
        parts = _catalogue(shop, rng, suppliers)
        fluids = [p for p in parts if p.number.startswith('0888')]
        # opening stock, 14 months ago for a slow handful, 100 days ago for the rest
        events = []
        for i, part in enumerate(parts):
            if part in fluids:
                qty = rng.randint(30, 50)
            elif rng.random() < 0.35:
                continue                      # not stocked: ordered when needed
            else:
                qty = rng.randint(2, 8)
            old = i % 23 == 0
            at = now - timedelta(days=420 if old else 100, hours=rng.randint(0, 48))
            events.append((at, 'receipt', part, qty, part.cost_price))
        for at, kind, part, qty, cost in sorted(events, key=lambda e: e[0]):
            stock.post(part, kind, Decimal(qty), by=clerk, unit_cost=cost, at=at, reference='期初 Opening stock')
    # three months of issues to the shop's orders
    orders = list(RepairOrder.for_shop(shop).order_by(RepairOrder.id))
    lines = {ln.order_id: ln for ln in OrderLine.select().where(OrderLine.order.in_([o.id for o in orders]))
             .order_by(OrderLine.id.desc())}
    orders = [o for o in orders if o.id in lines and o.number]
    stocked = [p for p in parts if StockLevel.get_or_none(StockLevel.part == p.id) is not None
               and p.name_en and not p.number.startswith('0888')]
    stocked_recent = [p for p in stocked if StockLevel.get_by_id(p.id).last_move_at > now - timedelta(days=200)]
    issues = []
    for day in range(90, 1, -1):
        # about what the demo's settled bills charge for parts, so the parts margin comes out plausible
        for _ in range(rng.randint(0, 2)):
            part = rng.choice(fluids if rng.random() < 0.5 else stocked_recent)
            issues.append((now - timedelta(days=day, hours=rng.randint(0, 8)), part))
    with transaction():
        for at, part in sorted(issues, key=lambda e: e[0]):     # the ledger is written in time order
            order = rng.choice(orders) if orders else None
            if order is None:
                break
            lv = StockLevel.get_by_id(part.id)
            qty = Decimal(rng.choice([1, 1, 2])) if part not in fluids else Decimal(1)
            if lv.on_hand < qty:          # the weekly delivery brings it back up
                stock.post(part, StockMove.RECEIPT, Decimal(int(part.max_qty) or 6), by=clerk,
                           unit_cost=stock.cost(part.cost_price * Decimal(rng.randint(97, 104)) / 100),
                           at=at - timedelta(hours=1), reference='周补货 Weekly delivery')
            stock.post(part, StockMove.ISSUE, -qty, by=clerk, at=at, reference=order.number, order=order.id,
                       order_line_id=lines[order.id].id, reason=part.name_zh)
    # old parts for the recent issues of parts that are replaced (not fluids), most already handled
    with transaction():
        recent = (StockMove.select().join(Part)
                  .where((StockMove.shop == shop) & (StockMove.kind == StockMove.ISSUE)
                         & ~Part.number.startswith('0888'))
                  .order_by(StockMove.at.desc()).limit(24))
        for n, move in enumerate(recent):
            status = [OldPart.PENDING, OldPart.KEPT, OldPart.RETURNED, OldPart.SCRAPPED][n % 4]
            OldPart.create(shop=shop, order=move.order_id, order_line=move.order_line_id, part_number=move.part.number,
                           name=move.part.name_zh, quantity=-move.quantity, status=status, created_at=move.at,
                           tag_number='W-%04d' % (100 + n) if status == OldPart.KEPT else '',
                           decided_at=move.at + timedelta(days=1) if status != OldPart.PENDING else None,
                           decided_by=clerk.id if status != OldPart.PENDING else None)
    _purchasing(shop, rng, clerk, suppliers, now)
    _count(shop, rng, clerk)


def _purchasing(shop, rng, clerk, suppliers, now):
    today = to_local(now, shop.timezone).date()
    toyota = [p for p in Part.for_shop(shop).where(Part.supplier == suppliers[0]).order_by(Part.number)]
    bosch = [p for p in Part.for_shop(shop).where(Part.supplier == suppliers[2]).order_by(Part.number)]
    # one being received: two of its four lines in, one with rejects
    lines = [(p, Decimal(rng.choice([4, 6, 10])), p.cost_price) for p in rng.sample(toyota, 4)]
    po = purchasing.create_po(shop, suppliers[0], clerk, lines=lines, note='周补货 Weekly order')
    po = purchasing.send_po(po, clerk, expected_on=today)
    a, b, _c, _d = list(purchasing.po_lines(po))
    purchasing.receive(po, clerk, {a.id: (a.quantity, Decimal('0'), ''),
                                   b.id: (b.quantity, Decimal('2'), '外包装破损、内件磕伤 Box crushed, part dented')},
                       delivery_note='DN-%d' % rng.randint(10000, 99999))
    # one overdue at the supplier, one draft from the replenishment list
    late = purchasing.create_po(shop, suppliers[2], clerk, lines=[(p, Decimal('4'), p.cost_price)
                                                                  for p in rng.sample(bosch, 3)])
    purchasing.send_po(late, clerk, expected_on=today - timedelta(days=2))
    rows = purchasing.below_safety(shop)
    if rows:
        purchasing.draft_from_suggestions(shop, clerk, rows[:12])


def _count(shop, rng, clerk):
    """Bins A-01/A-02 counted this morning: a few differences, waiting for the manager."""
    sheet = counts.open_sheet(shop, clerk, 'A-01, A-02')
    lines = list(counts.sheet_lines(sheet))
    stocked = [i for i, ln in enumerate(lines) if ln.book_qty > 0]
    short = set(rng.sample(stocked, min(2, len(stocked))))          # two filters missing, one found extra
    extra = rng.choice([i for i in range(len(lines)) if i not in short])
    for i, line in enumerate(lines):
        counted = line.book_qty - 1 if i in short else line.book_qty + 1 if i == extra else line.book_qty
        counts.enter(sheet, line, counted, clerk)
    counts.submit(sheet, clerk)
    # and bin B-01, counted to the piece: the manager's queue holds two sheets to approve
    exact = counts.open_sheet(shop, clerk, 'B-01')
    for line in counts.sheet_lines(exact):
        counts.enter(exact, line, line.book_qty, clerk)
    counts.submit(exact, clerk)

