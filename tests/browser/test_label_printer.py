"""On the intake tablet: the manager points the shop at its label printer, the advisor taps "print key tag" on an
order and reads in place that it printed; the printer (a fake one on 127.0.0.1) gets a label whose QR scans."""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import follow_the_browser, login, serve_demo, shot
from tests.labels.helpers import FakePrinter, closed_port_address, decode_qr, decode_raster, png_of


@pytest.fixture(scope='module')
def live_server():
    """This file changes the demo's records (answers, clocks, approvals): a server of its own, so the other files
    find the demo as it was loaded."""
    yield from serve_demo()


pytestmark = pytest.mark.browser


def _set_printer(page, base, address):
    page.goto(base + '/labels/printer')
    page.fill('#address', address)
    page.select_option('#media', '62x29')
    page.click('[data-testid=printer-save]')
    expect(page.locator('[data-testid=printer-message]')).to_be_visible()


def test_key_tag_prints_from_the_tablet_in_one_tap(live_server, browser, tmp_path):
    """An advisor on a tablet could not label the key, or would not know the printer was off."""
    ctx = browser.new_context(viewport={'width': 1024, 'height': 768}, locale='zh-CN')
    page = ctx.new_page()
    login(page, live_server, 'manager')
    follow_the_browser(page, live_server)      # Chinese, whatever language another test left on the account
    try:
        page.goto(live_server + '/orders?stage=checked_in')
        page.locator('#order-rows tbody a').first.click()
        page.wait_for_load_state('load')
        order_url = page.url
        expect(page.locator('[data-testid=printer-setup]')).to_be_visible()     # no printer yet: how to set one up
        with FakePrinter() as printer:
            _set_printer(page, live_server, printer.address)
            shot(page, 'label-printer-settings-zh')
            page.goto(order_url)
            expect(page.locator('[data-testid=order-keytag-label]')).to_have_count(0)
            page.click('[data-testid=print-keytag]')
            expect(page.locator('#label-sent [data-outcome=sent]')).to_be_visible()
            shot(page, 'label-printer-order-sent-zh')
            (job,) = printer.wait_jobs(1)
        (info, picture), = decode_raster(job)
        assert '/k/' in decode_qr(png_of(picture), tmp_path)

        _set_printer(page, live_server, closed_port_address())       # the printer is switched off
        page.goto(order_url)
        page.click('[data-testid=print-bags]')
        expect(page.locator('#label-sent [data-outcome=failed]')).to_be_visible()
        expect(page.locator('#label-sent')).to_contain_text('标签打印机')
        assert page.url == order_url
        shot(page, 'label-printer-order-failed-zh')
    finally:
        _set_printer(page, live_server, '')                         # the demo shop prints from the browser again
        ctx.close()
