"""The intake tablet in Chinese at 820 and 1024 px: no button label broken between its characters ("查/找",
"继/续"), every check-in step named, the customer type as radio buttons in a row (screenshots in tests/artifacts)."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, shot
from tests.helpers import TEST_DB

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(TEST_DB == 'postgres', reason='the browser tests run in the SQLite pass')]

# The labels (buttons, button-like links) whose text runs over more lines than it has line breaks.
BROKEN_LABELS = '''() => [...document.querySelectorAll('button, .btn, input[type=submit]')]
  .filter(el => el.offsetParent)
  .map(el => {
    const range = document.createRange(); range.selectNodeContents(el);
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    const text = (el.innerText || el.value || '').trim();
    return {text, lines: lines.size, breaks: text.split('\\n').length};
  })
  .filter(x => x.text && x.lines > x.breaks)
  .map(x => x.text)'''


@pytest.fixture(params=[820, 1024], ids=['820px', '1024px'])
def zh_tablet(browser, request):
    """A tablet in Chinese, 820 (iPad Air portrait) or 1024 px wide."""
    context = browser.new_context(viewport={'width': request.param, 'height': 1180}, locale='zh-CN',
                                  extra_http_headers={'Accept-Language': 'zh-CN,zh;q=0.9'})
    try:
        yield context.new_page()
    finally:
        context.close()


def _pages_from_home(page, base):
    hrefs = page.eval_on_selector_all('main a[href^="/"]', 'els => [...new Set(els.map(e => e.getAttribute("href")))]')
    return [h for h in hrefs if not re.search(r'logout|print|export|\.svg|\.png', h)]


@pytest.mark.parametrize('who', ['advisor', 'manager'])
def test_no_chinese_button_label_breaks(live_server, zh_tablet, who):
    """A button would read 查 over 找 (one character per line) on an iPad in Chinese."""
    page, width = zh_tablet, zh_tablet.viewport_size['width']
    login(page, live_server, who)
    urls = _pages_from_home(page, live_server)
    page.goto(live_server + '/checkin')
    urls += [h for h in page.eval_on_selector_all('a[href*="/checkin/"]', 'els => els.map(e => e.getAttribute("href"))')
             if re.search(r'/checkin/\d+$', h)][:1]
    broken = {}
    for url in urls:
        page.goto(live_server + url)
        found = page.evaluate(BROKEN_LABELS)
        if found:
            broken[url] = found
        if url == '/checkin':
            shot(page, 'zh-%s-%d-checkin-list' % (who, width))
    assert len(urls) >= 5 and not broken, broken


def test_checkin_steps_are_named_and_customer_type_is_radios(live_server, zh_tablet):
    """Future check-in steps showed only a number; the new customer's type was a bulleted list, not two radios."""
    page, width = zh_tablet, zh_tablet.viewport_size['width']
    login(page, live_server, 'advisor')
    page.goto(live_server + '/checkin')
    with page.expect_navigation():
        page.get_by_test_id('checkin-new').click()
    draft = re.search(r'/checkin/(\d+)', page.url).group(1)
    page.goto('%s/checkin/%s/vehicle/new' % (live_server, draft))
    steps = page.locator('.stepper li')
    assert steps.count() >= 6
    for i in range(steps.count()):
        label = steps.nth(i).locator('.label-text')
        expect(label).to_be_visible()
        assert label.inner_text().strip(), 'step %d has no name' % (i + 1)
    radios = page.get_by_role('radio')
    assert radios.count() == 2
    first, second = radios.nth(0).bounding_box(), radios.nth(1).bounding_box()
    assert abs(first['y'] - second['y']) < 4 and second['x'] > first['x']          # side by side, in a row
    assert page.locator('ul#kind, .field ul').count() == 0
    assert page.evaluate(BROKEN_LABELS) == []
    shot(page, 'zh-checkin-new-customer-%d' % width)
