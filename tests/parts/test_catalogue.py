"""The catalogue: search as you type, the part page with its ledger, the stock-on-hand page, editing, reports."""
from decimal import Decimal

from app.core.models import Event
from app.parts.models import Part, StockMove
from tests import factories
from tests.helpers import HX, sign_in
from tests.parts.helpers import level, make_part, post

def test_search_by_number_prefix_or_name(clerk_client, shop, staff):
    """The clerk finds a part by the first digits of its number, a scan, or a word of its name."""
    make_part(shop)
    make_part(shop, number='90915-YZZD2', name_zh='机油滤清器', name_en='Oil filter')
    other = factories.make_shop('S2')
    make_part(other, number='90915-OTHER', name_zh='机油滤清器 B店')
    body = clerk_client.get('/parts/catalogue?q=90915').get_data(as_text=True)
    assert '90915-YZZD2' in body and '04465' not in body and 'OTHER' not in body and '<html' in body
    resp = clerk_client.get('/parts/catalogue?q=滤清', headers=HX)
    body = resp.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="part-results"') and '90915-YZZD2' in body and '04465' not in body
    assert resp.headers['Vary'] and 'HX-Request' in resp.headers['Vary']
    assert '90915-YZZD2' in clerk_client.get('/parts/catalogue?q=oil').get_data(as_text=True)
    assert '04465-33471' in clerk_client.get('/parts/catalogue?q=04465-33471').get_data(as_text=True)
    assert 'No part matches' in clerk_client.get('/parts/catalogue?q=zzz%25').get_data(as_text=True)


def test_new_part_validation_keeps_what_was_typed(clerk_client, shop, staff):
    """A duplicate number or a bad price is shown on its field, nothing else lost."""
    make_part(shop)
    data = {'number': '04465-33471', 'name_zh': '前刹车片二', 'unit': 'set', 'origin': 'oem', 'supplier': '0',
            'cost_price': '300', 'sell_price': '680', 'min_qty': '2', 'max_qty': '10', 'active': 'y'}
    resp = clerk_client.post('/parts/catalogue/new', data=data)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'already in the catalogue' in body and '前刹车片二' in body
    resp = clerk_client.post('/parts/catalogue/new', data=dict(data, number='04465-YZZR5', sell_price='abc'))
    assert resp.status_code == 400 and 'value="abc"' in resp.get_data(as_text=True)
    resp = clerk_client.post('/parts/catalogue/new', data=dict(data, number='04465-yzzr5', max_qty='1'))
    assert resp.status_code == 400 and 'maximum cannot be below' in resp.get_data(as_text=True)
    resp = clerk_client.post('/parts/catalogue/new', data=dict(data, number='04465-yzzr5'))
    assert resp.status_code == 302
    part = Part.get(Part.number == '04465-YZZR5')
    assert (part.unit, part.sell_price, part.min_qty) == ('set', Decimal('680.00'), Decimal('2'))
    assert Event.select().where(Event.action == 'parts.part_created').count() == 1


def test_editing_a_part_never_touches_its_stock(clerk_client, shop, staff):
    """Stock only moves through the ledger: a form cannot set it."""
    pads = make_part(shop)
    post(pads, StockMove.RECEIPT, 3, staff['parts'], unit_cost='300')
    form = clerk_client.get('/parts/catalogue/%d/edit' % pads.id).get_data(as_text=True)
    assert 'on_hand' not in form
    resp = clerk_client.post('/parts/catalogue/%d/edit' % pads.id, data={
        'number': pads.number, 'name_zh': '前刹车片', 'unit': 'set', 'origin': 'aftermarket', 'supplier': '0',
        'cost_price': '290', 'sell_price': '700', 'min_qty': '1', 'max_qty': '6', 'bin': 'A-02-1', 'on_hand': '99'})
    assert resp.status_code == 302
    part = Part.get_by_id(pads.id)
    assert (part.bin, part.origin, part.sell_price, level(pads).on_hand) == ('A-02-1', 'aftermarket', 700, 3)


def test_part_page_shows_the_ledger_and_adjusts_with_a_reason(clerk_client, shop, staff, make_user, client):
    """Every movement is on the part's page; an adjustment needs a reason; only a manager reverses."""
    pads = make_part(shop)
    post(pads, StockMove.RECEIPT, 3, staff['parts'], unit_cost='300')
    resp = clerk_client.post('/parts/catalogue/%d/adjust' % pads.id, data={'quantity': '-1', 'reason': ''})
    assert resp.status_code == 400 and 'Say why' in resp.get_data(as_text=True)
    resp = clerk_client.post('/parts/catalogue/%d/adjust' % pads.id, data={'quantity': '-5', 'reason': '摔坏'})
    assert resp.status_code == 400 and 'Only 3 of' in resp.get_data(as_text=True)
    clerk_client.post('/parts/catalogue/%d/adjust' % pads.id, data={'quantity': '-1', 'reason': '摔坏 dropped'})
    page = clerk_client.get('/parts/catalogue/%d' % pads.id).get_data(as_text=True)
    assert 'dropped' in page and 'Receipt' in page and 'Adjustment' in page and '¥600.00' in page
    assert '/reverse' not in page
    move = StockMove.get(StockMove.kind == 'adjustment')
    assert clerk_client.post('/parts/moves/%d/reverse' % move.id, data={'reason': 'x'}).status_code == 403
    make_user('mia', ['manager'])
    sign_in(client, 'mia')
    assert client.post('/parts/moves/%d/reverse' % move.id, data={'reason': '找到了 found it'}).status_code == 302
    assert level(pads).on_hand == 3 and StockMove.select().count() == 3
    fragment = client.get('/parts/catalogue/%d?page=1' % pads.id, headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="part-ledger"') and 'found it' in fragment


def test_stock_page_by_bin_and_below_minimum(clerk_client, shop, staff):
    """The stock list shows quantities and value by bin and finds what is below its minimum."""
    pads = make_part(shop, bin='A-01-1', min_qty=Decimal('4'))
    oil = make_part(shop, number='90915-YZZD2', name_zh='机油滤清器', bin='B-02-1')
    post(pads, StockMove.RECEIPT, 3, staff['parts'], unit_cost='300')
    post(oil, StockMove.RECEIPT, 10, staff['parts'], unit_cost='25.5')
    body = clerk_client.get('/parts/stock').get_data(as_text=True)
    assert '¥1,155.00' in body and body.index('A-01-1') < body.index('B-02-1')
    body = clerk_client.get('/parts/stock?bin=B', headers=HX).get_data(as_text=True)
    assert body.lstrip().startswith('<div id="stock-rows"') and '90915-YZZD2' in body and '04465' not in body
    body = clerk_client.get('/parts/stock?only=below_min').get_data(as_text=True)
    assert '04465-33471' in body and '90915-YZZD2' not in body


def test_reports_page_shows_each_figure_against_its_target(clerk_client, shop, staff):
    """The monthly parts report must render every KPI with its target, even with no data yet."""
    body = clerk_client.get('/parts/reports?month=2026-03').get_data(as_text=True)
    for text in ('Fill rate', 'Stock accuracy', 'Turnover', 'Slow-moving', 'target', '2026-03'):
        assert text in body
    assert clerk_client.get('/parts/reports?month=nonsense').status_code == 200
