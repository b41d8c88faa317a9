"""Demo: the guarantee table, and the finished demo orders settled, paid and handed over, so the
receivables and the reports have something to show. The cars ready for pickup stay unsettled for
the advisor to try. Two customers declined their repair today: one paid the diagnosis fee, the other's is owed."""
from datetime import timedelta
from decimal import Decimal

from app.accounts.models import User
from app.core import stages
from app.core.db import transaction
from app.core.models import Shop
from app.catalogue.models import CannedJob
from app.customers.models import Customer, Vehicle
from app.reception import checkin, declined
from app.reception.models import PRESET_BELONGINGS, Belonging, OrderLine, PartLine, RepairOrder
from app.settlement import rules
from app.settlement.models import (WARRANTY, Discount, Payment, Settlement, VehicleDelivery)
from app.settlement.totals import order_money

# The reception demo's job descriptions and the catalogue job each one is, so the bills carry the
# catalogue's category (guarantee) and usual parts.
CATALOGUE_OF = {
    '更换机油机滤': 'M5K', '更换前刹车片': 'BRKF', '更换雨刮片': 'WIPER', '四轮定位': 'ALIGN',
    '空调系统检测': 'ACDX', '故障诊断': 'DIAG', '钣金喷漆': 'PAINT1',
}
METHODS = [Payment.MOBILE, Payment.MOBILE, Payment.CARD, Payment.CASH, Payment.BANK]


def _catalogue_jobs(shop, orders):
    """Give the demo's lines their catalogue job and its usual parts (only lines without parts yet)."""
    jobs = {j.code: j for j in CannedJob.for_shop(shop)}
    for ro in orders:
        for line in OrderLine.select().where((OrderLine.order == ro) & OrderLine.canned_job.is_null()):
            code = next((c for prefix, c in CATALOGUE_OF.items() if line.description.startswith(prefix)), None)
            job = jobs.get(code)
            if job is None:
                continue
            line.canned_job = job
            line.save(only=[OrderLine.canned_job])
            if not PartLine.select().where(PartLine.line == line).exists():
                for p in job.parts:
                    PartLine.create(shop=shop, order=ro, line=line, part_number=p.part_number, name=p.name,
                                    quantity=p.quantity, unit_price=p.unit_price)


def _belongings(shop, orders, rng):
    """The cars waiting for their owners have a belongings list and documents to hand back at delivery."""
    for ro in orders:
        if Belonging.select().where(Belonging.order == ro).exists():
            continue
        for preset in rng.sample(['spare_tyre', 'jack', 'triangle', 'umbrella', 'dashcam', 'child_seat'], 3):
            Belonging.create(shop=shop, order=ro, preset=preset, name=str(PRESET_BELONGINGS[preset]), quantity=1)
        if not ro.document_list:
            RepairOrder.update(documents='["licence", "service_book"]').where(RepairOrder.id == ro.id).execute()


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None:
        return []
    with transaction():
        rules.seed_guarantee_terms(shop)
        if Settlement.for_shop(shop).exists():
            return []
        closed = list(RepairOrder.for_shop(shop).where(RepairOrder.stage == stages.CLOSED)
                      .order_by(RepairOrder.delivered_at, RepairOrder.id))
        ready = list(RepairOrder.for_shop(shop).where(RepairOrder.stage.in_([stages.READY_FOR_WASH,
                                                                             stages.READY_FOR_PICKUP])))
        if not closed:
            return []
        _catalogue_jobs(shop, closed + ready)
        _belongings(shop, [ro for ro in ready if ro.stage == stages.READY_FOR_PICKUP], rng)
        _agreed(ready)
        manager = User.get(User.username == 'manager')
        # The bill left on account: a company customer's if there is one (monthly account, 月结).
        owing = next((ro for ro in closed if ro.customer_id and ro.customer.kind == Customer.COMPANY), closed[-1])
        others = [ro for ro in closed if ro.id != owing.id]
        variants = dict(zip([ro.id for ro in others], ['warranty', 'discount_manager', 'discount_small']))
        variants[owing.id] = 'on_account'
        for ro in closed:
            _settle_and_deliver(shop, ro, variants.get(ro.id, ''), manager, rng)
        _declined(shop, closed, manager)
    return []


def _declined(shop, closed, manager):
    """Two returning customers read the estimate today and would not have the repair (002): the diagnosis fee
    billed, one paid at the cashier by WeChat, the other's still owed (in the receivables)."""
    busy = {ro.vehicle_id for ro in RepairOrder.for_shop(shop).where(RepairOrder.stage.not_in(
        [stages.DELIVERED, stages.CLOSED, stages.CANCELLED]))}
    cars = [ro.vehicle for ro in closed if ro.vehicle_id and ro.vehicle_id not in busy]
    cars = list({car.id: car for car in cars}.values())[:2]
    jobs = [('发动机异响诊断 Engine noise diagnosis', Decimal('1.5'), Decimal('200')),
            ('变速箱大修估价 Gearbox overhaul estimate', Decimal('6'), Decimal('300'))]
    for car, (job, hours, fee), pays in zip(cars, jobs, (True, False)):
        advisor = next((ro.advisor for ro in closed if ro.vehicle_id == car.id and ro.advisor_id), None) or manager
        draft = checkin.start_checkin(shop, advisor, customer=car.owner, vehicle=car, complaint=job,
                                      jobs=[(None, job, hours)])
        declined.decline_repair(draft, advisor, fee=fee)
        s = rules.settlement_of(draft)
        if pays and s is not None:
            rules.record_payment(draft, advisor, method=Payment.MOBILE, amount=s.customer_total, version=s.version,
                                 reference='WX%08d' % draft.id)


def _agreed(ready):
    """What the waiting customers agreed to pay (their signed estimates); for the first, the brake pads' price went
    up after signing, so settling it shows the difference and asks for the customer's consent."""
    first = next((ro for ro in ready if ro.stage == stages.READY_FOR_PICKUP), None)
    for ro in ready:
        agreed = order_money(ro).totals['customer_total']
        RepairOrder.update(agreed_total=agreed).where(RepairOrder.id == ro.id).execute()
        if ro is first:
            pads = PartLine.select().where(PartLine.order == ro).order_by(PartLine.unit_price.desc()).first()
            if pads is not None:
                PartLine.update(unit_price=pads.unit_price + Decimal('100')).where(PartLine.id == pads.id).execute()


def _on_account_reason(ro):
    if ro.customer_id and ro.customer.kind == Customer.COMPANY:
        return '月结客户 Monthly account customer'
    return '客户下周转账 Customer pays the rest by bank transfer next week'


def _settle_and_deliver(shop, ro, variant, manager, rng):
    advisor = ro.advisor or manager
    delivered_at = ro.delivered_at or ro.promised_at
    settled_at = delivered_at - timedelta(minutes=rng.randint(10, 40))
    s = Settlement.create(shop=shop, order=ro, created_by=advisor.id, created_at=settled_at)
    if variant == 'warranty':
        first = OrderLine.select().where(OrderLine.order == ro).order_by(OrderLine.position, OrderLine.id).first()
        s.payers = '{"line:%d": "%s"}' % (first.id, WARRANTY)
        s.save(only=[Settlement.payers])
    elif variant == 'discount_manager':
        Discount.create(shop=shop, settlement=s, kind=Discount.SHARE, value=Decimal('0.15'),
                        reason='老客户回馈 Loyal customer', created_by=advisor, created_at=settled_at,
                        approved_by=manager, approved_at=settled_at + timedelta(minutes=3))
    elif variant == 'discount_small':
        Discount.create(shop=shop, settlement=s, kind=Discount.AMOUNT, value=Decimal('50'),
                        reason='会员积分抵扣 Member points', created_by=advisor, created_at=settled_at)
    statement = order_money(ro, s)
    rules._freeze(s, statement, advisor, settled_at)
    rules._record(ro, 'settlement.settled', advisor, after={'number': s.number, 'customer': s.customer_total})
    owed = s.customer_total
    if variant == 'on_account':
        paid = (owed * Decimal('0.3')).quantize(Decimal('1'))   # a deposit; the rest on the monthly account
    else:
        paid = owed
    if paid > 0:
        Payment.create(shop=shop, settlement=s, method=rng.choice(METHODS), amount=paid,
                       paid_at=settled_at + timedelta(minutes=5), received_by=advisor,
                       reference='' if variant == 'on_account' else 'T%08d' % rng.randint(0, 99_999_999))
    due_date, due_km = rules.next_service_due(ro, delivered_at)
    VehicleDelivery.create(shop=shop, order=ro, delivered_at=delivered_at, delivered_by=advisor, key_returned=True,
                           documents_returned=True, old_parts=rng.choice([VehicleDelivery.OLD_RETURNED,
                                                                          VehicleDelivery.OLD_DISPOSAL]),
                           satisfaction=rng.choice([5, 5, 5, 4, 4, 3]), next_service_date=due_date,
                           next_service_km=due_km, balance=owed - paid,
                           on_account_reason=_on_account_reason(ro) if owed > paid else '')
    if ro.vehicle_id and due_date:
        Vehicle.update(next_service_date=due_date, next_service_km=due_km).where(Vehicle.id == ro.vehicle_id).execute()
    rules._record(ro, 'order.delivered', advisor, after={'balance': owed - paid})
