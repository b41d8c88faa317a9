"""The QC tests' own helpers: a car handed over for inspection, and the inspection form as the phone posts it."""
import json
from decimal import Decimal

from app.core import stages
from app.qc.checklist import item_keys
from app.qc.rules import order_lines
from app.reception.models import OrderLine, RepairOrder
from tests import factories
from tests.helpers import at_stage


def make_ready(shop, staff, plate='粤B33333'):
    """A car handed over to QC: a brake job by Tom and a paint job by Tina, both done, self-check filled."""
    car = factories.make_vehicle(shop, factories.make_customer(shop), plate=plate)
    ro = factories.make_order(shop, staff['advisor'], vehicle=car, lines=0)
    OrderLine.create(shop=shop, order=ro, description='更换前刹车片 Front brake pads', system='brakes',
                     labour_hours=Decimal('1.2'), technician=staff['tom'], status=stages.LINE_DONE, position=0)
    OrderLine.create(shop=shop, order=ro, description='钣金喷漆 左前门', labour_hours=Decimal('6'),
                     technician=staff['tina'], status=stages.LINE_DONE, position=1)
    ro.self_check = json.dumps({'items': {
        'work_done': {'state': 'ok', 'note': ''}, 'parts_fitted': {'state': 'ok', 'note': ''},
        'no_warning_lights': {'state': 'ok', 'note': ''}, 'no_tools_left': {'state': 'ok', 'note': ''},
        'old_parts_bagged': {'state': 'not_ok', 'note': 'covers still on'}, 'road_test': {'state': 'na', 'note': ''}},
        'by_name': 'Tom Tech', 'at': '2026-01-05T02:00:00'})
    ro.save()
    return at_stage(ro, stages.READY_FOR_QC)


def inspection_data(order, result='pass', not_ok=(), **kw):
    """Every checklist item answered OK except `not_ok`."""
    data = {'version': str(RepairOrder.get_by_id(order.id).version), 'result': result,
            'idem': kw.pop('idem', 'i-%d-%s' % (order.id, result))}
    for key in item_keys(order_lines(order)):
        data['item-' + key] = 'not_ok' if key in not_ok else 'ok'
        if key in not_ok:
            data['note-' + key] = '有异响'
    data.update(kw)
    return data
