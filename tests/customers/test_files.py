"""Opening and changing customer files and vehicles: validation in place, duplicates, change of owner."""
import re

import pytest

from app.core.models import Event
from app.customers import rules
from app.customers.models import Customer, MileageReading, Ownership, Vehicle
from tests import factories
from tests.customers.helpers import vin

CUSTOMER = {'kind': 'person', 'name': '孙丽', 'phone': '186 0000 2222', 'phone2': '', 'language': 'zh',
            'consent_contact': 'y', 'note': '周末来'}
VEHICLE = {'vin': vin('200001'), 'plate': '粤B2X001', 'make': '丰田 Toyota', 'model': '卡罗拉 Corolla',
           'year': '2022', 'colour': '白 White', 'sale_date': '2022-03-15', 'mileage': '18,500'}


def body(resp):
    return resp.get_data(as_text=True)


def test_new_customer_is_saved_normalised_and_audited(desk, shop):
    """A new customer's phone would be stored as typed (unsearchable), or the change left no trace."""
    resp = desk.post('/customers/new', data=CUSTOMER)
    assert resp.status_code == 302
    person = Customer.get(Customer.name == '孙丽')
    assert resp.headers['Location'].endswith('/customers/%d/vehicles/new' % person.id)
    assert person.phone == '+8618600002222' and person.consent_contact and person.note == '周末来'
    event = Event.get(Event.action == 'customer.created')
    assert event.record_id == person.id and event.actor_name == 'Amy'


def test_new_customer_errors_are_shown_in_place_with_what_was_typed(desk, shop):
    """A wrong phone would lose everything typed, or the message would not say what to fix."""
    resp = desk.post('/customers/new', data=dict(CUSTOMER, phone='138 1234', name='', phone2='abc'))
    assert resp.status_code == 400
    html = body(resp)
    assert 'A mobile number has 11 digits; you typed 7.' in html
    assert "Enter the customer's name." in html
    assert 'A phone number may contain only digits' in html
    assert 'value="138 1234"' in html and '周末来' in html
    assert Customer.select().count() == 0


def test_consent_can_be_refused(desk, shop):
    """A customer who does not want calls would still be put on the follow-up lists."""
    data = dict(CUSTOMER)
    data.pop('consent_contact')
    desk.post('/customers/new', data=data)
    assert Customer.get(Customer.name == '孙丽').consent_contact is False


def test_edit_customer_keeps_history(desk, files):
    """A corrected name or phone would not be saved, or the audit would not show the old value."""
    li = files['li']
    resp = desk.get('/customers/%d/edit' % li.id)
    assert 'value="139 0000 1111"' in body(resp) and 'value="020 8888 1234"' in body(resp)
    resp = desk.post('/customers/%d/edit' % li.id, data=dict(CUSTOMER, name='李娜娜', phone='13900001111'))
    assert resp.status_code == 302
    assert Customer.get_by_id(li.id).name == '李娜娜'
    event = Event.get(Event.action == 'customer.updated')
    assert event.before_data['name'] == '李娜' and event.after_data['name'] == '李娜娜'


def test_edit_customer_with_a_bad_phone_keeps_the_form(desk, files):
    """A typo in the phone must be explained, not saved."""
    resp = desk.post('/customers/%d/edit' % files['li'].id, data=dict(CUSTOMER, phone='12345678901'))
    assert resp.status_code == 400
    assert 'No mobile numbers start with 12: that range is not allocated' in body(resp)
    assert Customer.get_by_id(files['li'].id).phone == '+8613900001111'


def test_new_vehicle_writes_ownership_and_first_reading(desk, files):
    """A new car would have no owner history or odometer reading to count services from."""
    wang = files['wang']
    resp = desk.post('/customers/%d/vehicles/new' % wang.id, data=dict(VEHICLE, vin=VEHICLE['vin'].lower(),
                                                                       plate='粤b 2x001'))
    assert resp.status_code == 302
    car = Vehicle.get(Vehicle.plate == '粤B2X001')
    assert resp.headers['Location'].endswith('/vehicles/%d' % car.id)
    assert car.vin == VEHICLE['vin'] and car.mileage == 18500 and car.owner_id == wang.id and car.year == 2022
    assert car.plate_key == 'B2X001' and car.vin_tail == '200001'
    (own,) = Ownership.select().where(Ownership.vehicle == car)
    assert own.customer_id == wang.id and own.until is None and own.since.date().isoformat() == '2022-03-15'
    assert [r.km for r in MileageReading.select().where(MileageReading.vehicle == car)] == [18500]
    assert Event.select().where(Event.action == 'vehicle.created').count() == 4   # 3 from the fixture


@pytest.mark.parametrize('field, value, message', [
    ('vin', 'LVGBE40K5M2000O1', 'A VIN has 17 characters; you typed 16.'),
    ('vin', 'LVGBE40K15M200001', 'character 9 (the check digit) should be 3, not 1'),
    ('plate', 'B2X001', 'A plate starts with a province character'),
    ('plate', '粤B2X0O1', 'Plates never use the letters I or O'),
    ('mileage', '-5', 'The odometer reading must be between 0 and 2,000,000 km.'),
    ('mileage', 'lots', 'Enter the odometer reading in km, digits only.'),
    ('year', '21', 'Enter a model year between 1950 and'),
    ('year', 'new', 'Enter the model year as four digits'),
    ('sale_date', '2099-01-01', 'The sale date cannot be in the future.'),
    ('make', '', 'Enter the make, e.g. Toyota.'),
])
def test_vehicle_errors_in_place_with_what_was_typed(desk, files, field, value, message):
    """A mistyped VIN, plate or odometer would be saved, or the message would not say what to fix."""
    resp = desk.post('/customers/%d/vehicles/new' % files['wang'].id, data=dict(VEHICLE, **{field: value}))
    assert resp.status_code == 400
    html = body(resp)
    assert message in html
    assert re.search(r'id="%s-err"' % field, html)
    assert 'value="丰田 Toyota"' in html or field == 'make'
    assert 'value="%s"' % value in html or field in ('make',)
    assert Vehicle.select().count() == 3


def test_duplicate_vin_offers_the_vehicle_on_file(desk, files):
    """A second file for the same car would split its history between two records."""
    li_car = files['li_car']
    resp = desk.post('/customers/%d/vehicles/new' % files['wang'].id,
                     data=dict(VEHICLE, vin=li_car.vin, plate='粤B2X002'))
    assert resp.status_code == 400
    html = body(resp)
    assert 'This VIN is already on file' in html
    assert 'href="/vehicles/%d"' % li_car.id in html and '李娜' in html
    # the car may have been sold to this customer: offer the change of owner
    assert '/vehicles/%d/owner?customer_id=%d' % (li_car.id, files['wang'].id) in html
    assert 'value="粤B2X002"' in html
    assert Vehicle.select().count() == 3


def test_duplicate_plate_offers_the_vehicle_on_file(desk, files):
    """The same plate typed for a new car must point to the one already on file."""
    resp = desk.post('/customers/%d/vehicles/new' % files['wang'].id, data=dict(VEHICLE, plate='粤B 3K9L2'))
    assert resp.status_code == 400
    html = body(resp)
    assert 'This plate is already on file' in html and 'href="/vehicles/%d"' % files['wang_car'].id in html
    assert Vehicle.select().count() == 3


def test_find_duplicate_vehicle_normalises_and_stays_in_the_shop(files, shop, advisor):
    """Check-in would create a twin of a car typed with spaces, or block a car that is only in another shop."""
    assert rules.find_duplicate_vehicle(shop, ' %s ' % files['li_car'].vin.lower(), '').id == files['li_car'].id
    assert rules.find_duplicate_vehicle(shop, '', '湘a·77881').id == files['li_car'].id
    assert rules.find_duplicate_vehicle(shop, files['li_car'].vin, '粤B3K9L2').id == files['li_car'].id   # VIN first
    assert rules.find_duplicate_vehicle(shop, vin('999999'), '粤B11111') is None
    assert rules.find_duplicate_vehicle(shop, files['li_car'].vin, '', exclude=files['li_car']) is None
    other = factories.make_shop('S2')
    assert rules.find_duplicate_vehicle(other, files['li_car'].vin, '湘A77881') is None
    with pytest.raises(rules.DuplicateVehicle) as caught:
        rules.create_vehicle(shop, advisor, files['co'], vin=vin('300000'), plate='湘A77881', make='X', model='Y')
    assert caught.value.vehicle.id == files['li_car'].id and caught.value.field == 'plate'


def test_edit_vehicle_records_a_reading_and_refuses_a_duplicate(desk, files):
    """A new odometer figure would vanish from the history, or a plate typo could clash with another car."""
    car = files['wang_car']
    data = dict(VEHICLE, vin=car.vin, plate=car.plate, mileage='45000')
    assert desk.post('/vehicles/%d/edit' % car.id, data=data).status_code == 302
    assert sorted(r.km for r in MileageReading.select().where(MileageReading.vehicle == car)) == [42000, 45000]
    event = Event.get(Event.action == 'vehicle.updated')
    assert (event.before_data['mileage'], event.after_data['mileage']) == (42000, 45000)
    assert 'vin' not in event.after_data            # only what changed
    resp = desk.post('/vehicles/%d/edit' % car.id, data=dict(data, plate='湘A77881'))
    assert resp.status_code == 400 and 'This plate is already on file' in body(resp)
    assert Vehicle.get_by_id(car.id).plate == '粤B3K9L2'


def test_change_owner_keeps_the_history(desk, files, shop, advisor):
    """A sold car would lose its past orders, or the old owner would vanish from its history."""
    car, wang, li = files['wang_car'], files['wang'], files['li']
    ro = factories.make_order(shop, advisor, vehicle=car)
    page = desk.get('/vehicles/%d/owner?q=李' % car.id)
    assert page.status_code == 200 and '李娜' in body(page)
    resp = desk.post('/vehicles/%d/owner' % car.id, data={'customer_id': li.id})
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/vehicles/%d' % car.id)
    car = Vehicle.get_by_id(car.id)
    assert car.owner_id == li.id
    rows = list(Ownership.select().where(Ownership.vehicle == car).order_by(Ownership.id))
    assert [(r.customer_id, r.until is None) for r in rows] == [(wang.id, False), (li.id, True)]
    assert rows[0].until == rows[1].since
    html = body(desk.get('/vehicles/%d' % car.id))
    assert ro.number in html and '王小明' in html and '李娜' in html
    old_file = body(desk.get('/customers/%d' % wang.id))
    assert 'Owned before' in old_file and '粤B3K9L2' in old_file and ro.number in old_file
    assert Event.get(Event.action == 'vehicle.owner_changed').after_data == {'owner': li.id}


def test_change_owner_of_a_car_without_ownership_rows(shop, advisor):
    """A car put on file before ownerships were kept must still show its first owner after a sale."""
    first = factories.make_customer(shop, name='甲')
    car = factories.make_vehicle(shop, first)
    second = factories.make_customer(shop, name='乙')
    rules.change_owner(car, second, advisor)
    rows = list(Ownership.select().where(Ownership.vehicle == car).order_by(Ownership.id))
    assert [(r.customer_id, r.until is not None) for r in rows] == [(first.id, True), (second.id, False)]


def test_change_owner_refuses_the_same_owner_and_other_shops(desk, files):
    """Choosing the current owner must say so; a customer of another shop must not be reachable."""
    car = files['wang_car']
    resp = desk.post('/vehicles/%d/owner' % car.id, data={'customer_id': files['wang'].id})
    assert resp.status_code == 400 and 'already owns this vehicle' in body(resp)
    stranger = factories.make_customer(factories.make_shop('S2'), name='外店客户')
    assert desk.post('/vehicles/%d/owner' % car.id, data={'customer_id': stranger.id}).status_code == 404
    assert Vehicle.get_by_id(car.id).owner_id == files['wang'].id


def test_duplicate_offer_preselects_the_new_owner(desk, files):
    """Following "change owner" from a duplicate must show the customer one was adding the car for."""
    html = body(desk.get('/vehicles/%d/owner?customer_id=%d' % (files['li_car'].id, files['wang'].id)))
    assert '王小明' in html and 'name="customer_id" value="%d"' % files['wang'].id in html


def test_new_customer_and_vehicle_return_to_the_check_in(desk, files):
    """From a check-in, adding a new customer and car must come back to it with the car chosen."""
    resp = desk.get('/customers/new?next=/checkin/7/vehicle')
    assert 'action="/customers/new?next=/checkin/7/vehicle"' in body(resp)
    resp = desk.post('/customers/new?next=/checkin/7/vehicle', data=CUSTOMER)
    target = resp.headers['Location']
    assert target.endswith('/vehicles/new?next=/checkin/7/vehicle')
    resp = desk.post(target, data=VEHICLE)
    car = Vehicle.get(Vehicle.plate == '粤B2X001')
    assert resp.status_code == 302 and resp.headers['Location'] == '/checkin/7/vehicle?vehicle=%d' % car.id
    # a duplicate offers to use the car on file and go back
    person = Customer.get(Customer.name == '孙丽')
    resp = desk.post('/customers/%d/vehicles/new?next=/checkin/7/vehicle' % person.id, data=VEHICLE)
    assert '/checkin/7/vehicle?vehicle=%d' % car.id in body(resp)


def test_next_to_another_site_is_ignored(desk, files):
    """A crafted link must not send the advisor to another site after saving."""
    resp = desk.post('/customers/new?next=https://evil.example/', data=CUSTOMER)
    assert 'evil' not in resp.headers['Location']
    resp = desk.post('/customers/new?next=//evil.example/', data=dict(CUSTOMER, phone='18600003333'))
    assert 'evil' not in resp.headers['Location']


def test_rules_refuse_bad_values_from_other_callers(shop, advisor, files):
    """Another area calling the rules with a bad phone or VIN would store rubbish."""
    with pytest.raises(rules.InvalidFile) as bad:
        rules.create_customer(shop, advisor, name='x', phone='123')
    assert bad.value.field == 'phone'
    with pytest.raises(rules.InvalidFile):
        rules.create_vehicle(shop, advisor, files['wang'], vin='123', plate='粤B12345', make='a', model='b')
    with pytest.raises(TypeError):
        rules.create_customer(shop, advisor, name='x', phone='13800001111', shop_id=3)


def test_a_car_sold_today_is_accepted_just_after_midnight_in_the_shop(client, auth, advisor, files):
    """At 00:05 on 1 January in Shanghai the server's UTC date is still 31 December: a car sold that day was
    refused as 'sold in the future', and next year's model year as out of range (found by the date run)."""
    from tests.helpers import at_local
    with at_local('2027-01-01 00:05', files['wang'].shop.timezone):
        auth.login('amy')
        resp = client.post('/customers/%d/vehicles/new' % files['wang'].id,
                           data=dict(VEHICLE, sale_date='2027-01-01', year='2028'))
        assert resp.status_code == 302, body(resp)
    car = Vehicle.get(Vehicle.vin == VEHICLE['vin'])
    assert str(car.sale_date) == '2027-01-01' and car.year == 2028
