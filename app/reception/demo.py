"""Demo: 40 customers, 50 vehicles and repair orders in every stage for the first shop."""
from datetime import date, timedelta
from decimal import Decimal

from app.accounts.models import User
from app.core import stages
from app.core.access import ADVISOR, TECHNICIAN
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.validators import random_mobile, random_plate, random_vin
from app.labels import rules as pool
from app.labels.models import KeyHook, KeyTag
from app.reception import checkin, demo_history
from app.catalogue.models import CannedJob, CannedJobPart
from app.customers.models import Customer, Vehicle
from app.reception.models import OrderLine, RepairOrder

SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'
GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '华', '平']
COMPANIES = ['深圳市鹏程物流有限公司', '南山科技园物业管理有限公司', '华强电子贸易有限公司']
CARS = [  # WMI, make, model
    ('LVG', '丰田 Toyota', '凯美瑞 Camry'), ('LVG', '丰田 Toyota', '汉兰达 Highlander'),
    ('LVG', '丰田 Toyota', '雷凌 Levin'), ('LFV', '丰田 Toyota', '卡罗拉 Corolla'),
    ('LVG', '丰田 Toyota', 'RAV4 荣放'), ('LVG', '丰田 Toyota', 'bZ4X'),
    ('LHG', '本田 Honda', '雅阁 Accord'), ('LGX', '比亚迪 BYD', '汉 Han EV'),
]
COLOURS = ['白 White', '黑 Black', '银 Silver', '灰 Grey', '红 Red', '蓝 Blue']
COMPLAINTS = [
    '做 1 万公里保养，顺便检查空调不太凉', '刹车时有异响，前轮尤其明显', '发动机故障灯亮了',
    '左前门有划痕，想做钣喷', '方向盘抖动，高速明显', '更换四条轮胎并做四轮定位',
    '仪表显示胎压低，右后轮', '雨刮器刮不干净，更换雨刮片', '首保', '车辆冷启动时抖动',
]
JOBS = [
    ('更换机油机滤 Oil and filter change', Decimal('0.8')), ('检查制动系统 Brake inspection', Decimal('1.0')),
    ('更换前刹车片 Front brake pads', Decimal('1.2')), ('空调系统检测 A/C diagnosis', Decimal('1.0')),
    ('四轮定位 Wheel alignment', Decimal('1.0')), ('故障诊断 Fault diagnosis', Decimal('0.5')),
    ('钣金喷漆 左前门 Body and paint, LF door', Decimal('6.0')), ('更换雨刮片 Wiper blades', Decimal('0.2')),
]
# The catalogue of canned jobs: code, name, English name, system, guarantee category, hours, usual parts.
CATALOGUE = [
    ('M5K', '5000 公里常规保养', '5,000 km maintenance', 'engine', 'maintenance', '0.8',
     [('90915-YZZD2', '机油滤清器 Oil filter', '1', '68'), ('08880-83715', '全合成机油 5W-30 (4L)', '1', '420')]),
    ('M10K', '10000 公里保养', '10,000 km maintenance', 'engine', 'maintenance', '1.2',
     [('90915-YZZD2', '机油滤清器 Oil filter', '1', '68'), ('08880-83715', '全合成机油 5W-30 (4L)', '1', '420'),
      ('17801-21050', '空气滤清器 Air filter', '1', '135')]),
    ('BRKF', '更换前刹车片', 'Front brake pads', 'brakes', 'minor', '1.2',
     [('04465-33471', '前刹车片 Front brake pads', '1', '680')]),
    ('ALIGN', '四轮定位', 'Wheel alignment', 'chassis', 'minor', '1.0', []),
    ('ACDX', '空调系统检测', 'A/C diagnosis', 'climate', 'minor', '1.0', []),
    ('DIAG', '故障诊断', 'Fault diagnosis', 'electrical', 'minor', '0.5', []),
    ('WIPER', '更换雨刮片', 'Wiper blades', 'body', 'minor', '0.2', [('85222-06180', '雨刮片 Wiper blade', '2', '95')]),
    ('PAINT1', '单面钣金喷漆', 'Body and paint, one panel', 'body', 'major', '6.0', []),
]

# Stage of each demo order, so every column of the board has something.
ORDER_STAGES = ([stages.CHECKED_IN] * 4 + [stages.DISPATCHED] * 3 + [stages.IN_PROGRESS] * 5
                + [stages.WAITING_APPROVAL, stages.WAITING_PARTS, stages.READY_FOR_QC, stages.QC_FAILED,
                   stages.READY_FOR_WASH, stages.READY_FOR_PICKUP, stages.READY_FOR_PICKUP]
                + [stages.CLOSED] * 8)
PATHS = [stages.CHECKED_IN, stages.DISPATCHED, stages.IN_PROGRESS, stages.READY_FOR_QC,
         stages.READY_FOR_WASH, stages.READY_FOR_PICKUP, stages.DELIVERED, stages.CLOSED]


def _path_to(target):
    """The stages an order passes on its way to `target` (a plausible history for the timeline)."""
    if target in PATHS:
        return PATHS[1:PATHS.index(target) + 1]
    detours = {stages.WAITING_APPROVAL: [stages.DISPATCHED, stages.IN_PROGRESS, stages.WAITING_APPROVAL],
               stages.WAITING_PARTS: [stages.DISPATCHED, stages.IN_PROGRESS, stages.WAITING_PARTS],
               stages.QC_FAILED: [stages.DISPATCHED, stages.IN_PROGRESS, stages.READY_FOR_QC, stages.QC_FAILED]}
    return detours[target]


def _catalogue(shop):
    for code, name, name_en, system, category, hours, parts in CATALOGUE:
        job = CannedJob.create(shop=shop, code=code, name=name, name_en=name_en, system=system, category=category,
                               hours=Decimal(hours))
        for number, part_name, qty, price in parts:
            CannedJobPart.create(shop=shop, job=job, part_number=number, name=part_name, quantity=Decimal(qty),
                                 unit_price=Decimal(price))


def load(rng):
    _orders(rng)
    demo_history.load(rng)        # the customers' files: owners over time, odometer readings, declined work
    _keys(rng)
    return []


POOL_SIZE = 60


def _keys(rng):
    """60 key tags and 60 hooks for the first shop, and a tag and a hook on each open repair order."""
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None:
        return
    manager = User.get_or_none(User.username == 'manager')
    if not KeyTag.for_shop(shop).exists():
        pool.add_key_tags(shop, manager, POOL_SIZE)
    if not KeyHook.for_shop(shop).exists():
        pool.add_key_hooks(shop, manager, POOL_SIZE)
    with transaction():
        waiting = list(RepairOrder.open_orders(shop).where(RepairOrder.key_tag.is_null())
                       .order_by(RepairOrder.checked_in_at, RepairOrder.id))
        tags = list(KeyTag.for_shop(shop).where(KeyTag.active == True, KeyTag.order_id.is_null())  # noqa: E712
                    .order_by(KeyTag.number))
        hooks = list(KeyHook.for_shop(shop).where(KeyHook.order_id.is_null()).order_by(KeyHook.number))
        # Tags drawn at random, as they come out of the drawer; hooks filled from the top row.
        rng.shuffle(tags)
        for order, tag, hook in zip(waiting, tags, hooks):
            KeyTag.update(order_id=order.id).where(KeyTag.id == tag.id).execute()
            KeyHook.update(order_id=order.id).where(KeyHook.id == hook.id).execute()
            RepairOrder.update(key_tag=tag.id, key_hook=hook.id).where(RepairOrder.id == order.id).execute()


# the customer file holds the address and the service the customer hopes for (001)
STREETS = ['深圳市南山区科技园南路 %d 号', '深圳市福田区深南大道 %d 号', '深圳市宝安区新安街道建安一路 %d 号',
           '深圳市龙岗区龙城大道 %d 号', '深圳市罗湖区东门中路 %d 号']
WISHES = ['工作日下午三点后来电', '希望提供代步车', '只用原厂配件', '保养前请先微信告知报价', '周末送修，希望当天取车', '']


def _address(rng):
    return rng.choice(STREETS) % rng.randint(1, 300)


def _orders(rng):
    shop = Shop.get(Shop.code == 'XH01')
    if Customer.for_shop(shop).exists():
        return
    with transaction():
        _catalogue(shop)
        customers = []
        for i in range(40):
            if i < len(COMPANIES):
                customers.append(Customer.create(shop=shop, kind=Customer.COMPANY, name=COMPANIES[i],
                                                 phone=random_mobile(rng), address=_address(rng),
                                                 wishes='月结；开增值税专用发票'))
            else:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else '')
                customers.append(Customer.create(shop=shop, name=name, phone=random_mobile(rng),
                                                 language='en' if i % 13 == 0 else 'zh', address=_address(rng),
                                                 wishes=rng.choice(WISHES)))
        vehicles = []
        for i in range(50):
            owner = customers[i % 40]
            wmi, make, model = rng.choice(CARS)
            year = rng.randint(2016, 2025)
            new_energy = model in ('bZ4X', '汉 Han EV')
            vehicles.append(Vehicle.create(
                shop=shop, owner=owner, vin=random_vin(rng, wmi), make=make, model=model, year=year,
                plate=random_plate(rng, new_energy=new_energy, letter=rng.choice('BBBCEF')),
                colour=rng.choice(COLOURS), sale_date=date(year, rng.randint(1, 12), rng.randint(1, 28)),
                mileage=rng.randint(3, 150) * 1000))
        advisors = list(User.with_role(shop, ADVISOR))
        techs = list(User.with_role(shop, TECHNICIAN))
        foreman = User.get(User.username == 'foreman')
        now = utcnow()
        for i, target in enumerate(ORDER_STAGES):
            car = vehicles[i]
            closed = target == stages.CLOSED
            checked_in = now - (timedelta(days=rng.randint(8, 40)) if closed else timedelta(hours=rng.randint(1, 30)))
            ro = checkin.create_signed_order(
                shop=shop, by=advisors[i % len(advisors)], customer=car.owner, vehicle=car,
                advisor=advisors[i % len(advisors)], complaint=rng.choice(COMPLAINTS),
                odometer=car.mileage, fuel_eighths=rng.randint(1, 8), checked_in_at=checked_in,
                promised_at=checked_in + timedelta(hours=rng.choice([4, 6, 8, 24, 48])))
            for desc, hours in rng.sample(JOBS, rng.randint(1, 3)):
                OrderLine.create(shop=shop, order=ro, description=desc, labour_hours=hours,
                                 labour_rate=Decimal('300'), labour_price=hours * Decimal('300'),
                                 technician=None if target == stages.CHECKED_IN else rng.choice(techs))
            for step in _path_to(target):
                actor = _actor_for(ro.stage, step, advisors[i % len(advisors)], foreman, techs)
                stages.move(ro, step, by=actor)
            if closed:
                ro.delivered_at = ro.promised_at
                ro.save()
    # Two check-ins in progress: one just started, one waiting for the estimate.
    maint = CannedJob.get((CannedJob.shop == shop) & (CannedJob.code == 'M10K'))
    checkin.start_checkin(shop, advisors[0], customer=vehicles[40].owner, vehicle=vehicles[40],
                          complaint='做 1 万公里保养')
    draft = checkin.start_checkin(shop, advisors[1], customer=vehicles[41].owner, vehicle=vehicles[41],
                                  complaint='刹车有异响，顺便保养', jobs=[(maint, '', None)])
    draft.checkin_step = 'estimate'
    draft.save(only=[RepairOrder.checkin_step])


def _actor_for(frm, to, advisor, foreman, techs):
    """Someone whose role may make this move, as the declaration says."""
    for user in (foreman, advisor, *techs):
        if to in stages.allowed_moves(frm, user):
            return user
    return User.get(User.username == 'manager')
