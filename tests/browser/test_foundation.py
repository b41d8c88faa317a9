"""Foundation seen through a real browser: sign-in, language switch, home tiles, order list, shop switch."""
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import follow_the_browser, login, shot

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390


def html_lang(page):
    return page.get_attribute('html', 'lang')


def no_horizontal_scroll(page, width=PHONE_WIDTH):
    scroll = page.evaluate('document.documentElement.scrollWidth')
    assert scroll <= width + 1, '%s scrolls sideways on a %d px phone: scrollWidth is %d' % (page.url, width, scroll)


def switch_language(page, code):
    with page.expect_navigation():
        page.click('button.lang[value="%s"]' % code)
    page.wait_for_load_state('load')


class Watcher:
    """Collects console errors, uncaught script errors and requests to other hosts of one page."""

    def __init__(self, page):
        self.errors = []
        self.foreign = []
        page.on('console', self._console)
        page.on('pageerror', lambda exc: self.errors.append('uncaught: %s' % exc))
        page.on('request', self._request)

    def _console(self, msg):
        if msg.type == 'error':
            self.errors.append('%s (%s)' % (msg.text, msg.location.get('url', '')))

    def _request(self, request):
        url = urlparse(request.url)
        if url.scheme in ('http', 'https', 'ws', 'wss') and url.hostname != '127.0.0.1':
            self.foreign.append(request.url)

    def assert_clean(self):
        assert not self.errors, 'console errors:\n' + '\n'.join(self.errors)
        assert not self.foreign, 'requests to other hosts:\n' + '\n'.join(self.foreign)


def test_technician_on_phone_signs_in_in_chinese_and_switches_to_english(live_server, phone, browser):
    """A technician's phone would show English or a broken, sideways-scrolling page, or forget the language."""
    page = phone
    page.goto(live_server + '/')
    expect(page).to_have_url(re.compile(r'/login'))
    assert html_lang(page) == 'zh-Hans'
    expect(page.locator('h1')).to_have_text('登录')
    no_horizontal_scroll(page)
    shot(page, 'login-phone-zh')

    login(page, live_server, 'tech')
    expect(page).to_have_url(live_server + '/')
    follow_the_browser(page, live_server)
    page.goto(live_server + '/')
    expect(page.locator('a.who')).to_contain_text('刘洋')
    assert html_lang(page) == 'zh-Hans'
    no_horizontal_scroll(page)
    shot(page, 'home-phone-zh')

    switch_language(page, 'en')
    assert html_lang(page) == 'en'
    expect(page.locator('button.lang[value="en"]')).to_have_class(re.compile(r'\bcurrent\b'))
    expect(page.locator('button.lang[value="zh"]')).not_to_have_class(re.compile(r'\bcurrent\b'))
    expect(page).to_have_url(live_server + '/')
    no_horizontal_scroll(page)
    shot(page, 'home-phone-en')

    page.reload()
    assert html_lang(page) == 'en'
    expect(page.locator('button.lang[value="en"]')).to_have_class(re.compile(r'\bcurrent\b'))

    page.goto(live_server + '/orders')
    assert html_lang(page) == 'en'
    expect(page.locator('#order-rows table')).to_be_visible()
    no_horizontal_scroll(page)
    shot(page, 'orders-phone-en')

    # Remembered on the account, not only in this browser: a fresh zh-CN browser signs in to English.
    other = browser.new_context(viewport={'width': 390, 'height': 844}, device_scale_factor=2,
                                is_mobile=True, has_touch=True, locale='zh-CN')
    try:
        second = other.new_page()
        second.goto(live_server + '/login')
        assert html_lang(second) == 'zh-Hans'
        login(second, live_server, 'tech')
        assert html_lang(second) == 'en', 'the language chosen on the other phone was not kept on the account'
    finally:
        other.close()
    switch_language(page, 'zh')       # the demo technician is shared with the other browser tests


def test_advisor_on_tablet_switches_to_chinese_and_filters_orders(live_server, tablet):
    """An advisor's tablet would show the wrong language, or a stage filter/back button would break the page."""
    page = tablet
    page.goto(live_server + '/login')
    assert html_lang(page) == 'en'
    expect(page.locator('h1')).to_have_text('Sign in')

    login(page, live_server, 'advisor')
    expect(page).to_have_url(live_server + '/')
    follow_the_browser(page, live_server)
    page.goto(live_server + '/')
    assert html_lang(page) == 'en'
    expect(page.locator('a.who')).to_contain_text('李娜')
    expect(page.locator('a.tile').first).to_be_visible()
    shot(page, 'home-tablet-en')

    switch_language(page, 'zh')
    assert html_lang(page) == 'zh-Hans'
    expect(page.locator('button.lang[value="zh"]')).to_have_class(re.compile(r'\bcurrent\b'))
    shot(page, 'home-tablet-zh')

    page.goto(live_server + '/orders')
    assert html_lang(page) == 'zh-Hans'
    expect(page.locator('#order-rows table')).to_be_visible()
    chip = page.locator('a.chip:not(.current)').first
    href = chip.get_attribute('href')
    assert 'stage=' in href
    with page.expect_response(lambda r: 'stage=' in r.url and r.request.headers.get('hx-request') == 'true'):
        chip.click()
    expect(page).to_have_url(re.compile(r'[?&]stage='))
    expect(page.locator('#order-rows table')).to_be_visible()
    expect(page.locator('#order-rows')).to_have_count(1)
    expect(page.locator('.topbar')).to_have_count(1)
    # the chosen chip is highlighted, not the one tapped before
    expect(page.locator('a.chip.current')).to_have_count(1)
    assert page.locator('a.chip.current').get_attribute('href') == href
    page.wait_for_load_state('networkidle')
    shot(page, 'orders-tablet-zh')

    page.go_back()
    expect(page).not_to_have_url(re.compile(r'stage='))
    page.wait_for_load_state('networkidle')
    expect(page.locator('.topbar')).to_have_count(1)
    expect(page.locator('#order-rows table')).to_be_visible()
    expect(page.locator('a.chip').first).to_be_visible()
    assert html_lang(page) == 'zh-Hans'
    switch_language(page, 'en')       # the demo advisor is shared with the other browser tests


def test_no_console_errors_and_no_other_hosts(live_server, tablet):
    """Staff would see broken styling or dead buttons (e.g. blocked by the CSP), or the app would call out to the internet."""
    page = tablet
    watch = Watcher(page)
    page.goto(live_server + '/login')
    switch_language(page, 'zh')
    login(page, live_server, 'foreman')
    page.goto(live_server + '/orders')
    chip = page.locator('a.chip:not(.current)').first
    with page.expect_response(lambda r: 'stage=' in r.url):
        chip.click()
    page.wait_for_load_state('networkidle')
    page.go_back()
    page.wait_for_load_state('networkidle')
    page.goto(live_server + '/account')
    switch_language(page, 'en')
    for tile in page.locator('a.tile').all()[:1]:
        tile.click()
        page.wait_for_load_state('networkidle')
    page.goto(live_server + '/')
    page.wait_for_load_state('networkidle')
    watch.assert_clean()


def test_manager_sees_shop_switcher_with_two_shops(live_server, tablet):
    """A manager of two shops would have no way to switch between them."""
    page = tablet
    login(page, live_server, 'manager')
    select = page.locator('select#shop-select')
    expect(select).to_be_visible()
    expect(select.locator('option')).to_have_count(2)
    shot(page, 'home-tablet-manager')
