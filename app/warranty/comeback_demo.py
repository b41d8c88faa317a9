"""Demo comebacks: three cars checked in today were delivered here a few days ago with front brake pads; two are
recorded as comebacks (workmanship, a faulty part), one is flagged at its check-in for the advisor to decide."""
from datetime import timedelta

from app.accounts.models import User
from app.catalogue.models import CannedJob
from app.core import stages
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.timeutil import shop_today
from app.reception.checkin import add_line
from app.reception.models import RepairOrder
from app.warranty import comebacks
from app.warranty.demo_orders import history_order
from app.warranty.models import Comeback

PADS = [('04465-33471', '前刹车片 Front brake pads', '1', '680')]
# (days since the earlier delivery, km since, cause or None: flagged only)
CASES = [(12, 900, Comeback.WORKMANSHIP), (20, 1600, Comeback.PART), (6, 400, None)]


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or Comeback.for_shop(shop).exists():
        return []
    advisor = User.get_or_none(User.username == 'advisor')
    techs = [u for u in (User.get_or_none(User.username == n) for n in ('tech', 'tech2', 'tech3')) if u]
    now = utcnow()
    counts = {}
    for o in RepairOrder.for_shop(shop).where(RepairOrder.vehicle.is_null(False)):
        counts[o.vehicle_id] = counts.get(o.vehicle_id, 0) + 1
    today = (RepairOrder.for_shop(shop)
             .where(RepairOrder.stage.in_([stages.CHECKED_IN, stages.DISPATCHED, stages.IN_PROGRESS])
                    & (RepairOrder.checked_in_at >= now - timedelta(hours=36)))
             .order_by(RepairOrder.id))
    orders = sorted(today, key=lambda o: (counts.get(o.vehicle_id, 0), o.id))[:len(CASES)]
    if advisor is None or not techs or len(orders) < len(CASES):
        return []
    pads = CannedJob.get_or_none((CannedJob.shop == shop) & (CannedJob.code == 'BRKF'))
    # the workmanship comeback's earlier job in this month where the month has begun: the dashboard counts it
    cases = [(min(12, max(2, shop_today(shop).day - 1)),) + CASES[0][1:]] + CASES[1:]
    recorded = []
    with transaction():
        for i, (order, (days, km, cause)) in enumerate(zip(orders, cases)):
            at = order.checked_in_at - timedelta(days=days, hours=2)
            _earlier, lines = history_order(shop, advisor, techs[i % len(techs)], order.vehicle, at, 1,
                                            max(0, order.odometer - km), '刹车异响 Brake noise',
                                            [(pads, pads.name if pads else '更换前刹车片', 'brakes', '1.2', PADS)])
            # the advisor writes the job down: the brakes again (the same system flags the earlier order)
            add_line(order, canned_job=pads, description='前刹车异响复查 Brake noise again', system='brakes')
            if cause:
                recorded.append((order, lines[0], cause))
    for order, line, cause in recorded:
        comebacks.record(RepairOrder.get_by_id(order.id), advisor, earlier_line_id=line.id, cause=cause,
                         note='刹车仍有异响 Brakes still squeal')
    return []


