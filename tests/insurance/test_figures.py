"""Insurance jobs in the business report and the KPIs: how many, their revenue, the days from the assessment to the
car's delivery, and what insurers owe past the month the bill was settled in."""
import html
import re
from datetime import date, timedelta
from decimal import Decimal

from app.core import periods
from app.core.access import ADVISOR
from app.insurance.models import InsuranceClaim
from app.kpi import engine
from app.kpi.specs import INSURANCE_FIGURES
from app.reports.business import business_report
from app.settlement.models import VehicleDelivery
from tests.helpers import at_local, signed_in
from tests.insurance.helpers import assess, claim_of, insurance_order
from tests.settlement.helpers import settle


def _settled_job(app, shop, advisor, assessed_days_before):
    """An insurance job assessed some days ago, settled and handed back now."""
    job = insurance_order(shop, advisor)
    desk = signed_in(app, 'amy')
    assess(desk, job)
    claim = claim_of(job)
    assessed = claim.assessed_at - timedelta(days=assessed_days_before)
    InsuranceClaim.update(assessed_at=assessed).where(InsuranceClaim.id == claim.id).execute()
    s = settle(desk, job)
    VehicleDelivery.create(shop=shop, order=job, delivered_at=assessed + timedelta(days=assessed_days_before),
                           delivered_by=advisor)
    return s


def test_report_and_kpis_count_insurance_jobs(app, shop, advisor):
    """The month's report and dashboard show the insurance jobs, their revenue and the days to delivery; the next
    month, the unpaid insurer share shows as past its month."""
    with at_local('2026-05-12 10:00', tz=shop.timezone, tick=True):
        a = _settled_job(app, shop, advisor, 2)
        b = _settled_job(app, shop, advisor, 4)
        report = business_report(shop, periods.period_of('month', date(2026, 5, 1), shop.timezone))
        figs = engine.compute([shop.id], date(2026, 5, 1), date(2026, 6, 1))
    ins = report.insurance
    assert ins['jobs'] == 2 and ins['revenue'] == a.total + b.total
    assert ins['insurer_share'] == a.insurance_total + b.insurance_total
    assert ins['days_to_delivery'] == Decimal('3.0')
    assert ins['owed'] == a.insurance_total + b.insurance_total and ins['overdue'] == 0
    assert figs['insurance_jobs'].value == 2
    assert figs['insurance_revenue'].value == a.total + b.total
    assert figs['insurance_days'].value == Decimal('3')
    assert figs['insurer_overdue'].value == 0
    with at_local('2026-06-02 10:00', tz=shop.timezone, tick=True):
        june = engine.compute([shop.id], date(2026, 6, 1), date(2026, 6, 3), ['insurer_overdue', 'insurance_jobs'])
        report = business_report(shop, periods.period_of('day', date(2026, 6, 2), shop.timezone))
        rows = engine.drill([shop.id], 'insurer_overdue', date(2026, 6, 1), date(2026, 6, 3))
    assert june['insurer_overdue'].value == a.insurance_total + b.insurance_total
    assert june['insurance_jobs'].value == 0
    assert report.insurance['overdue_bills'] == 2 and report.insurance['oldest_days'] == 21
    assert len(rows) == 2


def _tile(body, name):
    """The dashboard tile of one figure: its value and its drill-down link."""
    m = re.search(r'<article [^>]*id="kpi-%s">.*?<p class="kpi-value">\s*<a href="([^"]+)">([^<]*)</a>' % name,
                  body, re.S)
    assert m, name
    return html.unescape(m.group(1)), m.group(2).strip()


def _shown(fig):
    return ('¥' if fig.unit == 'money' and fig.value is not None else '') + fig.display


def _line(body, role, name):
    """The cells of one KPI's row on a person's scorecard."""
    m = re.search(r'<tr id="rp-line-%s-%s">(.*?)</tr>' % (role, name), body, re.S)
    assert m, (role, name)
    return [re.sub(r'<[^>]+>', '', c).strip() for c in re.findall(r'<td[^>]*>(.*?)</td>', m.group(1), re.S)]


def test_dashboard_and_scorecards_show_the_insurance_figures(app, shop, advisor, manager, make_user):
    """The manager would read other insurance numbers on the dashboard than the business report's engine counts, or
    not find the insurance work on the scorecards of the advisor who took the cars in and of the claims clerk."""
    clerk = make_user('wes', ['warranty'], display_name='Wes Warranty')
    other = make_user('ann', ['advisor'], display_name='Ann Advisor')
    with at_local('2026-05-12 10:00', tz=shop.timezone, tick=True):
        a = _settled_job(app, shop, advisor, 2)
        b = _settled_job(app, shop, advisor, 4)
        boss = signed_in(app, manager)
        figs = engine.compute([shop.id], date(2026, 5, 1), date(2026, 6, 1), list(INSURANCE_FIGURES))
        body = boss.get('/kpi/?start=2026-05-01&last=2026-05-31&scope=shop').get_data(as_text=True)
        may = boss.get('/reports/scorecards/%d?period=month&at=2026-05' % advisor.id).get_data(as_text=True)
        ann = boss.get('/reports/scorecards/%d?period=month&at=2026-05' % other.id).get_data(as_text=True)
    assert figs['insurance_jobs'].value == 2 and figs['insurance_days'].value == Decimal('3')
    for name in INSURANCE_FIGURES:
        href, value = _tile(body, name)
        assert value == _shown(figs[name]), name
        assert href.startswith('/kpi/drill?') and 'name=%s&' % name in href + '&'
    assert _tile(body, 'insurance_revenue')[1] == '¥{:,.2f}'.format(a.total + b.total)
    # the business group holds them
    business = body[body.index('kpi-group-business'):body.index('kpi-group-workshop')]
    assert all('id="kpi-%s"' % n in business for n in INSURANCE_FIGURES)
    # the advisor's own: both jobs, 3.0 days against the 30-day target, shown but weighing nothing
    assert _line(may, 'advisor', 'insurance_jobs')[2:] == ['2', '—', '—', '—']
    assert _line(may, 'advisor', 'insurance_revenue')[2] == '¥{:,.2f}'.format(a.total + b.total)
    assert _line(may, 'advisor', 'insurance_days')[1:] == ['6.0 / 2', '3.0', '≤ 30', '0', '100.0']
    assert _line(ann, 'advisor', 'insurance_jobs')[2] == '0'
    with at_local('2026-06-02 10:00', tz=shop.timezone, tick=True):
        boss = signed_in(app, manager)
        june = engine.compute([shop.id], date(2026, 6, 1), date(2026, 6, 3), list(INSURANCE_FIGURES))
        body = boss.get('/kpi/?start=2026-06-01&last=2026-06-02&scope=shop').get_data(as_text=True)
        mine = boss.get('/reports/scorecards/%d?period=month&at=2026-06' % advisor.id).get_data(as_text=True)
        ann = boss.get('/reports/scorecards/%d?period=month&at=2026-06' % other.id).get_data(as_text=True)
        shop_card = boss.get('/reports/scorecards/%d?period=month&at=2026-06' % clerk.id).get_data(as_text=True)
        drilled = engine.drill([shop.id], 'insurer_overdue', date(2026, 6, 1), date(2026, 6, 3),
                               role=ADVISOR, user_id=other.id)
    owed = '¥{:,.2f}'.format(a.insurance_total + b.insurance_total)
    assert june['insurer_overdue'].value == a.insurance_total + b.insurance_total
    for name in INSURANCE_FIGURES:
        assert _tile(body, name)[1] == _shown(june[name]), name
    assert _tile(body, 'insurer_overdue')[1] == owed
    # past its month: the advisor of those orders and the shop's claims clerk score 0 on it; another advisor 100
    assert _line(mine, 'advisor', 'insurer_overdue')[2:] == [owed, '≤ 0', '0', '0.0']
    assert _line(shop_card, 'warranty', 'insurer_overdue')[2:] == [owed, '≤ 0', '0', '0.0']
    assert _line(ann, 'advisor', 'insurer_overdue')[2:] == ['¥0.00', '≤ 0', '0', '100.0']
    assert drilled == []
    assert _line(shop_card, 'warranty', 'insurance_jobs')[2] == '0'
