"""Accessibility in a real browser: axe-core finds nothing serious or critical on each role's home, the check-in
steps, the job card, the board and the customer's status page, in Chinese and English; on the phone pages
(technician, customer) every tap target is at least 44 px."""
import re

import pytest

from tests.browser.a11y import TAP_PX, serious_violations, small_targets
from tests.browser.helpers import follow_the_browser, login, shot

pytestmark = pytest.mark.browser

LOCALES = {'zh': 'zh-CN', 'en': 'en-US'}
HTML_LANG = {'zh': 'zh-Hans', 'en': 'en'}
TABLET = {'width': 1024, 'height': 768}
PHONE = dict(viewport={'width': 390, 'height': 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
ROLES = ('admin', 'manager', 'advisor', 'foreman', 'tech', 'qc', 'parts', 'warranty', 'service')
PHONE_ROLES = ('tech',)
STEPS = ('vehicle', 'vehicle/new', 'walkaround', 'belongings', 'key', 'estimate', 'promise', 'sign')


def _context(browser, lang, phone=False):
    if phone:
        return browser.new_context(locale=LOCALES[lang], **PHONE)
    return browser.new_context(viewport=TABLET, locale=LOCALES[lang])


def _check(page, lang, where, allowed=(), phone=False):
    """axe on the page as it is now (and its tap targets on a phone); returns what is wrong, labelled."""
    assert page.get_attribute('html', 'lang') == HTML_LANG[lang], '%s is not in %s' % (page.url, lang)
    problems = ['%s [%s] %s' % (where, lang, v) for v in serious_violations(page) if v.split(' ', 1)[0] not in allowed]
    if phone:
        problems += ['%s [%s] tap target under %d px: %s' % (where, lang, TAP_PX, t) for t in small_targets(page)]
    return problems


@pytest.mark.parametrize('lang', ['zh', 'en'])
def test_every_role_home_has_no_serious_findings(live_server, browser, lang):
    """A screen-reader or low-vision user of any role would meet unlabeled controls or unreadable text on their home."""
    problems = []
    for role in ROLES:
        phone = role in PHONE_ROLES
        ctx = _context(browser, lang, phone)
        try:
            page = ctx.new_page()
            login(page, live_server, role)
            follow_the_browser(page, live_server)
            page.goto(live_server + '/')
            problems += _check(page, lang, '%s home' % role, phone=phone)
        finally:
            ctx.close()
    assert not problems, '\n'.join(problems)


@pytest.mark.parametrize('lang', ['zh', 'en'])
def test_checkin_steps_have_no_serious_findings(live_server, browser, lang):
    """The advisor's tablet check-in, step by step, would fail a screen reader or low-vision advisor."""
    ctx = _context(browser, lang)
    problems = []
    try:
        page = ctx.new_page()
        login(page, live_server, 'advisor')
        follow_the_browser(page, live_server)
        page.goto(live_server + '/checkin')
        problems += _check(page, lang, 'check-in list')
        drafts = [h for h in page.locator('a[href^="/checkin/"]').evaluate_all('els => els.map(e => e.getAttribute("href"))')
                  if re.fullmatch(r'/checkin/\d+', h)]
        assert drafts, 'the demo has no check-in in progress'
        for step in STEPS:
            page.goto(live_server + drafts[0] + '/' + step)
            problems += _check(page, lang, 'check-in step %s' % step)
        shot(page, 'a11y-checkin-sign-tablet-%s' % lang)
    finally:
        ctx.close()
    assert not problems, '\n'.join(problems)


@pytest.mark.parametrize('lang', ['zh', 'en'])
def test_job_card_and_board_have_no_serious_findings(live_server, browser, lang):
    """The technician's phone pages would have controls too small for a gloved thumb, or the wall board unreadable."""
    problems = []
    ctx = _context(browser, lang, phone=True)
    try:
        page = ctx.new_page()
        login(page, live_server, 'tech')
        follow_the_browser(page, live_server)
        page.goto(live_server + '/jobs')
        problems += _check(page, lang, 'my jobs', phone=True)
        href = page.locator('a[href^="/jobs/"]').first.get_attribute('href')
        page.goto(live_server + href)
        problems += _check(page, lang, 'job card', phone=True)
        shot(page, 'a11y-job-card-phone-%s' % lang)
    finally:
        ctx.close()
    wall = browser.new_context(viewport={'width': 1920, 'height': 1080}, locale=LOCALES[lang])
    try:
        page = wall.new_page()
        login(page, live_server, 'manager')
        follow_the_browser(page, live_server)
        page.goto(live_server + '/board')
        problems += _check(page, lang, 'board')
    finally:
        wall.close()
    assert not problems, '\n'.join(problems)


def test_status_page_has_no_serious_findings_in_both_languages(live_server, browser):
    """A customer using a screen reader or large text would not follow their repair on the status page."""
    ctx = _context(browser, 'zh')
    try:
        page = ctx.new_page()
        login(page, live_server, 'advisor')
        page.goto('%s/orders?stage=waiting_approval' % live_server)
        href = page.locator('#order-rows tbody a').first.get_attribute('href')
        page.goto(live_server + href + '/print')
        url = page.locator('.status-qr p.mono').inner_text().strip()
    finally:
        ctx.close()
    assert '/s/' in url
    problems = []
    customer = browser.new_context(locale='zh-CN', **PHONE)
    try:
        page = customer.new_page()
        for lang in ('zh', 'en'):
            page.goto('%s?lang=%s' % (url, lang))
            problems += _check(page, lang, 'status page', phone=True)
            shot(page, 'a11y-status-phone-%s' % lang)
    finally:
        customer.close()
    assert not problems, '\n'.join(problems)
