"""Every KPI of a known month, to the exact value (see known_month.py for the records and the reasoning)."""
from datetime import date, datetime
from decimal import Decimal as D

import pytest

from app.kpi import engine, facts, specs
from app.warranty import rules as warranty
from tests.helpers import count_queries
from tests.kpi import known_month as km


@pytest.fixture
def month(app):
    return km.build()


def _all(month, **kw):
    return engine.compute([month.shop.id], km.START, km.END, now=km.NOW, **kw)


def frac(f):
    return (f.numerator, f.denominator)


def test_quality_figures_of_the_known_month(month):
    """The manager would read a wrong timeliness, satisfaction, complaint, follow-up, warranty or parts figure."""
    f = _all(month)
    assert frac(f['timeliness']) == (2, 4) and f['timeliness'].value == D('0.5') and f['timeliness'].ok is False
    assert frac(f['satisfaction']) == (1, 2) and f['satisfaction'].ok is False
    assert frac(f['complaint_rate']) == (2, 4) and f['complaint_rate'].target == D('0.03')
    assert f['complaint_rate'].target_op == '<' and f['complaint_rate'].ok is False
    assert frac(f['followup_success']) == (2, 3)
    assert f['followup_success'].value == D(2) / D(3)
    assert frac(f['first_maintenance_return']) == (1, 2)
    assert frac(f['warranty_first_approval']) == (1, 2)
    assert frac(f['parts_fill_rate']) == (2, 3)
    assert frac(f['stock_variance']) == (D('5.00'), D('50.00')) and f['stock_variance'].value == D('0.1')
    assert f['stock_variance'].ok is False
    assert frac(f['complaint_satisfaction']) == (1, 1) and f['complaint_satisfaction'].ok is True


def test_business_figures_of_the_known_month(month):
    """Revenue, order value, hours, labour rate, margins or receivables would be wrong on the dashboard."""
    f = _all(month)
    assert f['car_count'].value == 4
    assert frac(f['avg_ro_value']) == (D('1800.00'), 2) and f['avg_ro_value'].value == D('900')
    assert frac(f['hours_per_order']) == (D('5.00'), 2) and f['hours_per_order'].value == D('2.5')
    assert f['effective_labour_rate'].value == D('300')
    assert f['labour_revenue'].value == D('1500.00') and f['parts_revenue'].value == D('400.00')
    assert frac(f['labour_margin']) == (D('1200.00'), D('1500.00')) and f['labour_margin'].value == D('0.8')
    assert frac(f['parts_margin']) == (D('150.00'), D('400.00')) and f['parts_margin'].value == D('0.375')
    assert f['receivables'].value == D('1104.00')


def test_workshop_figures_of_the_known_month(month):
    """Technician efficiency, productivity or first-time QC pass would be wrong."""
    f = _all(month)
    assert frac(f['tech_efficiency']) == (D('7.00'), D('7.50'))
    assert f['tech_efficiency'].value == D('7') / D('7.5')
    assert frac(f['tech_productivity']) == (D('9.00'), D('38.0'))
    assert frac(f['qc_first_pass']) == (2, 3) and frac(f['rework_rate']) == (1, 3)
    assert f['hours_sold'].value == D('7.00')


STEPS = {   # on time, late, skipped
    'compliance_reminder': (1, 1, 1),
    'compliance_walkaround': (2, 0, 2),
    'compliance_belongings': (2, 0, 2),
    'compliance_acceptance': (2, 1, 1),
    'compliance_progress': (3, 0, 1),
    'compliance_added_work': (1, 1, 1),
    'compliance_pickup': (2, 1, 1),
    'compliance_settlement': (1, 0, 1),
    'compliance_followup': (1, 1, 0),
    'compliance_complaint_answer': (1, 1, 1),
}


def test_process_compliance_of_the_known_month(month):
    """A rulebook step would show the wrong share done on time, late or skipped."""
    f = _all(month)
    for name, (on, late, skipped) in STEPS.items():
        fig = f[name]
        assert fig.parts == {'on_time': on, 'late': late, 'skipped': skipped}, name
        assert frac(fig) == (on, on + late + skipped), name
    assert f['compliance'].parts == {'on_time': 16, 'late': 6, 'skipped': 11}
    assert f['compliance'].value == D(16) / D(33)


def test_the_local_day_decides_the_period(month):
    """An order delivered at 23:30 local would land in the wrong month (and in the wrong week)."""
    feb = engine.compute([month.shop.id], date(2026, 2, 1), date(2026, 3, 1), ['car_count', 'satisfaction'],
                         now=km.NOW)
    apr = engine.compute([month.shop.id], date(2026, 4, 1), date(2026, 5, 1), ['car_count'], now=km.NOW)
    assert feb['car_count'].value == 1 and frac(feb['satisfaction']) == (1, 1)    # O3, 23:30 on 28 Feb
    assert apr['car_count'].value == 1                                            # O4, 00:30 on 1 April
    last_day = engine.compute([month.shop.id], date(2026, 3, 31), date(2026, 4, 1), ['car_count'], now=km.NOW)
    assert last_day['car_count'].value == 1                                       # O2, 23:30 on 31 March
    rows = engine.drill([month.shop.id], 'car_count', date(2026, 3, 31), date(2026, 4, 1), now=km.NOW)
    assert [r.ref for r in rows] == ['RO-2']


def test_trend_buckets_add_up_to_the_period(month):
    """The trend chart would disagree with the figure above it, or put the 23:30 order in the next week."""
    weeks = engine.trend([month.shop.id], 'car_count', km.START, km.END, by='week', now=km.NOW)
    assert [d for d, _f in weeks] == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16),
                                      date(2026, 3, 23), date(2026, 3, 30)]
    assert [f.value for _d, f in weeks] == [0, 1, 1, 1, 0, 1]
    months = engine.trend([month.shop.id], 'car_count', date(2026, 2, 1), date(2026, 5, 1), by='month', now=km.NOW)
    assert [(d, f.value) for d, f in months] == [(date(2026, 2, 1), 1), (date(2026, 3, 1), 4), (date(2026, 4, 1), 1)]
    both = engine.series([month.shop.id], km.START, km.END, 'week', now=km.NOW)
    for name, (total, points) in both.items():
        single = _all(month, names=[name])[name]
        assert (total.numerator, total.denominator, total.value) == \
            (single.numerator, single.denominator, single.value), name
        if name != 'receivables':
            assert sum(f.numerator for _d, f in points) == total.numerator, name


def test_drill_down_lists_what_is_counted(month):
    """A number's list would show other orders than the ones it counts."""
    ids = [month.shop.id]
    rows = engine.drill(ids, 'timeliness', km.START, km.END, now=km.NOW)
    assert sorted((r.ref, r.good) for r in rows) == [('RO-1', True), ('RO-2', False), ('RO-5', True), ('RO-6', False)]
    assert all(isinstance(r.at, datetime) for r in rows)
    late = engine.drill(ids, 'compliance_acceptance', km.START, km.END, 'late', now=km.NOW)
    assert [r.ref for r in late] == ['RO-2']
    calls = engine.drill(ids, 'compliance_followup', km.START, km.END, now=km.NOW)
    assert sorted((r.ref, r.status) for r in calls) == [('RO-1', 'on_time'), ('RO-5', 'late')]
    owed = engine.drill(ids, 'receivables', km.START, km.END, now=km.NOW)
    assert sorted((r.ref, r.amount) for r in owed) == [('ST-2', D('904.00')), ('ST-3', D('200.00'))]
    every_step = engine.drill(ids, 'compliance', km.START, km.END, now=km.NOW)
    assert len(every_step) == 33
    parts = engine.drill(ids, 'parts_fill_rate', km.START, km.END, 'bad', now=km.NOW)
    assert len(parts) == 1
    cars = engine.drill(ids, 'first_maintenance_return', km.START, km.END, now=km.NOW)
    assert sorted(r.good for r in cars) == [False, True]


def test_warranty_figures_agree_with_the_warranty_rules(month):
    """The dashboard and the warranty page would show two different approval rates for the same month."""
    rate = warranty.first_time_approval_rate(month.shop, km.START, km.END)
    f = _all(month, names=['warranty_first_approval'])['warranty_first_approval']
    assert (f.numerator, f.denominator) == (rate.numerator, rate.denominator)


def test_figures_per_person(month):
    """A scorecard would count another advisor's orders, or another technician's hours."""
    ids = [month.shop.id]
    amy = engine.for_user(ids, month.amy.id, 'advisor', km.START, km.END, now=km.NOW)
    assert frac(amy['timeliness']) == (2, 3) and amy['car_count'].value == 3
    assert frac(amy['satisfaction']) == (1, 2) and frac(amy['complaint_rate']) == (1, 3)
    assert frac(amy['followup_success']) == (2, 3) and amy['labour_revenue'].value == D('1500.00')
    assert amy['compliance_pickup'].parts == {'on_time': 1, 'late': 1, 'skipped': 1}
    bob = engine.for_user(ids, month.bob.id, 'advisor', km.START, km.END, now=km.NOW)
    assert frac(bob['timeliness']) == (0, 1) and bob['car_count'].value == 1
    tina = engine.for_user(ids, month.t1.id, 'technician', km.START, km.END, now=km.NOW)
    assert frac(tina['tech_efficiency']) == (D('5.00'), D('4.50'))
    assert frac(tina['tech_productivity']) == (D('6.00'), D('28.5'))
    assert frac(tina['qc_first_pass']) == (2, 2) and frac(tina['rework_rate']) == (0, 2)
    assert set(tina) == set(specs.ROLE_FIGURES['technician'])
    cara = engine.for_user(ids, month.cs.id, 'customer_service', km.START, km.END, now=km.NOW)
    assert frac(cara['followup_success']) == (2, 3) and frac(cara['complaint_satisfaction']) == (1, 1)
    assert cara['compliance_complaint_answer'].parts == {'on_time': 1, 'late': 1, 'skipped': 1}
    parts = engine.for_user(ids, month.t2.id, 'parts', km.START, km.END, now=km.NOW)
    assert frac(parts['parts_fill_rate']) == (2, 3)


def test_the_number_of_queries_does_not_grow_with_the_rows(month):
    """The dashboard would slow down with every order the shop adds (a query per row)."""
    def dashboard_queries():
        facts.refresh([month.shop.id])      # bring the facts up to date first: counted on its own below
        with count_queries() as seen:
            engine.series([month.shop.id], km.START, km.END, 'week', now=km.NOW)
        return len(seen)

    before = dashboard_queries()
    km_more = km.build_more(month)
    assert km_more > 0
    assert dashboard_queries() == before
