"""Values in the address that nobody could mean: the year 9999 or 0001, the week 9999-W52, a page of 20 digits.

The parameters are found on the pages themselves: every GET form (the period chooser, the calendar's date) and
every same-site link with a query string (previous / next period, page 2, a filter). Each value that looks like
a date, a week, a month, a year or a number is replaced by its extreme; the answer must be a 400 saying what to
change, in the user's language (app/core/params.py), never a crash.
"""
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask_babel import force_locale

from app.core import params
from app.core.access import ROLES
from tests.security import harness

SHAPES = [  # (name, pattern of a value seen on a page, the extremes sent instead)
    ('week', re.compile(r'^\d{4}-W\d{2}$'), ('9999-W52', '0001-W01')),
    ('date', re.compile(r'^\d{4}-\d{2}-\d{2}$'), ('9999-12-31', '0001-01-01')),
    ('month', re.compile(r'^\d{4}-\d{2}$'), ('9999-12', '0001-01')),
    ('year', re.compile(r'^(19|20)\d{2}$'), ('9999', '0001')),
    ('number', re.compile(r'^\d{1,9}$'), ('9' * 20,)),
]
# The pages the brief found crashing, with a value of the shape they read: each must be among those attacked,
# found on the pages or (a page 2 the world's few rows do not need) added here.
NAMED = [('/reports/business', {'period': 'day', 'at': '2026-01-15'}), ('/reports/business', {'period': 'week',
         'at': '2026-W03'}), ('/reports/advisors', {'period': 'month', 'at': '2026-01'}),
         ('/reports/technicians', {'period': 'year', 'at': '2026'}),
         ('/reports/scorecards', {'period': 'month', 'at': '2026-01'}),
         ('/kpi/', {'start': '2026-01-01', 'last': '2026-01-31'}), ('/kpi/drill', {'name': 'timeliness', 'start': '2026-01-01'}),
         ('/appointments', {'date': '2026-01-15'}), ('/appointments/week', {'date': '2026-01-15'}),
         ('/appointments/new', {'date': '2026-01-15'}), ('/parts/reports', {'month': '2026-01'}),
         ('/parts/old-parts', {'month': '2026-01'}), ('/parts/stock', {'page': '2'}), ('/audit', {'page': '2'}),
         ('/aftercare/calls', {'who': '1'}), ('/aftercare/complaints/new', {'order_id': '1'})]
ZH = {'Accept-Language': 'zh-CN,zh;q=0.9'}


def _shape(value):
    return next(((name, extremes) for name, pattern, extremes in SHAPES if pattern.match(value)), None)


def _targets(app, world):
    """(path, query) pairs whose values the pages send: GET forms as filled in, and links with a query string."""
    client = harness.client_for(app, world.users['all'], address='10.30.0.1')
    found = set()
    for _rule, url, resp in harness.walk_pages(app, client, world.records, ROLES):
        if resp.status_code != 200 or resp.mimetype != 'text/html':
            continue
        body = resp.get_data(as_text=True)
        for link in harness.query_links(body):
            parts = urlsplit(link)
            found.add((parts.path, tuple(parse_qsl(parts.query, keep_blank_values=True))))
        for form in harness.forms_on(url, body):
            if form.method == 'GET':
                path = urlsplit(form.action).path
                found.add((path, tuple((f.name, f.value) for f in form.fields
                                       if f.kind not in ('submit', 'button') and f.value)))
    return found


@pytest.fixture(scope='module')
def messages(sec_app):
    """What app.core.params says about a value out of bounds, in Chinese."""
    with sec_app.test_request_context(), force_locale('zh'):
        return [str(m) for m in params.MESSAGES]


def test_extreme_dates_weeks_months_pages_and_ids_answer_a_clear_400(sec_app, world, messages):
    """Reports, the KPI dashboard, the calendar, parts reports, the audit trail and call lists crashed with a 500."""
    client = harness.client_for(sec_app, world.users['all'], address='10.30.0.2')
    found = _targets(sec_app, world) | {(path, tuple(query.items())) for path, query in NAMED}
    tried, wrong = set(), []
    for path, query in sorted(found):
        for i, (name, value) in enumerate(query):
            shape = _shape(value)
            for extreme in (shape[1] if shape else ()):
                url = '%s?%s' % (path, urlencode(query[:i] + ((name, extreme),) + query[i + 1:]))
                if url in tried:
                    continue
                tried.add(url)
                resp = harness.fetch(client, url, headers=ZH)
                body = resp.get_data(as_text=True) if resp.mimetype == 'text/html' else ''
                if resp.status_code != 400 or not any(m in body for m in messages):
                    wrong.append((url, resp.status_code, getattr(resp, 'error', '')))
    attacked = {urlsplit(u).path for u in tried}
    assert {path for path, _query in NAMED} <= attacked
    assert len(tried) >= 40, sorted(tried)
    assert not wrong, wrong


def test_kpi_and_report_periods_are_capped_at_three_years(sec_app, world):
    """A dashboard over 26 years (a 'From' date alone in 2000) kept the server busy; now a message in place."""
    client = harness.client_for(sec_app, world.users['manager'], address='10.30.0.3')
    for query in ('start=2000-01-01', 'start=2020-01-01&last=2024-01-01', 'name=timeliness&start=2000-01-01'):
        path = '/kpi/drill' if 'name=' in query else '/kpi/'
        resp = client.get('%s?%s' % (path, query), headers=ZH)
        assert resp.status_code == 400, query
        assert '最长 3 年' in resp.get_data(as_text=True), query
    assert client.get('/kpi/?start=2023-01-01&last=2025-12-31').status_code == 200     # three years: fine
    assert params.MAX_PERIOD_DAYS >= 3 * 365


def test_an_address_too_long_to_mean_is_refused(sec_app, world):
    """A 240 KB search or id in the address made the database refuse the query (a 'busy' page) or echoed it all."""
    client = harness.client_for(sec_app, world.users['all'], address='10.30.0.4')
    for url in ('/customers?q=' + 'x' * 240 * 1024, '/labels/keys/print?first=' + '9' * 20,
                '/vehicles/%d/owner?customer_id=%s' % (world.records['vehicle_id'], '9' * 20)):
        resp = harness.fetch(client, url, headers=ZH)
        assert resp.status_code == 400, (url[:60], resp.status_code, getattr(resp, 'error', ''))
        assert len(resp.get_data()) < 20000
