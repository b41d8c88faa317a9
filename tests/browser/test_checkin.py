"""The advisor checks a car in on the tablet: new customer, walk-around, belongings, key, jobs, signature."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import Counter, login, shot, sign_pad

pytestmark = pytest.mark.browser


def _sign(page):
    """Draw a signature on the pad with the pointer."""
    sign_pad(page)
    assert page.evaluate("document.querySelector('input[name=signature]').value").startswith('data:image/png')


def _step(page, step):
    """The stepper marks `step` (vehicle, walkaround, belongings, key, estimate, promise, sign) as the current one."""
    expect(page.locator('.stepper li.current')).to_have_attribute('data-testid', 'step-' + step)


CONTINUE = '[data-testid=checkin-continue]'


def test_full_checkin_of_a_new_customer_survives_a_reload(live_server, tablet):
    """An advisor would lose a check-in half-way, or end without a signed, numbered order."""
    page = tablet
    login(page, live_server, 'advisor')
    page.goto(live_server + '/checkin')
    page.click('[data-testid=checkin-new]')
    _step(page, 'vehicle')
    page.click('[data-testid=checkin-new-vehicle]')
    page.fill('#c-name', '赵新客')
    page.fill('#c-phone', '139 2233 4455')
    page.fill('#v-plate', '粤B·N8765')
    page.fill('#v-vin', '1M8GDM9AXKP042788')
    page.fill('#v-make', 'Toyota')
    page.fill('#v-model', 'Camry')
    page.fill('#v-mileage', '12000')
    shot(page, 'checkin-new-customer-tablet')
    page.click('[data-testid=checkin-new-vehicle-save]')
    expect(page.locator('.chosen')).to_contain_text('粤BN8765')
    page.fill('#odometer', '12500')
    page.click('.segmented label:has(input[name=fuel_eighths][value="3"])')
    page.fill('#complaint', '空调不凉，顺便做保养')
    page.check('input[name=documents][value=service_book]')
    page.click(CONTINUE)
    _step(page, 'walkaround')

    # a dent on the left rear door, placed by tapping the outline
    page.click('label.kind-dent')
    page.fill('#mark-note', '左后门凹陷')
    box = page.locator('input.outline').bounding_box()
    with page.expect_response(lambda r: '/marks' in r.url):
        page.mouse.click(box['x'] + box['width'] * 0.35, box['y'] + box['height'] * 0.2)
    expect(page.locator('.marks li')).to_have_count(1)
    expect(page.locator('.marks li')).to_contain_text('左后门凹陷')
    shot(page, 'checkin-walkaround-tablet')

    # reload half-way: the mark is still there
    page.reload()
    expect(page.locator('.marks li')).to_contain_text('左后门凹陷')
    page.click(CONTINUE)
    _step(page, 'belongings')
    page.fill('input[name=qty_umbrella]', '1')
    page.fill('input[name=free_name_0]', '行车记录仪存储卡')
    page.fill('input[name=free_qty_0]', '2')
    page.check('input[name=valuables]')
    page.click(CONTINUE)
    _step(page, 'key')
    page.locator('.tag-pick .chip').first.click()
    _step(page, 'estimate')
    page.select_option('#canned_job', index=1)
    with page.expect_response(lambda r: '/lines' in r.url):
        page.click('[data-testid=checkin-add-job]')
    page.fill('#description', '空调系统检测')
    page.fill('#hours', '1.5')
    with page.expect_response(lambda r: '/lines' in r.url):
        page.click('[data-testid=checkin-add-job]')
    expect(page.locator('.est-line')).to_have_count(2)
    shot(page, 'checkin-estimate-tablet')
    page.reload()
    expect(page.locator('.est-line')).to_have_count(2)
    page.click('form[action$="/estimate"] ' + CONTINUE)
    _step(page, 'promise')
    page.click(CONTINUE)
    _step(page, 'sign')
    _sign(page)
    shot(page, 'checkin-sign-tablet')
    page.click('[data-testid=checkin-sign]')
    expect(page.locator('h1')).to_contain_text(re.compile(r'RO-\d{4}-\d{6}'))
    expect(page.locator('img.signature')).to_be_visible()
    expect(page.locator('.marks li')).to_contain_text('左后门凹陷')
    shot(page, 'checkin-order-tablet')


def test_returning_customer_in_25_interactions(live_server, tablet):
    """A returning customer with one canned job must go from arrival to a signed, printed order with a labelled key quickly."""
    page = tablet
    login(page, live_server, 'advisor2')
    page.goto(live_server + '/checkin')
    c = Counter(page)
    c.tap(page.locator('[data-testid=checkin-new]'))
    # three keystrokes of the plate find the car
    plate = page.evaluate("() => fetch('/orders?stage=closed').then(r => r.text())")
    found = re.search(r'class="plate"><a[^>]*>粤([A-Z0-9]{6,7})<', plate)
    assert found, 'a closed demo order with a plate is needed'
    with page.expect_response(lambda r: '/vehicle/find' in r.url):
        c.type(page.locator('#find-q'), found.group(1)[:3])
    c.tap(page.locator('#checkin-results a.result').first)
    c.type(page.locator('#odometer'), '150000')
    c.tap(page.locator('.segmented label:has(input[name=fuel_eighths][value="5"])'))
    c.type(page.locator('#complaint'), '保养')
    c.tap(page.locator(CONTINUE))
    c.tap(page.locator('label.kind-scratch'))
    box = page.locator('input.outline').bounding_box()
    with page.expect_response(lambda r: '/marks' in r.url):
        c.n += 1
        page.mouse.click(box['x'] + box['width'] * 0.7, box['y'] + box['height'] * 0.25)
    c.tap(page.locator(CONTINUE))
    c.tap(page.locator('input[name=valuables]'))
    c.tap(page.locator(CONTINUE))
    c.tap(page.locator('.tag-pick .chip').first)
    page.select_option('#canned_job', index=1)
    c.n += 1
    with page.expect_response(lambda r: '/lines' in r.url):
        c.tap(page.locator('[data-testid=checkin-add-job]'))
    c.tap(page.locator('form[action$="/estimate"] ' + CONTINUE))
    c.tap(page.locator(CONTINUE))
    c.n += 1
    _sign(page)
    c.tap(page.locator('[data-testid=checkin-sign]'))
    expect(page.locator('h1')).to_contain_text(re.compile(r'RO-\d{4}-\d{6}'))
    with page.expect_navigation():
        c.tap(page.locator('[data-testid=order-print]'))
    expect(page.locator('.print-head')).to_be_visible()
    page.go_back()
    with page.expect_navigation():
        c.tap(page.locator('[data-testid=order-keytag-label]'))
    expect(page.locator('img, svg').first).to_be_visible()
    print('INTERACTIONS returning customer check-in: %d' % c.n)
    assert c.n <= 25, c.n
