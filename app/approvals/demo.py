"""Demo: the advisor's desk in the first shop.

A photo on the pending added-work item (the workshop demo asks for it), answers already given on closed
orders (one approved and on the order, one safety item declined and kept on the vehicle), and a progress
check on an order in progress. Runs after the reception and workshop demos; loads once.
"""
import io
from datetime import timedelta
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFilter

from app.accounts.models import User
from app.approvals import rules
from app.core import stages
from app.core import photos as photos_store
from app.core.access import ADVISOR, TECHNICIAN
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.settings import get_setting
from app.core.models import Photo
from app.reception.models import OrderLine, PartLine, Recommendation, RepairOrder
from app.settlement.totals import added_work_price
from app.workshop.models import AddedWork, AddedWorkPart, Finding, ProgressCheck


def shock_photo(rng):
    """A JPEG of an oily shock absorber (drawn, not photographed) for the pending item's finding."""
    w, h = 1280, 960
    image = Image.new('RGB', (w, h), (46, 48, 52))
    draw = ImageDraw.Draw(image)
    for y in range(0, h, 6):
        shade = int(35 + 40 * (y / h))
        draw.line([(0, y), (w, y)], fill=(shade, shade + 3, shade + 8), width=6)
    draw.ellipse([300, 640, 980, 1200], outline=(25, 25, 25), width=90)            # the tyre below
    draw.rectangle([560, 60, 720, 200], fill=(150, 150, 145))                        # top mount
    draw.rectangle([590, 200, 690, 430], fill=(200, 200, 196))                       # chromed rod
    draw.rectangle([545, 430, 735, 880], fill=(30, 32, 34))                          # body
    for k in range(14):                                                              # the spring
        y = 150 + k * 48
        draw.arc([470, y, 810, y + 60], 200, 340, fill=(180, 40, 40), width=16)
    for _ in range(70):                                                              # oil running down
        x, y = rng.randint(560, 720), rng.randint(430, 860)
        draw.ellipse([x, y, x + rng.randint(6, 18), y + rng.randint(20, 60)], fill=(86, 64, 20))
    draw.text((40, 40), 'RO demo - front left shock absorber', fill=(240, 240, 240))
    image = image.filter(ImageFilter.GaussianBlur(1.0))
    buf = io.BytesIO()
    image.save(buf, 'JPEG', quality=85)
    return buf.getvalue()


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or AddedWork.for_shop(shop).where(AddedWork.status != AddedWork.PENDING).exists():
        return []
    advisor = User.get_or_none(User.username == 'advisor') or User.with_role(shop, ADVISOR).first()
    techs = list(User.with_role(shop, TECHNICIAN).order_by(User.id))
    if advisor is None or not techs:
        return []
    _pending_item(shop, techs[0], rng)
    _decided_on_closed_orders(shop, advisor, techs)
    _progress_check(shop, advisor)
    return []


def _pending_item(shop, tech, rng):
    """The waiting order's item, with a photo of what the technician saw (made here if the workshop demo has none)."""
    work = rules.pending(shop).order_by(AddedWork.id).first()
    if work is None:
        order = RepairOrder.for_shop(shop).where(RepairOrder.stage == stages.WAITING_APPROVAL).first()
        if order is None:
            return
        with transaction():
            finding = Finding.create(shop=shop, order=order, technician=tech, severity=Finding.AMBER,
                                     note='左前减震器渗油 Front left shock absorber leaking oil')
            work = AddedWork.create(shop=shop, order=order, finding=finding, requested_by=tech,
                                    description='更换左前减震器 Replace front left shock absorber', hours=Decimal('1.5'),
                                    labour_price=Decimal('450'), parts_price=Decimal('860'), delay_minutes=90,
                                    safety=True, requested_at=utcnow() - timedelta(minutes=12))
            AddedWorkPart.create(shop=shop, added_work=work, part_number='48510-09N60',
                                 name='前减震器 Front shock absorber', quantity=Decimal('1'), unit_price=Decimal('860'))
    if work.finding_id is None or Photo.of('finding', work.finding_id).exists():
        return
    name, width, height = photos_store.store(shock_photo(rng))
    Photo.create(shop=shop, record_type='finding', record_id=work.finding_id, filename=name, width=width,
                 height=height, uploaded_by=work.requested_by_id)


def _decided_on_closed_orders(shop, advisor, techs):
    """Answers given weeks ago: an approved item on its order, a declined safety item kept on the vehicle."""
    closed = list(RepairOrder.for_shop(shop).where(RepairOrder.stage == stages.CLOSED)
                  .order_by(RepairOrder.checked_in_at).limit(2))
    if len(closed) < 2:
        return
    approved_on, declined_on = closed
    with transaction():
        at = approved_on.checked_in_at + timedelta(hours=2)
        work = AddedWork.create(
            shop=shop, order=approved_on, requested_by=techs[0], description='更换空调滤芯 Cabin air filter',
            hours=Decimal('0.3'), labour_price=Decimal('90'), parts_price=Decimal('158'), delay_minutes=20,
            status=AddedWork.APPROVED, requested_at=at - timedelta(minutes=25), decided_at=at, decided_by=advisor.id,
            channel='phone', spoke_with=approved_on.customer.name, price_told=Decimal('248'), delay_told_minutes=20)
        part = AddedWorkPart.create(shop=shop, added_work=work, part_number='87139-0N010',
                                    name='空调滤芯 Cabin air filter', quantity=Decimal('1'), unit_price=Decimal('158'))
        work.price_told = added_work_price(work, [part], get_setting(shop, 'tax_rate'))     # told with its tax
        work.save(only=[AddedWork.price_told])
        position = OrderLine.select().where(OrderLine.order == approved_on).count()
        line = OrderLine.create(shop=shop, order=approved_on, description=work.description, labour_hours=work.hours,
                                labour_rate=Decimal('300'), labour_price=work.labour_price, technician=techs[0],
                                status=stages.LINE_DONE, added_work_id=work.id, position=position)
        PartLine.create(shop=shop, order=approved_on, line=line, part_number='87139-0N010',
                        name='空调滤芯 Cabin air filter', quantity=Decimal('1'), unit_price=Decimal('158'))
        at = declined_on.checked_in_at + timedelta(hours=3)
        declined = AddedWork.create(
            shop=shop, order=declined_on, requested_by=techs[-1], description='更换后刹车片 Rear brake pads (2 mm left)',
            hours=Decimal('1.0'), labour_price=Decimal('300'), parts_price=Decimal('520'), delay_minutes=60,
            safety=True, status=AddedWork.DECLINED, requested_at=at - timedelta(minutes=30), decided_at=at,
            decided_by=advisor.id, channel='phone', spoke_with=declined_on.customer.name, price_told=Decimal('820'),
            delay_told_minutes=60, note='客户说下次保养再换 Will do it at the next service')
        declined.price_told = added_work_price(declined, [], get_setting(shop, 'tax_rate'))
        declined.save(only=[AddedWork.price_told])
        Recommendation.create(shop=shop, vehicle=declined_on.vehicle_id, order_id=declined_on.id,
                              description='更换后刹车片 Rear brake pads (2 mm left)', safety=True,
                              price=declined.price_told, created_at=at)
        RepairOrder.update(safety_declined=True).where(RepairOrder.id == declined_on.id).execute()


def _progress_check(shop, advisor):
    """A check already made on one order in progress (a late one gets its new time, the customer told)."""
    if ProgressCheck.for_shop(shop).exists():
        return
    order = (RepairOrder.for_shop(shop).where(RepairOrder.stage == stages.IN_PROGRESS)
             .order_by(RepairOrder.checked_in_at).first())
    if order is None:
        return
    late = rules.timing.timings([order])[order.id].late
    new = max(order.promised_at, utcnow()) + timedelta(hours=2) if late else None
    rules.record_progress_check(order, advisor, on_track=not late, expected_version=order.version,
                                note='技师说还需要一个小时 About an hour to go' if not late else '等刹车盘 Waiting for a disc',
                                new_promised_at=new.replace(second=0, microsecond=0) if new else None,
                                reason='刹车盘需调货 Brake disc from the warehouse' if late else '',
                                told_channel='phone' if late else '')
