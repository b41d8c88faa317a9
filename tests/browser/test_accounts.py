"""Per-device sessions seen through a real browser: the account page's device list and ending one device."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_account_page_lists_devices_and_signs_one_out(live_server, tablet):
    """The foreman sees his wall board and phone on his account page and can sign the phone out."""
    login(tablet, live_server, 'foreman')
    tablet.goto(live_server + '/account')
    rows = tablet.locator('#account-devices tbody tr')
    # this tablet, the demo's wall board and phone (and any other browser test signed in as the foreman)
    expect(tablet.locator('#account-devices')).to_contain_text('This device')
    before = rows.count()
    assert before >= 3
    expect(tablet.locator('#account-devices')).to_contain_text('Chrome / Android')
    shot(tablet, 'accounts_devices_tablet')
    phone_row = rows.filter(has_text='Chrome / Android')
    with tablet.expect_navigation():
        phone_row.locator('button[type=submit]').click()
    expect(tablet.locator('#account-devices tbody tr')).to_have_count(before - 1)
    expect(tablet.locator('#account-devices')).not_to_contain_text('Chrome / Android')
    shot(tablet, 'accounts_devices_after_tablet')


def test_account_devices_fit_a_phone(live_server, phone):
    """On a phone the device list is readable (Chinese) and the page does not scroll sideways."""
    login(phone, live_server, 'advisor')
    phone.goto(live_server + '/account')
    expect(phone.locator('#account-devices tbody tr').first).to_be_visible()
    # in the advisor's own language (another browser test may have chosen it), either way marked
    expect(phone.locator('#account-devices')).to_contain_text(re.compile('本设备|This device'))
    shot(phone, 'accounts_devices_phone')
    assert phone.evaluate('document.documentElement.scrollWidth') <= 391
