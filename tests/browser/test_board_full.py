"""The wall board of a full shop (300 open orders) at 1920x1080: every car is on the wall, none behind "+N more"."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, serve_demo, shot
from tests.helpers import TEST_DB

pytestmark = [pytest.mark.browser, pytest.mark.skipif(TEST_DB == 'postgres', reason='runs in the SQLite pass')]

ROOT = Path(__file__).resolve().parents[2]
OPEN_ORDERS = 300
# bench/workshop_data.py scales the demo shop up to a busy floor; the board bench uses the same floor.
BUILD_FLOOR = ('import sys; sys.path.insert(0, "bench"); from workshop_data import build_floor; '
               'from app import create_app; build_floor(create_app(), orders=%d)' % OPEN_ORDERS)


@pytest.fixture(scope='module')
def full_server():
    """A server of its own: the demo, scaled up to 300 open orders and 40 technicians."""
    yield from serve_demo('servicebay-board-full-', then=[['-c', BUILD_FLOOR]])


VISIBLE_CARDS = """() => Array.from(document.querySelectorAll('#board .bcard')).filter(c => !c.hidden).map(c => {
    const r = c.getBoundingClientRect(), p = c.querySelector('.bc-plate');
    return {id: c.id, top: r.top, bottom: r.bottom, left: r.left, right: r.right, h: r.height,
            plateCut: p.scrollWidth > p.clientWidth + 1 || p.getBoundingClientRect().bottom > r.bottom + 1};
})"""


# A column's label that does not fit is cut with an ellipsis (or wraps), never drawn over the count beside it.
HEADS = """() => Array.from(document.querySelectorAll('#board .col-head')).map(h => {
    const label = h.querySelector('.col-label'), count = h.querySelector('.col-count');
    const l = label.getBoundingClientRect(), c = count.getBoundingClientRect(), head = h.getBoundingClientRect();
    return {label: label.textContent, count: count.textContent,
            overlaps: l.right > c.left + 0.5,
            spills: label.scrollWidth > label.clientWidth + 1 && getComputedStyle(label).overflowX === 'visible',
            countCut: count.scrollWidth > count.clientWidth + 1 || c.right > head.right + 0.5};
})"""


@pytest.mark.parametrize('locale', ['zh-CN', 'en-US'])
def test_every_open_car_is_on_the_wall_with_300_open_orders(full_server, browser, locale):
    """A car in a crowded stage would vanish from the wall, and the workshop would not know it is there."""
    ctx = browser.new_context(viewport={'width': 1920, 'height': 1080}, locale=locale)
    try:
        page = ctx.new_page()
        page.clock.install()
        login(page, full_server, 'manager')
        polls = []
        page.on('response', lambda r: polls.append(r.status) if '/board/poll' in r.url else None)
        page.goto(full_server + '/board')
        board = page.locator('#board')
        total = int(re.search(r'\d+', page.locator('.board-total').inner_text()).group(0))
        counts = [int(c) for c in page.locator('.col-count').all_inner_texts()]
        ids = set(page.locator('#board .bcard').evaluate_all('cards => cards.map(c => c.id)'))
        assert total >= OPEN_ORDERS and sum(counts) == total and len(ids) == total
        assert page.locator('.col-more').count() == 0            # nothing behind "+N more"
        pages = int(board.get_attribute('data-pages'))
        assert 1 < pages <= 4, pages                              # a turn of the pages within 40 s
        expect(page.get_by_test_id('board-pager')).to_be_visible()

        seen = set()
        for p in range(pages):
            expect(board).to_have_attribute('data-showing', str(p))
            assert page.evaluate('document.documentElement.scrollHeight') <= 1080
            assert page.evaluate('document.documentElement.scrollWidth') <= 1920
            shot(page, 'board-wall-300-%s-page%d' % (locale[:2], p + 1))
            for head in page.evaluate(HEADS):   # each column's name readable beside its count, the count whole
                assert not (head['overlaps'] or head['spills'] or head['countCut']), head
            cards = page.evaluate(VISIBLE_CARDS)
            assert cards
            for c in cards:      # on the screen, tall enough to read, the plate whole
                assert c['top'] >= 0 and c['bottom'] <= 1080 and c['left'] >= 0 and c['right'] <= 1920, c
                assert c['h'] >= 40 and not c['plateCut'], c
            seen |= {c['id'] for c in cards}
            page.clock.run_for(10_500)                            # the wall turns its page every 10 s
        assert seen == ids, 'cars never shown: %s' % sorted(ids - seen)[:10]
        expect(board).to_have_attribute('data-showing', '0')     # and starts over
        page.wait_for_timeout(500)
        assert 204 in polls, polls                                # the cheap unchanged answer still answers
    finally:
        ctx.close()
