"""Demo: the shop's insurers and four insurance jobs at different stages — waiting for the assessment, a
supplementary assessment the insurer approved, delivered with the insurer's share open this month (so the KPI
dashboard's insurance figures show from the month's first hour), and one settled weeks ago that the insurer has not
paid (overdue)."""
import io

from peewee import fn
from datetime import timedelta
from decimal import Decimal

from PIL import Image, ImageDraw

from app.accounts.models import User
from app.core import stages
from app.core.access import ADVISOR, TECHNICIAN
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.periods import local_midnight_utc, month_start
from app.core.timeutil import to_local
from app.customers.models import Vehicle
from app.insurance import rules
from app.insurance.models import InsuranceClaim, Insurer, Supplement
from app.reception.checkin import create_signed_order
from app.labels.models import KeyTag
from app.reception.models import OrderLine, PartLine, RepairOrder

INSURERS = [('中国人保财险 PICC', '95518', '王定损'), ('平安产险 Ping An', '95511', '李勇'),
            ('太平洋产险 CPIC', '95500', '陈静'), ('中华联合财险', '95585', '')]

# (customer, car, accident, jobs: (description, hours, parts [(number, name, price)]), assessment [(kind, text,
#  shop, insurer)], deductible, stage, days since check-in)
JOBS = [
    ('赵立新', ('LVGBE40K', '丰田 Toyota', '凯美瑞 Camry'), '追尾，前保险杠及大灯受损',
     [('钣金喷漆 前保险杠', Decimal('3'), [('52119-06B00', '前保险杠皮', Decimal('1860'))]),
      ('更换左前大灯', Decimal('1'), [('81150-06D10', '左前大灯总成', Decimal('3240'))])],
     [], Decimal('0'), stages.CHECKED_IN, 0),
    ('孙晓梅', ('LFV3A28K', '大众 Volkswagen', '迈腾 Magotan'), '右侧刮擦，右前门凹陷',
     [('钣金喷漆 右前门', Decimal('4'), [('3GD831056', '右前门外板', Decimal('2150'))]),
      ('钣金喷漆 右后门', Decimal('3'), [])],
     [('labour', '右前门钣金', '1200', '1050'), ('parts', '右前门外板', '2150', '2150'),
      ('paint', '右侧两门喷漆', '1800', '1500')], Decimal('0'), stages.IN_PROGRESS, 2),
    ('周建国', ('LSGKB54H', '别克 Buick', '君威 Regal'), '倒车撞柱，后保险杠破裂',
     [('更换后保险杠', Decimal('2'), [('39123456', '后保险杠总成', Decimal('2680'))]),
      ('钣金喷漆 后保险杠', Decimal('2'), [])],
     [('labour', '后保险杠拆装', '600', '600'), ('parts', '后保险杠总成', '2680', '2400'),
      ('paint', '后保险杠喷漆', '600', '600')], Decimal('500'), stages.CLOSED, 3),
    ('吴海燕', ('LHGCV165', '本田 Honda', '雅阁 Accord'), '左前角碰撞，翼子板变形',
     [('钣金喷漆 左前翼子板', Decimal('3'), [('60261-TVA-A00', '左前翼子板', Decimal('1450'))])],
     [('labour', '左前翼子板钣金', '900', '900'), ('parts', '左前翼子板', '1450', '1450'),
      ('paint', '左前翼子板喷漆', '700', '650')], Decimal('0'), stages.CLOSED, 45),
]


def damage_photo(rng, colour):
    """A small picture of a dented panel (drawn, so the demo carries no image files)."""
    image = Image.new('RGB', (640, 480), colour)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randint(120, 520), rng.randint(120, 360)
        draw.line([(x - 90, y - 20), (x, y), (x + 80, y + 30)], fill=(60, 60, 60), width=rng.randint(3, 8))
    draw.ellipse([260, 180, 380, 300], outline=(30, 30, 30), width=6)
    buf = io.BytesIO()
    image.save(buf, 'JPEG')
    return buf.getvalue()


def _this_month(shop, now):
    """When the recent job was handed back: an hour ago, but inside the shop's month when the month is old enough
    (the KPI dashboard's month shows an insurance job, settled up to 40 minutes before, on the 1st from 01:00 too).
    In the first hour of a month it is last month's, and past its month: what insurers owe overdue shows then."""
    month = local_midnight_utc(month_start(to_local(now, shop.timezone).date()), shop.timezone)
    if now - timedelta(hours=1) < month + timedelta(minutes=45) <= now - timedelta(minutes=5):
        return month + timedelta(minutes=45)
    return now - timedelta(hours=1)


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or Insurer.for_shop(shop).exists():
        return []
    advisor = next(iter(User.with_role(shop, ADVISOR)), None)
    techs = list(User.with_role(shop, TECHNICIAN))
    manager = User.get_or_none(User.username == 'manager')
    foreman = User.get_or_none(User.username == 'foreman') or manager
    if advisor is None or manager is None:
        return []
    with transaction():
        insurers = [Insurer.create(shop=shop, name=n, phone=p, contact=c) for n, p, c in INSURERS]
        for i, job in enumerate(JOBS):
            _job(shop, rng, advisor, (manager, foreman), techs, insurers[i % 3], i, *job)
    return []


def _job(shop, rng, advisor, bosses, techs, insurer, i, name, car, accident, jobs, lines, deductible, target, days):
    from app.reception.demo import _actor_for, _path_to
    from app.settlement.demo import _settle_and_deliver
    manager, foreman = bosses
    now = utcnow()
    # a car of the demo's own customers that is not in the shop now
    vehicle = (Vehicle.for_shop(shop).where(~fn.EXISTS(RepairOrder.select(RepairOrder.id).where(
                   (RepairOrder.vehicle == Vehicle.id) & RepairOrder.stage.not_in([stages.CLOSED, stages.CANCELLED]))))
               .order_by(Vehicle.id.desc()).first())
    if vehicle is None:
        return None
    owner, name = vehicle.owner, vehicle.owner.name
    checked_in = now - timedelta(days=days, hours=rng.randint(1, 3))
    ro = create_signed_order(shop=shop, by=advisor, customer=owner, vehicle=vehicle, advisor=advisor,
                             complaint='事故车：' + accident, odometer=vehicle.mileage, checked_in_at=checked_in,
                             promised_at=checked_in + timedelta(days=3))
    body = next((t for t in techs if t.username == 'tech3'), techs[-1] if techs else None)   # body and paint
    for description, hours, parts in jobs:
        line = OrderLine.create(shop=shop, order=ro, description=description, labour_hours=hours,
                                labour_rate=Decimal('300'), labour_price=hours * Decimal('300'),
                                technician=None if target == stages.CHECKED_IN else body)
        for number, part, price in parts:
            PartLine.create(shop=shop, order=ro, line=line, part_number=number, name=part, unit_price=price)
    claim = InsuranceClaim.create(shop=shop, order=ro, insurer=insurer,
                                  policy_number='PDAA2026%010d' % rng.randint(0, 10**9),
                                  claim_number='RDAA2026%010d' % rng.randint(0, 10**9),
                                  accident_date=(checked_in - timedelta(days=1)).date(), insured_name=name,
                                  driver_name=name if i % 2 else '', created_by=advisor, created_at=checked_in)
    for area, note, colour in (('front_bumper' if i != 2 else 'rear_bumper', accident, (150, 40, 40)),
                               ('right_doors' if i == 1 else 'lights', '', (60, 90, 140))):
        rules.add_damage(claim, advisor, area=area, note=note[:200], photo=damage_photo(rng, colour))
    if lines:
        rules.save_assessment(claim, advisor, assessor=insurer.contact or '定损员', deductible=deductible,
                              rows=lines, version=claim.version)
        InsuranceClaim.update(assessed_at=checked_in + timedelta(hours=5)) \
            .where(InsuranceClaim.id == claim.id).execute()
    if i == 1:
        supplement = rules.request_supplement(claim, techs[0] if techs else advisor,
                                              description='拆检发现右前门防撞梁变形',
                                              rows=[('parts', '右前门防撞梁', '680'), ('labour', '防撞梁更换', '300')])
        rules.answer_supplement(supplement, advisor, decision=Supplement.APPROVED, channel='phone',
                                spoke_with=insurer.contact or '定损员', note='同意追加', version=supplement.version)
    tag = KeyTag.select().where((KeyTag.shop == shop) & KeyTag.order_id.is_null()).order_by(KeyTag.number).first()
    if tag is not None and target != stages.CLOSED:          # the car's key on a tag, as at any check-in
        KeyTag.update(order_id=ro.id).where(KeyTag.id == tag.id).execute()
        RepairOrder.update(key_tag=tag).where(RepairOrder.id == ro.id).execute()
    for step in _path_to(target):
        stages.move(ro, step, by=_actor_for(ro.stage, step, advisor, foreman, techs))
    if target == stages.CLOSED:
        ro = RepairOrder.get_by_id(ro.id)
        ro.delivered_at = checked_in + timedelta(days=2) if days > 10 else _this_month(shop, now)
        ro.save()
        _settle_and_deliver(shop, ro, '', manager, rng)
    return claim


