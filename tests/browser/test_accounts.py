"""Per-device sessions seen through a real browser: the account page's device list and ending one device."""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, shot

pytestmark = pytest.mark.browser

PHONE = 'Chrome / Android'      # the demo foreman's phone (app/accounts/demo.py DEVICES)


def test_account_page_lists_devices_and_signs_one_out(live_server, tablet):
    """The foreman sees his wall board and phone on his account page and can sign the phone out."""
    login(tablet, live_server, 'foreman')
    tablet.goto(live_server + '/account')
    rows = tablet.locator('#account-devices tbody tr')
    # this tablet, the demo's wall board and phone (and any other browser test signed in as the foreman)
    expect(tablet.locator('#account-devices [data-testid=this-device]')).to_have_count(1)
    before = rows.count()
    assert before >= 3
    # the demo's phone, by the device name read from its User-Agent (data: the same in every language)
    phone_row = rows.filter(has=tablet.locator('[data-testid=device-name]', has_text=PHONE))
    expect(phone_row).to_have_count(1)
    shot(tablet, 'accounts_devices_tablet')
    with tablet.expect_navigation():
        phone_row.locator('button[type=submit]').click()
    expect(tablet.locator('#account-devices tbody tr')).to_have_count(before - 1)
    expect(phone_row).to_have_count(0)
    shot(tablet, 'accounts_devices_after_tablet')


def test_account_devices_fit_a_phone(live_server, phone):
    """On a phone the device list is readable (Chinese) and the page does not scroll sideways."""
    login(phone, live_server, 'advisor')
    phone.goto(live_server + '/account')
    expect(phone.locator('#account-devices tbody tr').first).to_be_visible()
    # this phone is marked, in whichever language the advisor chose
    expect(phone.locator('#account-devices [data-testid=this-device]')).to_be_visible()
    shot(phone, 'accounts_devices_phone')
    assert phone.evaluate('document.documentElement.scrollWidth') <= 391
