"""On a phone: the technician fills a health check in a few taps, and the customer reads it on the status link in
both languages. The check changes the demo's records, so this file has a server of its own."""
import re
import time

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import Counter, login, serve_demo, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope='module')
def server():
    yield from serve_demo(prefix='servicebay-health-')


def _fits_the_phone(page):
    assert page.evaluate('document.documentElement.scrollWidth') <= 390


def _wait_until(page, js, timeout=15.0):
    """Poll a condition from Python (wait_for_function evaluates with eval(), which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(js):
        assert time.monotonic() < deadline, 'still false after %.0f s: %s' % (timeout, js)
        time.sleep(0.2)


def _unchecked_car(page, base):
    """The first of my cars whose health check is not started: its check page."""
    page.goto(base + '/jobs')
    ids = []
    for href in page.locator('a[href*="/jobs/"]').evaluate_all('els => els.map(e => e.getAttribute("href"))'):
        found = re.search(r'/jobs/(\d+)$', href or '')
        if found and int(found.group(1)) not in ids:
            ids.append(int(found.group(1)))
    for order_id in ids:
        page.goto('%s/jobs/%d' % (base, order_id))
        page.get_by_test_id('health-check-link').click()
        page.wait_for_load_state('load')
        if (page.get_by_test_id('hc-finish').count() and not page.get_by_test_id('hc-finished').count()
                and page.locator('[data-colour=amber], [data-colour=red]').count() == 0):
            return order_id
    pytest.fail('no car of the technician without a health check in the demo')


def _fill_the_check(page, base, tmp_path):
    order_id = _unchecked_car(page, base)
    _fits_the_phone(page)
    shot(page, 'health-check-phone-start')
    taps = Counter(page)
    # an amber front left tyre: the reading and a photo
    tyre = page.get_by_test_id('hc-item-tyre_fl')
    taps.tap(page.get_by_test_id('hc-mark-tyre_fl'))
    taps.tap(tyre.locator('label.sev-amber'))
    taps.type(tyre.locator('input[name=measurement]'), '2.6')
    photo = tmp_path / 'tyre.jpg'
    photo.write_bytes(factories.tiny_jpeg(size=(320, 240)))
    tyre.locator('input[type=file]').set_input_files(str(photo))
    taps.other()
    taps.tap(page.get_by_test_id('hc-save-tyre_fl'))
    expect(page.get_by_test_id('hc-item-tyre_fl')).to_have_attribute('data-colour', 'amber')
    expect(page.get_by_test_id('hc-item-tyre_fl').locator('.thumbs img')).to_have_count(1)
    # a typo in the next reading: refused in place, what was typed kept
    pads = page.get_by_test_id('hc-item-brake_pads_front')
    taps.tap(page.get_by_test_id('hc-mark-brake_pads_front'))
    taps.tap(pads.locator('label.sev-red'))
    taps.type(pads.locator('input[name=measurement]'), '2,5mm')
    taps.tap(page.get_by_test_id('hc-save-brake_pads_front'))
    pads = page.get_by_test_id('hc-item-brake_pads_front')
    expect(pads.locator('.error-text')).to_be_visible()
    expect(pads.locator('input[name=measurement]')).to_have_value('2,5mm')
    _fits_the_phone(page)
    shot(page, 'health-check-phone-error')
    taps.type(pads.locator('input[name=measurement]'), '2.5')
    taps.tap(page.get_by_test_id('hc-save-brake_pads_front'))
    expect(page.get_by_test_id('hc-item-brake_pads_front')).to_have_attribute('data-colour', 'red')
    # the rest is green
    taps.tap(page.get_by_test_id('hc-finish'))
    expect(page.get_by_test_id('hc-finished')).to_be_visible()
    assert page.locator('[data-colour=green]').count() >= 5
    assert taps.n <= 14, taps.n
    _fits_the_phone(page)
    shot(page, 'health-check-phone-done')
    return order_id


def test_technician_fills_the_check_and_the_customer_reads_it(server, browser, tmp_path):
    """A technician must get the check done in a few taps on the phone, and the customer must read it, with the
    photo and each recommendation's price, in Chinese and in English, on a page that fits the phone."""
    context = browser.new_context(viewport={'width': 390, 'height': 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale='zh-CN')
    tech = context.new_page()
    login(tech, server, 'tech')
    order_id = _fill_the_check(tech, server, tmp_path)
    context.close()

    desk = browser.new_context(viewport={'width': 1024, 'height': 768}, locale='en-US')
    tablet = desk.new_page()
    login(tablet, server, 'advisor')
    tablet.goto('%s/orders/%d/diagnosis-report' % (server, order_id))
    expect(tablet.get_by_test_id('report-advice').locator('tbody tr')).to_have_count(2)
    shot(tablet, 'health-check-diagnosis-report')
    tablet.goto('%s/orders/%d/status-link' % (server, order_id))
    url = tablet.locator('p.mono a').get_attribute('href')
    desk.close()

    customer = browser.new_context(viewport={'width': 390, 'height': 844}, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale='zh-CN')
    phone = customer.new_page()
    for lang in ('zh', 'en'):
        phone.goto('%s?lang=%s' % (url, lang))
        health = phone.get_by_test_id('status-health')
        expect(health).to_be_visible()
        expect(health.locator('[data-colour=amber]')).to_have_count(1)
        expect(health.locator('[data-colour=red]')).to_have_count(1)
        expect(health.get_by_test_id('status-health-advice')).to_have_count(2)
        assert '¥' in health.get_by_test_id('status-health-advice').first.inner_text()
        health.locator('.photos img').first.scroll_into_view_if_needed()
        _wait_until(phone, "[...document.querySelectorAll('[data-testid=status-health] .photos img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")
        assert health.locator('form, button, input').count() == 0      # read only
        _fits_the_phone(phone)
        shot(phone, 'health-check-status-phone-%s' % lang)
    customer.close()
