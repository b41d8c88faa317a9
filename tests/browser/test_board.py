"""The board and the dispatch screen in a real browser: a tap on the foreman's tablet reaches the wall within 5 s."""
import time

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, shot
from tests.helpers import TEST_DB

# The browser's server runs on its own SQLite database: once, in the SQLite pass, is enough.
pytestmark = [pytest.mark.browser, pytest.mark.skipif(TEST_DB == 'postgres', reason='runs in the SQLite pass')]


def _errors(page):
    found = []
    page.on('console', lambda msg: found.append(msg.text) if msg.type == 'error' else None)
    page.on('pageerror', lambda exc: found.append('uncaught: %s' % exc))
    return found


def test_dispatch_on_the_tablet_reaches_the_wall_within_5_seconds(live_server, browser):  # noqa: F811
    """The whole workshop watches the wall: a car the foreman dispatches must move there without a reload."""
    wall_ctx = browser.new_context(viewport={'width': 1920, 'height': 1080}, locale='zh-CN')
    tablet_ctx = browser.new_context(viewport={'width': 1024, 'height': 768}, locale='en-US')
    try:
        wall, tablet = wall_ctx.new_page(), tablet_ctx.new_page()
        wall_errors, tablet_errors = _errors(wall), _errors(tablet)
        login(wall, live_server, 'manager')
        wall.goto(live_server + '/board')
        # one screen from across the room: no scrolling, every open stage a column
        assert wall.evaluate('document.documentElement.scrollHeight') <= 1080
        assert wall.locator('.board-col').count() == 9
        shot(wall, 'board-wall-1920')

        login(tablet, live_server, 'foreman')
        tablet.goto(live_server + '/dispatch')
        shot(tablet, 'dispatch-tablet-1024')
        card = tablet.locator('.dispatch-card:not(.in-workshop)').first
        card_id = card.get_attribute('id')
        plate = card.locator('.plate').first.inner_text().strip()
        expect(wall.locator('.col-checked_in .bc-plate', has_text=plate)).to_have_count(1)

        card.locator('button.pick').first.click()
        swapped = tablet.locator('#' + card_id)
        expect(swapped.locator('.dc-accepted')).to_be_visible()      # swapped in place, no reload
        tapped = time.monotonic()
        expect(wall.locator('.col-dispatched .bc-plate', has_text=plate)).to_have_count(1, timeout=5000)
        assert time.monotonic() - tapped < 5
        expect(wall.locator('.col-checked_in .bc-plate', has_text=plate)).to_have_count(0)
        shot(wall, 'board-wall-1920-after')

        tablet.goto(live_server + '/board/tablet')
        expect(tablet.locator('.col-dispatched .bc-plate', has_text=plate)).to_have_count(1)
        shot(tablet, 'board-tablet-1024')
        assert not wall_errors, wall_errors
        assert not tablet_errors, tablet_errors
    finally:
        wall_ctx.close()
        tablet_ctx.close()


def test_dispatch_screen_on_the_wall(live_server, browser):  # noqa: F811
    """The foreman's screen also hangs on a wall: three columns, nothing cut off sideways."""
    ctx = browser.new_context(viewport={'width': 1920, 'height': 1080}, locale='zh-CN')
    try:
        page = ctx.new_page()
        login(page, live_server, 'foreman')
        page.goto(live_server + '/dispatch')
        assert page.evaluate('document.documentElement.scrollWidth') <= 1920
        shot(page, 'dispatch-wall-1920')
    finally:
        ctx.close()
