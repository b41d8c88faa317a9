"""The workshop flow across two screens: the technician's phone and the advisor's tablet."""
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.helpers import login, shot
from tests.labels.helpers import decode_qr

pytestmark = pytest.mark.browser


def _jpeg():
    buf = io.BytesIO()
    Image.new('RGB', (640, 480), (180, 40, 40)).save(buf, 'JPEG')
    return buf.getvalue()


def test_technician_scans_key_tag_and_sees_the_approval_appear(live_server, browser, tmp_path):
    """A technician would not reach the job card from the key tag, or would have to reload to see the advisor's answer."""
    tablet_ctx = browser.new_context(viewport={'width': 1024, 'height': 768}, locale='en-US')
    phone_ctx = browser.new_context(viewport={'width': 390, 'height': 844}, device_scale_factor=2, is_mobile=True,
                                    has_touch=True, locale='zh-CN')
    try:
        tablet, phone = tablet_ctx.new_page(), phone_ctx.new_page()
        # The technician's jobs: take the first order on "My jobs".
        login(phone, live_server, 'tech')
        phone.goto(live_server + '/jobs')
        href = phone.locator('a[href^="/jobs/"]').first.get_attribute('href')
        order_id = int(re.search(r'/jobs/(\d+)', href).group(1))
        phone.goto('about:blank')      # no poll in flight that could set the cookie again after the clear
        phone_ctx.clear_cookies()

        # The advisor prints the key tag label; its QR is what the phone scans.
        login(tablet, live_server, 'advisor')
        tablet.goto('%s/orders/%d' % (live_server, order_id))
        label = tablet.locator('a[href*="/labels/keytag/"]').first.get_attribute('href')
        tag_id = int(re.search(r'/labels/keytag/(\d+)', label).group(1))
        png = tablet.request.get('%s/labels/keytag/%d.png' % (live_server, tag_id)).body()
        url = decode_qr(png, tmp_path)
        assert '/k/' in url

        # Scan while signed out: sign in, then straight on to the job card.
        phone.goto(url)
        expect(phone).to_have_url(re.compile(r'/login'))
        phone.fill('input[name=username]', 'tech')
        phone.fill('input[name=password]', 'servicebay')
        phone.click('button[type=submit].primary')
        expect(phone).to_have_url(re.compile(r'/jobs/%d' % order_id))

        clock_on = phone.locator('form[action$="/clock-on"] button')
        if clock_on.count():
            clock_on.first.click()
            expect(phone.locator('form[action$="/clock-off"] button').first).to_be_visible()

        phone.locator('#findings summary').click()
        finding = phone.locator('form[action$="/findings"]')
        finding.locator('label.sev-red').click()
        finding.locator('[name=note]').fill('左前刹车盘磨损到极限')
        finding.locator('input[name=photo]').set_input_files(
            files=[{'name': 'disc.jpg', 'mimeType': 'image/jpeg', 'buffer': _jpeg()}])
        finding.locator('button[type=submit]').click()
        expect(phone.locator('#findings')).to_contain_text('左前刹车盘磨损到极限')
        expect(phone.locator('#findings img').first).to_be_visible()

        phone.locator('#added-work summary').click()
        added = phone.locator('form[action$="/added-work"]')
        added.locator('[name=description]').fill('更换左前刹车盘')
        added.locator('[name=hours]').fill('1.5')
        added.locator('button[type=submit]').click()
        expect(phone.locator('#added-work')).to_contain_text('更换左前刹车盘')
        shot(phone, 'workshop-card-requested-phone-zh')

        # The advisor records the customer's yes on the tablet.
        tablet.goto(live_server + '/approvals')
        tablet.locator('a:has-text("更换左前刹车盘")').first.click()
        # Wait for this item's form to be swapped in: a click on the previous one's would be lost.
        expect(tablet.locator('#decision h2')).to_have_text('更换左前刹车盘')
        decision = tablet.locator('form[action$="/decide"]')
        decision.locator('label.answer-approved').click()
        expect(decision.locator('label.answer-approved input')).to_be_checked()
        decision.locator('input[name=channel]').first.check(force=True)
        decision.locator('button[type=submit]').click()
        expect(tablet.locator('#decision .flash')).to_be_visible()
        shot(tablet, 'approvals-decided-tablet-en')

        # Without a reload, the phone shows the decision (the card polls every 5 s).
        expect(phone.locator('#added-work .aw-approved')).to_be_visible(timeout=12000)
        shot(phone, 'workshop-card-approved-phone-zh')
    finally:
        tablet_ctx.close()
        phone_ctx.close()
