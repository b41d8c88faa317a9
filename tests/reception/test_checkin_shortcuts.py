"""Fewer taps for a new customer's check-in: straight to the new file, the odometer not typed twice."""
from app.core import stages
from app.reception.models import RepairOrder
from tests import factories
from tests.helpers import sign_in


def _new_file(client, draft_id, mileage='12000'):
    return client.post('/checkin/%d/vehicle/new' % draft_id, data={
        'c-name': '赵新客', 'c-phone': '139 2233 4455', 'c-kind': 'person', 'c-language': 'zh',
        'v-plate': '粤BN8765', 'v-vin': '1M8GDM9AXKP042788', 'v-make': 'Toyota', 'v-model': 'Camry',
        'v-mileage': mileage})


def test_new_customer_button_opens_the_new_file_form_at_once(client, make_user):
    """A customer never seen before needed a tap on "new check-in", then another on "add the customer"."""
    sign_in(client, make_user('amy', ['advisor']))
    assert 'data-testid="checkin-new-customer"' in client.get('/checkin').get_data(as_text=True)
    resp = client.post('/checkin/start', data={'new_customer': '1'})
    draft = RepairOrder.get(RepairOrder.stage == stages.DRAFT)
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/checkin/%d/vehicle/new' % draft.id)
    plain = client.post('/checkin/start')
    assert plain.headers['Location'].endswith('/vehicle')          # the usual start still searches first


def test_the_mileage_typed_for_the_new_file_fills_the_odometer(client, make_user):
    """The advisor typed the new car's mileage, then had to type it again as the odometer."""
    sign_in(client, make_user('amy', ['advisor']))
    client.post('/checkin/start', data={'new_customer': '1'})
    draft = RepairOrder.get(RepairOrder.stage == stages.DRAFT)
    resp = _new_file(client, draft.id)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    body = client.get(resp.headers['Location']).get_data(as_text=True)
    assert 'id="odometer"' in body and 'value="12000"' in body


def test_a_returning_car_picked_from_search_keeps_an_empty_odometer(client, make_user, shop):
    """A car on file for months: its old mileage must not stand in for today's reading."""
    sign_in(client, make_user('amy', ['advisor']))
    car = factories.make_vehicle(shop, factories.make_customer(shop), mileage=42000, plate='粤B12345')
    client.post('/checkin/start')
    draft = RepairOrder.get(RepairOrder.stage == stages.DRAFT)
    body = client.get('/checkin/%d/vehicle?vehicle=%d' % (draft.id, car.id)).get_data(as_text=True)
    assert 'value="42000"' not in body
