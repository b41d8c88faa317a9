"""A campaign edited and closed on the service manager's tablet: the demo's software campaign gets a new title, is
closed as withdrawn by the maker and then listed with the closed ones (a server of its own: the close changes the
demo)."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, serve_demo, shot
from tests.helpers import TEST_DB

pytestmark = [pytest.mark.browser, pytest.mark.skipif(TEST_DB == 'postgres', reason='runs in the SQLite pass')]


@pytest.fixture(scope='module')
def server():
    yield from serve_demo('servicebay-recall-changes-')


@pytest.mark.parametrize('locale', ['zh-CN'])
def test_edit_a_campaigns_title_and_close_it_on_a_tablet(server, browser, locale):
    """A manager who cannot fix a campaign's title or close a withdrawn one leaves cars flagged for nothing."""
    ctx = browser.new_context(viewport={'width': 768, 'height': 1024}, has_touch=True, locale=locale)
    try:
        page = ctx.new_page()
        login(page, server, 'manager')
        page.goto(server + '/recalls')
        # the demo's withdrawn campaign is listed apart, as closed
        expect(page.get_by_test_id('campaigns-closed').locator('[data-state="closed"]')).to_have_count(1)
        running = page.get_by_test_id('campaigns-active').locator('a[href*="/recalls/"]').filter(
            has_text=re.compile(r'^SC-'))
        expect(running).to_have_count(1)
        href = running.get_attribute('href')
        running.click()
        page.wait_for_url(re.compile(re.escape(href) + '$'))

        page.get_by_test_id('campaign-edit').click()
        page.wait_for_url(re.compile(r'/recalls/\d+/edit$'))
        expect(page.get_by_test_id('edit-not-retroactive')).to_be_visible()
        page.locator('input[name=title]').fill('发动机控制软件升级（第二版） ECU update v2')
        shot(page, 'recalls-edit-tablet')
        with page.expect_navigation():
            page.get_by_test_id('campaign-save').click()
        assert page.url.endswith(href)
        expect(page.locator('h1')).to_contain_text('第二版')

        page.get_by_test_id('campaign-close-open').click()
        form = page.get_by_test_id('campaign-close-form')
        expect(form).to_be_visible()
        form.locator('input[name=reason][value=withdrawn]').check()
        form.locator('textarea[name=note]').fill('厂家撤回通知 2026-031')
        button = form.get_by_test_id('campaign-close')
        assert button.bounding_box()['height'] >= 40
        shot(page, 'recalls-close-form-tablet')
        with page.expect_navigation():
            button.tap()
        expect(page.get_by_test_id('campaign-closed')).to_be_visible()
        expect(page.get_by_test_id('campaign-reopen')).to_be_visible()
        expect(page.get_by_test_id('recall-calls')).to_have_count(0)
        assert page.evaluate('document.documentElement.scrollWidth') <= 768
        shot(page, 'recalls-closed-tablet')

        page.goto(server + '/recalls')
        closed = page.get_by_test_id('campaigns-closed')
        expect(closed.locator('[data-state="closed"]')).to_have_count(2)
        expect(closed.locator('a[href="%s"]' % href)).to_have_count(1)
        expect(page.get_by_test_id('campaigns-active').locator('a[href="%s"]' % href)).to_have_count(0)
        assert page.evaluate('document.documentElement.scrollWidth') <= 768
        shot(page, 'recalls-list-tablet')
    finally:
        ctx.close()
