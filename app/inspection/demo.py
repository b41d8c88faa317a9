"""Demo: health checks in every state in the first shop.

A car in progress checked all green (with its tread readings); the car waiting for the customer's answer checked
half-way, its red suspension item the pending shock absorber and an amber tyre with a photo waiting too; another
car in progress whose amber wiper blades the customer agreed to (a job on the order now); and, on a closed order
of a car booked to come back, red rear brake pads declined then, so the check-in of that appointment offers them
again. The catalogue gets the jobs the check recommends when it lacks them. Runs after the workshop and approvals demos; once.
"""
import io
from datetime import timedelta
from decimal import Decimal

from PIL import Image, ImageDraw

from app.accounts.models import User
from app.appointments.models import Appointment
from app.catalogue.models import CannedJob, CannedJobPart
from app.core import photos as photos_store
from app.core import stages
from app.core.access import ADVISOR
from app.core.db import transaction, utcnow
from app.core.models import Photo, Shop
from app.core.settings import get_setting
from app.inspection import rules
from app.inspection.models import HealthCheck, HealthItem
from app.reception.models import OrderLine, PartLine, Recommendation, RepairOrder
from app.settlement.totals import added_work_price
from app.workshop.models import AddedWork, AddedWorkPart
from app.workshop.rules import price_added_work

# The jobs a check recommends that the reception demo's catalogue lacks: code, name, English, system, hours, parts.
JOBS = [
    ('BRKR', '更换后刹车片', 'Rear brake pads', 'brakes', '1.0', [('04466-33200', '后刹车片 Rear brake pads', '1', '520')]),
    ('TYRE', '更换轮胎（单条）', 'Replace one tyre', 'chassis', '0.5',
     [('TY-2155517', '米其林 215/55R17 Michelin tyre', '1', '860')]),
    ('BFLUID', '更换制动液', 'Brake fluid change', 'brakes', '0.8', [('08823-80011', '制动液 DOT4 (1L)', '1', '95')]),
    ('COOL', '更换冷却液', 'Coolant change', 'engine', '0.8', [('08889-80061', '长效冷却液 (4L)', '1', '160')]),
    ('BATT', '更换蓄电池', 'Replace the battery', 'electrical', '0.4', [('28800-YZZ1A', '蓄电池 60Ah', '1', '780')]),
    ('BULB', '更换灯泡', 'Replace a bulb', 'electrical', '0.2', [('90981-13047', '灯泡 H11', '1', '65')]),
]


def tyre_photo(rng):
    """A drawn tyre with its tread worn on the inside edge (no real photo ships with the demo)."""
    image = Image.new('RGB', (800, 600), (70, 72, 76))
    draw = ImageDraw.Draw(image)
    draw.ellipse((120, 20, 680, 580), fill=(28, 28, 30))
    draw.ellipse((270, 170, 530, 430), fill=(170, 172, 176))
    for k in range(24):
        y = 40 + k * 22
        draw.line((150 + rng.randint(0, 12), y, 250, y + 8), fill=(55, 55, 58), width=6)
    draw.text((20, 20), 'Tyre FL - 2.4 mm inner edge', fill=(240, 240, 240))
    buf = io.BytesIO()
    image.save(buf, 'JPEG', quality=80)
    return buf.getvalue()


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or HealthCheck.for_shop(shop).exists():
        return []
    advisor = User.get_or_none(User.username == 'advisor') or User.with_role(shop, ADVISOR).first()
    _catalogue(shop)
    working = list(RepairOrder.for_shop(shop).where(RepairOrder.stage == stages.IN_PROGRESS)
                   .order_by(RepairOrder.checked_in_at, RepairOrder.id))
    if working:
        _all_green(shop, working[0])
    waiting = RepairOrder.for_shop(shop).where(RepairOrder.stage == stages.WAITING_APPROVAL).first()
    if waiting is not None:
        _waiting_for_answers(shop, waiting, rng)
    if len(working) > 1 and advisor is not None:
        _declined_now(shop, working[1], advisor)
    if advisor is not None:
        _declined_before_a_booking(shop, advisor)
    return []


def _catalogue(shop):
    for code, name, name_en, system, hours, parts in JOBS:
        if CannedJob.for_shop(shop).where(CannedJob.code == code).exists():
            continue
        job = CannedJob.create(shop=shop, code=code, name=name, name_en=name_en, system=system, category='minor',
                               hours=Decimal(hours))
        for number, part_name, qty, price in parts:
            CannedJobPart.create(shop=shop, job=job, part_number=number, name=part_name, quantity=Decimal(qty),
                                 unit_price=Decimal(price))


def _technician(order):
    line = OrderLine.select().where((OrderLine.order == order) & OrderLine.technician.is_null(False)).first()
    return line.technician_id if line else None


def _check(shop, order, at, finished=True):
    tech = _technician(order)
    if tech is None:
        return None
    return HealthCheck.create(shop=shop, order=order, groups=','.join(rules.groups_of(order.id)), technician=tech,
                              started_at=at, finished_at=at + timedelta(minutes=18) if finished else None)


def _full_check(shop, order, at, finished=True):
    """A check of every group (the demo's cars get the full multi-point check whatever their jobs)."""
    check = _check(shop, order, at, finished)
    if check is not None:
        check.groups = ','.join(rules.checks.EVERY_GROUP)
        check.save()
    return check


def _item(check, key, colour, measurement='', note='', work=None):
    return HealthItem.create(shop=check.shop_id, check=check, key=key, colour=colour, measurement=measurement,
                             note=note, added_work=work, recorded_by=check.technician_id,
                             recorded_at=check.started_at + timedelta(minutes=6))


def _work(check, code, words, status=AddedWork.PENDING, safety=False, advisor=None, customer=''):
    """Added work for an item, priced from the catalogue as the technician's phone prices it."""
    job = CannedJob.for_shop(check.shop_id).where(CannedJob.code == code).first()
    parts = [(p.part_number, p.name, p.quantity, p.unit_price) for p in job.parts]
    labour, parts_price, delay = price_added_work(check.shop_id, hours=job.hours, canned_job=job, parts=parts)
    at = check.started_at + timedelta(minutes=7)
    work = AddedWork.create(shop=check.shop_id, order=check.order_id, requested_by=check.technician_id,
                            canned_job_id=job.id, description='%s (%s)' % (job.name, words), hours=job.hours,
                            labour_price=labour, parts_price=parts_price, delay_minutes=delay, safety=safety,
                            status=status, requested_at=at)
    rows = [AddedWorkPart.create(shop=check.shop_id, added_work=work, part_number=n, name=m, quantity=q,
                                 unit_price=p) for n, m, q, p in parts]
    if status != AddedWork.PENDING:
        work.price_told = added_work_price(work, rows, get_setting(check.shop_id, 'tax_rate'))
        work.decided_at, work.decided_by = at + timedelta(minutes=20), advisor.id
        work.channel, work.spoke_with, work.delay_told_minutes = 'phone', customer, delay
        work.save()
    return work


def _all_green(shop, order):
    with transaction():
        check = _check(shop, order, (order.checked_in_at or utcnow()) + timedelta(minutes=40))
        if check is None:
            return
        for key, reading in (('tyre_fl', '6.5'), ('tyre_fr', '6.4'), ('tyre_rl', '7'), ('tyre_rr', '7.1'),
                             ('brake_pads_front', '8'), ('battery', '12.6')):
            if key in rules.keys_of(check):
                _item(check, key, HealthItem.GREEN, reading)


def _waiting_for_answers(shop, order, rng):
    name, width, height = photos_store.store(tyre_photo(rng))
    with transaction():
        check = _full_check(shop, order, max(utcnow() - timedelta(minutes=50), order.checked_in_at or utcnow()),
                            finished=False)
        if check is None:
            photos_store.remove(name)
            return
        shock = (AddedWork.select().where((AddedWork.order == order) & (AddedWork.status == AddedWork.PENDING))
                 .order_by(AddedWork.id).first())
        if shock is not None:
            _item(check, 'suspension', HealthItem.RED, note='左前减震器渗油 Front left shock leaking', work=shock)
        tyre = _item(check, 'tyre_fl', HealthItem.AMBER, '2.4', '内侧磨损 Inner edge worn',
                     _work(check, 'TYRE', '左前轮胎 2.4 mm'))
        Photo.create(shop=shop, record_type=rules.PHOTO_RECORD, record_id=tyre.id, filename=name, width=width,
                     height=height, uploaded_by=check.technician_id)
        _item(check, 'tyre_fr', HealthItem.GREEN, '5.8')
        _item(check, 'battery', HealthItem.GREEN, '12.5')
        RepairOrder.update(version=RepairOrder.version + 1).where(RepairOrder.id == order.id).execute()


def _declined(check, advisor, code, key, words, colour, safety):
    order = RepairOrder.get_by_id(check.order_id)
    work = _work(check, code, words, AddedWork.DECLINED, safety, advisor, order.customer.name if order.customer_id
                 else '')
    _item(check, key, colour, words.split(' ')[-2] if 'mm' in words else '', words, work)
    Recommendation.create(shop=check.shop_id, vehicle=order.vehicle_id, order_id=order.id,
                          description=work.description, safety=safety, price=work.price_told,
                          canned_job_id=work.canned_job_id, created_at=work.decided_at)
    if safety:
        RepairOrder.update(safety_declined=True).where(RepairOrder.id == order.id).execute()


def _declined_now(shop, order, advisor):
    with transaction():
        check = _full_check(shop, order, (order.checked_in_at or utcnow()) + timedelta(minutes=30))
        if check is None:
            return
        work = _work(check, 'WIPER', '雨刮片刮不干净 Wiper blades smear', AddedWork.APPROVED, False, advisor,
                     order.customer.name if order.customer_id else '')
        _item(check, 'wipers', HealthItem.AMBER, note='雨刮片刮不干净 Wiper blades smear', work=work)
        _item(check, 'battery', HealthItem.GREEN, '12.4')
        # approved: on the order as a job for the technician, priced as the customer was told (app.approvals)
        line = OrderLine.create(shop=shop, order=order, description=work.description, labour_hours=work.hours,
                                labour_rate=work.labour_price / work.hours, labour_price=work.labour_price,
                                technician=check.technician_id, status=stages.LINE_ASSIGNED, added_work_id=work.id,
                                canned_job=work.canned_job_id,
                                position=OrderLine.select().where(OrderLine.order == order).count())
        for p in work.parts:
            PartLine.create(shop=shop, order=order, line=line, part_number=p.part_number, name=p.name,
                            quantity=p.quantity, unit_price=p.unit_price)


def _declined_before_a_booking(shop, advisor):
    """Red rear pads declined on an earlier visit of a car booked to come back: its check-in offers them again."""
    booked = (Appointment.for_shop(shop).where((Appointment.status == Appointment.BOOKED)
                                               & (Appointment.start_at > utcnow())
                                               & Appointment.vehicle.is_null(False))
              .order_by(Appointment.start_at))
    for appointment in booked:
        earlier = (RepairOrder.for_shop(shop).where((RepairOrder.vehicle == appointment.vehicle_id)
                                                    & RepairOrder.stage.in_([stages.CLOSED, stages.DELIVERED]))
                   .order_by(RepairOrder.checked_in_at.desc()).first())
        if earlier is None or HealthCheck.select().where(HealthCheck.order == earlier.id).exists():
            continue
        with transaction():
            check = _full_check(shop, earlier, earlier.checked_in_at or utcnow() - timedelta(days=60))
            if check is None:
                continue
            _declined(check, advisor, 'BRKR', 'brake_pads_rear', '后刹车片 2.5 mm', HealthItem.RED, True)
            _item(check, 'tyre_rl', HealthItem.GREEN, '5.2')
        return
