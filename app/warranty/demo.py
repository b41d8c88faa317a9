"""Demo: coverage decisions, claims in every status, a car near the 35-day limit, a car at its 4th brake
repair, an early steering failure in the workshop with a loaner car, and first maintenances done here."""
from datetime import datetime, time, timedelta
from decimal import Decimal

from app.accounts.models import User
from app.core import stages
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.timeutil import add_months, to_utc
from app.reception.checkin import create_signed_order
from app.catalogue.models import CannedJob
from app.customers.models import MileageReading, Ownership, Vehicle
from app.reception.models import OrderLine, PartLine, RepairOrder
from app.warranty import comeback_demo
from app.warranty.demo_orders import history_order
from app.warranty.claims import move_claim, open_claim
from app.warranty.coverage import decide_coverage
from app.warranty.eligibility import local_day
from app.warranty.models import Claim, LineCoverage, LoanerRecord
from app.warranty.tracker import record_loaner

# (months after sale, repair days, odometer, system, job, labour hours, parts (number, name, qty, price), claim path)
CAR_NEAR_DAYS = [
    (4, 9, 7800, 'electrical', '仪表板线束更换 Instrument panel harness', '6.0',
     [('82141-06Q10', '仪表线束 Instrument harness', '1', '1860')], ['submitted', 'approved', 'paid']),
    (7, 8, 13500, 'transmission', '变速箱阀体更换 Transmission valve body', '7.5',
     [('35410-33160', '阀体总成 Valve body', '1', '4280')], ['submitted', 'rejected', 'submitted', 'approved']),
    (11, 10, 19900, 'engine', '发动机正时链条更换 Timing chain', '8.0',
     [('13506-0V010', '正时链条 Timing chain', '1', '960'), ('13540-0V010', '张紧器 Tensioner', '1', '540')],
     ['submitted', 'approved']),
]
CAR_FOURTH_BRAKE = [
    (2, 1, 3900, 'brakes', '前制动异响，更换前刹车片 Front brake noise, pads', '1.2',
     [('04465-33471', '前刹车片 Front brake pads', '1', '680')], ['submitted', 'approved', 'paid']),
    (4, 2, 7100, 'brakes', '制动抖动，更换前刹车盘 Brake judder, front discs', '2.0',
     [('43512-33130', '前刹车盘 Front brake disc', '2', '720')], ['submitted']),
    (6, 1, 9800, 'brakes', '制动异响复查 Brake noise again', '1.0', [], ['submitted', 'rejected']),
    (9, 2, 14600, 'brakes', 'ABS 泵故障，更换 ABS actuator', '3.0',
     [('44050-33620', 'ABS 执行器 ABS actuator', '1', '5600')], []),
]
REASONS = {
    'warranty': '质量问题，在包修期内 Quality fault inside the maker\'s warranty',
    'customer_pay': '常规保养，客户付费 Routine maintenance: customer pays',
}


def _users():
    get = lambda name: User.get_or_none(User.username == name)  # noqa: E731
    return get('warranty') or get('manager'), get('advisor') or get('manager'), get('manager'), get('tech')


def _claim_path(order, line, clerk, path, start):
    claim = open_claim(order, by=clerk, line=line, old_part_tag='JT-%06d' % order.id,
                       note='', expected_claims=Claim.select().where(Claim.order == order).count(), now=start)
    at = start
    for step in path:
        at = at + timedelta(days=6)
        kwargs = {}
        if step == Claim.REJECTED:
            kwargs['reason'] = '缺少故障照片 Fault photos missing'
        if step == Claim.PAID:
            kwargs['paid_amount'] = claim.amount
        move_claim(claim, step, by=clerk, expected_version=claim.version, now=at, **kwargs)
    return claim


def _car(shop, car, sold, mileage):
    """Make a free demo car a recent sale; its file (owner since, odometer readings) follows."""
    car.sale_date, car.year, car.mileage = sold, sold.year, mileage
    car.next_service_date = car.next_service_km = None      # estimated from its last visit instead
    car.save(only=[Vehicle.sale_date, Vehicle.year, Vehicle.mileage, Vehicle.next_service_date,
                   Vehicle.next_service_km])
    since = to_utc(datetime.combine(sold, time(10)), shop.timezone)
    Ownership.update(since=since).where(Ownership.vehicle == car).execute()
    MileageReading.delete().where(MileageReading.vehicle == car).execute()
    return car


def _readings(shop, car, now):
    """One odometer reading per visit, as reception takes them, and today's."""
    for order in RepairOrder.select().where(RepairOrder.vehicle == car).order_by(RepairOrder.checked_in_at):
        MileageReading.create(shop=shop, vehicle=car, km=order.odometer, at=order.checked_in_at, order_id=order.id)
    MileageReading.create(shop=shop, vehicle=car, km=car.mileage, at=now - timedelta(days=3))


def _first_maintenance(shop, advisor, tech, car, at, odometer, clerk):
    maint = CannedJob.get_or_none((CannedJob.shop == shop) & (CannedJob.code == 'M5K'))
    ro, lines = history_order(shop, advisor, tech, car, at, 1, odometer, '首保 First maintenance',
                               [(maint, maint.name if maint else '5000 公里常规保养', 'engine', '0.8',
                                 [('90915-YZZD2', '机油滤清器 Oil filter', '1', '68')])])
    decide_coverage(lines[0], by=clerk, kind=LineCoverage.CUSTOMER_PAY, system='engine',
                    reason=REASONS['customer_pay'], now=at + timedelta(hours=2))


def load(rng):
    _load(rng)
    comeback_demo.load(rng)
    return []


def _load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or LineCoverage.for_shop(shop).exists():
        return []
    clerk, advisor, manager, tech = _users()
    busy = {o.vehicle_id for o in RepairOrder.for_shop(shop)}
    free = [v for v in Vehicle.for_shop(shop).order_by(Vehicle.id.desc()) if v.id not in busy]
    if clerk is None or advisor is None or len(free) < 3:
        return []
    now = utcnow()
    today = local_day(shop, now)
    with transaction():
        # A car 14 months old with 27 repair days used: near the 35-day limit.
        near = _car(shop, free[0], add_months(today, -14), 24300)
        # A car 10 months old at its 4th brake repair.
        brakes = _car(shop, free[1], add_months(today, -10), 16500)
        # Both came back for their first maintenance three months after the sale.
        for car, history, km in ((near, CAR_NEAR_DAYS, 5600), (brakes, CAR_FOURTH_BRAKE, 5400)):
            _first_maintenance(shop, advisor, tech, car, to_utc(
                datetime.combine(add_months(car.sale_date, 3), time(9)), shop.timezone),
                km + rng.randint(0, 9) * 10, clerk)
            for months, days, odometer, system, job, hours, parts, path in history:
                checked_in = to_utc(datetime.combine(add_months(car.sale_date, months),
                                                                 time(9, 30)), shop.timezone)
                ro, lines = history_order(shop, advisor, tech, car, checked_in, days, odometer, job,
                                           [(None, job, system, hours, parts)])
                decide_coverage(lines[0], by=clerk, kind=LineCoverage.WARRANTY, system=system,
                                reason=REASONS['warranty'], now=checked_in + timedelta(hours=3))
                _claim_path(ro, None, clerk, path, ro.delivered_at + timedelta(days=1))
        # A car sold 40 days ago, in the workshop for a week with a steering fault: early failure, loaner car.
        early = _car(shop, free[2], today - timedelta(days=40), 1850)
        checked_in = now - timedelta(days=6, hours=20)
        ro = create_signed_order(shop=shop, by=advisor, customer=early.owner_id, vehicle=early,
                                         advisor=advisor, complaint='方向盘转向沉重，有异响 Heavy steering with noise',
                                         odometer=1850, checked_in_at=checked_in,
                                         promised_at=checked_in + timedelta(days=2))
        line = OrderLine.create(shop=shop, order=ro, description='转向机总成更换 Steering rack replacement',
                                system='steering', labour_hours=Decimal('4.0'), labour_rate=Decimal('300'),
                                labour_price=Decimal('1200.00'), technician=tech)
        PartLine.create(shop=shop, order=ro, line=line, part_number='44200-33480', name='转向机 Steering rack',
                        quantity=Decimal('1'), unit_price=Decimal('6800'))
        foreman = User.get_or_none(User.username == 'foreman') or manager
        for step, actor in ((stages.DISPATCHED, foreman), (stages.IN_PROGRESS, tech or foreman),
                            (stages.WAITING_PARTS, tech or foreman)):
            stages.move(ro, step, by=actor)
        decide_coverage(line, by=clerk, kind=LineCoverage.WARRANTY, system='steering', fault_code='C1515',
                        reason='转向机内泄，质量问题 Steering rack leaking inside: quality fault',
                        now=checked_in + timedelta(hours=4))
        record_loaner(ro, by=advisor, kind=LoanerRecord.LOANER_CAR, given_at=now - timedelta(hours=20),
                      note='雷凌 粤B·D5521 Levin loaner', expected_count=0)
        for car in (near, brakes, early):
            _readings(shop, car, now)
        # Two decisions on today's orders: wear items the customer pays for.
        for order in RepairOrder.open_orders(shop).where(RepairOrder.id != ro.id).order_by(RepairOrder.id).limit(2):
            first = OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.id).first()
            if first is not None:
                decide_coverage(first, by=clerk, kind=LineCoverage.CUSTOMER_PAY, system='other',
                                reason='磨损件，客户付费 Wear item: customer pays')
    return []
