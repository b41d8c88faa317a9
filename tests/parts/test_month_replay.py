"""A month of parts movements replayed, and every figure checked by hand: on hand, value (moving average),
turnover, fill rate, slow-moving stock."""
from datetime import datetime
from decimal import Decimal

from app.parts import kpi, reports
from app.parts.models import StockMove
from app.workshop.models import PartsRequest
from tests.parts.helpers import level, make_part, make_request, post

MARCH, APRIL = datetime(2026, 3, 1), datetime(2026, 4, 1)


def _day(month_day, hour=10, month=3, year=2026):
    return datetime(year, month, month_day, hour)


def test_a_month_replayed(shop, staff, order, line):
    """If any figure here is off, the parts clerk's monthly report and the KPI dashboard are wrong."""
    user = staff['parts']
    pads = make_part(shop, bin='A-01-1')
    oil = make_part(shop, number='90915-YZZD2', name_zh='机油滤清器', bin='A-02-1')
    plug = make_part(shop, number='90919-01253', name_zh='火花塞', bin='B-01-1')
    horn = make_part(shop, number='86510-06080', name_zh='喇叭', bin='C-09-1')
    # before the month
    post(horn, 'receipt', 2, user, unit_cost='150', at=datetime(2025, 1, 10))
    post(plug, 'receipt', 10, user, unit_cost='60', at=datetime(2025, 6, 1))
    post(pads, 'receipt', 10, user, unit_cost='300', at=datetime(2026, 2, 1))
    post(oil, 'receipt', 50, user, unit_cost='25.50', at=datetime(2026, 2, 1))
    # the month, in order
    ro = dict(order=order.id)
    post(oil, 'issue', -20, user, at=_day(2), **ro)                        # -510
    post(pads, 'receipt', 10, user, unit_cost='320', at=_day(3))            # 20 @ 310
    post(pads, 'issue', -4, user, at=_day(5), **ro)                         # -1240
    post(pads, 'issue', -6, user, at=_day(10), **ro)                        # -1860
    post(pads, 'return', 1, user, unit_cost='310', at=_day(12), **ro)       # +310
    post(oil, 'issue', -10, user, at=_day(15), **ro)                        # -255
    post(pads, 'receipt', 5, user, unit_cost='330', at=_day(20))            # 16 @ 316.25
    post(pads, 'issue', -8, user, at=_day(25), **ro)                        # -2530
    post(oil, 'adjustment', -1, user, at=_day(28), reason='dropped')        # a loss, not a parts cost
    # on hand and value, and the ledger adds up to them
    assert (level(pads).on_hand, level(pads).value, level(pads).avg_cost) == (8, Decimal('2530.00'), Decimal('316.2500'))
    assert (level(oil).on_hand, level(oil).value, level(oil).avg_cost) == (19, Decimal('484.50'), Decimal('25.5000'))
    for part in (pads, oil, plug, horn):
        moves = list(StockMove.select().where(StockMove.part == part))
        assert sum(m.quantity for m in moves) == level(part).on_hand
        assert sum(m.value for m in moves) == level(part).value
    # values at the month's ends, parts cost, turnover
    assert reports.stock_value(shop, MARCH) == Decimal('5175.00')
    assert reports.stock_value(shop, APRIL) == Decimal('3914.50') == reports.stock_value(shop)
    assert kpi.parts_cost([shop.id], MARCH, APRIL) == Decimal('6085.00')
    t = reports.turnover(shop, MARCH, APRIL)
    assert (t['average'], t['per_year']) == (Decimal('4544.75'), Decimal('15.76'))
    # fill rate: 3 issued at once, 1 substituted at once, 1 issued after a backorder, 1 cancelled (not counted)
    for status, waited in (('issued', False), ('issued', False), ('issued', False), ('substituted', False),
                           ('issued', True), ('cancelled', False)):
        req = make_request(order, staff['technician'], line)
        PartsRequest.update(status=status, requested_at=_day(7),
                            expected_at=_day(8) if waited else None).where(PartsRequest.id == req.id).execute()
    assert kpi.fill_rate([shop.id], MARCH, APRIL) == (4, 5)
    assert reports.fill_rate(shop, MARCH, APRIL)['rate'] == Decimal('0.8')
    # slow-moving on 1 April: the plug (10 months still) and the horn (15 months)
    slow = reports.slow_moving_summary(shop, APRIL)
    assert [p.number for p in slow[6]['rows']] == [plug.number, horn.number]
    assert [p.number for p in slow[12]['rows']] == [horn.number]
    assert (slow[6]['value'], slow[12]['value'], slow['total']) == (Decimal('900.00'), Decimal('300.00'),
                                                                   Decimal('3914.50'))
    assert slow[6]['share'].quantize(Decimal('0.0001')) == Decimal('0.2299') and not slow[6]['within']
