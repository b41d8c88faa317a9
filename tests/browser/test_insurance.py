"""On the intake tablet: an accident car becomes an insurance job — the claim, a damage photo by area of the car,
the insurer's assessment against the shop's estimate with the difference and the split, the bill settled with the
insurer's share, and that share on the insurer receivables due by the month's end; the same pages in Chinese."""
import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import follow_the_browser, login, serve_demo, shot


@pytest.fixture(scope='module')
def live_server():
    """This file makes an order an insurance job and settles it: a server of its own."""
    yield from serve_demo()


pytestmark = pytest.mark.browser


def test_insurance_job_from_intake_to_the_insurers_receivable(live_server, browser, tmp_path):
    """An advisor could not record an accident claim and its assessment, or the insurer's share went unbilled."""
    ctx = browser.new_context(viewport={'width': 1024, 'height': 768}, locale='en-US')
    page = ctx.new_page()
    try:
        login(page, live_server, 'advisor')
        follow_the_browser(page, live_server)
        page.goto(live_server + '/orders?stage=ready_for_pickup')
        page.locator('#order-rows tbody a').last.click()
        page.wait_for_load_state('load')
        order_id = int(re.search(r'/orders/(\d+)', page.url).group(1))
        page.click('[data-testid=order-insurance]')
        expect(page).to_have_url(re.compile(r'/orders/%d/insurance$' % order_id))

        form = page.locator('[data-testid=claim-form]')
        form.locator('select[name=insurer]').select_option(index=1)
        form.locator('input[name=policy_number]').fill('PDAA202644030000123')
        form.locator('input[name=claim_number]').fill('RDAA202644030000456')
        form.locator('input[name=accident_date]').fill('2026-01-01')
        form.locator('input[name=driver_name]').fill('张伟')
        form.locator('button[type=submit]').click()
        expect(page.locator('[data-testid=claim-facts]')).to_contain_text('RDAA202644030000456')
        expect(page.locator('[data-testid=waits-for-assessment]')).to_be_visible()

        photo = tmp_path / 'bumper.jpg'
        photo.write_bytes(factories.tiny_jpeg(size=(320, 240)))
        damage = page.locator('[data-testid=damage-form]')
        damage.locator('select[name=area]').select_option('front_bumper')
        damage.locator('input[name=note]').fill('前保险杠裂开')
        damage.locator('input[name=photo]').set_input_files(str(photo))
        damage.locator('button[type=submit]').click()
        expect(page.locator('[data-testid=damage-areas] img')).to_have_count(1)

        form = page.locator('[data-testid=assessment-form]')
        form.locator('input[name=assessor]').fill('李勇')
        form.locator('input[name=deductible]').fill('100')
        rows = form.locator('tbody tr')
        for i, (kind, text, shop_amount, insurer_amount) in enumerate(
                [('labour', '前保险杠拆装', '300', '300'), ('parts', '前保险杠皮', '200', '150')]):
            rows.nth(i).locator('select[name=kind]').select_option(kind)
            rows.nth(i).locator('input[name=line_description]').fill(text)
            rows.nth(i).locator('input[name=shop_amount]').fill(shop_amount)
            rows.nth(i).locator('input[name=insurer_amount]').fill(insurer_amount)
        form.locator('button[type=submit]').click()
        expect(page.locator('[data-testid=assessment-difference]')).to_have_text('¥-50.00')
        expect(page.locator('[data-testid=split-insurer]')).to_have_text('¥350.00')
        expect(page.locator('[data-testid=split-deductible]')).to_have_text('¥100.00')
        expect(page.locator('[data-testid=split-uncovered]')).to_have_text('¥50.00')
        expect(page.locator('[data-testid=waits-for-assessment]')).to_have_count(0)
        expect(page.locator('[data-testid=bill-insurance]')).to_be_visible()
        shot(page, 'insurance-claim-assessed-en')

        page.goto(live_server + '/orders/%d/settlement' % order_id)
        shot(page, 'insurance-settlement-en')
        page.locator('form[action$="/settlement/settle"] button[type=submit]').click()
        expect(page.locator('form[action$="/settlement/settle"]')).to_have_count(0)
        page.goto(live_server + '/orders/%d/insurance' % order_id)
        expect(page.locator('[data-testid=insurer-receivable]')).to_be_visible()
        expect(page.locator('[data-testid=insurer-payment-form]')).to_be_visible()
        shot(page, 'insurance-claim-settled-en')

        page.goto(live_server + '/insurance/receivables')
        expect(page.locator('[data-testid=receivable-%d]' % order_id)).to_be_visible()
        expect(page.locator('[data-testid=overdue-count]')).to_have_text('1')     # the demo's job from last month
        shot(page, 'insurance-receivables-en')
        page.goto(live_server + '/orders/%d/insurance/print' % order_id)
        shot(page, 'insurance-print-en')
    finally:
        ctx.close()

    ctx = browser.new_context(viewport={'width': 1024, 'height': 768}, locale='zh-CN')
    page = ctx.new_page()
    try:
        login(page, live_server, 'advisor')
        page.goto(live_server + '/orders/%d/insurance' % order_id)
        expect(page.locator('h1')).to_contain_text('保险维修')
        shot(page, 'insurance-claim-settled-zh')
        page.goto(live_server + '/insurance')
        expect(page.locator('[data-testid=insurance-jobs] tbody tr')).to_have_count(5)
        shot(page, 'insurance-jobs-zh')
        page.goto(live_server + '/insurance/receivables')
        shot(page, 'insurance-receivables-zh')
        page.goto(live_server + '/insurance/insurers')
        shot(page, 'insurance-insurers-zh')
    finally:
        ctx.close()
