"""The KPI facts (app/kpi/facts.py): the figures they give are the records' figures, and they follow changes."""
from datetime import timedelta
from decimal import Decimal as D

import pytest

from app.core import audit
from app.kpi import engine, facts, specs
from app.kpi.models import KpiClockFact, KpiLineFact, KpiOrderFact, KpiSettlementFact
from app.reception.models import OrderLine, RepairOrder
from app.settlement.models import Settlement
from app.workshop.models import TimeEntry
from tests.kpi import known_month as km

ALL = [s.name for s in specs.SPECS]


@pytest.fixture
def month(app):
    return km.build()


def _values(fig):
    return (fig.numerator, fig.denominator, fig.value, fig.parts)


def _series(month, **kw):
    return engine.series([month.shop.id], km.START, km.END, 'week', names=ALL, now=km.NOW, **kw)


def _records_only(monkeypatch):
    monkeypatch.setattr(engine, 'USE_FACTS', False)


def test_facts_count_what_the_records_count(month, monkeypatch):
    """The dashboard would show other numbers than the orders, clocks and settlements behind them."""
    fast = _series(month)
    _records_only(monkeypatch)
    slow = _series(month)
    assert set(fast) == set(slow) == set(ALL)
    for name in ALL:
        assert _values(fast[name][0]) == _values(slow[name][0]), name
        assert [_values(f) for _d, f in fast[name][1]] == [_values(f) for _d, f in slow[name][1]], name


def test_first_time_fix_from_the_facts_is_the_records_with_comebacks(month, monkeypatch):
    """The fix figures read the line facts and look the comebacks up live: the same numbers as the records, for
    the shop and for each technician and advisor, once jobs came back (and a new fault does not count)."""
    from app.warranty.models import Comeback
    delivered = [o.id for o in (month.o1, month.o2, month.o5, month.o6)]
    done = list(OrderLine.select().where(OrderLine.order.in_(delivered) & OrderLine.technician.is_null(False)
                                         & (OrderLine.status == 'done')).order_by(OrderLine.id))
    assert len(done) >= 3
    for ln, cause in zip(done, (Comeback.WORKMANSHIP, Comeback.NEW_FAULT, Comeback.PART)):
        Comeback.create(shop=month.shop, order=ln.order_id, earlier_order=ln.order_id, earlier_line=ln,
                        technician=ln.technician_id, system='brakes', cause=cause)
    names = ['first_time_fix', 'comeback_rate']
    people = [('technician', month.t1), ('technician', month.t2), ('advisor', month.amy), ('advisor', month.bob)]

    def figures():
        shop = engine.compute([month.shop.id], km.START, km.END, names, now=km.NOW)
        mine = {(role, u.id): engine.for_user([month.shop.id], u.id, role, km.START, km.END, now=km.NOW)
                for role, u in people}
        return ({n: _values(shop[n]) for n in names},
                {k: {n: _values(f[n]) for n in names if n in f} for k, f in mine.items()})
    fast = figures()
    assert fast[0]['comeback_rate'][0] == 2          # two of the lines came back, the new fault is not counted
    assert any(f.get('comeback_rate', (0,))[0] for f in fast[1].values())
    _records_only(monkeypatch)
    assert figures() == fast


def test_everyones_figures_at_once_are_each_persons_own(month, monkeypatch):
    """A scorecard would give a person someone else's numbers, or the shop's."""
    ids = [month.shop.id]
    people = {'advisor': [month.amy, month.bob], 'technician': [month.t1, month.t2],
              'customer_service': [month.cs], 'foreman': [month.amy], 'parts': [month.t2]}
    for role, users in people.items():
        together = engine.for_users(ids, [u.id for u in users], role, km.START, km.END, now=km.NOW)
        for user in users:
            alone = engine.for_user(ids, user.id, role, km.START, km.END, now=km.NOW)
            assert set(together[user.id]) == set(alone), role
            for name, fig in alone.items():
                assert _values(together[user.id][name]) == _values(fig), (role, user.username, name)
    _records_only(monkeypatch)
    amy = engine.for_user(ids, month.amy.id, 'advisor', km.START, km.END, now=km.NOW)
    monkeypatch.setattr(engine, 'USE_FACTS', True)
    fast = engine.for_users(ids, [month.amy.id], 'advisor', km.START, km.END, now=km.NOW)[month.amy.id]
    assert {n: _values(f) for n, f in fast.items()} == {n: _values(f) for n, f in amy.items()}


def _on_time_order(month):
    """A delivered order of the month handed back by its promise, with room to be late within March."""
    return (KpiOrderFact.select().where((KpiOrderFact.shop_id == month.shop.id) & KpiOrderFact.promise.is_null(False)
                                        & (KpiOrderFact.delivered_at <= KpiOrderFact.promise)
                                        & (KpiOrderFact.promise < km.T(3, 29, 0))
                                        & (KpiOrderFact.delivered_at >= km.T(3, 1, 0))).first())


def _snapshot(shop_id):
    out = {}
    for model in facts.FACTS:
        rows = model.select().where(model.shop_id == shop_id).order_by(model._meta.primary_key).dicts()
        out[model.__name__] = [dict(r) for r in rows]
    return out


def test_the_next_view_follows_what_changed(month):
    """After an order was handed back late, a clock stopped or a bill settled, the manager would still see the old numbers."""
    ids = [month.shop.id]
    before = engine.compute(ids, km.START, km.END, now=km.NOW)
    # handed back late (what order.delivered records)
    fact = _on_time_order(month)
    assert fact is not None
    RepairOrder.update(delivered_at=fact.promise + timedelta(hours=2)).where(RepairOrder.id == fact.order_id).execute()
    audit.record('order.delivered', 'repair_order', fact.order_id, shop=month.shop.id)
    # a clock of two hours: started (a new row), then stopped (an update with its clock.off event)
    line = (OrderLine.select().join(RepairOrder, on=(OrderLine.order == RepairOrder.id))
            .where((OrderLine.shop == month.shop.id) & (OrderLine.status == 'done') & OrderLine.technician.is_null(False)
                   & (RepairOrder.delivered_at >= km.T(3, 1, 0)) & (RepairOrder.delivered_at < km.T(3, 31, 0)))
            .first())
    entry = TimeEntry.create(shop=month.shop, technician=line.technician_id, order=line.order_id, line=line.id,
                             started_at=km.T(3, 20, 2), ended_at=None)
    after_start = engine.compute(ids, km.START, km.END, ['tech_productivity'], now=km.NOW)
    assert after_start['tech_productivity'].numerator == before['tech_productivity'].numerator
    TimeEntry.update(ended_at=km.T(3, 20, 4)).where(TimeEntry.id == entry.id).execute()
    audit.record('clock.off', 'repair_order', line.order_id, shop=month.shop.id)
    # a settled bill gets more labour (what settlement.settled records)
    bill = (Settlement.select().where((Settlement.shop == month.shop.id) & (Settlement.status != 'draft')
                                      & (Settlement.settled_at >= km.T(3, 1, 0))
                                      & (Settlement.settled_at < km.T(3, 31, 0))).first())
    Settlement.update(labour=Settlement.labour + D('100')).where(Settlement.id == bill.id).execute()
    audit.record('settlement.settled', 'repair_order', bill.order_id, shop=month.shop.id)

    after = engine.compute(ids, km.START, km.END, now=km.NOW)
    assert after['timeliness'].numerator == before['timeliness'].numerator - 1
    assert after['timeliness'].denominator == before['timeliness'].denominator
    assert after['tech_productivity'].numerator == before['tech_productivity'].numerator + D('2.00')
    assert after['tech_efficiency'].denominator == before['tech_efficiency'].denominator + D('2.00')
    assert after['labour_revenue'].value == before['labour_revenue'].value + D('100')

    # what was kept up to date step by step is what a rebuild from scratch gives
    incremental = _snapshot(month.shop.id)
    assert incremental['KpiOrderFact'] and incremental['KpiClockFact']
    facts.rebuild([month.shop.id])
    assert _snapshot(month.shop.id) == incremental


def test_rebuild_leaves_the_known_month_as_it_was(month):
    """`flask kpi rebuild` would change the dashboard's numbers."""
    ids = [month.shop.id]
    first = engine.compute(ids, km.START, km.END, now=km.NOW)
    facts.rebuild(ids)
    again = engine.compute(ids, km.START, km.END, now=km.NOW)
    assert {n: _values(f) for n, f in first.items()} == {n: _values(f) for n, f in again.items()}
    assert KpiLineFact.select().where(KpiLineFact.shop_id == month.shop.id).count() > 0
    assert KpiSettlementFact.select().where(KpiSettlementFact.shop_id == month.shop.id).count() > 0
    assert KpiClockFact.select().where(KpiClockFact.shop_id == month.shop.id).count() > 0


def test_kpi_rebuild_command(app, month):
    """An administrator could not rebuild the KPI facts after a change the facts do not follow."""
    result = app.test_cli_runner().invoke(args=['kpi', 'rebuild', '--shop', 'KM'])
    assert result.exit_code == 0, result.output
    assert 'rebuilt' in result.output
    assert KpiOrderFact.select().where(KpiOrderFact.shop_id == month.shop.id).count() > 0
