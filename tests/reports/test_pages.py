"""Every report page and download, as the manager, the foreman and others see them."""
import io

import pytest
from openpyxl import load_workbook

from app.core.settings import get_setting
from app.core.timeutil import local_now
from tests import factories
from tests.helpers import mid_minute, signed_in
from tests.reports.helpers import build_month

XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'


@pytest.fixture
def month(app):
    return build_month()


def _sheet(resp, index=0):
    assert resp.status_code == 200 and resp.mimetype == XLSX
    return load_workbook(io.BytesIO(resp.data)).worksheets[index]


def test_daily_report_page_shows_the_day(app, month):
    """The manager opens 31 October and sees the cars, the revenue and what is still owed that night."""
    body = signed_in(app, month.users['boss']).get('/reports/business?period=day&at=2026-10-31').get_data(as_text=True)
    assert 'id="rp-in">3<' in body and 'id="rp-out">1<' in body
    assert 'id="rp-revenue">¥678.00<' in body and 'id="rp-receivable">¥378.00<' in body
    assert '雅阁 Accord' in body


def test_monthly_report_page_has_charts_and_days(app, month):
    """The monthly report draws its charts on the server and links each day to its daily report."""
    resp = signed_in(app, month.users['boss']).get('/reports/business?period=month&at=2026-10')
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert body.count('<svg class="rp-chart"') == 3
    assert '/reports/business?period=day&amp;at=2026-10-31' in body
    assert '¥3,446.50' in body and '¥1,034.00' in body


def test_unreadable_period_falls_back(app, month):
    """A mistyped date in the address shows the default period instead of an error."""
    for url in ('/reports/business?period=day&at=2026-13-45', '/reports/business?period=bogus&at=x',
                '/reports/scorecards?period=week&at=2026-W99', '/reports/advisors?period=year&at=20x6'):
        assert signed_in(app, month.users['boss']).get(url).status_code == 200, url


def test_business_csv_and_xlsx(app, month):
    """The monthly report downloads with the same totals, typed for Excel."""
    client = signed_in(app, month.users['boss'])
    resp = client.get('/reports/business/export?fmt=csv&period=month&at=2026-10')
    assert resp.mimetype == 'text/csv' and resp.data.startswith(b'\xef\xbb\xbf')
    text = resp.data.decode('utf-8-sig')
    assert 'Summary,Revenue,3446.50' in text and 'By day,2026-10-31,3,1,678.00' in text
    assert 'attachment' in resp.headers['Content-Disposition'] and '2026-10.csv' in resp.headers['Content-Disposition']
    book = load_workbook(io.BytesIO(client.get('/reports/business/export?fmt=xlsx&period=month&at=2026-10').data))
    summary = {row[0]: row[1] for row in book['Summary'].iter_rows(min_row=2, values_only=True)}
    assert summary['Vehicles in'] == 4 and summary['Revenue'] == 3446.5
    assert summary['Customer receivables at the end'] == 378
    days = book['By day']
    assert [c.value for c in days[1]] == ['Day', 'Vehicles in', 'Vehicles out', 'Revenue']
    last = days[32]
    assert last[0].is_date and last[0].value.day == 31 and [c.value for c in last[1:]] == [3, 1, 678]


def test_advisor_and_technician_reports(app, month):
    """Per-person reports list each advisor and technician with their month's figures, and download."""
    client = signed_in(app, month.users['boss'])
    body = client.get('/reports/advisors?period=month&at=2026-10').get_data(as_text=True)
    assert 'RP adv2' in body and '¥1,412.50' in body and '¥706.25' in body
    body = client.get('/reports/technicians?period=month&at=2026-10').get_data(as_text=True)
    assert 'RP t1' in body and '4.50' in body and '3.50' in body
    rows = {r[0]: r for r in _sheet(client.get('/reports/advisors/export?fmt=xlsx&period=month&at=2026-10'))
            .iter_rows(min_row=2, values_only=True)}
    assert rows['RP adv'][1:6] == (3, 2, 1, 2, 1412.5)
    rows = {r[0]: r for r in _sheet(client.get('/reports/technicians/export?fmt=xlsx&period=month&at=2026-10'))
            .iter_rows(min_row=2, values_only=True)}
    assert rows['RP t2'][1:8] == (1, 0, 2, 4, 0.5, 600, 3)
    text = client.get('/reports/technicians/export?fmt=csv&period=month&at=2026-10').data.decode('utf-8-sig')
    assert 'RP t1,2,2,4.50,3.50,1.2857,1350.00,3.50' in text


def test_scorecards_page_and_exports(app, month):
    """The manager sees every role's scores and grades and downloads them KPI by KPI."""
    client = signed_in(app, month.users['boss'])
    body = client.get('/reports/scorecards?period=month&at=2026-10').get_data(as_text=True)
    for text in ('64.3', '30.0', '82.2', 'rp-fail', 'rp-good', 'Parts clerk', 'Customer service'):
        assert text in body, text
    rows = list(_sheet(client.get('/reports/scorecards/export?fmt=xlsx&period=month&at=2026-10')).iter_rows(values_only=True))
    assert rows[0][:3] == ('Role', 'Person', 'KPI')
    t2 = [r for r in rows if r[1] == 'RP t2']
    assert len(t2) == 4 and {r[9] for r in t2} == {30.0} and {r[10] for r in t2} == {'Fail'}
    assert client.get('/reports/scorecards/export?fmt=csv&period=year&at=2026').status_code == 200


def test_one_persons_scorecard(app, month):
    """A person's scorecard shows each KPI's count, target, weight and score, the total and a chart."""
    client = signed_in(app, month.users['boss'])
    t2 = month.users['t2']
    body = client.get('/reports/scorecards/%d?period=month&at=2026-10' % t2.id).get_data(as_text=True)
    assert '2 / 4' in body and '0 / 1' in body and '50.0' in body and '30.0' in body and 'rp-scores' in body
    sheet = _sheet(client.get('/reports/scorecards/%d/export?fmt=xlsx&period=month&at=2026-10' % t2.id))
    assert sheet['I2'].value == 0 and sheet['J2'].value == 30
    text = client.get('/reports/scorecards/%d/export?fmt=csv&period=month&at=2026-10' % t2.id).data.decode('utf-8-sig')
    assert text.count('RP t2') == 4          # three weighted KPIs and first-time fix (weight 0)


def test_foreman_sees_technicians_only(app, month):
    """The foreman supervises technicians: their report and scorecards open, advisors' and the money do not."""
    client = signed_in(app, month.users['fm'])
    assert client.get('/reports/technicians').status_code == 200
    assert client.get('/reports/scorecards/%d' % month.users['t1'].id).status_code == 200
    assert client.get('/reports/scorecards/%d' % month.users['adv'].id).status_code == 403
    assert client.get('/reports/scorecards/%d/export?fmt=csv' % month.users['adv'].id).status_code == 403
    assert client.get('/reports/business').status_code == 403
    assert client.get('/reports/scorecards').status_code == 403


def test_others_are_refused(app, month):
    """A technician or an advisor cannot open reports about their colleagues."""
    for who in ('t1', 'adv'):
        client = signed_in(app, month.users[who])
        for url in ('/reports', '/reports/business/export?fmt=xlsx', '/reports/advisors', '/reports/scorecards/export?fmt=csv',
                    '/reports/scorecards/%d' % month.users['t2'].id):
            assert client.get(url).status_code == 403, (who, url)


def test_another_shops_person_is_not_found(app, month):
    """A scorecard address with a person of another shop shows nothing of them."""
    other = factories.make_shop('ZZ', name='Other')
    stranger = factories.make_user('zz_tech', ['technician'], [other])
    client = signed_in(app, month.users['boss'])
    assert client.get('/reports/scorecards/%d' % stranger.id).status_code == 404
    assert client.get('/reports/scorecards/%d/export?fmt=xlsx' % stranger.id).status_code == 404


def test_index_and_tiles(app, month):
    """The manager finds the reports on the home page; the foreman finds the technician report."""
    home = signed_in(app, month.users['boss']).get('/').get_data(as_text=True)
    assert '/reports/scorecards' in home and 'href="/reports"' in home
    home = signed_in(app, month.users['fm']).get('/').get_data(as_text=True)
    assert '/reports/technicians' in home and 'href="/reports"' not in home
    assert signed_in(app, month.users['boss']).get('/reports').status_code == 200


def test_week_links_to_the_months_scorecard(app, month):
    """From a weekly technician report the scorecard link opens the month the week starts in."""
    body = signed_in(app, month.users['boss']).get('/reports/technicians?period=week&at=2026-W44').get_data(as_text=True)
    assert '/reports/scorecards/%d?period=month&amp;at=2026-10' % month.users['t1'].id in body


def test_todays_report_says_it_is_not_final(app, month):
    """Before closing the manager must see that today's figures are not the day's final ones."""
    with mid_minute():      # (signed in on the same clock: a session from the future is no session)
        client = signed_in(app, month.users['boss'])
        now = local_now(month.shop.timezone)
        body = client.get('/reports/business?period=day&at=%s' % now.date()).get_data(as_text=True)
        later = client.get('/reports/business?period=day&at=2026-10-31').get_data(as_text=True)
    assert 'rp-notice' not in later
    closing = tuple(int(x) for x in get_setting(month.shop, 'workday_end').split(':'))
    assert ('rp-notice' in body) == ((now.hour, now.minute) < closing)
