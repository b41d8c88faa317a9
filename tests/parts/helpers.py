"""What the parts tests share: parts requests, catalogue parts, ledger rows, the counter's answer, and the sample
records tests/core/world.py walks every route with."""
from datetime import timedelta
from decimal import Decimal

from app.accounts.models import User
from app.core.db import transaction, utcnow
from app.parts import counts, issuing, purchasing, stock
from app.parts.models import Part, ReceiptLine, StockLevel, Supplier
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import PartsRequest


def make_request(order, technician, line=None, number='04465-33471', name='前刹车片 Brake pads', qty='1',
                 minutes_ago=10):
    return PartsRequest.create(shop=order.shop_id, order=order, line=line, requested_by=technician,
                               part_number=number, name=name, quantity=Decimal(qty),
                               requested_at=utcnow() - timedelta(minutes=minutes_ago))


def make_part(shop, number='04465-33471', name_zh='前刹车片', name_en='Front brake pads', **kw):
    kw.setdefault('cost_price', Decimal('300'))
    kw.setdefault('sell_price', Decimal('680'))
    kw.setdefault('bin', 'A-01-1')
    return Part.create(shop=shop, number=number, name_zh=name_zh, name_en=name_en, **kw)


def post(part, kind, qty, by, unit_cost=None, at=None, **kw):
    """One ledger row in its own transaction (what a user action does)."""
    with transaction():
        return stock.post(part, kind, Decimal(str(qty)), by=by, unit_cost=None if unit_cost is None
                          else Decimal(str(unit_cost)), at=at, **kw)


def level(part):
    return StockLevel.get_or_none(StockLevel.part == part.id)


def answer_data(req, outcome='issued', **kw):
    """The counter's answer form for one request, as the row's form posts it (its fields carry the row's prefix)."""
    p = 'r%d-' % req.id
    data = {p + 'version': str(PartsRequest.get_by_id(req.id).version), p + 'outcome': outcome,
            'idem': 'k-%d-%s-%s' % (req.id, outcome, kw.pop('idem', ''))}
    data.update({p + k: v for k, v in kw.items()})
    return data


def post_answer(client, req, outcome='issued', headers=None, **kw):
    return client.post('/parts/requests/%d/answer' % req.id, data=answer_data(req, outcome, **kw),
                       headers=headers or {})


def world_samples(world):
    """One of each parts record per shop, for walking every route (shop A's in records, shop B's in foreign)."""
    for shop, sample in ((world.shop_a, world.records), (world.shop_b, world.foreign)):
        user = world.users['parts'] if shop == world.shop_a else User.get(User.username == 'b_only')
        supplier = Supplier.create(shop=shop, name='广州配件 %s' % shop.code)
        part = Part.create(shop=shop, number='04465-33471', name_zh='前刹车片', supplier=supplier,
                           cost_price=Decimal('300'), sell_price=Decimal('680'), bin='A-01-1')
        po = purchasing.create_po(shop, supplier, user, lines=[(part, Decimal('4'), Decimal('300'))])
        po = purchasing.send_po(po, user, expected_on=po.created_at.date())
        line = po.lines.get()
        receipt = purchasing.receive(po, user, {line.id: (Decimal('4'), Decimal('1'), 'box damaged')})
        order_id = sample['order_id']
        order = RepairOrder.get_by_id(order_id)
        job = OrderLine.get(OrderLine.order == order)
        move = issuing.issue_direct(part, order, job, Decimal('1'), by=user)
        sheet = counts.open_sheet(shop, user, 'A-01')
        sample.update(part_id=part.id, po_id=po.id, move_id=move.id, count_id=sheet.id,
                      old_part_id=order.old_parts.get().id,
                      receipt_line_id=ReceiptLine.get(ReceiptLine.receipt == receipt).id)
