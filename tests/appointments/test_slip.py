"""The appointment slip: an A4 print view in the customer's language."""
from decimal import Decimal

from tests import factories
from tests.appointments.helpers import book, local_day


def test_slip_is_in_the_customers_language(client, advisor, shop, car):
    """A Chinese-speaking customer gets a Chinese slip even when the advisor works in English."""
    chinese = factories.make_customer(shop, name='王芳', language='zh')
    car_zh = factories.make_vehicle(shop, chinese, plate='粤B88888')
    appt = book(shop, advisor, chinese, car_zh, clock='09:30', requested_work='更换雨刮片',
                parts=[('85222-33180', '雨刮片', Decimal('2'), Decimal('1200'))], deposit=Decimal('1200'),
                deposit_method='cash')
    resp = client.get('/appointments/%d/slip' % appt.id)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert '<html lang="zh-Hans">' in body
    assert 'A-%06d' % appt.id in body and '王芳' in body and '粤B88888' in body and '更换雨刮片' in body
    assert local_day(shop).isoformat() in body and '09:30' in body
    assert '¥2,400.00' in body and '¥1,200.00' in body
    # the advisor's own pages stay in English
    assert '<html lang="en">' in client.get('/appointments/%d' % appt.id).get_data(as_text=True)


def test_slip_for_an_english_speaking_customer(client, advisor, shop, customer, car):
    """An English-speaking customer gets the slip in English."""
    appt = book(shop, advisor, customer, car, clock='09:30')
    body = client.get('/appointments/%d/slip' % appt.id).get_data(as_text=True)
    assert '<html lang="en">' in body and 'Appointment slip' in body and '粤B12345' in body


def test_slip_is_a_printable_page(client, advisor, shop, customer, car):
    """The slip loads the stylesheet with the A4 print rules and has no inline script or style."""
    appt = book(shop, advisor, customer, car, clock='09:30')
    body = client.get('/appointments/%d/slip' % appt.id).get_data(as_text=True)
    assert 'css/servicebay.css' in body and 'class="appt-sheet slip"' in body
    assert '<script>' not in body and ' style="' not in body
    css = client.get('/static/css/servicebay.css').get_data(as_text=True)
    assert '/* == appointments == */' in css and 'size: A4' in css.split('/* == appointments == */')[1]
