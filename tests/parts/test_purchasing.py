"""Purchase orders, receiving with inspection, rejected goods, replenishment."""
from datetime import date, timedelta
from decimal import Decimal

from app.core.timeutil import shop_today
from app.parts import purchasing
from app.parts.models import PurchaseOrder, ReceiptLine, StockMove, Supplier
from tests.helpers import sign_in
from tests.parts.helpers import level, make_part, post


def _po(clerk_client, shop, part, qty='10', cost='300'):
    supplier = part.supplier or Supplier.get_or_create(shop=shop, name='广州丰田配件')[0]
    resp = clerk_client.post('/parts/purchase-orders/new', data={'supplier': supplier.id, 'note': '周补货'})
    assert resp.status_code == 302
    po = PurchaseOrder.get(PurchaseOrder.id == int(resp.headers['Location'].rsplit('/', 1)[1]))
    resp = clerk_client.post('/parts/purchase-orders/%d/lines' % po.id,
                             data={'part_number': part.number.lower(), 'quantity': qty, 'unit_cost': cost})
    assert resp.status_code == 302
    return po


def test_po_goes_from_draft_to_sent_with_an_expected_date(clerk_client, shop, staff):
    """A purchase order without an expected date could never be chased."""
    pads = make_part(shop)
    po = _po(clerk_client, shop, pads)
    resp = clerk_client.post('/parts/purchase-orders/%d/send' % po.id, data={})
    assert resp.status_code == 400 and 'date the delivery is expected' in resp.get_data(as_text=True)
    resp = clerk_client.post('/parts/purchase-orders/%d/send' % po.id, data={'expected_on': '2026-12-01'})
    po = PurchaseOrder.get_by_id(po.id)
    assert resp.status_code == 302 and (po.status, po.expected_on) == ('ordered', date(2026, 12, 1))
    resp = clerk_client.post('/parts/purchase-orders/%d/lines' % po.id, data={'part_number': pads.number, 'quantity': '1'})
    assert resp.status_code == 400 and 'Only a draft' in resp.get_data(as_text=True)
    page = clerk_client.get('/parts/purchase-orders').get_data(as_text=True)
    assert po.number in page and 'Ordered' in page


def test_bad_line_input_is_refused_and_kept(clerk_client, shop, staff):
    """A typo in a purchase order line is shown in place with what was typed."""
    pads = make_part(shop)
    po = _po(clerk_client, shop, pads)
    for data, message in (({'part_number': 'NOPE', 'quantity': '1'}, 'Unknown part number'),
                          ({'part_number': pads.number, 'quantity': '0'}, 'more than 0'),
                          ({'part_number': pads.number, 'quantity': '1', 'unit_cost': '-5'}, '0 or more')):
        resp = clerk_client.post('/parts/purchase-orders/%d/lines' % po.id, data=data)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 400 and message in body and 'value="%s"' % data['part_number'] in body


def test_receiving_with_inspection_accepts_and_rejects_per_line(clerk_client, shop, staff):
    """Only accepted goods enter stock at the ordered cost; rejected ones wait, with their reason, to go back."""
    pads = make_part(shop)
    oil = make_part(shop, number='90915-YZZD2', name_zh='机油滤清器', cost_price=Decimal('25.5'))
    po = _po(clerk_client, shop, pads, qty='10', cost='300')
    clerk_client.post('/parts/purchase-orders/%d/lines' % po.id, data={'part_number': oil.number, 'quantity': '20'})
    clerk_client.post('/parts/purchase-orders/%d/send' % po.id, data={'expected_on': '2026-12-01'})
    a, b = list(purchasing.po_lines(po))
    data = {'l%d-delivered' % a.id: '6', 'l%d-rejected' % a.id: '1', 'l%d-reason' % a.id: '包装破损 box crushed',
            'l%d-delivered' % b.id: '20', 'idem': 'r1'}
    resp = clerk_client.post('/parts/purchase-orders/%d/receive' % po.id, data=data)
    assert resp.status_code == 302
    assert clerk_client.post('/parts/purchase-orders/%d/receive' % po.id, data=data).status_code == 302   # retry
    assert (level(pads).on_hand, level(pads).value) == (Decimal('5'), Decimal('1500.00'))
    assert (level(oil).on_hand, level(oil).value) == (Decimal('20'), Decimal('510.00'))
    assert StockMove.select().where(StockMove.kind == 'receipt').count() == 2
    po = PurchaseOrder.get_by_id(po.id)
    assert po.status == 'partly'
    rejected = clerk_client.get('/parts/rejected').get_data(as_text=True)
    assert 'box crushed' in rejected and pads.number in rejected
    rl = ReceiptLine.get(ReceiptLine.rejected_qty > 0)
    clerk_client.post('/parts/rejected/%d/returned' % rl.id)
    assert 'box crushed' not in clerk_client.get('/parts/rejected').get_data(as_text=True)
    resp = clerk_client.post('/parts/purchase-orders/%d/receive' % po.id, data={'l%d-delivered' % a.id: '5'})
    assert resp.status_code == 302 and PurchaseOrder.get_by_id(po.id).status == 'received'


def test_receiving_refuses_bad_quantities_in_place(clerk_client, shop, staff):
    """Negative, over-delivered or unexplained rejections are refused on their line, nothing posted."""
    pads = make_part(shop)
    po = _po(clerk_client, shop, pads, qty='2')
    resp = clerk_client.post('/parts/purchase-orders/%d/receive' % po.id, data={})
    assert resp.status_code == 400                                       # a draft is not received
    clerk_client.post('/parts/purchase-orders/%d/send' % po.id, data={'expected_on': '2026-12-01'})
    [ln] = purchasing.po_lines(po)
    for fields, message in (({'delivered': '-1'}, 'cannot be negative'), ({'delivered': 'x'}, 'Enter a number'),
                            ({'delivered': '3'}, 'still on order'),
                            ({'delivered': '2', 'rejected': '1'}, 'Say why'),
                            ({'delivered': '1', 'rejected': '2', 'reason': 'bad'}, 'More cannot be rejected'),
                            ({}, 'Enter what was delivered')):
        data = {'l%d-%s' % (ln.id, k): v for k, v in fields.items()}
        resp = clerk_client.post('/parts/purchase-orders/%d/receive' % po.id, data=data)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 400 and message in body, fields
        if 'delivered' in fields:
            assert 'value="%s"' % fields['delivered'] in body
    assert StockMove.select().count() == 0


def test_direct_receipt_on_the_part_page(clerk_client, shop, staff):
    """A counter purchase goes straight into stock; a retry of the same submit posts it once."""
    pads = make_part(shop)
    data = {'quantity': '2', 'unit_cost': '310', 'idem': 'k1'}
    for _ in range(2):
        assert clerk_client.post('/parts/catalogue/%d/receive' % pads.id, data=data).status_code == 302
    assert level(pads).on_hand == 2 and StockMove.select().count() == 1
    for bad in ({'quantity': '0', 'unit_cost': '1'}, {'quantity': '-3', 'unit_cost': '1'},
                {'quantity': '1', 'unit_cost': ''}):
        resp = clerk_client.post('/parts/catalogue/%d/receive' % pads.id, data=bad)
        assert resp.status_code == 400
    assert StockMove.select().count() == 1


def test_replenishment_suggests_and_drafts_purchase_orders(clerk_client, shop, staff, order):
    """Parts below 1.5 x last month's outflow are listed with a quantity and become draft orders in one tap."""
    supplier = Supplier.create(shop=shop, name='广州丰田配件', lead_days=3)
    pads = make_part(shop, supplier=supplier, max_qty=Decimal('0'))
    oil = make_part(shop, number='90915-YZZD2', name_zh='机油滤清器', supplier=supplier, min_qty=Decimal('10'),
                    max_qty=Decimal('30'), cost_price=Decimal('25.5'))
    wiper = make_part(shop, number='85222-06180', name_zh='雨刮片')                    # no supplier
    start, end = purchasing.last_month(shop)
    last = start + timedelta(days=3)
    post(pads, 'receipt', 20, staff['parts'], unit_cost='300', at=last - timedelta(days=1))
    post(pads, 'issue', -12, staff['parts'], at=last, order=order.id)                   # outflow 12: safety 18
    post(pads, 'return', 2, staff['parts'], unit_cost='300', at=last, order=order.id)   # net 10: safety 15
    post(pads, 'issue', -3, staff['parts'], at=end + timedelta(hours=1), order=order.id)  # this month: not counted
    post(oil, 'receipt', 12, staff['parts'], unit_cost='25.5')                         # above its minimum 10
    post(wiper, 'receipt', 1, staff['parts'], unit_cost='30', at=last - timedelta(days=1))
    post(wiper, 'issue', -1, staff['parts'], at=last)
    rows = {r['part'].number: r for r in purchasing.below_safety(shop)}
    assert set(rows) == {pads.number, wiper.number}
    assert (rows[pads.number]['safety'], rows[pads.number]['on_hand'], rows[pads.number]['suggested']) == \
        (Decimal('15.0'), Decimal('7'), Decimal('8'))
    page = clerk_client.get('/parts/replenish').get_data(as_text=True)
    assert pads.number in page and oil.number not in page
    resp = clerk_client.post('/parts/replenish', data={'idem': 'once'})
    assert resp.status_code == 302
    clerk_client.post('/parts/replenish', data={'idem': 'once'})
    [po] = PurchaseOrder.select()
    [line] = po.lines
    assert (po.status, po.supplier_id, line.part_id, line.quantity) == ('draft', supplier.id, pads.id, Decimal('8'))
    assert po.expected_on == shop_today(shop) + timedelta(days=3)
    assert purchasing.below_safety(shop)[0]['part'].number == wiper.number        # on order counts as coming


def test_only_the_parts_clerk_and_manager_buy(client, shop, staff):
    """An advisor may look parts up but not order or receive them."""
    pads = make_part(shop)
    sign_in(client, 'amy')
    assert client.get('/parts/catalogue?q=0446').status_code == 200
    assert client.get('/parts/purchase-orders').status_code == 403
    assert client.post('/parts/catalogue/%d/receive' % pads.id, data={'quantity': '1', 'unit_cost': '1'}).status_code == 403
