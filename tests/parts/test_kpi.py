"""The parts figures the KPI dashboard reads: fill rate, stock variance from counts, parts cost."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.core.periods import Buckets
from app.parts import kpi
from app.parts.models import StockCount, StockCountLine, StockMove
from app.workshop.models import PartsRequest
from tests import factories
from tests.parts.helpers import make_part, make_request, post

START, END = datetime(2026, 3, 1), datetime(2026, 4, 1)


def _req(order, staff, line, at, status, expected=False):
    req = make_request(order, staff['technician'], line)
    PartsRequest.update(requested_at=at, status=status,
                        expected_at=at + timedelta(days=1) if expected else None).where(
        PartsRequest.id == req.id).execute()
    return req


def test_fill_rate_counts_answered_requests_served_at_once(order, line, staff, shop):
    """The parts clerk's fill rate would be wrong if waits, cancellations or other months were counted."""
    inside = START + timedelta(days=3)
    served = [_req(order, staff, line, inside, 'issued'), _req(order, staff, line, inside, 'substituted'),
              _req(order, staff, line, START, 'issued')]
    waited = [_req(order, staff, line, inside, 'issued', expected=True),       # backordered, then issued
              _req(order, staff, line, END - timedelta(seconds=1), 'backordered', expected=True)]
    _req(order, staff, line, inside, 'cancelled')                                # not counted
    _req(order, staff, line, inside, 'requested')                                # not answered yet
    _req(order, staff, line, END, 'issued')                                      # next month
    _req(order, staff, line, START - timedelta(seconds=1), 'issued')             # last month
    other = factories.make_shop('S2')
    assert kpi.fill_rate([shop.id], START, END) == (3, 5)
    assert sorted(r.id for r in kpi.fill_rate_rows([shop.id], START, END)) == sorted(r.id for r in served + waited)
    assert kpi.fill_rate([other.id], START, END) == (0, 0)
    assert kpi.fill_rate([shop.id, other.id], START, END) == (3, 5)


def _sheet(shop, user, approved_at, lines, status=StockCount.APPROVED, number='SC-1'):
    sheet = StockCount.create(shop=shop, number=number, created_by=user, status=status, approved_at=approved_at,
                              approved_by=user.id if approved_at else None)
    for part, book, counted, unit in lines:
        StockCountLine.create(sheet=sheet, part=part, bin=part.bin, book_qty=Decimal(book), unit_cost=Decimal(unit),
                              counted_qty=None if counted is None else Decimal(counted))
    return sheet


def test_stock_variance_sums_gains_and_losses_as_absolute_value(shop, staff):
    """A gain hiding a loss would make the count look perfect; only approved sheets of the period count."""
    pads = make_part(shop)
    oil = make_part(shop, number='90915-YZZD2', name_zh='机油滤清器')
    user = staff['parts']
    _sheet(shop, user, START + timedelta(days=10), [(pads, '10', '9', '300.0000'),       # loss 300
                                                   (oil, '40', '42', '25.5000'),        # gain 51
                                                   (oil, '5', None, '25.5000')])        # not counted: ignored
    _sheet(shop, user, END, [(pads, '10', '0', '300')], number='SC-2')                  # next month
    _sheet(shop, user, None, [(pads, '10', '0', '300')], status=StockCount.SUBMITTED, number='SC-3')
    assert kpi.stock_variance([shop.id], START, END) == (Decimal('351.00'), Decimal('4020.00'))
    rows = list(kpi.stock_variance_rows([shop.id], START, END))
    assert len(rows) == 2 and rows[0].sheet.number == 'SC-1'
    assert kpi.stock_variance([shop.id], END, END + timedelta(days=1)) == (Decimal('3000.00'), Decimal('3000.00'))


def test_parts_cost_is_issues_minus_returns_at_cost(shop, staff, order):
    """Parts cost on the dashboard must be what left the shelf at its average cost, net of returns."""
    pads = make_part(shop)
    user = staff['parts']
    inside = START + timedelta(days=2)
    post(pads, StockMove.RECEIPT, 10, user, unit_cost='300', at=START - timedelta(days=1))
    post(pads, StockMove.RECEIPT, 10, user, unit_cost='320', at=inside)            # average 310
    post(pads, StockMove.ISSUE, -3, user, at=inside, order=order.id)                # 930
    post(pads, StockMove.RETURN, 1, user, unit_cost='310', at=inside, order=order.id)   # -310
    post(pads, StockMove.ADJUSTMENT, -1, user, at=inside)                          # not a parts cost
    post(pads, StockMove.ISSUE, -2, user, at=END, order=order.id)                   # next month
    assert kpi.parts_cost([shop.id], START, END) == Decimal('620.00')
    assert kpi.parts_cost([shop.id], END - timedelta(days=40), START) == Decimal('0.00')
    assert str(kpi.parts_cost([factories.make_shop('S2').id], START, END)) == '0.00'


def test_the_figures_of_a_kpi_periods_buckets_are_each_buckets_own(shop, staff, order, line):
    """The dashboard reads every bucket of a year at once: a request, a count or an issue at a bucket's edge, or a
    shop in another time zone, would land in the neighbouring month."""
    berlin = factories.make_shop('S2', timezone='Europe/Berlin')
    user = staff['parts']
    edge = Buckets.make([shop], date(2026, 3, 1), date(2026, 4, 1)).bounds[shop.timezone][0]     # 1 March, local
    for at, status, expected in ((edge, 'issued', False), (edge - timedelta(seconds=1), 'issued', False),
                                 (edge + timedelta(days=3), 'issued', True), (edge + timedelta(days=40), 'issued', False),
                                 (edge + timedelta(days=5), 'backordered', True), (edge, 'cancelled', False)):
        _req(order, staff, line, at, status, expected)
    for s, number in ((shop, 'SC-1'), (berlin, 'SC-B')):
        pads = make_part(s)
        _sheet(s, user, edge + timedelta(hours=2), [(pads, '10', '9', '300.0000')], number=number)
        post(pads, StockMove.RECEIPT, 10, user, unit_cost='300', at=edge - timedelta(days=3))
        post(pads, StockMove.ISSUE, -3, user, at=edge - timedelta(hours=1), order=order.id if s == shop else None)
        post(pads, StockMove.ISSUE, -2, user, at=edge + timedelta(hours=1), order=order.id if s == shop else None)
        post(pads, StockMove.RETURN, 1, user, unit_cost='300', at=edge + timedelta(days=35),
             order=order.id if s == shop else None)
    shops = [shop, berlin]
    b = Buckets.make(shops, date(2026, 2, 1), date(2026, 6, 1), 'month')
    expected = {}
    for tz, ids in b.zones.items():
        for k in range(len(b)):
            lo, hi = b.utc_range(tz, k)
            d = expected.setdefault(k, {'served': 0, 'requests': 0, 'variance': Decimal('0'), 'book': Decimal('0'),
                                        'parts_cost': Decimal('0')})
            served, requests = kpi.fill_rate(ids, lo, hi)
            variance, book = kpi.stock_variance(ids, lo, hi)
            d.update(served=d['served'] + served, requests=d['requests'] + requests, variance=d['variance'] + variance,
                     book=d['book'] + book, parts_cost=d['parts_cost'] + kpi.parts_cost(ids, lo, hi))
    got = kpi.by_bucket(b)
    assert got == expected
    assert got[1]['requests'] == 3 and got[1]['served'] == 1 and got[0]['requests'] == 1
    # Berlin's 1 March (Shanghai) 02:00 is still 28 February there
    assert got[0]['book'] == got[1]['book'] == Decimal('3000.00')
    assert (got[0]['parts_cost'], got[1]['parts_cost']) == (Decimal('2400.00'), Decimal('600.00'))
