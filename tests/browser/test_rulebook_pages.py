"""The settings page with each default's source, and the customer file with the address, wishes, complaints, calls
and messages (issue 16), in a real browser in both languages (screenshots in tests/artifacts)."""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import follow_the_browser, login, shot
from tests.helpers import TEST_DB

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(TEST_DB == 'postgres', reason='the browser tests run in the SQLite pass')]


def _customer_with_a_complaint(page, base):
    """A demo customer whose file lists a complaint and a call (the demo's complaints are on real orders)."""
    for customer_id in range(1, 80):
        resp = page.request.get('%s/customers/%d' % (base, customer_id))
        if resp.ok and 'ac-st-' in resp.text() and 'href="/aftercare/tasks/' in resp.text():
            return customer_id
    pytest.fail('no demo customer has a complaint and a call on file')


@pytest.mark.parametrize('size', ['tablet', 'phone'])
def test_settings_mark_the_shops_own_choices_and_the_customer_file_keeps_the_rulebook_items(live_server, request,
                                                                                          size):
    """A manager would not tell the shop's own numbers from the rulebook's, or the file would miss what 001 keeps."""
    page = request.getfixturevalue(size)          # the tablet reads English, the phone Chinese
    login(page, live_server, 'manager')
    follow_the_browser(page, live_server)
    page.goto(live_server + '/admin/settings')
    own = page.get_by_test_id('setting-labour_rate').get_by_test_id('shop-own')
    expect(own).to_be_visible()
    rulebook = page.get_by_test_id('setting-complaint_first_response_hours')
    expect(rulebook).to_have_attribute('data-source', 'rulebook')
    expect(rulebook.locator('input[name=value]')).to_have_value('24')
    shot(page, 'settings-%s' % size)
    page.goto('%s/customers/%d' % (live_server, _customer_with_a_complaint(page, live_server)))
    for section in ('customer-address', 'customer-wishes', 'file-complaints', 'file-calls', 'file-messages'):
        expect(page.get_by_test_id(section)).to_be_visible()
    expect(page.get_by_test_id('customer-address')).not_to_have_text('—')
    shot(page, 'customer-file-%s' % size)
