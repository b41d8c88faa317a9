"""The settings page: every number with its value and its source, the shop's own choices marked as such, a change
saved with its audit event and a bad value refused in place."""
import pytest

from app.core.models import Event, Setting
from app.core.setting_sources import SHOP, RULEBOOK, LAW, source_of
from app.core.settings import DEFAULTS, get_setting
from tests.helpers import sign_in


@pytest.fixture
def manager(make_user):
    return make_user('max', ['manager'], display_name='Max')


def _row(html, key):
    row = html[html.index('data-testid="setting-%s"' % key):]
    return row[:row.index('</tr>')]


def test_every_setting_names_its_source():
    """A new setting would show no source, so nobody could tell a rulebook number from the shop's own choice."""
    missing = [key for key in DEFAULTS if source_of(key) is None]
    assert not missing, 'add these to app.core.setting_sources.SOURCES: %s' % missing


@pytest.mark.parametrize('key, kind, words', [
    ('complaint_first_response_hours', RULEBOOK, ('003', '14', '24小时内响应')),
    ('complaint_major_handled_hours', RULEBOOK, ('003', '14', '48小时内处理')),
    ('followup_second_after_days', RULEBOOK, ('001', '186', '一周后7天以内')),
    ('event_notice_days', RULEBOOK, ('001', '188', '提前一周')),
    ('safety_stock_factor', RULEBOOK, ('004', '9', '当月出库金额的1.5倍')),
    ('guarantee_major_days', LAW, ('机动车维修管理规定',)),
    ('promise_margin_minutes', SHOP, ('data-testid="shop-own"',)),
    ('expensive_part_threshold', SHOP, ('data-testid="shop-own"',)),
    ('labour_rate', SHOP, ('data-testid="shop-own"',)),
    ('discount_share_without_manager', SHOP, ('data-testid="shop-own"',)),
    ('first_maintenance_months', SHOP, ('data-testid="shop-own"',)),
    ('first_maintenance_km', SHOP, ('data-testid="shop-own"',)),
    ('diagnosis_fee', SHOP, ('002', '882', 'data-testid="shop-own"')),
    ('reorder_cover_factor', SHOP, ('data-testid="shop-own"',)),
])
def test_the_page_marks_each_default_with_its_source(client, manager, key, kind, words):
    """A manager would take the shop's own choices for rulebook numbers, or not find where a number comes from."""
    sign_in(client, manager)
    resp = client.get('/admin/settings')
    assert resp.status_code == 200
    row = _row(resp.get_data(as_text=True), key)
    assert 'data-source="%s"' % kind in row
    for word in words:
        assert word in row, (key, word)


def test_the_rulebook_defaults_are_the_numbers_read_right(shop):
    """A default would still read the rulebook wrong (2 days for complaints, second call on day 1, 10-minute rule)."""
    assert get_setting(shop, 'complaint_first_response_hours') == 24
    assert get_setting(shop, 'complaint_major_handled_hours') == 48
    assert (get_setting(shop, 'followup_second_after_days'), get_setting(shop, 'followup_second_within_days')) == (7, 7)
    assert get_setting(shop, 'event_notice_days') == 7
    assert source_of('foreman_acceptance_minutes').kind == SHOP


def test_a_manager_changes_a_setting_and_it_is_audited(client, shop, manager):
    """The shop could not set its own labour rate, or the change would leave no trace."""
    sign_in(client, manager)
    resp = client.post('/admin/settings', data={'key': 'labour_rate', 'value': '320', 'idem': 's1'})
    assert resp.status_code == 302
    assert str(get_setting(shop, 'labour_rate')) == '320'
    event = Event.get(Event.action == 'setting.changed')
    assert event.after_data == {'labour_rate': '320'} or str(event.after_data['labour_rate']) == '320'


def test_a_bad_value_is_refused_in_place(client, shop, manager):
    """A typo in a number would be saved (and break every page reading it) or crash the page."""
    sign_in(client, manager)
    resp = client.post('/admin/settings', data={'key': 'complaint_first_response_hours', 'value': '24h',
                                                'idem': 's2'})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'value="24h"' in html and 'whole number' in html
    assert Setting.select().count() == 0
    resp = client.post('/admin/settings', data={'key': 'no_such_thing', 'value': '1', 'idem': 's3'})
    assert resp.status_code == 404


def test_only_managers_and_admins_see_the_settings(client, make_user):
    """An advisor could change the shop's numbers."""
    sign_in(client, make_user('amy', ['advisor']))
    assert client.get('/admin/settings').status_code == 403
    assert client.post('/admin/settings', data={'key': 'labour_rate', 'value': '1'}).status_code == 403
