"""Rough edges of the floor in a real browser: cancelling a check-in on the tablet, QC in one tap on the phone."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, serve_demo, shot


@pytest.fixture(scope='module')
def live_server():
    """This file changes the demo's records (answers, clocks, approvals): a server of its own, so the other files
    find the demo as it was loaded."""
    yield from serve_demo()


pytestmark = pytest.mark.browser


@pytest.mark.parametrize('locale', ['zh-CN', 'en-US'])
def test_a_started_checkin_is_cancelled_from_its_page_after_a_confirmation(live_server, browser, locale):
    """A check-in whose customer walked away stayed on the list for good, holding its key tag."""
    ctx = browser.new_context(viewport={'width': 1024, 'height': 768}, locale=locale)
    try:
        page = ctx.new_page()
        login(page, live_server, 'advisor')
        page.goto(live_server + '/checkin')
        page.get_by_test_id('checkin-new').click()
        expect(page).to_have_url(re.compile(r'/checkin/\d+/vehicle'))
        draft = re.search(r'/checkin/(\d+)/', page.url).group(1)
        confirm = page.get_by_test_id('checkin-cancel-confirm')
        expect(confirm).to_be_hidden()                          # one tap alone cancels nothing
        page.get_by_test_id('checkin-cancel').click()
        expect(confirm).to_be_visible()
        shot(page, 'checkin-cancel-confirm-tablet-%s' % locale[:2])
        confirm.click()
        expect(page).to_have_url(re.compile(r'/checkin$'))
        assert page.locator('a[href$="/checkin/%s"]' % draft).count() == 0
        shot(page, 'checkin-cancelled-list-tablet-%s' % locale[:2])
    finally:
        ctx.close()


def test_qc_passes_a_car_with_one_tap_on_the_phone(live_server, phone):
    """An inspector tapped OK eleven times on a small screen for a car with nothing wrong."""
    login(phone, live_server, 'qc')
    phone.goto(live_server + '/qc')
    cars = phone.locator('a.insp-open')
    if not cars.count():
        pytest.skip('the demo has no car waiting for QC today')
    cars.first.click()
    expect(phone).to_have_url(re.compile(r'/qc/orders/\d+'))
    order_path = re.search(r'/qc/orders/\d+', phone.url).group(0)
    all_ok = phone.get_by_test_id('qc-all-ok')
    expect(all_ok).to_be_visible()
    box = all_ok.bounding_box()
    assert box['height'] >= 44 and box['width'] >= 300        # a thumb's tap, near the top
    assert box['y'] < 844 * 1.5
    shot(phone, 'qc-all-ok-phone-zh')
    all_ok.click()
    expect(phone).to_have_url(re.compile(r'/qc$'))
    expect(phone.locator('.flash')).to_be_visible()
    assert phone.locator('a.insp-open[href$="%s"]' % order_path).count() == 0
    shot(phone, 'qc-all-ok-done-phone-zh')
