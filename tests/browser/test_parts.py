"""The parts desk on a tablet: search as you type, a part's ledger, stock by bin, receiving with inspection,
a count sheet approved by the manager (screenshots in tests/artifacts)."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, shot
from tests.helpers import TEST_DB

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(TEST_DB == 'postgres', reason='the browser tests run in the SQLite pass')]


def _no_sideways_scroll(page):
    width = page.viewport_size['width']
    scroll = page.evaluate('document.documentElement.scrollWidth')
    assert scroll <= width + 1, '%s scrolls sideways at %d px: %d' % (page.url, width, scroll)


def test_parts_desk_on_a_tablet(live_server, tablet):
    """The clerk could not find a part, see its ledger, receive a delivery or get a count approved."""
    page = tablet
    login(page, live_server, 'parts')
    page.goto(live_server + '/parts/catalogue')
    box = page.locator('#part-q')
    expect(box).to_be_focused()
    box.press_sequentially('brake pads', delay=40)
    expect(page).to_have_url(re.compile(r'/parts/catalogue\?q=brake(%20|\+)pads$'))
    expect(page.locator('#part-results tbody tr').first.locator('a.mono')).to_be_visible()   # a part, not "no match"
    assert page.locator('#part-results tbody tr').count() >= 10
    _no_sideways_scroll(page)
    shot(page, 'parts-search-tablet')
    # the engine oil the counter issued this morning: its ledger shows the opening stock and the issues
    box.fill('')
    box.press_sequentially('08880-83715', delay=30)
    expect(page.locator('#part-results tbody tr')).to_have_count(1)
    page.click('#part-results a.mono')
    expect(page.locator('#part-ledger tr.pt-issue').first).to_be_visible()
    expect(page.locator('#part-ledger tr.pt-receipt').first).to_be_visible()
    _no_sideways_scroll(page)
    shot(page, 'parts-part-ledger-tablet')
    # stock by bin
    page.goto(live_server + '/parts/stock')
    page.fill('#stock-bin', 'B-01')
    expect(page).to_have_url(re.compile(r'bin=B-01'))
    expect(page.locator('#stock-rows tbody tr').first).to_contain_text('B-01')
    shot(page, 'parts-stock-tablet')
    # the purchase order being received: the rest of it, one line with a rejected piece and no reason first
    page.goto(live_server + '/parts/purchase-orders')
    page.locator('tr:has(.tag.pt-po-partly) a.mono').first.click()
    expect(page).to_have_url(re.compile(r'/parts/purchase-orders/\d+$'))
    delivered = page.locator('input[name$="-delivered"]')
    assert delivered.count() == 3                       # one line of the four is complete
    first = delivered.nth(2)
    first.fill(first.get_attribute('placeholder'))
    name = first.get_attribute('name').replace('delivered', 'rejected')
    page.fill('input[name="%s"]' % name, '1')
    page.click('[data-testid=po-receive]')
    # the error stands on the line with the rejected piece
    bad_line = page.locator('tr.has-error')
    expect(bad_line).to_have_count(1)
    expect(bad_line.locator('input[name="%s"]' % name)).to_have_count(1)
    expect(bad_line.locator('.error-text')).to_be_visible()
    expect(page.locator('input[name="%s"]' % name)).to_have_value('1')      # what was typed is kept
    page.fill('input[name="%s"]' % name.replace('rejected', 'reason'), '包装破损 box crushed')
    page.click('[data-testid=po-receive]')
    expect(page.locator('.flash.ok')).to_be_visible()
    expect(page.locator('tr.has-error')).to_have_count(0)
    shot(page, 'parts-po-received-tablet')
    page.goto(live_server + '/parts/rejected')
    expect(page.locator('table')).to_contain_text('box crushed')
    # the count waiting for approval: the clerk sees the gain/loss sheet, the manager approves it
    page.goto(live_server + '/parts/counts')
    page.locator('tr:has(.tag.pt-count-submitted):has(td.mono:text-is("A-01, A-02")) a.mono').first.click()
    expect(page.locator('.pt-gainloss [data-testid=count-variance-rate]')).to_be_visible()
    expect(page.locator('.pt-gainloss tbody tr.pt-loss')).to_have_count(2)
    expect(page.locator('.pt-gainloss tbody tr.pt-gain')).to_have_count(1)
    shot(page, 'parts-count-sheet-tablet')
    count_url = page.url
    page.click('form[action$="/logout"] button')
    login(page, live_server, 'manager')
    page.goto(count_url)
    page.click('[data-testid=count-approve]')
    expect(page.locator('h1 .tag.pt-count-approved')).to_be_visible()
    expect(page.locator('.pt-gainloss tbody tr.pt-loss')).to_have_count(2)      # the sheet stays as counted
    shot(page, 'parts-count-approved-tablet')
    page.goto(live_server + '/parts/reports')
    expect(page.locator('.pt-kpis [data-testid=parts-fill-rate]')).to_be_visible()
    _no_sideways_scroll(page)
    shot(page, 'parts-reports-tablet')


def test_counting_a_bin_on_a_phone(live_server, phone):
    """Counting in the aisle: each line saves in place, the page fits the phone, a bad entry is shown on its line."""
    page = phone
    login(page, live_server, 'parts')
    page.goto(live_server + '/parts/counts')
    page.fill('input[name=bins]', 'H-01')
    page.click('form[action$="/parts/counts"] button[type=submit]')
    expect(page.locator('.pt-count-line')).to_have_count(2)
    first = page.locator('.pt-count-line').first
    first.locator('input[name=counted]').fill('-1')
    first.locator('button').click()
    expect(page.locator('.pt-count-line').first.locator('.error-text')).to_be_visible()
    first = page.locator('.pt-count-line').first
    first.locator('input[name=counted]').fill('12')
    first.locator('button').click()
    expect(page.locator('.pt-count-line.pt-counted')).to_have_count(1)
    _no_sideways_scroll(page)
    shot(page, 'parts-count-entry-phone')
