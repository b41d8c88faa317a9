"""Demo: QC history in the first shop.

Every order past QC has its inspection; one was failed first (the technician's brake job sent back) and
passed after the rework; the order in "QC failed" has its failed inspection; the car waiting for QC has the
technician's self-check; the car waiting for the wash has belongings to tick; cars ready for pickup have
had their final check. Runs after the reception and workshop demos; loads once.
"""
import json
from datetime import datetime, timedelta

from app.accounts.models import User
from app.core import audit, stages
from app.core.access import ADVISOR, QC
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.qc.checklist import item_keys
from app.qc.rules import FAIL, PASS, order_lines
from app.reception.models import Belonging, OrderLine, RepairOrder
from app.workshop.models import QCInspection
from app.workshop.rules import SELF_CHECK_ITEMS

PAST_QC = (stages.READY_FOR_WASH, stages.READY_FOR_PICKUP, stages.DELIVERED, stages.CLOSED)


def _checklist(lines, not_ok=None, note=''):
    return json.dumps({k: {'ok': k != not_ok, 'note': note if k == not_ok else ''} for k in item_keys(lines)},
                      ensure_ascii=False, sort_keys=True)


def _when(order, hours):
    return (order.checked_in_at or utcnow()) + timedelta(hours=hours)


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or QCInspection.for_shop(shop).exists():
        return []
    inspector = User.with_role(shop, QC).first()
    advisor = User.get_or_none(User.username == 'advisor') or User.with_role(shop, ADVISOR).first()
    if inspector is None or advisor is None:
        return []
    orders = list(RepairOrder.for_shop(shop).where(RepairOrder.stage.in_(
        PAST_QC + (stages.QC_FAILED, stages.READY_FOR_QC))).order_by(RepairOrder.checked_in_at, RepairOrder.id))
    reworked = next((o for o in orders if o.stage == stages.READY_FOR_WASH), None)
    now = utcnow()
    with transaction():
        for order in orders:
            lines = order_lines(order)
            if order.stage == stages.READY_FOR_QC:
                _self_check(order, lines)
            elif order.stage == stages.QC_FAILED:
                _failed(order, lines, inspector, min(_when(order, 1), now - timedelta(minutes=40)), log=True)
            elif order.stage in PAST_QC:
                at = min(_when(order, 2), now - timedelta(minutes=30))
                first = True
                if order is reworked and lines:
                    _failed(order, lines, inspector, at - timedelta(hours=1), log=False)
                    first = False
                QCInspection.create(shop=shop, order=order, inspector=inspector, result=PASS,
                                    checklist=_checklist(lines), first_time=first, created_at=at)
                if order.stage == stages.READY_FOR_WASH:
                    _belongings(order)
                if order.stage == stages.READY_FOR_PICKUP:
                    RepairOrder.update(final_check_at=at + timedelta(minutes=40), final_check_by=advisor.id) \
                        .where(RepairOrder.id == order.id).execute()
    return []


def _failed(order, lines, inspector, at, *, log):
    """A failed inspection of the order's first job; that line counts one QC failure for its technician."""
    line = next((l for l in lines if l.status in (stages.LINE_REWORK, stages.LINE_DONE)), lines[0] if lines else None)
    if line is None:
        return
    reasons = '试车时左前轮有异响，请重新检查制动 Noise from the front left wheel on the road test'
    inspection = QCInspection.create(
        shop=order.shop_id, order=order, inspector=inspector, result=FAIL,
        checklist=_checklist(lines, not_ok='general.road_test', note='左前异响 noise front left'),
        reasons=reasons, failed_lines=json.dumps([line.id]), first_time=True, created_at=at)
    OrderLine.update(qc_failures=OrderLine.qc_failures + 1).where(OrderLine.id == line.id).execute()
    if log:
        audit.record('qc.failed', 'repair_order', order.id, shop=order.shop_id, actor=inspector, note=reasons,
                     after={'inspection': inspection.id, 'result': FAIL, 'first_time': True,
                            'failed_lines': [{'line': line.id, 'technician': line.technician_id}]})


def _self_check(order, lines):
    """The technician's self-check, as the job card saves it, when the workshop demo left none."""
    if json.loads(order.self_check or '{}').get('items'):
        return
    tech = next((l.technician for l in lines if l.technician_id), None)
    items = {key: {'state': 'ok', 'note': ''} for key, _label in SELF_CHECK_ITEMS}
    items['road_test'] = {'state': 'na', 'note': ''}
    data = {'items': items, 'by': tech.id if tech else None, 'by_name': tech.display_name if tech else '',
            'at': datetime.isoformat(utcnow() - timedelta(minutes=15)), 'line_event': 0}
    RepairOrder.update(self_check=json.dumps(data, ensure_ascii=False, sort_keys=True)) \
        .where(RepairOrder.id == order.id).execute()


def _belongings(order):
    """Something to tick at the final check, when check-in left no list."""
    if Belonging.select().where(Belonging.order == order).exists():
        return
    Belonging.create(shop=order.shop_id, order=order, preset='umbrella', name='Umbrella', quantity=1)
    Belonging.create(shop=order.shop_id, order=order, preset='charging_cable', name='Charging cable', quantity=1)
    Belonging.create(shop=order.shop_id, order=order, name='儿童绘本 Children\'s books', quantity=3)
