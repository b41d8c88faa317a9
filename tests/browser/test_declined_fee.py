"""A returning customer reads the estimate and will not have the repair: the advisor records the diagnosis fee, the
exit notice shows the bill still owed, the cashier takes the payment on that bill, the notice then says paid."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, serve_demo, shot

pytestmark = pytest.mark.browser
CONTINUE = '[data-testid=checkin-continue]'


@pytest.fixture(scope='module')
def server():
    """Its own demo copy: declining and paying change the demo's records."""
    yield from serve_demo(prefix='servicebay-declined-')


def test_a_declined_repairs_fee_is_billed_paid_and_shown_on_the_exit_notice(server, tablet):
    """The customer would leave without the fee being taken, or the notice would still ask for money once paid."""
    page = tablet
    login(page, server, 'advisor')
    listing = page.evaluate("() => fetch('/orders?stage=closed').then(r => r.text())")
    found = re.search(r'class="plate"><a[^>]*>粤([A-Z0-9]{6,7})<', listing)
    assert found, 'a closed demo order with a plate is needed'
    page.goto(server + '/checkin')
    with page.expect_navigation():             # the search box's htmx is live once the new check-in page loaded
        page.click('[data-testid=checkin-new]')
    with page.expect_response(lambda r: '/vehicle/find' in r.url):
        page.locator('#find-q').type(found.group(1)[:4])
    page.locator('#checkin-results a.result').first.click()
    page.fill('#odometer', '150000')
    page.click('.segmented label:has(input[name=fuel_eighths][value="5"])')
    page.fill('#complaint', '变速箱异响')
    page.click(CONTINUE)                           # the walk-around, the belongings, the key, then the estimate
    page.click('label.kind-scratch')
    box = page.locator('input.outline').bounding_box()
    with page.expect_response(lambda r: '/marks' in r.url):
        page.mouse.click(box['x'] + box['width'] * 0.7, box['y'] + box['height'] * 0.25)
    page.click(CONTINUE)
    page.click('input[name=valuables]')
    page.click(CONTINUE)
    page.locator('.tag-pick .chip').first.click()
    page.select_option('#canned_job', index=1)           # the estimate the customer reads, then will not have
    with page.expect_response(lambda r: '/lines' in r.url):
        page.click('[data-testid=checkin-add-job]')
    expect(page.locator('.est-line')).to_have_count(1)
    shot(page, 'declined-estimate-tablet')
    page.click('[data-testid=checkin-decline]')
    form = page.get_by_test_id('decline-form')
    form.locator('input[name=fee]').fill('250')
    with page.expect_navigation():
        page.click('[data-testid=decline-confirm]')
    assert page.url.endswith('/declined-exit-notice')
    expect(page.get_by_test_id('declined-total')).to_contain_text('282.50')         # 250 + 13 % tax
    expect(page.get_by_test_id('declined-bill')).to_contain_text(re.compile(r'ST-\d{4}-\d{6}'))
    expect(page.get_by_test_id('declined-balance')).to_contain_text('282.50')
    expect(page.locator('.plate')).to_contain_text(found.group(1)[:4])
    shot(page, 'declined-exit-notice-owing-tablet')

    with page.expect_navigation():
        page.get_by_test_id('declined-open-bill').click()
    expect(page.get_by_test_id('settle-declined')).to_be_visible()
    pay = page.locator('form[action$="/settlement/payments"]')
    expect(pay.locator('input[name=amount]')).to_have_value('282.50')
    pay.locator('label:has(input[name=method][value=mobile])').click()
    pay.locator('input[name=reference]').fill('WX20261206')
    with page.expect_response(lambda r: '/settlement/payments' in r.url):
        pay.locator('button[type=submit]').click()
    expect(page.locator('.settle-balance .paid-up')).to_contain_text('0.00')
    shot(page, 'declined-bill-paid-tablet')

    with page.expect_navigation():
        page.get_by_test_id('settle-declined-exit').click()
    expect(page.get_by_test_id('declined-paid')).to_contain_text('282.50')
    expect(page.locator('[data-testid=declined-balance] .owed')).to_have_count(0)
    shot(page, 'declined-exit-notice-paid-tablet')
