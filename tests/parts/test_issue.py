"""Issuing parts from stock to repair orders: from the technicians' requests or by scan, returns, old parts."""
import json
import threading
from decimal import Decimal

from app.core import stages
from app.core.db import db
from app.core.models import Event
from app.parts import rules
from app.parts.models import OldPart, StockMove
from app.reception.models import PartLine
from app.settlement import rules as settlement_rules
from app.workshop.models import PartsRequest
from tests.helpers import HX, at_stage, sign_in
from tests.parts.helpers import level, make_part, make_request, post, post_answer

def _stocked(shop, staff, qty='5', cost='300'):
    pads = make_part(shop)
    post(pads, StockMove.RECEIPT, Decimal(qty), staff['parts'], unit_cost=cost)
    return pads


def test_issuing_a_request_takes_the_part_off_the_shelf(clerk_client, order, line, staff, shop):
    """The clerk's one tap must move stock, price the part on the order and open an old-part record."""
    pads = _stocked(shop, staff)
    req = make_request(order, staff['technician'], line, qty='2')
    assert post_answer(clerk_client, req, quantity='2').status_code == 302
    [move] = StockMove.select().where(StockMove.kind == 'issue')
    [part] = PartLine.select().where(PartLine.line == line)
    assert (move.quantity, move.value, move.order_id, move.order_line_id, move.part_line_id, move.parts_request_id) == \
        (Decimal('-2'), Decimal('-600.00'), order.id, line.id, part.id, req.id)
    assert (part.unit_price, part.quantity) == (Decimal('680.00'), Decimal('2'))
    assert level(pads).on_hand == 3
    old = OldPart.get(OldPart.order == order)
    assert (old.part_number, old.quantity, old.status, old.part_line_id) == ('04465-33471', 2, 'pending', part.id)
    assert json.loads(Event.get(Event.action == 'parts.issued').after)['stock_move'] == move.id


def test_not_enough_stock_is_refused_in_place(clerk_client, order, line, staff, shop):
    """The clerk is told how many are left; nothing reaches the order and the request stays open."""
    _stocked(shop, staff, qty='1')
    req = make_request(order, staff['technician'], line, qty='2')
    resp = post_answer(clerk_client, req, quantity='2', headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'Only 1 of 04465-33471 in stock' in body and 'id="preq-%d"' % req.id in body
    assert PartsRequest.get_by_id(req.id).status == 'requested'
    assert PartLine.select().count() == 0 and StockMove.select().where(StockMove.kind == 'issue').count() == 0


def test_manager_override_lets_stock_go_negative_and_is_recorded(client, order, line, staff, shop, make_user):
    """A manager may issue a part physically there but not yet booked in; the override is on the ledger."""
    pads = _stocked(shop, staff, qty='1')
    make_user('mia', ['manager'], display_name='Mia Manager')
    req = make_request(order, staff['technician'], line, qty='2')
    sign_in(client, 'pat')       # the clerk's override box is ignored
    resp = post_answer(client, req, quantity='2', override='y')
    assert resp.status_code == 400
    sign_in(client, 'mia')
    assert post_answer(client, req, quantity='2', override='y', idem='m').status_code == 302
    move = StockMove.get(StockMove.kind == 'issue')
    assert move.override and level(pads).on_hand == -1
    assert json.loads(Event.get(Event.action == 'parts.issued').after)['override'] is True


def test_a_part_not_in_the_catalogue_is_issued_without_stock(clerk_client, order, line, staff):
    """Washer fluid from the workshop's own supply still reaches the order (no ledger row to refuse it)."""
    req = make_request(order, staff['technician'], line, number='', name='玻璃水 Washer fluid')
    assert post_answer(clerk_client, req, quantity='1').status_code == 302
    assert PartLine.select().count() == 1 and StockMove.select().count() == 0


def test_estimate_part_is_booked_against_its_line_not_billed_twice(clerk_client, order, line, staff, shop):
    """Fetching the pads on the estimate moves stock, but the bill keeps the one line the customer signed."""
    _stocked(shop, staff)
    estimate = PartLine.create(shop=shop, order=order, line=line, part_number='04465-33471', name='前刹车片',
                               quantity=Decimal('1'), unit_price=Decimal('650'))
    req = make_request(order, staff['technician'], line)
    post_answer(clerk_client, req, quantity='1')
    assert PartLine.select().count() == 1 and PartLine.get().unit_price == Decimal('650')
    assert StockMove.get(StockMove.kind == 'issue').part_line_id == estimate.id


def test_two_clerks_issue_the_last_unit_from_two_requests(app, order, line, staff, shop):
    """Two requests for the last set of pads answered at the same moment: one is issued, one is refused."""
    _stocked(shop, staff, qty='1')
    reqs = [make_request(order, staff['technician'], line) for _ in range(2)]
    results, barrier = [], threading.Barrier(2)

    def answer(req):
        with app.app_context():
            db.connect(reuse_if_open=True)
            barrier.wait()
            try:
                rules.answer(PartsRequest.get_by_id(req.id), staff['parts'], outcome='issued', expected_version=1,
                             quantity=Decimal('1'))
                results.append('ok')
            except rules.Refused:
                results.append('refused')
            finally:
                db.close()

    threads = [threading.Thread(target=answer, args=(r,)) for r in reqs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ['ok', 'refused']
    assert PartLine.select().count() == 1 and StockMove.select().where(StockMove.kind == 'issue').count() == 1
    assert sorted(PartsRequest.get_by_id(r.id).status for r in reqs) == ['issued', 'requested']


def _settle(order, staff):
    ro = at_stage(order, stages.READY_FOR_PICKUP)
    settlement_rules.settle(ro, staff['advisor'], version=0)
    return ro


def test_a_settled_order_takes_no_more_parts(clerk_client, order, line, staff, shop):
    """Parts issued after settlement would never be billed: the clerk is refused."""
    _stocked(shop, staff)
    req = make_request(order, staff['technician'], line)
    _settle(order, staff)
    resp = post_answer(clerk_client, req, quantity='1')
    assert resp.status_code == 400 and 'This order is settled' in resp.get_data(as_text=True)
    resp = clerk_client.post('/parts/orders/%d/issue' % order.id,
                             data={'part_number': '04465-33471', 'quantity': '1', 'line': line.id})
    assert resp.status_code == 400 and 'This order is settled' in resp.get_data(as_text=True)
    assert StockMove.select().where(StockMove.kind == 'issue').count() == 0


def test_issue_by_scan_on_the_order_page(clerk_client, order, line, staff, shop):
    """Scanning a part number on the order's parts page issues it to the chosen job in one step."""
    pads = _stocked(shop, staff)
    page = clerk_client.get('/parts/orders/%d' % order.id).get_data(as_text=True)
    assert 'Scan or type the part number' in page and line.description in page
    resp = clerk_client.post('/parts/orders/%d/issue' % order.id,
                             data={'part_number': '04465-33471', 'quantity': '1', 'line': line.id, 'idem': 'a'})
    assert resp.status_code == 302
    again = clerk_client.post('/parts/orders/%d/issue' % order.id,
                              data={'part_number': '04465-33471', 'quantity': '1', 'line': line.id, 'idem': 'a'})
    assert again.status_code == 302 and level(pads).on_hand == 4      # a double tap issues once
    [part] = PartLine.select().where(PartLine.order == order)
    assert (part.quantity, part.unit_price, part.name) == (Decimal('1'), Decimal('680.00'), '前刹车片')
    for data, message in (({'part_number': 'NOPE', 'quantity': '1'}, 'Unknown part number'),
                          ({'part_number': '04465-33471', 'quantity': '-1'}, 'more than 0'),
                          ({'part_number': '04465-33471', 'quantity': 'abc'}, 'Not a valid decimal'),
                          ({'part_number': '04465-33471', 'quantity': '9'}, 'Only 4 of')):
        resp = clerk_client.post('/parts/orders/%d/issue' % order.id, data=dict(data, line=line.id))
        body = resp.get_data(as_text=True)
        assert resp.status_code == 400 and message in body, data
        assert 'value="%s"' % data['part_number'] in body       # what was typed is kept
    assert level(pads).on_hand == 4


def test_return_from_an_order_puts_it_back_at_its_cost(clerk_client, order, line, staff, shop):
    """Unused parts go back on the shelf at the cost they left at, and come off the customer's bill."""
    pads = _stocked(shop, staff, qty='4', cost='300')
    clerk_client.post('/parts/orders/%d/issue' % order.id,
                      data={'part_number': '04465-33471', 'quantity': '3', 'line': line.id})
    post(pads, StockMove.RECEIPT, 1, staff['parts'], unit_cost='400')        # average now (300 + 400) / 2
    issue = StockMove.get(StockMove.kind == 'issue')
    resp = clerk_client.post('/parts/moves/%d/return' % issue.id, data={'m%d-quantity' % issue.id: '2'})
    assert resp.status_code == 302
    back = StockMove.get(StockMove.kind == 'return')
    assert (back.quantity, back.value, back.issue_id) == (Decimal('2'), Decimal('600.00'), issue.id)
    assert PartLine.get(PartLine.order == order).quantity == Decimal('1')
    resp = clerk_client.post('/parts/moves/%d/return' % issue.id, data={'m%d-quantity' % issue.id: '2'})
    assert resp.status_code == 400 and 'More than was issued' in resp.get_data(as_text=True)
    clerk_client.post('/parts/moves/%d/return' % issue.id, data={'m%d-quantity' % issue.id: '1'})
    assert PartLine.select().where(PartLine.order == order).count() == 0 and level(pads).on_hand == 5


def test_old_part_decisions(clerk_client, order, line, staff, shop):
    """A part kept for the maker needs its tag; the monthly list shows only old parts still in the shop."""
    _stocked(shop, staff)
    clerk_client.post('/parts/orders/%d/issue' % order.id,
                      data={'part_number': '04465-33471', 'quantity': '1', 'line': line.id})
    old = OldPart.get()
    listing = clerk_client.get('/parts/old-parts').get_data(as_text=True)
    assert order.number in listing and '前刹车片' in listing
    resp = clerk_client.post('/parts/old-parts/%d' % old.id, data={'o%d-status' % old.id: 'kept'})
    assert resp.status_code == 400 and 'needs its tag number' in resp.get_data(as_text=True)
    resp = clerk_client.post('/parts/old-parts/%d' % old.id,
                             data={'o%d-status' % old.id: 'kept', 'o%d-tag_number' % old.id: 'W-0042'})
    assert resp.status_code == 302 and OldPart.get_by_id(old.id).tag_number == 'W-0042'
    assert 'W-0042' in clerk_client.get('/parts/old-parts').get_data(as_text=True)      # kept: still here
    clerk_client.post('/parts/old-parts/%d' % old.id, data={'o%d-status' % old.id: 'sent'})
    assert OldPart.get_by_id(old.id).status == 'sent'
    assert order.number not in clerk_client.get('/parts/old-parts').get_data(as_text=True)
    month = old.created_at.strftime('%Y-%m')
    assert clerk_client.get('/parts/old-parts?month=%s' % month).status_code == 200


def test_counter_shows_what_is_on_the_shelf(clerk_client, order, line, staff, shop):
    """The clerk sees at a glance whether the requested part is in stock and in which bin."""
    _stocked(shop, staff, qty='3')
    make_request(order, staff['technician'], line)
    make_request(order, staff['technician'], line, number='99999-00000', name='特殊件 Special part')
    body = clerk_client.get('/parts').get_data(as_text=True)
    assert '3 pc in stock · A-01-1' in body and 'not stocked' in body


def test_transfer_to_another_shop_moves_stock_and_value(shop, staff):
    """Parts lent to the sister shop leave here at average cost and arrive there at the same cost."""
    from app.core.db import transaction
    from app.parts import catalogue
    from tests import factories
    other = factories.make_shop('S2')
    here = _stocked(shop, staff, qty='4', cost='300')
    there = make_part(other)
    with transaction():
        out, into = catalogue.transfer(here, other.id, Decimal('3'), staff['parts'], reason='借调 loan')
    assert (out.quantity, out.value, into.quantity, into.value) == (Decimal('-3'), Decimal('-900.00'), Decimal('3'),
                                                                    Decimal('900.00'))
    assert (level(here).on_hand, level(there).on_hand, level(there).avg_cost) == (1, 3, Decimal('300.0000'))
