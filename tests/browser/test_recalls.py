"""The recall on the technician's phone: the demo's brake hose recall covers a car in the workshop today; its job card
shows the open recall and one tap adds the work, billed to the maker (a server of its own: the tap changes the demo)."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, serve_demo, shot
from tests.helpers import TEST_DB

pytestmark = [pytest.mark.browser, pytest.mark.skipif(TEST_DB == 'postgres', reason='runs in the SQLite pass')]


@pytest.fixture(scope='module')
def recall_server():
    yield from serve_demo('servicebay-recalls-')


@pytest.fixture(scope='module')
def job_card(recall_server, browser):
    """The job card of the car in the shop today that the recall covers, as the manager finds it (before the tap)."""
    return _job_card_url(browser, recall_server)


def _job_card_url(browser, base):
    ctx = browser.new_context(viewport={'width': 1280, 'height': 900}, locale='en-US')
    try:
        page = ctx.new_page()
        login(page, base, 'manager')
        page.goto(base + '/recalls')
        page.locator('a[href*="/recalls/"]').filter(has_text=re.compile('RC-')).first.click()
        page.wait_for_load_state('load')
        shot(page, 'recalls-campaign-en')
        here = page.get_by_test_id('recall-here')
        expect(here).to_have_count(1)
        return here.get_attribute('href')
    finally:
        ctx.close()


@pytest.mark.parametrize('locale, lang', [('zh-CN', 'zh'), ('en-US', 'en')])
def test_recall_one_tap_on_the_job_card_at_phone_size(recall_server, job_card, browser, locale, lang):
    """A technician who cannot see or add the recall would send the car home with the maker's fix undone."""
    href = job_card
    assert re.search(r'/jobs/\d+$', href)
    ctx = browser.new_context(viewport={'width': 390, 'height': 844}, device_scale_factor=2, is_mobile=True,
                              has_touch=True, locale=locale)
    try:
        page = ctx.new_page()
        login(page, recall_server, 'tech')
        page.goto(recall_server + href)
        box = page.get_by_test_id('open-recalls')
        expect(box).to_be_visible()
        if lang == 'zh':        # the first run taps; the second finds the work on the order
            tap = box.get_by_test_id('recall-add')
            expect(tap).to_be_visible()
            size = tap.bounding_box()
            assert size['height'] >= 44 and size['x'] >= 0 and size['x'] + size['width'] <= 390
            shot(page, 'recalls-job-card-before-%s' % lang)
            with page.expect_navigation():
                tap.tap()
            page.wait_for_load_state('load')
            assert page.url.endswith(href)
        expect(page.get_by_test_id('open-recalls').get_by_test_id('recall-on-order')).to_be_visible()
        expect(page.get_by_test_id('recall-add')).to_have_count(0)
        assert page.evaluate('document.documentElement.scrollWidth') <= 390
        shot(page, 'recalls-job-card-after-%s' % lang)
    finally:
        ctx.close()
