"""Demo: ownership history and odometer readings for the demo shop's vehicles, one car that changed
hands, and recommendations customers declined on earlier visits (called by app.reception.demo)."""
from datetime import datetime, time, timedelta
from decimal import Decimal

from app.accounts.models import User
from app.core import stages
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.customers.rules import change_owner
from app.customers.models import Customer, MileageReading, Ownership, Vehicle
from app.reception.models import Recommendation, RepairOrder

DECLINED = [  # description, safety, price
    ('前刹车片剩余 3 mm，建议尽快更换 Front brake pads down to 3 mm, replace soon', True, Decimal('880.00')),
    ('空调滤芯脏污，建议更换 Cabin air filter dirty', False, Decimal('168.00')),
    ('雨刮片老化，刮不干净 Wiper blades worn', False, Decimal('190.00')),
    ('建议做四轮定位 Wheel alignment advised', False, Decimal('300.00')),
    ('蓄电池电量偏低，三个月内更换 Battery weak, replace within 3 months', False, Decimal('760.00')),
]


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or Ownership.for_shop(shop).exists():
        return []
    vehicles = list(Vehicle.for_shop(shop).order_by(Vehicle.id))
    if not vehicles:
        return []
    now = utcnow()
    with transaction():
        for car in vehicles:
            since = datetime.combine(car.sale_date, time(2)) if car.sale_date else car.created_at
            since = min(since, now - timedelta(days=60))
            Ownership.create(shop=shop, vehicle=car, customer=car.owner_id, since=since)
            _readings(rng, shop, car, since, now)
        closed = list(RepairOrder.for_shop(shop).where(RepairOrder.stage == stages.CLOSED)
                      .order_by(RepairOrder.id))
        for order, (text, safety, price) in zip(rng.sample(closed, min(len(DECLINED), len(closed))), DECLINED):
            Recommendation.create(shop=shop, vehicle=order.vehicle_id, order_id=order.id, description=text,
                                  safety=safety, price=price, created_at=order.checked_in_at)
        _sell_one(rng, shop, closed, now)
    return []


def _readings(rng, shop, car, since, now):
    """2-4 readings rising to today's odometer, the last one a few days ago."""
    count = rng.randint(2, 4)
    last = now - timedelta(days=rng.randint(1, 20))
    shares = sorted(rng.uniform(0.15, 0.9) for _ in range(count - 1)) + [1.0]
    for share in shares:
        at = since + (last - since) * share
        MileageReading.create(shop=shop, vehicle=car, km=int(car.mileage * share) // 10 * 10, at=at)


def _sell_one(rng, shop, closed, now):
    """A car with only finished orders passes to another customer; its history stays with it."""
    done = {o.vehicle_id for o in closed}
    open_ = {o.vehicle_id for o in RepairOrder.for_shop(shop).where(RepairOrder.stage != stages.CLOSED)}
    candidates = sorted(done - open_)
    if not candidates:
        return
    car = Vehicle.get_by_id(rng.choice(candidates))
    buyers = list(Customer.for_shop(shop).where((Customer.kind == Customer.PERSON) & (Customer.id != car.owner_id))
                  .order_by(Customer.id))
    if buyers:
        manager = User.get_or_none(User.username == 'manager')
        change_owner(car, rng.choice(buyers), manager, at=now - timedelta(days=rng.randint(2, 6)))
