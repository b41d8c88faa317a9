"""Each role's home is its work queue: an item appears when its cause happens and leaves when it is done, and the
navigation's count follows, all without a reload (the queue's poll; 204 while nothing changed)."""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import follow_the_browser, login, shot

pytestmark = pytest.mark.browser

POLL = 25000       # ms: the navigation polls every 10 s; a change shows at the next poll


def _count(page, role):
    return int(page.get_by_test_id('queue-count-%s' % role).get_attribute('data-count'))


def _mark_no_reload(page):
    page.evaluate('window.__queueNoReload = 1')


def _not_reloaded(page):
    assert page.evaluate('window.__queueNoReload') == 1


def _context(browser, kind, lang):
    sizes = {'phone': dict(viewport={'width': 390, 'height': 844}, device_scale_factor=2, is_mobile=True,
                           has_touch=True),
             'tablet': dict(viewport={'width': 1024, 'height': 768}),
             'desktop': dict(viewport={'width': 1920, 'height': 1080})}
    return browser.new_context(locale='zh-CN' if lang == 'zh' else 'en-US', **sizes[kind])


def test_dispatch_moves_a_car_from_the_foremans_queue_to_the_technicians_phone(live_server, browser):
    """A car signed in by the foreman would stay in his queue, or not reach the technician's phone, until a reload."""
    fore_ctx, tech_ctx = _context(browser, 'tablet', 'en'), _context(browser, 'phone', 'zh')
    try:
        home, work, phone = fore_ctx.new_page(), fore_ctx.new_page(), tech_ctx.new_page()
        login(home, live_server, 'foreman')
        waiting = home.locator('[data-testid="queue-item"][data-key^="acceptance:"]')
        expect(waiting.first).to_be_visible()
        key = waiting.first.get_attribute('data-key')
        order_id = int(key.split(':')[1])
        before = _count(home, 'foreman')
        shot(home, 'queue-foreman-tablet-en')
        _mark_no_reload(home)

        login(phone, live_server, 'tech')
        expect(phone.get_by_test_id('work-queue')).to_be_visible()
        tech_before = _count(phone, 'technician')
        assert not phone.locator('[data-key="job:%d"]' % order_id).count()
        _mark_no_reload(phone)

        work.goto(live_server + '/dispatch')
        card = work.locator('#order-%d' % order_id)
        card.locator('details.dc-other summary').click()
        tech = card.locator('#t-%d option' % order_id, has_text='Liu Yang').get_attribute('value')
        card.locator('#t-%d' % order_id).select_option(tech)
        with work.expect_response(lambda r: '/dispatch/orders/%d/assign' % order_id in r.url):
            card.locator('details.dc-other button[type=submit]').click()

        expect(home.locator('[data-key="%s"]' % key)).to_have_count(0, timeout=POLL)
        expect(home.get_by_test_id('queue-count-foreman')).to_have_attribute('data-count', str(before - 1))
        expect(phone.locator('[data-key="job:%d"]' % order_id)).to_have_count(1, timeout=POLL)
        expect(phone.get_by_test_id('queue-count-technician')).to_have_attribute('data-count', str(tech_before + 1))
        _not_reloaded(home)
        _not_reloaded(phone)
        shot(phone, 'queue-technician-phone-zh')
        phone.locator('form.lang-switch button[value="en"]').click()
        phone.wait_for_load_state('load')
        expect(phone.get_by_test_id('work-queue')).to_be_visible()
        shot(phone, 'queue-technician-phone-en')
        follow_the_browser(phone, live_server)      # the shared demo account as other tests expect it
    finally:
        fore_ctx.close()
        tech_ctx.close()


def test_the_advisor_records_an_answer_and_the_added_work_leaves_the_queue(live_server, browser):
    """Added work answered on the approvals page would stay in the advisor's queue (and count) until a reload."""
    ctx = _context(browser, 'tablet', 'en')
    try:
        home, work = ctx.new_page(), ctx.new_page()
        login(home, live_server, 'advisor')
        item = home.locator('[data-testid="queue-item"][data-key^="added_work:"]').first
        expect(item).to_be_visible()
        key = item.get_attribute('data-key')
        before = _count(home, 'advisor')
        shot(home, 'queue-advisor-tablet-en')
        _mark_no_reload(home)

        work.goto(live_server + item.locator('a').get_attribute('href'))
        form = work.locator('form.apq-form')
        form.locator('input[name=decision][value=declined]').check(force=True)
        form.locator('input[name=channel][value=phone]').check(force=True)
        with work.expect_response(lambda r: '/decide' in r.url):
            form.locator('button[type=submit]').click()

        expect(home.locator('[data-key="%s"]' % key)).to_have_count(0, timeout=POLL)
        expect(home.get_by_test_id('queue-count-advisor')).to_have_attribute('data-count', str(before - 1))
        _not_reloaded(home)
        home.locator('form.lang-switch button[value="zh"]').click()
        home.wait_for_load_state('load')
        expect(home.get_by_test_id('work-queue')).to_be_visible()
        shot(home, 'queue-advisor-tablet-zh')
        home.get_by_test_id('menu-link').click()
        expect(home.locator('a.tile').first).to_be_in_viewport()
        follow_the_browser(home, live_server)
    finally:
        ctx.close()


def test_the_manager_approves_a_count_and_it_leaves_his_queue(live_server, browser):
    """A stock count approved by the manager would stay in his queue, or the late items would not be his to see."""
    ctx = _context(browser, 'desktop', 'zh')
    try:
        home, work = ctx.new_page(), ctx.new_page()
        login(home, live_server, 'manager')
        expect(home.get_by_test_id('work-queue')).to_be_visible()
        assert home.locator('[data-testid="queue-item"][data-state="late"]').count() > 0
        counts = home.locator('[data-testid="queue-item"][data-key^="count:"]')
        expect(counts.first).to_be_visible()
        # the demo's later sheet (bin B-01): the first, A-01, is the parts desk test's (tests/browser/test_parts.py)
        key = max(counts.evaluate_all('els => els.map(e => e.dataset.key)'), key=lambda k: int(k.split(':')[1]))
        item = home.locator('[data-key="%s"]' % key)
        before = _count(home, 'manager')
        shot(home, 'queue-manager-desktop-zh')
        _mark_no_reload(home)

        work.goto(live_server + item.locator('a').get_attribute('href'))
        with work.expect_navigation():
            work.get_by_test_id('count-approve').click()

        expect(home.locator('[data-key="%s"]' % key)).to_have_count(0, timeout=POLL)
        expect(home.get_by_test_id('queue-count-manager')).to_have_attribute('data-count', str(before - 1))
        _not_reloaded(home)
        home.locator('form.lang-switch button[value="en"]').click()
        home.wait_for_load_state('load')
        shot(home, 'queue-manager-desktop-en')
        follow_the_browser(home, live_server)
    finally:
        ctx.close()
