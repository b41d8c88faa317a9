"""Reports in a real browser: the daily business report and a scorecard on the manager's tablet and a wall screen."""
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, shot
from tests.helpers import TEST_DB

# The browser's server runs on its own SQLite database: once, in the SQLite pass, is enough.
pytestmark = [pytest.mark.browser, pytest.mark.skipif(TEST_DB == 'postgres', reason='runs in the SQLite pass')]

SIZES = (('tablet-1024', {'width': 1024, 'height': 768}, 'en-US'), ('wall-1920', {'width': 1920, 'height': 1080}, 'zh-CN'))


def _errors(page):
    found = []
    page.on('console', lambda msg: found.append(msg.text) if msg.type == 'error' else None)
    page.on('pageerror', lambda exc: found.append('uncaught: %s' % exc))
    return found


def _busy_day(page, base):
    """The demo's latest day with cars handed back: from the monthly report's day table (this month or last).

    Early on the 1st of a month no car is out yet this month; then the period bar's "previous" link (found by its
    test id, its label is in the user's language) leads to last month."""
    page.goto(base + '/reports/business?period=month')
    for _ in range(2):
        rows = page.locator('table.rp-table tbody tr', has=page.locator('a[href*="period=day"]'))
        days = [r for r in rows.all() if r.locator('td').nth(2).inner_text().strip() != '0']
        if days:
            return days[-1].locator('a').inner_text().strip()
        page.goto(urljoin(page.url, page.get_by_test_id('period-prev').get_attribute('href')))
    pytest.fail('the demo has no car handed back this month or last')


@pytest.mark.parametrize('name, viewport, locale', SIZES)
def test_daily_report_and_scorecard_on_tablet_and_wall(live_server, browser, name, viewport, locale):
    """The manager reads the daily report and a technician's scorecard on a tablet and on the wall screen."""
    ctx = browser.new_context(viewport=viewport, locale=locale)
    try:
        page = ctx.new_page()
        errors = _errors(page)
        login(page, live_server, 'manager')
        day = _busy_day(page, live_server)
        page.goto(live_server + '/reports/business?period=day&at=' + day)
        assert int(page.locator('#rp-out').inner_text()) >= 1
        expect(page.locator('#rp-revenue')).not_to_have_text('¥0.00')
        # nothing sticks out sideways on either screen
        assert page.evaluate('document.documentElement.scrollWidth') <= viewport['width']
        shot(page, 'reports-daily-%s' % name)

        page.goto(live_server + '/reports/business?period=month&at=' + day[:7])
        expect(page.locator('svg.rp-chart rect').first).to_be_visible()
        shot(page, 'reports-monthly-%s' % name)

        page.goto(live_server + '/reports/scorecards?period=month&at=' + day[:7])
        shot(page, 'reports-scorecards-%s' % name)
        link = page.locator('.rp-role a[href*="/reports/scorecards/"]').nth(2)
        link.click()
        page.wait_for_load_state('load')
        card = page.locator('.rp-card').first
        expect(card.locator('.rp-total strong')).not_to_have_text('')
        expect(card.locator('svg.rp-scores rect').first).to_be_visible()
        assert page.evaluate('document.documentElement.scrollWidth') <= viewport['width']
        shot(page, 'reports-scorecard-%s' % name)

        # the printed A4 page hides the buttons and keeps the figures
        page.emulate_media(media='print')
        assert page.locator('.rp-bar').is_hidden()
        expect(card.locator('.rp-total strong')).to_be_visible()
        shot(page, 'reports-scorecard-print-%s' % name)
        assert not errors, errors
    finally:
        ctx.close()
