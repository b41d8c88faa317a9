"""The stock ledger: moving average cost, on hand and value derived from the rows, append-only, reversals."""
import threading
from decimal import Decimal

import pytest

from app.core.db import db, transaction
from app.parts import stock
from app.parts.models import LedgerWriteError, StockLevel, StockMove
from tests.parts.helpers import level, make_part, post


def test_moving_average_cost_through_receipts_and_issues(shop, staff):
    """Stock value and average cost must follow the moving average exactly, or the books and margins are off."""
    pads = make_part(shop)
    user = staff['parts']
    post(pads, StockMove.RECEIPT, 10, user, unit_cost='300')
    post(pads, StockMove.RECEIPT, 5, user, unit_cost='330')           # (3000 + 1650) / 15 = 310
    lv = level(pads)
    assert (lv.on_hand, lv.value, lv.avg_cost) == (Decimal('15'), Decimal('4650.00'), Decimal('310.0000'))
    issue = post(pads, StockMove.ISSUE, -4, user)
    assert (issue.unit_cost, issue.value, issue.on_hand_after) == (Decimal('310.0000'), Decimal('-1240.00'), Decimal('11'))
    post(pads, StockMove.RECEIPT, 3, user, unit_cost='299.99')         # (3410 + 899.97) / 14
    lv = level(pads)
    assert (lv.on_hand, lv.value, lv.avg_cost) == (Decimal('14'), Decimal('4309.97'), Decimal('307.8550'))
    post(pads, StockMove.ISSUE, -14, user)                              # all of it: all of the value, no residue
    lv = level(pads)
    assert (lv.on_hand, lv.value) == (Decimal('0'), Decimal('0'))
    moves = list(StockMove.select().where(StockMove.part == pads).order_by(StockMove.id))
    assert sum(m.quantity for m in moves) == 0 and sum(m.value for m in moves) == 0


def test_stock_never_goes_negative_without_a_manager_override(shop, staff):
    """Issuing what is not on the shelf would hide a loss; only a recorded override allows it."""
    pads = make_part(shop)
    post(pads, StockMove.RECEIPT, 1, staff['parts'], unit_cost='300')
    with pytest.raises(stock.OutOfStock) as refused:
        post(pads, StockMove.ISSUE, -2, staff['parts'])
    assert 'Only 1 of 04465-33471 in stock' in str(refused.value.message)
    assert level(pads).on_hand == 1 and StockMove.select().count() == 1
    move = post(pads, StockMove.ISSUE, -2, staff['parts'], allow_negative=True)
    assert move.override and level(pads).on_hand == -1


def test_zero_and_negative_receipts_are_refused(shop, staff):
    """A receipt of nothing (or a negative cost) would corrupt the average."""
    pads = make_part(shop)
    with pytest.raises(stock.StockError):
        post(pads, StockMove.RECEIPT, 0, staff['parts'], unit_cost='300')
    with pytest.raises(stock.StockError):
        post(pads, StockMove.RECEIPT, 1, staff['parts'], unit_cost='-1')
    assert StockMove.select().count() == 0


def test_ledger_rows_cannot_be_edited_or_deleted(shop, staff, integrity_errors):
    """The ledger is the record: a row changed after the fact would make the stock history a lie."""
    pads = make_part(shop)
    move = post(pads, StockMove.RECEIPT, 2, staff['parts'], unit_cost='300')
    move.quantity = Decimal('20')
    with pytest.raises(LedgerWriteError):
        move.save()
    with pytest.raises(LedgerWriteError):
        move.delete_instance()
    for sql in ('UPDATE stock_move SET quantity = 20', 'DELETE FROM stock_move'):
        with pytest.raises(integrity_errors):
            with db.atomic():
                db.execute_sql(sql)
    assert StockMove.get_by_id(move.id).quantity == 2


def test_reversal_is_a_new_opposite_row_and_only_once(shop, staff):
    """A wrong receipt is corrected by a visible reversal, never by changing it, and cannot be undone twice."""
    pads = make_part(shop)
    post(pads, StockMove.RECEIPT, 10, staff['parts'], unit_cost='300')
    wrong = post(pads, StockMove.RECEIPT, 10, staff['parts'], unit_cost='360')
    with transaction():
        back = stock.reverse(wrong, by=staff['parts'], reason='typed twice')
    assert (back.quantity, back.value, back.reverses_id) == (Decimal('-10'), Decimal('-3600.00'), wrong.id)
    lv = level(pads)
    assert (lv.on_hand, lv.value, lv.avg_cost) == (Decimal('10'), Decimal('3000.00'), Decimal('300.0000'))
    with pytest.raises(stock.StockError):
        with transaction():
            stock.reverse(wrong, by=staff['parts'], reason='again')
    with pytest.raises(stock.StockError):
        with transaction():
            stock.reverse(back, by=staff['parts'], reason='undo the undo')


def test_two_clerks_taking_the_last_unit_at_once(app, shop, staff):
    """Two issues of the last unit at the same moment: exactly one succeeds, stock stays at zero."""
    pads = make_part(shop)
    post(pads, StockMove.RECEIPT, 1, staff['parts'], unit_cost='300')
    results, barrier = [], threading.Barrier(2)

    def take():
        with app.app_context():
            db.connect(reuse_if_open=True)
            barrier.wait()
            try:
                with transaction():
                    stock.post(pads, StockMove.ISSUE, Decimal('-1'), by=staff['parts'])
                results.append('ok')
            except stock.StockError:
                results.append('refused')
            finally:
                db.close()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ['ok', 'refused']
    assert level(pads).on_hand == 0 and StockMove.select().where(StockMove.kind == 'issue').count() == 1


def test_stock_level_matches_the_ledger(shop, staff, order):
    """The cached on-hand and value must equal what the ledger rows add up to."""
    pads = make_part(shop)
    user = staff['parts']
    for kind, qty, cost in [('receipt', 7, '101.10'), ('issue', -2, None), ('adjustment', 1, None),
                            ('receipt', 3, '99.90'), ('count', -1, None), ('issue', -5, None)]:
        post(pads, kind, qty, user, unit_cost=cost)
    moves = list(StockMove.select().where(StockMove.part == pads))
    lv = StockLevel.get_by_id(pads.id)
    assert lv.on_hand == sum(m.quantity for m in moves) == Decimal('3')
    assert lv.value == sum(m.value for m in moves) == moves[-1].value_after
