"""A year on the dashboard from the daily roll-up (app.kpi.rollup): the same figures as counted from the facts and
from the records, after changes to past days, across a month and a year boundary, and read without a scan."""
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest

from app.core import audit
from app.core.models import Setting
from app.kpi import engine, rollup, specs
from app.kpi.models import KpiDay
from app.reception.models import OrderLine, RepairOrder
from app.settlement.models import Settlement, SettlementLine
from app.workshop.models import TimeEntry
from tests import factories
from tests.helpers import at_local, count_queries, sign_in
from tests.kpi import known_month as km

ALL = [s.name for s in specs.SPECS]
YEAR = (date(2025, 4, 4), date(2026, 4, 4))      # twelve months up to the known month's "today" (3 April)


@pytest.fixture
def month(app):
    return km.build()


def _same(value):
    """A figure's numbers, floats rounded (SQLite sums floats in another order day by day)."""
    def r(v):
        return round(v, 6) if isinstance(v, float) else v
    return (r(value.numerator), r(value.denominator), r(value.value), value.parts)


def _year(shop_ids, start, end, now=None, by='month'):
    out = engine.series(shop_ids, start, end, by, names=ALL, now=now)
    return {n: (_same(total), [(d, _same(f)) for d, f in trend]) for n, (total, trend) in out.items()}


def _direct(monkeypatch, *args, **kw):
    """The same period counted straight from the facts (no stored day used or made)."""
    with monkeypatch.context() as m:
        m.setattr(rollup, 'MIN_DAYS', 10 ** 6)
        return _year(*args, **kw)


def test_a_year_from_the_stored_days_is_the_year_from_the_facts_and_the_records(month, monkeypatch):
    """A year on the dashboard would show other numbers than the orders behind it, or than a month added up."""
    ids = [month.shop.id]
    rolled = _year(ids, *YEAR, now=km.NOW)
    assert KpiDay.select().where(KpiDay.shop_id == month.shop.id).count() > 300     # the past days are stored
    assert _year(ids, *YEAR, now=km.NOW) == rolled                               # and read back the same
    assert _direct(monkeypatch, ids, *YEAR, now=km.NOW) == rolled
    with monkeypatch.context() as m:
        m.setattr(engine, 'USE_FACTS', False)
        assert _year(ids, *YEAR, now=km.NOW) == rolled
    # the known month inside the year is the month as counted alone
    march = engine.compute(ids, km.START, km.END, ['labour_revenue', 'timeliness'], now=km.NOW)
    by_month = dict(_year(ids, *YEAR, now=km.NOW)['labour_revenue'][1])
    assert by_month[date(2026, 3, 1)] == _same(march['labour_revenue'])
    assert march['labour_revenue'].value > 0


def test_a_past_day_whose_facts_change_is_counted_again(month, monkeypatch):
    """After an old order was handed back late, a clock stopped or a bill corrected, the year would keep the old numbers."""
    ids = [month.shop.id]
    before = _year(ids, *YEAR, now=km.NOW)
    stored = KpiDay.select().where(KpiDay.shop_id == month.shop.id).count()
    order = (RepairOrder.select().where((RepairOrder.shop == month.shop) & RepairOrder.delivered_at.is_null(False)
                                        & (RepairOrder.delivered_at < km.T(3, 20, 0))).order_by(RepairOrder.id).first())
    RepairOrder.update(delivered_at=km.T(3, 25, 3)).where(RepairOrder.id == order.id).execute()   # another day
    audit.record('order.delivered', 'repair_order', order.id, shop=month.shop.id)
    line = OrderLine.select().where((OrderLine.shop == month.shop) & OrderLine.technician.is_null(False)).first()
    TimeEntry.create(shop=month.shop, technician=line.technician_id, order=line.order_id, line=line.id,
                     started_at=km.T(3, 10, 2), ended_at=km.T(3, 10, 5))
    audit.record('clock.off', 'repair_order', line.order_id, shop=month.shop.id)
    bill = Settlement.select().where((Settlement.shop == month.shop) & (Settlement.status != 'draft')).first()
    Settlement.update(labour=Settlement.labour + D('100')).where(Settlement.id == bill.id).execute()
    audit.record('settlement.settled', 'repair_order', bill.order_id, shop=month.shop.id)

    after = _year(ids, *YEAR, now=km.NOW)
    assert after != before
    assert after['labour_revenue'][0][2] == before['labour_revenue'][0][2] + D('100')
    assert after == _direct(monkeypatch, ids, *YEAR, now=km.NOW)
    assert KpiDay.select().where(KpiDay.shop_id == month.shop.id).count() == stored   # counted again, not added


def test_a_comeback_recorded_after_the_days_were_stored_counts_on_the_year(month, monkeypatch):
    """A comeback is recorded on a later order, long after the earlier job's day was stored: the year would keep
    saying the job was fixed the first time."""
    from app.warranty.models import Comeback
    ids = [month.shop.id]
    before = _year(ids, *YEAR, now=km.NOW)
    done = list(OrderLine.select().join(RepairOrder, on=(OrderLine.order == RepairOrder.id))
                .where((OrderLine.shop == month.shop) & OrderLine.technician.is_null(False)
                       & (OrderLine.status == 'done') & RepairOrder.delivered_at.is_null(False)
                       & (RepairOrder.delivered_at < km.T(3, 20, 0))).order_by(OrderLine.id))
    assert len(done) >= 3
    for ln, cause in zip(done, (Comeback.WORKMANSHIP, Comeback.NEW_FAULT, Comeback.PART)):
        Comeback.create(shop=month.shop, order=ln.order_id, earlier_order=ln.order_id, earlier_line=ln,
                        technician=ln.technician_id, system='brakes', cause=cause)
    after = _year(ids, *YEAR, now=km.NOW)
    assert after['comeback_rate'][0][0] == before['comeback_rate'][0][0] + 2     # the new fault does not count
    assert after['first_time_fix'][0][0] == before['first_time_fix'][0][0] - 2
    assert after['comeback_rate'][0][1] == before['comeback_rate'][0][1]
    assert after == _direct(monkeypatch, ids, *YEAR, now=km.NOW)
    with monkeypatch.context() as m:
        m.setattr(engine, 'USE_FACTS', False)
        assert _year(ids, *YEAR, now=km.NOW) == after


def test_other_settings_count_the_days_again(month, monkeypatch):
    """After the manager moved the progress-check window, a year would still be counted with the old one."""
    ids = [month.shop.id]
    _year(ids, *YEAR, now=km.NOW)
    Setting.create(shop=month.shop, key='progress_check_from', value='0.1')
    Setting.create(shop=month.shop, key='progress_check_to', value='0.2')
    assert _year(ids, *YEAR, now=km.NOW) == _direct(monkeypatch, ids, *YEAR, now=km.NOW)


def test_the_days_still_changing_are_counted_live(month, monkeypatch):
    """A follow-up call not yet due would be stored as "not counted" and never show as missed once it is overdue."""
    monkeypatch.setattr(rollup, 'LIVE_DAYS', 1)
    ids = [month.shop.id]
    _year(ids, *YEAR, now=km.NOW)
    stored = max(d for (d,) in KpiDay.select(KpiDay.day).where(KpiDay.shop_id == month.shop.id).tuples())
    # the known month has a first call due by 7 April not made yet on 3 April: its order's day is not stored
    assert stored < date(2026, 3, 31)
    later = km.NOW + timedelta(days=6)          # 9 April: that call is now missed
    assert _year(ids, *YEAR, now=later) == _direct(monkeypatch, ids, *YEAR, now=later)
    assert _year(ids, *YEAR, now=later)['compliance_followup'] != _year(ids, *YEAR, now=km.NOW)['compliance_followup']


def _boundary_shop():
    """Orders handed back at 23:30 on 31 December and 00:30 on 1 January (Shanghai), billed and clocked."""
    shop = factories.make_shop('YB', name='Year boundary', timezone='Asia/Shanghai')
    tech = factories.make_user('yuri', ['technician'], [shop])
    for n, (delivered, labour) in enumerate(((datetime(2026, 12, 31, 15, 30), D('300')),
                                             (datetime(2026, 12, 31, 16, 30), D('500')),
                                             (datetime(2026, 11, 30, 15, 59), D('700')),
                                             (datetime(2026, 11, 30, 16, 0), D('900')))):
        v = factories.make_vehicle(shop, factories.make_customer(shop))
        o = RepairOrder.create(shop=shop, customer=v.owner, vehicle=v, stage='closed', number='YB-%d' % n,
                               checkin_step='done', checked_in_at=delivered - timedelta(hours=5),
                               promised_at=delivered - timedelta(hours=1), delivered_at=delivered)
        ln = OrderLine.create(shop=shop, order=o, description='job', labour_hours=D('1'), technician=tech,
                              status='done')
        TimeEntry.create(shop=shop, technician=tech, order=o, line=ln, started_at=delivered - timedelta(hours=4),
                         ended_at=delivered - timedelta(hours=3))
        s = Settlement.create(shop=shop, order=o, number='YB-S%d' % n, status='settled', labour=labour,
                              parts=D('0'), tax=D('0'), total=labour, customer_total=labour, settled_at=delivered)
        SettlementLine.create(shop=shop, settlement=s, kind='labour', key='line:%d' % n, description='x',
                              hours=D('1'), amount=labour)
    return shop


def test_month_and_year_boundaries_fall_on_the_shops_local_day(app, monkeypatch):
    """An order handed back at 23:30 on New Year's Eve would count in January, or on 1 January in December."""
    shop = _boundary_shop()
    with at_local('2027-02-20 10:00'):
        ids = [shop.id]
        rolled = _year(ids, date(2026, 2, 21), date(2027, 2, 21))
        assert KpiDay.select().where((KpiDay.shop_id == shop.id) & (KpiDay.day == date(2026, 12, 31))).exists()
        assert rolled == _direct(monkeypatch, ids, date(2026, 2, 21), date(2027, 2, 21))
        revenue = dict(rolled['labour_revenue'][1])
        assert revenue[date(2026, 11, 1)][2] == D('700') and revenue[date(2026, 12, 1)][2] == D('1200')
        assert revenue[date(2027, 1, 1)][2] == D('500')
        with monkeypatch.context() as m:
            m.setattr(engine, 'USE_FACTS', False)
            assert _year(ids, date(2026, 2, 21), date(2027, 2, 21)) == rolled


def test_the_year_page_reads_the_stored_days(month, client):
    """The manager's year view would scan every order again each time it is opened."""
    sign_in(client, factories.make_user('mona', ['manager'], [month.shop]))
    url = '/kpi/?start=%s&last=%s&by=month' % (YEAR[0], YEAR[1] - timedelta(days=1))

    def view():
        with count_queries() as seen:
            assert client.get(url).status_code == 200
        return seen
    first, second = view(), view()
    assert any('INSERT INTO "kpi_day"' in q for q in first)
    assert not any('kpi_day' in q and not q.lstrip().startswith('SELECT') for q in second)
    assert len(second) < len(first)


def test_stored_sums_add_up_and_read_back_as_they_were_counted():
    """A day's Decimal sums read back as floats, or a float and a Decimal that cannot be added, would change a year's
    money figures or break the page."""
    into = {}
    for sums in ({'n': 2, 'money': D('1.10'), 'h': 0.5}, {'n': 3, 'money': 0.2, 'h': D('0.25'), 'new': D('7')},
                 {'money': D('0.01')}):
        rollup._add(into, rollup._decode(rollup._encode(sums)))
    assert into == {'n': 5, 'money': D('1.31'), 'h': D('0.75'), 'new': D('7')}
    assert isinstance(into['money'], D) and isinstance(into['n'], int)
    assert rollup._decode(None) == {} and rollup._decode(rollup._encode({'n': 1})) == {'n': 1}
