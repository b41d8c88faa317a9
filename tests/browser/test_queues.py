"""Each role's home is its work queue: an item appears when its cause happens and leaves when it is done, and the
navigation's count follows, all without a reload (the queue's poll; 204 while nothing changed)."""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import follow_the_browser, login, serve_demo, shot


@pytest.fixture(scope='module')
def live_server():
    """This file changes the demo's records (answers, clocks, approvals): a server of its own, so the other files
    find the demo as it was loaded."""
    yield from serve_demo()


pytestmark = pytest.mark.browser

POLL = 25000       # ms: the navigation polls every 10 s; a change shows at the next poll


def _count(page, role):
    return int(page.get_by_test_id('queue-count-%s' % role).get_attribute('data-count'))


def _mark_no_reload(page):
    page.evaluate('window.__queueNoReload = 1')


def _not_reloaded(page):
    assert page.evaluate('window.__queueNoReload') == 1


def _open(work, home, key, base):
    """Open the item's page (its one tap) in the other tab, the home page left as it is."""
    work.goto(base + home.locator('[data-key="%s"] a' % key).get_attribute('href'))


def _leaves(home, key, role, count):
    """The item leaves the home page at the next poll and the navigation's count follows, without a reload."""
    expect(home.locator('[data-key="%s"]' % key)).to_have_count(0, timeout=POLL)
    expect(home.get_by_test_id('queue-count-%s' % role)).to_have_attribute('data-count', str(count))
    _not_reloaded(home)


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

        _open(work, home, key, live_server)
        form = work.locator('form.apq-form')
        form.locator('input[name=decision][value=declined]').check(force=True)
        form.locator('input[name=channel][value=phone]').check(force=True)
        with work.expect_response(lambda r: '/decide' in r.url):
            form.locator('button[type=submit]').click()

        _leaves(home, key, 'advisor', before - 1)
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
        before = _count(home, 'manager')
        shot(home, 'queue-manager-desktop-zh')
        _mark_no_reload(home)

        _open(work, home, key, live_server)
        with work.expect_navigation():
            work.get_by_test_id('count-approve').click()

        _leaves(home, key, 'manager', before - 1)
        home.locator('form.lang-switch button[value="en"]').click()
        home.wait_for_load_state('load')
        shot(home, 'queue-manager-desktop-en')
        follow_the_browser(home, live_server)
    finally:
        ctx.close()


# --- QC, parts, warranty and customer service: each role's cause and answer ------------------------------

def _keys(page, prefix):
    return set(page.locator('[data-testid="queue-item"][data-key^="%s:"]' % prefix).evaluate_all(
        'els => els.map(e => e.dataset.key)'))


def _appears(page, prefix, before):
    """Wait (without a reload) for one new item of this kind in the queue; its key."""
    expect(page.locator('[data-testid="queue-item"][data-key^="%s:"]' % prefix)).to_have_count(len(before) + 1,
                                                                                             timeout=POLL)
    (key,) = _keys(page, prefix) - before
    return key


def _watch(page, base, username, role):
    """Sign in on the home page, note the count and the items there, and mark the page: a reload would unmark it."""
    login(page, base, username)
    expect(page.get_by_test_id('work-queue')).to_be_visible()
    _mark_no_reload(page)
    return _count(page, role)


def _job_to_hand_over(phone, base):
    """A job of mine in the workshop whose every open line is mine (the phone offers its buttons): its order id."""
    phone.goto(base + '/')
    for key in _keys(phone, 'job') | _keys(phone, 'rework'):
        order_id = int(key.split(':')[1])
        phone.goto('%s/jobs/%d' % (base, order_id))
        lines = phone.locator('article.job-line')
        if not phone.locator('#card-head .stage-in_progress, #card-head .stage-dispatched').count():
            continue
        others_open = phone.locator('#lines .other-jobs .line-status:not(.ls-done)').count()
        if lines.count() and not others_open and all(ln.locator('.job-buttons').count() for ln in lines.all()):
            return order_id
    pytest.skip('the demo has no job all of whose lines are the technician\'s')


def _finish_and_hand_over(phone, base, order_id):
    """Clock on and finish each open line, the self-check's one tap, the hand-over (the phone answers each tap in
    place; a tap answered "stale" is tapped again, as a person would)."""
    phone.goto('%s/jobs/%d' % (base, order_id))
    # the ids first: a locator of the open lines shifts as each is done
    for line_id in phone.locator('article.job-line:not(.ls-done)').evaluate_all('els => els.map(e => e.id)'):
        for _ in range(3):
            if not phone.locator('#%s form[action$="/clock-off"]' % line_id).count():
                phone.locator('#%s form[action$="/clock-on"] button' % line_id).click()
            phone.locator('#%s form[action$="/done"] button' % line_id).click()
            try:
                expect(phone.locator('#%s.ls-done' % line_id)).to_have_count(1, timeout=8000)
                break
            except AssertionError:
                continue
    phone.get_by_test_id('selfcheck-all-ok').click()
    expect(phone.get_by_test_id('selfcheck-all-ok')).to_have_count(0)
    handover = phone.locator('#handover form[action$="/handover"] button')
    try:
        expect(handover).to_be_enabled(timeout=12000)          # the card's own poll brings the hand-over up to date
    except AssertionError:
        shot(phone, 'queue-qc-handover-blocked-phone-zh')
        raise
    handover.click()
    expect(phone.locator('#handover form[action$="/handover"]')).to_have_count(0)


def test_a_car_handed_over_reaches_qcs_queue_and_leaves_it_when_passed(live_server, browser):
    """QC would not see a car the technician handed over, or would still see a passed one, until a reload."""
    qc_ctx, tech_ctx = _context(browser, 'tablet', 'en'), _context(browser, 'phone', 'zh')
    try:
        home, work, phone = qc_ctx.new_page(), qc_ctx.new_page(), tech_ctx.new_page()
        before = _watch(home, live_server, 'qc', 'qc')
        waiting = _keys(home, 'inspect')
        login(phone, live_server, 'tech')
        order_id = _job_to_hand_over(phone, live_server)
        _finish_and_hand_over(phone, live_server, order_id)

        key = _appears(home, 'inspect', waiting)
        assert key == 'inspect:%d' % order_id
        expect(home.get_by_test_id('queue-count-qc')).to_have_attribute('data-count', str(before + 1))
        shot(home, 'queue-qc-tablet-en')

        _open(work, home, key, live_server)
        with work.expect_navigation():
            work.get_by_test_id('qc-all-ok').click()

        _leaves(home, key, 'qc', before)
    finally:
        qc_ctx.close()
        tech_ctx.close()


def test_a_technicians_parts_request_reaches_the_counter_and_leaves_when_issued(live_server, browser):
    """The parts clerk would not see a technician's request, or would still see it answered, until a reload."""
    parts_ctx, tech_ctx = _context(browser, 'tablet', 'zh'), _context(browser, 'phone', 'zh')
    try:
        home, work, phone = parts_ctx.new_page(), parts_ctx.new_page(), tech_ctx.new_page()
        before = _watch(home, live_server, 'parts', 'parts')
        waiting = _keys(home, 'parts_request')
        login(phone, live_server, 'tech')
        for key in _keys(phone, 'job') | _keys(phone, 'rework'):
            phone.goto('%s/jobs/%s' % (live_server, key.split(':')[1]))
            if phone.locator('#parts form[action$="/parts-requests"]').count():
                break
        else:
            pytest.skip('no job of the technician can ask for a part')
        phone.locator('#parts summary').click()
        form = phone.locator('#parts form[action$="/parts-requests"]')
        form.locator('[name=part_number]').fill('08880-83715')
        form.locator('[name=name]').fill('机油 0W-20')
        with phone.expect_response(lambda r: '/parts-requests' in r.url):
            form.locator('button[type=submit]').click()
        shot(phone, 'queue-parts-requested-phone-zh')

        key = _appears(home, 'parts_request', waiting)
        expect(home.get_by_test_id('queue-count-parts')).to_have_attribute('data-count', str(before + 1))
        shot(home, 'queue-parts-tablet-zh')

        request_id = int(key.split(':')[1])
        _open(work, home, key, live_server)
        row = work.locator('#preq-%d' % request_id)
        row.locator('input[name$=outcome][value=issued]').check(force=True)
        with work.expect_response(lambda r: '/parts/requests/%d/answer' % request_id in r.url):
            row.locator('button[type=submit]').click()
        expect(work.locator('#preq-%d form' % request_id)).to_have_count(0)

        _leaves(home, key, 'parts', before)
    finally:
        parts_ctx.close()
        tech_ctx.close()


def test_a_claim_opened_is_in_the_warranty_queue_until_it_is_submitted(live_server, browser):
    """The warranty clerk would not see a claim still to file, or would still see a submitted one, until a reload."""
    ctx = _context(browser, 'tablet', 'en')
    try:
        home, work = ctx.new_page(), ctx.new_page()
        before = _watch(home, live_server, 'warranty', 'warranty')
        drafts = _keys(home, 'claim_file')
        work.goto(live_server + '/warranty')
        orders = sorted(set(work.locator('a[href*="/warranty/orders/"]').evaluate_all(
            'els => els.map(e => e.getAttribute("href"))')))
        for href in orders:
            work.goto(live_server + href)
            if work.locator('form[action$="/claims"]').count():
                break
        else:
            pytest.skip('the demo has no warranty job without a claim')
        form = work.locator('form[action$="/claims"]')
        work.locator('details:has(form[action$="/claims"]) summary').click()
        form.locator('[name=old_part_tag]').fill('OP-15E-001')
        with work.expect_navigation():
            form.locator('button[type=submit]').click()

        key = _appears(home, 'claim_file', drafts)
        expect(home.get_by_test_id('queue-count-warranty')).to_have_attribute('data-count', str(before + 1))
        shot(home, 'queue-warranty-tablet-en')

        _open(work, home, key, live_server)
        with work.expect_navigation():
            work.locator('form.wty-move:has(input[name=to][value=submitted]) button[type=submit]').click()
        expect(work.locator('form.wty-move input[name=to][value=submitted]')).to_have_count(0)

        _leaves(home, key, 'warranty', before)
    finally:
        ctx.close()


def test_customer_service_sees_a_complaint_until_answered_and_a_call_until_made(live_server, browser):
    """Customer service would not see a new complaint, or would still see an answered complaint or a made call,
    until a reload."""
    ctx = _context(browser, 'tablet', 'zh')
    try:
        home, work = ctx.new_page(), ctx.new_page()
        before = _watch(home, live_server, 'service', 'customer_service')
        open_complaints = _keys(home, 'complaint')
        calls = sorted(_keys(home, 'call'))
        assert calls, 'the demo has follow-up calls due today'
        shot(home, 'queue-customer-service-tablet-zh')

        work.goto(live_server + '/aftercare/complaints/new')
        work.locator('[name=contact]').fill('张先生 138 0013 8000')
        work.locator('[name=content]').fill('取车时发现座椅有油污')
        with work.expect_navigation():
            work.locator('form[action$="/complaints/new"] button[type=submit]').click()
        key = _appears(home, 'complaint', open_complaints)
        expect(home.get_by_test_id('queue-count-customer_service')).to_have_attribute('data-count',
                                                                                      str(before + 1))
        complaint_id = int(key.split(':')[1])
        work.goto('%s/aftercare/complaints/%d' % (live_server, complaint_id))
        answer = work.locator('form[action$="/answer"]')
        answer.locator('[name=answer]').fill('已致电道歉，安排免费清洗')
        with work.expect_navigation():
            answer.locator('button[type=submit]').click()
        _leaves(home, key, 'customer_service', before)

        call = calls[0]
        _open(work, home, call, live_server)
        form = work.locator('#call-form form')
        form.locator('input[name=outcome][value=reached]').check(force=True)
        with work.expect_navigation():
            form.locator('button[type=submit]').click()
        _leaves(home, call, 'customer_service', before - 1)
    finally:
        ctx.close()
