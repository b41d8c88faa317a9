"""Sample parts records for tests/core/world.py: a part with an issue on an order, a PO, a count, an old part."""
from decimal import Decimal

from app.parts import counts, issuing, purchasing
from app.parts.models import Part, ReceiptLine, Supplier
from app.reception.models import OrderLine


def world_samples(world):
    """One of each parts record per shop, for walking every route (shop A's in records, shop B's in foreign)."""
    from app.accounts.models import User
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
        from app.reception.models import RepairOrder
        order = RepairOrder.get_by_id(order_id)
        job = OrderLine.get(OrderLine.order == order)
        move = issuing.issue_direct(part, order, job, Decimal('1'), by=user)
        sheet = counts.open_sheet(shop, user, 'A-01')
        sample.update(part_id=part.id, po_id=po.id, move_id=move.id, count_id=sheet.id,
                      old_part_id=order.old_parts.get().id,
                      receipt_line_id=ReceiptLine.get(ReceiptLine.receipt == receipt).id)
