"""A customer who declines the repair (002): the check-in is cancelled, the diagnosis fee billed through the one bill
arithmetic and an exit notice printed."""
from decimal import Decimal

import pytest

from app.core import stages
from app.core.models import Event, Setting
from app.labels.models import KeyTag
from app.reception import checkin
from tests import factories
from tests.helpers import reload, sign_in


@pytest.fixture
def advisor(make_user):
    return make_user('amy', ['advisor'], display_name='Amy')


@pytest.fixture
def draft(shop, advisor):
    car = factories.make_vehicle(shop, factories.make_customer(shop, name='王芳'), plate='粤B12345')
    draft = checkin.start_checkin(shop, advisor, customer=car.owner, vehicle=car)
    tags, hooks = factories.make_key_tags(shop, count=1)
    checkin.assign_key(draft, advisor, tag=tags[0], hook=hooks[0])
    return reload(draft)


def test_declining_bills_the_diagnosis_fee_and_prints_the_exit_notice(client, shop, advisor, draft):
    """A customer who will not have the repair would leave without paying for the diagnosis or an exit notice."""
    sign_in(client, advisor)
    page = client.get('/checkin/%d/decline' % draft.id)
    assert page.status_code == 200 and 'value="200.00"' in page.get_data(as_text=True)   # the shop's own default
    resp = client.post('/checkin/%d/decline' % draft.id, data={'fee': '150', 'idem': 'd1'})
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/orders/%d/declined-exit-notice' % draft.id)
    ro = reload(draft)
    assert ro.stage == stages.CANCELLED and ro.declined_at is not None and ro.diagnosis_fee == Decimal('150.00')
    assert KeyTag.select().where(KeyTag.order_id == ro.id).count() == 0            # the key tag is free again
    event = Event.get(Event.action == 'order.declined')
    assert Decimal(str(event.after_data['total'])) == Decimal('169.50')              # 150 + 13 % tax, bill()
    notice = client.get(resp.headers['Location'])
    html = notice.get_data(as_text=True)
    assert notice.status_code == 200 and 'data-testid="declined-total"' in html and '169.50' in html
    assert '粤B12345' in html and '王芳' in html


def test_the_fee_follows_the_shops_setting_and_tax_rate(client, shop, advisor, draft):
    """A shop that charges its own diagnosis fee would see the default on the form and the bill at its tax rate."""
    Setting.create(shop=shop, key='diagnosis_fee', value='300')
    Setting.create(shop=shop, key='tax_rate', value='0.06')
    sign_in(client, advisor)
    assert 'value="300.00"' in client.get('/checkin/%d/decline' % draft.id).get_data(as_text=True)
    client.post('/checkin/%d/decline' % draft.id, data={'fee': '300', 'idem': 'd2'})
    assert '318.00' in client.get('/orders/%d/declined-exit-notice' % draft.id).get_data(as_text=True)


def test_a_bad_fee_is_refused_in_place_and_nothing_changes(client, shop, advisor, draft):
    """A fee typed wrong would cancel the check-in with no fee, or crash."""
    sign_in(client, advisor)
    resp = client.post('/checkin/%d/decline' % draft.id, data={'fee': '-5', 'idem': 'd3'})
    assert resp.status_code == 400 and 'value="-5"' in resp.get_data(as_text=True)
    resp = client.post('/checkin/%d/decline' % draft.id, data={'fee': 'abc', 'idem': 'd4'})
    assert resp.status_code == 400 and 'value="abc"' in resp.get_data(as_text=True)
    assert reload(draft).stage == stages.DRAFT and reload(draft).declined_at is None


def test_a_signed_order_is_not_declined_and_has_no_declined_exit_notice(client, shop, advisor):
    """A customer who signed the order agreed to the repair: no decline and no exit notice without settling."""
    order = factories.make_order(shop, advisor)
    sign_in(client, advisor)
    assert client.post('/checkin/%d/decline' % order.id, data={'fee': '100', 'idem': 'd5'}).status_code == 302
    assert reload(order).declined_at is None and reload(order).stage != stages.CANCELLED
    resp = client.get('/orders/%d/declined-exit-notice' % order.id)
    assert resp.status_code == 302 and '/orders/%d' % order.id in resp.headers['Location']


def test_zero_fee_when_nothing_was_diagnosed(client, shop, advisor, draft):
    """A customer who only asked would be billed a diagnosis that never happened."""
    sign_in(client, advisor)
    client.post('/checkin/%d/decline' % draft.id, data={'fee': '0', 'idem': 'd6'})
    assert reload(draft).diagnosis_fee == Decimal('0.00')
    assert '¥0.00' in client.get('/orders/%d/declined-exit-notice' % draft.id).get_data(as_text=True)
