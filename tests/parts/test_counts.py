"""Stock counts: a sheet by bin, counted quantities, the gain/loss sheet, manager approval adjusting the ledger."""
from datetime import datetime
from decimal import Decimal

from app.parts import kpi
from app.parts.models import StockCount, StockCountLine, StockMove
from tests.helpers import HX, sign_in
from tests.parts.helpers import level, make_part, post

def _setup(shop, staff):
    pads = make_part(shop, bin='A-01-1')
    oil = make_part(shop, number='90915-YZZD2', name_zh='机油滤清器', bin='A-02-3', cost_price=Decimal('25.5'))
    plug = make_part(shop, number='90919-01253', name_zh='火花塞', bin='B-01-1')
    post(pads, 'receipt', 10, staff['parts'], unit_cost='300')
    post(oil, 'receipt', 40, staff['parts'], unit_cost='25.5')
    post(plug, 'receipt', 8, staff['parts'], unit_cost='60')
    return pads, oil, plug


def _enter(client, sheet, line, value, headers=None):
    return client.post('/parts/counts/%d/enter' % sheet.id, data={'line': line.id, 'counted': value},
                       headers=headers or {})


def test_count_sheet_by_bin_to_approval(client, shop, staff, make_user):
    """A count finds a missing set of pads and two extra filters; the ledger follows only after approval."""
    pads, oil, plug = _setup(shop, staff)
    make_user('mia', ['manager'], display_name='Mia Manager')
    sign_in(client, 'pat')
    resp = client.post('/parts/counts', data={'bins': 'A-'})
    sheet = StockCount.get()
    assert resp.status_code == 302 and sheet.status == 'open'
    lines = {ln.part_id: ln for ln in StockCountLine.select()}
    assert set(lines) == {pads.id, oil.id}                  # bin B is not on this sheet
    printed = client.get('/parts/counts/%d/print' % sheet.id).get_data(as_text=True)
    assert 'A-01-1' in printed and '04465-33471' in printed and '>10<' not in printed   # blind: no book qty
    resp = _enter(client, sheet, lines[pads.id], '9', headers=HX)
    assert resp.status_code == 200 and resp.get_data(as_text=True).lstrip().startswith('<li id="cl-%d"' % lines[pads.id].id)
    resp = _enter(client, sheet, lines[oil.id], '-2', headers=HX)
    assert resp.status_code == 400 and 'cannot be negative' in resp.get_data(as_text=True)
    assert client.post('/parts/counts/%d/submit' % sheet.id).status_code == 400      # a line is not counted
    _enter(client, sheet, lines[oil.id], '42')
    post(pads, 'issue', -1, staff['parts'])                  # movement during the count does not disturb it
    assert client.post('/parts/counts/%d/submit' % sheet.id, data={'idem': 's'}).status_code == 302
    page = client.get('/parts/counts/%d' % sheet.id).get_data(as_text=True)
    assert 'Gain/loss sheet' in page and '¥300.00' in page and '¥51.00' in page and '8.73%' in page
    assert 'Approve' not in page and level(pads).on_hand == 9          # the clerk cannot approve
    assert client.post('/parts/counts/%d/approve' % sheet.id).status_code == 403
    sign_in(client, 'mia')
    for _ in range(2):                                                  # a retried approval posts once
        assert client.post('/parts/counts/%d/approve' % sheet.id, data={'idem': 'a'}).status_code == 302
    moves = list(StockMove.select().where(StockMove.kind == 'count').order_by(StockMove.id))
    assert [(m.part_id, m.quantity) for m in moves] == [(pads.id, Decimal('-1')), (oil.id, Decimal('2'))]
    assert (level(pads).on_hand, level(oil).on_hand) == (Decimal('8'), Decimal('42'))
    sheet = StockCount.get_by_id(sheet.id)
    assert sheet.status == 'approved'
    # not approved_at.replace(year=2100): on 29 February that day does not exist in 2100 (found by the date run)
    variance, book = kpi.stock_variance([shop.id], sheet.approved_at, datetime(2100, 1, 1))
    assert (variance, book) == (Decimal('351.00'), Decimal('4020.00'))
    assert client.post('/parts/counts/%d/approve' % sheet.id, data={'idem': 'b'}).status_code == 400


def test_counting_on_a_closed_sheet_and_empty_bins_are_refused(clerk_client, shop, staff):
    """A late entry on an approved sheet would never reach the ledger; a sheet with no parts is a typo."""
    _setup(shop, staff)
    resp = clerk_client.post('/parts/counts', data={'bins': 'Z-'})
    assert resp.status_code == 400 and 'No parts are kept in these bins' in resp.get_data(as_text=True)
    clerk_client.post('/parts/counts', data={'bins': 'B-'})
    sheet = StockCount.get()
    [line] = StockCountLine.select()
    clerk_client.post('/parts/counts/%d/cancel' % sheet.id)
    resp = _enter(clerk_client, sheet, line, '8')
    assert resp.status_code == 400 and 'no longer open' in resp.get_data(as_text=True)
    assert StockCountLine.get_by_id(line.id).counted_qty is None
