"""Insurance jobs in the business report and the KPIs: how many, their revenue, the days from the assessment to the
car's delivery, and what insurers owe past the month the bill was settled in."""
from datetime import date, timedelta
from decimal import Decimal

from app.core import periods
from app.insurance.models import InsuranceClaim
from app.kpi import engine
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
