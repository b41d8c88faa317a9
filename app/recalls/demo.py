"""Demo recalls: the maker's front brake hose recall covering eight cars on file (two done, one checked in today with
the work still to add, the rest to call), a software campaign whose owners are already on the call list, a wiper
campaign the maker withdrew (closed: its call tasks cancelled, no car shows it), and a part fitted under a warranty
claim nearly six months ago, due for its check."""
import json
from datetime import datetime, time, timedelta
from decimal import Decimal

from app.accounts.models import User
from app.core import stages
from app.core.db import transaction, utcnow
from app.core.errors import Refused
from app.core.models import Shop
from app.core.timeutil import add_months, shop_today, to_utc
from app.customers.models import Vehicle
from app.recalls import changes, rules
from app.recalls.models import Campaign, CampaignJob, CampaignVin
from app.reception.models import RepairOrder
from app.warranty.demo_orders import history_order
from app.warranty.models import LineCoverage

HOSE = [{'part_number': '47210-02540', 'name': '前制动软管 Front brake hose', 'quantity': '2', 'unit_price': '185'}]


def _range_around(vin):
    """A narrow VIN range of the car's line around its serial (as a maker's bulletin gives them)."""
    serial = vin[11:]
    if not serial.isdigit():
        return vin, vin
    n = int(serial)
    return vin[:11] + '%06d' % max(0, n - 40), vin[:11] + '%06d' % min(999999, n + 40)


def _done_order(shop, campaign, car, advisor, tech, at):
    ro, lines = history_order(shop, advisor, tech, car, at, 1, max(0, car.mileage - 2000), campaign.title,
                              [(None, '%s %s' % (campaign.code, campaign.work), campaign.system,
                                str(campaign.labour_hours), [(p['part_number'], p['name'], p['quantity'],
                                                              p['unit_price']) for p in campaign.part_list])])
    LineCoverage.create(shop=shop, order=ro, line=lines[0], kind=LineCoverage.WARRANTY, system=campaign.system,
                        reason='%s %s' % (campaign.kind_label, campaign.code), within_warranty=True, decided_by=advisor)
    CampaignJob.create(shop=shop, campaign=campaign, vehicle=car, order=ro, line=lines[0], added_by=advisor)
    return ro


def _service_campaign(shop, clerk, cars, **fields):
    """A service campaign over the single VINs of `cars`."""
    c = Campaign.create(shop=shop, kind=Campaign.SERVICE, created_by=clerk, **fields)
    CampaignVin.insert_many([dict(shop=shop, campaign=c, vin_from=v.vin, vin_to=v.vin) for v in cars]).execute()
    return c


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or Campaign.for_shop(shop).exists():
        return []
    advisor = User.get_or_none(User.username == 'advisor')
    tech = User.get_or_none(User.username == 'tech4') or User.get_or_none(User.username == 'tech')
    clerk = User.get_or_none(User.username == 'warranty') or User.get_or_none(User.username == 'manager')
    if advisor is None or tech is None:
        return []
    now, today = utcnow(), shop_today(shop)
    used = {o.vehicle_id for o in RepairOrder.for_shop(shop).where(
        RepairOrder.vehicle.is_null(False) & RepairOrder.stage.in_(list(stages.OPEN) + [stages.DRAFT]))}
    free = [v for v in Vehicle.for_shop(shop).order_by(Vehicle.id) if v.id not in used]
    in_today = (RepairOrder.for_shop(shop)
                .where((RepairOrder.stage == stages.IN_PROGRESS) & (RepairOrder.checked_in_at >= now - timedelta(hours=30)))
                .order_by(RepairOrder.id.desc()).first())
    if len(free) < 10 or in_today is None:
        return []
    with transaction():
        hose = Campaign.create(shop=shop, code='RC-%d-017' % today.year, title='前制动软管召回 Front brake hose recall',
                               kind=Campaign.RECALL, work='检查并更换前制动软管 Inspect and replace front brake hoses',
                               system='brakes', labour_hours=Decimal('0.8'), parts=json.dumps(HOSE, ensure_ascii=False),
                               starts_on=today - timedelta(days=45), created_by=clerk,
                               note='厂家技术通报 TSB-2026-031')
        covered = [in_today.vehicle] + free[:7]
        entries = [(v.vin, v.vin) for v in covered[:4]] + [_range_around(v.vin) for v in covered[4:]]
        CampaignVin.insert_many([dict(shop=shop, campaign=hose, vin_from=a, vin_to=b) for a, b in entries]).execute()
        for car, days in ((free[0], 30), (free[1], 18)):
            _done_order(shop, hose, car, advisor, tech, now - timedelta(days=days))
        ecu = _service_campaign(shop, clerk, free[7:10], code='SC-%d-05' % today.year,
                                title='发动机控制软件升级 ECU software update',
                                work='刷写发动机控制单元软件 Flash the engine control unit', system='engine',
                                labour_hours=Decimal('0.5'), starts_on=today - timedelta(days=10),
                                ends_on=add_months(today, 3))
        # A claimed part (a warranty job) fitted nearly six months ago: its ½-year check is due within the week.
        fitted = add_months(today + timedelta(days=5), -6)
        at = to_utc(datetime.combine(fitted, time(9)), shop.timezone) - timedelta(days=1)
        part_car = free[10] if len(free) > 10 else free[-1]
        ro, lines = history_order(shop, advisor, tech, part_car, at, 1, max(0, part_car.mileage - 6000),
                                  '空调不制冷 A/C not cooling', [(None, '更换空调压缩机 A/C compressor', 'climate', '3.0',
                                                             [('88320-0R014', '空调压缩机 A/C compressor', '1',
                                                               '3680')])])
        LineCoverage.create(shop=shop, order=ro, line=lines[0], kind=LineCoverage.WARRANTY, system='air_conditioning',
                            reason='压缩机内漏，质量问题 Compressor leaking: quality fault', within_warranty=True,
                            decided_by=clerk)
        wiper = _service_campaign(shop, clerk, free[4:7], code='SC-%d-02' % today.year,
                                  title='雨刮电机检查 Wiper motor check',
                                  work='检查雨刮电机连杆 Check the wiper motor linkage', system='electrical',
                                  labour_hours=Decimal('0.3'), starts_on=today - timedelta(days=60),
                                  ends_on=add_months(today, 2))
    rules.make_calls(ecu, clerk or advisor, today)
    try:
        rules.make_calls(wiper, clerk or advisor, today)
    except Refused:
        pass            # no owner of its cars wants calls: the campaign is closed all the same
    changes.close_campaign(wiper, clerk or advisor, reason=Campaign.WITHDRAWN, expected_version=wiper.version,
                           note='厂家撤回：经复核无需检查 The maker withdrew it: no check needed after review')
    return []
