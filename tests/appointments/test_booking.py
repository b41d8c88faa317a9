"""Booking a visit: the form, bay capacity per slot, opening hours, the deposit for expensive parts."""
from decimal import Decimal

from app.appointments.models import Appointment, AppointmentJob, AppointmentPart
from app.core.models import Event
from app.catalogue.models import CannedJob
from tests import factories
from tests.appointments.helpers import book, form_data, local_day, pick_of, set_setting, utc_at
from tests.helpers import HX


def test_advisor_books_a_visit_with_work_parts_and_deposit(client, advisor, shop, customer, car):
    """An advisor must be able to book a customer's car for tomorrow with parts ordered and the deposit taken."""
    resp = client.post('/appointments/new', data=form_data(
        pick_of(customer, car), shop, clock='10:30', duration='1.5', advisor=str(advisor.id),
        **{'parts-0-part_number': '88450-06390', 'parts-0-name': 'A/C compressor', 'parts-0-quantity': '1',
           'parts-0-unit_price': '4200', 'deposit': '2100', 'deposit_method': 'mobile'}))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    appt = Appointment.get()
    assert resp.headers['Location'].endswith('/appointments/%d' % appt.id)
    assert (appt.customer_id, appt.vehicle_id, appt.advisor_id) == (customer.id, car.id, advisor.id)
    assert appt.start_at == utc_at(shop, '10:30') and appt.duration == Decimal('1.5')
    assert appt.status == 'booked' and appt.deposit == Decimal('2100') and appt.deposit_method == 'mobile'
    part = AppointmentPart.get()
    assert (part.part_number, part.name, part.unit_price) == ('88450-06390', 'A/C compressor', Decimal('4200'))
    event = Event.get(Event.action == 'appointment.booked')
    assert event.record_id == appt.id and event.actor == advisor.id
    page = client.get(resp.headers['Location']).get_data(as_text=True)
    assert '粤B12345' in page and 'A/C compressor' in page and '¥2,100.00' in page


def test_full_slot_is_refused_naming_the_slot(client, advisor, shop, customer, car):
    """When every bay of a slot is taken the advisor must be told which slot is full, and keep what was typed."""
    set_setting(shop, 'bays', 2)
    other = factories.make_customer(shop, name='李娜')
    book(shop, advisor, other, clock='10:30')
    book(shop, advisor, other, clock='10:30')
    resp = client.post('/appointments/new', data=form_data(
        pick_of(customer, car), shop, clock='10:30', requested_work='左前门划痕 scratch on door'))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'The slot %s 10:30–11:30 is full: 2 of 2 bay hours are booked.' % local_day(shop).isoformat() in body
    assert '左前门划痕 scratch on door' in body and 'value="10:30"' in body
    assert Appointment.select().count() == 2


def test_long_visit_refused_when_a_later_slot_it_covers_is_full(client, advisor, shop, customer, car):
    """A two-hour job must not be squeezed into a morning whose second hour has no bay left."""
    set_setting(shop, 'bays', 1)
    book(shop, advisor, customer, clock='11:30')
    resp = client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, clock='10:30', duration='2'))
    assert resp.status_code == 400
    assert 'The slot %s 11:30–12:30 is full' % local_day(shop).isoformat() in resp.get_data(as_text=True)
    # an hour fits, and so does the afternoon
    assert client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, clock='10:30')).status_code == 302
    assert client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, clock='13:30',
                                                           duration='2')).status_code == 302


def test_a_no_show_or_cancellation_frees_the_bay(client, advisor, shop, customer, car):
    """A cancelled visit must not keep blocking its slot."""
    set_setting(shop, 'bays', 1)
    first = book(shop, advisor, customer, clock='09:30')
    assert client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, clock='09:30')).status_code == 400
    client.post('/appointments/%d/cancel' % first.id, data={'version': first.version})
    assert client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, clock='09:30')).status_code == 302


def test_outside_opening_hours_is_refused(client, advisor, shop, customer, car):
    """A booking the workshop cannot take (after closing, or running past it) must be refused and say the hours."""
    for clock, duration in (('19:00', '1'), ('07:00', '1'), ('17:30', '2')):
        resp = client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, clock=clock,
                                                               duration=duration))
        body = resp.get_data(as_text=True)
        assert resp.status_code == 400, clock
        assert 'The workshop takes cars from 08:30 to 18:00' in body and 'outside opening hours' in body, clock
    assert not Appointment.select().exists()


def test_opening_hours_and_slot_length_come_from_the_settings(client, advisor, shop, customer, car):
    """A shop that opens at 8:00 with 30-minute slots must be able to book 08:00 and see half-hour slots."""
    set_setting(shop, 'workday_start', '08:00')
    set_setting(shop, 'slot_minutes', 30)
    assert client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, clock='08:00')).status_code == 302
    body = client.get('/appointments?date=%s' % local_day(shop).isoformat()).get_data(as_text=True)
    assert '08:00–08:30' in body and '08:30–09:00' in body


def test_a_time_already_passed_is_refused(client, advisor, shop, customer, car):
    """Yesterday cannot be booked."""
    resp = client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, clock='10:30', days=-1))
    assert resp.status_code == 400 and 'has already passed' in resp.get_data(as_text=True)


def test_expensive_parts_need_half_their_price_as_deposit(client, advisor, shop, customer, car):
    """Parts from 1,000 yuan each need a deposit of half their price, with how it was paid."""
    parts = {'parts-0-name': 'Alloy wheel', 'parts-0-quantity': '2', 'parts-0-unit_price': '1200',
             'parts-1-name': 'Oil filter', 'parts-1-quantity': '1', 'parts-1-unit_price': '58'}
    resp = client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, deposit='1000', **parts))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'need a deposit of at least ¥1,200.00 (50% of ¥2,400.00); ¥1,000.00 was entered.' in body
    assert 'value="Alloy wheel"' in body and 'value="1000"' in body

    resp = client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, deposit='1200', **parts))
    assert resp.status_code == 400 and 'Say how the deposit was paid.' in resp.get_data(as_text=True)

    resp = client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, deposit='1200',
                                                           deposit_method='cash', **parts))
    assert resp.status_code == 302
    appt = Appointment.get()
    assert appt.deposit == Decimal('1200') and appt.deposit_method == 'cash' and appt.parts.count() == 2


def test_cheap_parts_need_no_deposit_and_the_share_is_a_setting(client, advisor, shop, customer, car):
    """Parts under the threshold book without a deposit; a shop asking 80% gets 80%."""
    cheap = {'parts-0-name': 'Wiper blade', 'parts-0-quantity': '2', 'parts-0-unit_price': '999.99'}
    assert client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, **cheap)).status_code == 302
    set_setting(shop, 'appointment_deposit_share', '0.8')
    dear = {'parts-0-name': 'Compressor', 'parts-0-quantity': '1', 'parts-0-unit_price': '1000'}
    resp = client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, clock='13:30', **dear))
    assert resp.status_code == 400 and 'at least ¥800.00 (80% of ¥1,000.00)' in resp.get_data(as_text=True)


def test_bad_input_is_explained_in_place_and_kept(client, advisor, shop, customer, car):
    """Every wrong field must say what to fix, with everything typed still there."""
    resp = client.post('/appointments/new', data=form_data(
        '', shop, time='25:99', duration='-1', requested_work='',
        **{'date': 'someday', 'parts-0-part_number': 'PN-77', 'parts-0-quantity': '0', 'parts-1-unit_price': 'abc',
           'deposit': '-5', 'deposit_method': 'gold'}))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    for message in ('Find the customer and tap their vehicle.', 'Not a valid date value.', 'Not a valid time value.',
                    'Between a quarter of an hour and 24 hours.',
                    'Say what the customer wants done, or tick a catalogue job.',
                    'Enter the part', 'Enter a quantity above zero.', 'Enter the unit price.',
                    'Not a valid decimal value.', 'Enter an amount of zero or more.',
                    'Not a valid choice'):
        assert message in body, message
    assert 'value="PN-77"' in body and 'value="someday"' in body and 'value="25:99"' in body
    assert 'value="abc"' in body
    assert not Appointment.select().exists()


def test_another_customers_car_or_shop_cannot_be_booked(client, advisor, shop, customer, car):
    """A crafted pick must not attach someone else's car or another shop's customer."""
    stranger = factories.make_customer(shop, name='王五')
    resp = client.post('/appointments/new', data=form_data(pick_of(stranger, car), shop))
    assert resp.status_code == 400 and 'not in this shop any more' in resp.get_data(as_text=True)
    other_shop = factories.make_shop('S2')
    outsider = factories.make_customer(other_shop, name='外店客户')
    resp = client.post('/appointments/new', data=form_data(pick_of(outsider), shop))
    assert resp.status_code == 400
    assert not Appointment.select().exists()


def test_catalogue_jobs_are_booked_and_give_the_duration(client, advisor, shop, customer, car):
    """Ticking catalogue jobs with the duration left empty books their flat-rate hours."""
    oil = CannedJob.create(shop=shop, code='OIL', name='更换机油机滤', name_en='Oil and filter', hours=Decimal('0.8'))
    brakes = CannedJob.create(shop=shop, code='BRK', name='更换前刹车片', name_en='Front brake pads', hours=Decimal('1.2'))
    page = client.get('/appointments/new').get_data(as_text=True)
    assert 'Oil and filter' in page and 'Front brake pads' in page
    resp = client.post('/appointments/new', data=form_data(pick_of(customer, car), shop, duration='', requested_work='',
                                                           canned_jobs=[str(oil.id), str(brakes.id)]))
    assert resp.status_code == 302
    appt = Appointment.get()
    assert appt.duration == Decimal('2.0')
    assert sorted(j.canned_job_id for j in AppointmentJob.select()) == sorted([oil.id, brakes.id])


def test_booking_without_a_vehicle_on_file(client, advisor, shop, customer):
    """A customer coming with a car not registered yet can still be booked (the car is added at check-in)."""
    resp = client.post('/appointments/new', data=form_data(pick_of(customer), shop))
    assert resp.status_code == 302 and Appointment.get().vehicle is None


def test_customer_search_as_you_type_returns_only_the_results(client, advisor, shop, customer, car):
    """Typing a plate without its province finds the car; htmx gets only the result list."""
    resp = client.get('/appointments/customers?q=B12345', headers=HX)
    body = resp.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="customer-results"') and '<html' not in body
    assert 'value="%s"' % pick_of(customer, car) in body and '粤B12345' in body
    assert 'HX-Request' in resp.headers['Vary']
    by_phone = client.get('/appointments/customers?q=%s' % customer.phone[-4:], headers=HX)
    assert '粤B12345' in by_phone.get_data(as_text=True)
    full = client.get('/appointments/customers?q=%E5%BC%A0%E4%BC%9F')   # 张伟, without htmx: the whole form
    assert '<html' in full.get_data(as_text=True) and '粤B12345' in full.get_data(as_text=True)


def test_find_without_javascript_keeps_what_was_typed(client, advisor, shop, customer, car):
    """Without JavaScript the Find button shows the matches and loses nothing typed."""
    resp = client.post('/appointments/new', data=form_data('', shop, q='B12345', find='1',
                                                           requested_work='异响 noise at the front'))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'value="%s"' % pick_of(customer, car) in body and '异响 noise at the front' in body
    assert 'Find the customer and tap their vehicle.' not in body


def test_calendar_slot_link_prefills_the_form(client, advisor, shop):
    """Tapping a free slot opens the form with its day and time filled in and oneself as advisor."""
    day = local_day(shop, 2).isoformat()
    body = client.get('/appointments/new?date=%s&time=14:30' % day).get_data(as_text=True)
    assert 'value="%s"' % day in body and 'value="14:30"' in body
    assert '<option selected value="%d">' % advisor.id in body or 'value="%d" selected' % advisor.id in body


def test_all_refusals_are_shown_at_once(client, advisor, shop, customer, car):
    """A wrong time and a missing deposit are both named in one go, not one after the other."""
    resp = client.post('/appointments/new', data=form_data(
        pick_of(customer, car), shop, clock='19:00',
        **{'parts-0-name': 'Compressor', 'parts-0-quantity': '1', 'parts-0-unit_price': '3000'}))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'outside opening hours' in body and 'need a deposit of at least ¥1,500.00' in body
