"""One rule, one place: what customers owe is the same number on the dashboard, its drill-down, the business report,
the receivables list and the spreadsheet, to the cent, through discounts, a credit note on a paid bill, warranty and
insurance shares and a write-off."""
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest

from app.core.money import format_money
from app.core.timeutil import shop_today
from app.kpi import engine as figures
from app.reports.business import business_report
from app.core.periods import MONTH, period_of
from app.settlement import queries, rules
from app.settlement.models import Settlement
from app.settlement.totals import order_money
from tests.helpers import signed_in as login
from tests.settlement.helpers import build_order


def _settle(order, by, *, payers=None, discount=None):
    if payers:
        rules.set_payers(order, by, payers=payers, version=0)
    if discount:
        s = Settlement.get_or_none(Settlement.order == order)
        rules.add_discount(order, by, kind='amount', value=discount, reason='老客户', version=s.version if s else 0)
    s = Settlement.get_or_none(Settlement.order == order)
    return rules.settle(order, by, version=s.version if s else 0)


def _pay(order, by, amount=None):
    s = Settlement.get(Settlement.order == order)
    amount = order_money(order).balance if amount is None else Decimal(amount)
    rules.record_payment(order, by, method='mobile', amount=amount, version=s.version)


@pytest.fixture
def month(shop, advisor, manager):
    """Five bills this month: paid with a discount; warranty share, part paid; insurance share, paid then credited
    (a refund is due); unpaid then written off; part paid."""
    orders = [build_order(shop, advisor) for _ in range(5)]
    (a, _, _), (b, b_maint, _), (c, _, c_brakes), (d, _, _), (e, _, _) = orders
    _settle(a, advisor, discount='50')
    _pay(a, advisor)
    _settle(b, advisor, payers={'line:%d' % b_maint.id: 'warranty'})
    _pay(b, advisor, '300.00')
    _settle(c, advisor, payers={'line:%d' % c_brakes.id: 'insurance'})
    _pay(c, advisor)
    s = Settlement.get(Settlement.order == c)
    rules.issue_credit_note(c, manager, reason='Oil charged twice', amount='420', version=s.version)
    _settle(d, advisor)
    s = Settlement.get(Settlement.order == d)
    rules.write_off(d, manager, reason='Company closed down', version=s.version)
    _settle(e, advisor)
    _pay(e, advisor, '1000.00')
    return {'a': a, 'b': b, 'c': c, 'd': d, 'e': e}


def test_receivables_agree_to_the_cent_everywhere(app, shop, manager, month):
    """The manager would see one amount owed on the dashboard and another on its own drill-down or the report."""
    owed = {k: order_money(o).balance for k, o in month.items()}
    assert owed['a'] == 0 and owed['d'] == 0 and owed['c'] < 0              # paid; written off; refund due
    expected = owed['b'] + owed['e']
    assert expected > 0

    today = shop_today(shop)
    start, end = today.replace(day=1), today + timedelta(days=1)
    dashboard = figures.series([shop.id], start, end, 'week', ['receivables'])['receivables'][0]
    drill = figures.drill([shop.id], 'receivables', start, end)
    report = business_report(shop, period_of(MONTH, today, shop.timezone))
    listed = queries.customer_receivables(shop)
    assert dashboard.value == expected                                        # not lowered by c's refund
    assert sum(r.amount for r in drill) == expected
    assert {r.order_id for r in drill} == {month['b'].id, month['e'].id}
    assert (report.receivable, report.receivable_count) == (expected, 2)
    assert sum(r.balance for r in listed) == expected and len(listed) == 2

    client = login(app, 'max')
    page = client.get('/kpi/?start=%s&last=%s' % (start, today)).get_data(as_text=True)
    assert format_money(expected) in page
    page = client.get('/receivables').get_data(as_text=True)
    assert format_money(expected) in page
    xlsx = client.get('/reports/business/export?period=month&at=%s&fmt=xlsx' % today.strftime('%Y-%m'))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    cells = {row[0].value: row[1].value for row in book.worksheets[0].iter_rows(min_row=2)}
    receivable_cell = next(v for k, v in cells.items() if 'receivable' in str(k).lower())
    assert Decimal(str(receivable_cell)).quantize(Decimal('0.01')) == expected
    # the revenue too: the dashboard's labour and parts are the report's and the spreadsheet's
    money_figs = figures.compute([shop.id], start, end, ['labour_revenue', 'parts_revenue'])
    assert money_figs['labour_revenue'].value == report.revenue['labour']
    assert money_figs['parts_revenue'].value == report.revenue['parts']


def test_the_trend_is_the_rule_at_each_week_end(app, shop, manager, month):
    """Every point of the receivables trend must be what the list would have shown at that moment."""
    from app.core.periods import Buckets
    from app.settlement.receivables import owed_at, owed_by_bucket
    today = shop_today(shop)
    b = Buckets.make([shop], today - timedelta(days=21), today + timedelta(days=8), 'week')
    series = owed_by_bucket(b)
    for k, value in enumerate(series):
        assert value == owed_at([shop.id], b.bound(shop.id, k + 1))[0]
    assert series[-1] == order_money(month['b']).balance + order_money(month['e']).balance


def test_the_trend_is_the_rule_at_each_bucket_end_with_movements_across_them(app, shop, advisor, manager, month):
    """Bills settled in one week, paid in part the next, credited or written off later still (one on a week's very
    first instant): every point of the trend must be what the list would have shown at that moment."""
    from app.core.periods import Buckets
    from app.settlement.models import CreditNote, Payment
    from app.settlement.receivables import owed_at, owed_by_bucket
    today = shop_today(shop)
    b = Buckets.make([shop], today - timedelta(days=35), today + timedelta(days=1), 'week')
    ends = [b.bound(shop.id, k) for k in range(len(b) + 1)]
    _pay(month['e'], advisor, '200.00')                                      # e: a second part payment
    bill = {k: Settlement.get(Settlement.order == o) for k, o in month.items()}
    hour = timedelta(hours=1)

    def moved(key, **times):
        Settlement.update(**times).where(Settlement.id == bill[key].id).execute()

    def paid(key, *times):
        pays = list(Payment.select().where(Payment.settlement == bill[key]).order_by(Payment.id))
        assert len(pays) == len(times)
        for p, at in zip(pays, times):
            Payment.update(paid_at=at).where(Payment.id == p.id).execute()
    moved('b', settled_at=ends[0] - 48 * hour)                              # before the period, part paid in week 1
    paid('b', ends[1] + 3 * hour)
    moved('c', settled_at=ends[0] + hour)                                   # paid at once, credited at week 2's start
    paid('c', ends[0] + 2 * hour)
    CreditNote.update(created_at=ends[2]).where(CreditNote.settlement == bill['c']).execute()
    moved('d', settled_at=ends[1] + hour, written_off_at=ends[3])            # written off on week 3's first instant
    moved('e', settled_at=ends[1] + 2 * hour)                               # paid in part across two week ends
    paid('e', ends[2] - timedelta(seconds=1), ends[3] + 5 * hour)
    moved('a', settled_at=ends[2] + hour)
    paid('a', ends[2] + 2 * hour)

    series = owed_by_bucket(b)
    assert series == [owed_at([shop.id], end)[0] for end in ends[1:]]
    assert len(set(series)) == 3                                            # the movements fall in different weeks
    assert series[2] - series[3] == bill['d'].customer_total + Decimal('200.00')        # d written off, e paid
    assert owed_by_bucket(b, advisor.id) == [owed_at([shop.id], end, advisor.id)[0] for end in ends[1:]]
