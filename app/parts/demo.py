"""Demo: the parts counter in the first shop mid-morning.

One request already issued (on its job, on the order's timeline), two new ones waiting at the counter,
and — when the workshop demo has not made them — a backordered part holding the order waiting for parts.
Runs after the reception and workshop demos; loads once.
"""
from datetime import timedelta
from decimal import Decimal

from app.accounts.models import User
from app.core import stages
from app.core.access import PARTS
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.timeutil import shop_today
from app.parts import rules
from app.parts.stock_demo import load_stock
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import PartsRequest


def _request(order, minutes_ago, number, name, qty='1'):
    line = OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.position, OrderLine.id).first()
    if line is None or line.technician_id is None:
        return None
    return PartsRequest.create(shop=order.shop_id, order=order, line=line, requested_by=line.technician_id,
                               part_number=number, name=name, quantity=Decimal(qty),
                               requested_at=utcnow() - timedelta(minutes=minutes_ago))


def load(rng):
    load_stock(rng)          # the catalogue and stock first: the counter's issue below then leaves the shelf
    shop = Shop.get_or_none(Shop.code == 'XH01')
    clerk = User.with_role(shop, PARTS).first() if shop else None
    if shop is None or clerk is None or PartsRequest.for_shop(shop).where(
            PartsRequest.status.in_((PartsRequest.ISSUED, PartsRequest.SUBSTITUTED))).exists():
        return []
    working = list(RepairOrder.for_shop(shop).where(RepairOrder.stage.in_((stages.IN_PROGRESS, stages.DISPATCHED)))
                   .order_by(RepairOrder.checked_in_at, RepairOrder.id))
    if working:
        with transaction():
            issued = _request(working[0], 50, '08880-83715', '全合成机油 5W-30 (4L) Engine oil')
        if issued is not None:
            rules.answer(issued, clerk, outcome=rules.ISSUED, expected_version=issued.version, quantity=Decimal('1'),
                         note='从货架 A-12 Shelf A-12')
        with transaction():
            _request(working[-1], 6, '85222-06180', '雨刮片 Wiper blade', qty='2')
            _request(working[len(working) // 2], 18, '17801-21050', '空气滤清器 Air filter')
    waiting = RepairOrder.for_shop(shop).where(RepairOrder.stage == stages.WAITING_PARTS).first()
    if waiting is not None and not rules.open_requests(waiting).exists():
        # The order is already waiting for parts: the backorder that put it there, answered an hour ago.
        with transaction():
            held = _request(waiting, 90, '43512-06190', '前刹车盘 Front brake disc')
            if held is not None:
                tomorrow = shop_today(shop) + timedelta(days=1)
                (PartsRequest.update(status=PartsRequest.BACKORDERED, answered_at=utcnow() - timedelta(hours=1),
                                     answered_by=clerk.id, expected_at=rules.expected_date_to_utc(shop, tomorrow),
                                     note='厂家缺货，明天到 Out of stock at the supplier, due tomorrow')
                 .where(PartsRequest.id == held.id).execute())
    return []
