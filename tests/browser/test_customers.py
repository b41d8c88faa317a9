"""The search box and the vehicle page in a real browser, at tablet and phone size (screenshots in tests/artifacts)."""
import re

import pytest
from playwright.sync_api import expect

from app.core.validators import make_vin
from tests.browser.helpers import login, shot
from tests.helpers import TEST_DB

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(TEST_DB == 'postgres', reason='the browser tests run in the SQLite pass')]


def _no_sideways_scroll(page, width):
    scroll = page.evaluate('document.documentElement.scrollWidth')
    assert scroll <= width + 1, '%s scrolls sideways at %d px: %d' % (page.url, width, scroll)


def _vehicle_with_history(page, base):
    """The id of a demo vehicle with a declined safety item (the demo puts five on cars with closed orders)."""
    for vehicle_id in range(1, 60):
        resp = page.request.get('%s/vehicles/%d' % (base, vehicle_id))
        if resp.ok and 'tag bad' in resp.text():
            return vehicle_id
    pytest.fail('no demo vehicle has a declined safety recommendation')


@pytest.mark.parametrize('size', ['tablet', 'phone'])
def test_search_as_you_type_and_vehicle_page(live_server, request, size):
    """Typing three characters would not bring up the car, the URL would not follow, or the pages would not fit."""
    page = request.getfixturevalue(size)
    width = page.viewport_size['width']
    login(page, live_server, 'advisor')
    page.goto(live_server + '/customers')
    box = page.locator('#customer-q')
    expect(box).to_be_focused()
    box.press_sequentially('B1', delay=60)
    expect(page.locator('#search-results .result').first).to_be_visible()
    expect(page).to_have_url(re.compile(r'/customers\?q=B1$'))
    assert page.locator('#search-results .result').count() >= 2
    _no_sideways_scroll(page, width)
    shot(page, 'customers-search-%s' % size)
    # a result opens the car; Back comes to the same results (the pushed URL loads as a full page)
    page.click('#search-results .result-car >> nth=0')
    expect(page).to_have_url(re.compile(r'/vehicles/\d+$'))
    page.go_back()
    expect(page).to_have_url(re.compile(r'/customers\?q=B1$'))
    expect(page.locator('#search-results .result').first).to_be_visible()

    vehicle_id = _vehicle_with_history(page, live_server)
    page.goto('%s/vehicles/%d' % (live_server, vehicle_id))
    expect(page.locator('.recommendations .tag.bad').first).to_be_visible()
    _no_sideways_scroll(page, width)
    shot(page, 'customers-vehicle-%s' % size)

    plate = page.locator('h1 .plate').inner_text()
    page.click('.owner-line a >> nth=0')
    expect(page).to_have_url(re.compile(r'/customers/\d+$'))
    _no_sideways_scroll(page, width)
    shot(page, 'customers-customer-%s' % size)

    # the same plate typed for a "new" car offers the one on file
    page.click('a[href$="/vehicles/new"]')
    page.fill('#plate', plate)
    page.fill('#vin', make_vin('LVGBE40K5M', '200001'))
    page.fill('#make', '丰田 Toyota')
    page.fill('#model', '雷凌 Levin')
    page.click('form.card button[type=submit]')
    expect(page.locator('.duplicate')).to_contain_text(plate)
    expect(page.locator('#plate-err')).to_be_visible()
    _no_sideways_scroll(page, width)
    shot(page, 'customers-duplicate-%s' % size)

