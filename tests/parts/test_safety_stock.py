"""The shop's safety stock (004 "控制安全库存(当月出库金额的1.5倍)"): a stock value of 1.5 x last month's outflow
value, against the stock value, on the stock page and the manager's dashboard; per-part reorder levels are the
shop's own rule, labelled so."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.models import Setting
from app.parts import purchasing, reports
from tests.helpers import sign_in
from tests.parts.helpers import make_part, post


@pytest.fixture
def people(make_user):
    return {'parts': make_user('pam', ['parts']), 'manager': make_user('max', ['manager'])}


@pytest.fixture
def ledger(shop, people):
    """10 received at ¥300 early last month, 3 issued to orders later in it: outflow ¥900, stock ¥2,100."""
    start, _end = purchasing.last_month(shop)
    part = make_part(shop)
    post(part, 'receipt', 10, people['parts'], unit_cost='300', at=start + timedelta(hours=1))
    post(part, 'issue', -3, people['parts'], at=start + timedelta(days=2))
    return part


def test_safety_stock_is_a_value_of_one_and_a_half_months_outflow(shop, ledger):
    """Safety stock counted per part in units would not be the rulebook's figure for the shop's stock value."""
    ss = reports.safety_stock(shop)
    assert (ss['outflow_value'], ss['target'], ss['stock_value']) == (
        Decimal('900.00'), Decimal('1350.00'), Decimal('2100.00'))
    assert ss['gap'] == Decimal('750.00') and not ss['below'] and ss['cover'] == Decimal('2.3')


def test_stock_page_and_dashboard_show_the_safety_stock(client, shop, people, ledger):
    """The parts clerk and the manager would not see the stock value against 1.5 x last month's outflow value."""
    sign_in(client, people['parts'])
    html = client.get('/parts/stock').get_data(as_text=True)
    assert 'data-testid="safety-stock"' in html
    assert '¥900.00' in html and '¥1,350.00' in html and '¥2,100.00' in html
    sign_in(client, people['manager'])
    html = client.get('/kpi/').get_data(as_text=True)
    assert 'data-testid="safety-stock"' in html and '¥1,350.00' in html


def test_a_shop_below_its_safety_stock_is_told_how_far(client, shop, people, ledger):
    """Stock below the safety value would look as healthy as stock above it."""
    Setting.create(shop=shop, key='safety_stock_factor', value='3')
    sign_in(client, people['parts'])
    html = client.get('/parts/stock').get_data(as_text=True)
    assert '¥2,700.00' in html and '¥600.00' in html and 'ac-overdue' in html


def test_reorder_levels_per_part_are_the_shops_own_factor(client, shop, people, ledger):
    """The per-part reorder list would still call itself the rulebook's safety stock and ignore the shop's factor."""
    Setting.create(shop=shop, key='reorder_cover_factor', value='4')
    rows = purchasing.below_safety(shop)
    assert [(r['part'].id, r['safety']) for r in rows] == [(ledger.id, Decimal('12'))]   # 4 x 3 issued > 7 on hand
    sign_in(client, people['parts'])
    html = client.get('/parts/replenish').get_data(as_text=True)
    assert 'data-testid="reorder-rule"' in html
