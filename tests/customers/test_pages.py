"""The search page, the customer and vehicle pages, who may use them, and the demo's history."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from app.core import stages
from app.core.db import utcnow
from app.core.timeutil import add_months
from app.customers import rules
from app.reception.files import next_service
from app.customers.models import MileageReading, Ownership, Vehicle
from app.reception.models import Recommendation, RepairOrder
from tests import factories


def body(resp):
    return resp.get_data(as_text=True)


def test_search_page_works_without_javascript(desk, files):
    """With scripts blocked or slow, the plain search form must still find the car."""
    html = body(desk.get('/customers?q=B3K'))
    assert '<html' in html and 'id="search-results"' in html
    assert '粤B3K9L2' in html and '王小明' in html and '138 1234 5678' in html
    assert 'href="/vehicles/%d"' % files['wang_car'].id in html
    assert 'href="/customers/%d"' % files['wang'].id in html
    assert 'value="B3K"' in html


def test_search_box_searches_as_you_type(desk, files):
    """The box would wait for Enter, or flood the server on every keystroke, or break the back button."""
    html = body(desk.get('/customers'))
    assert 'hx-get="/customers"' in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert 'hx-target="#search-results"' in html and 'hx-push-url="true"' in html
    assert 'method="get" action="/customers"' in html


def test_htmx_gets_only_the_results_and_the_response_varies(desk, files):
    """A keystroke would swap a whole page into the result box, or a cached fragment would show as a page."""
    piece = desk.get('/customers?q=李', headers={'HX-Request': 'true'})
    html = body(piece)
    assert html.lstrip().startswith('<div id="search-results"') and '<html' not in html
    assert '湘A77881' in html and '粤BD12345' in html
    assert 'HX-Request' in piece.headers['Vary']
    full = desk.get('/customers?q=李', headers={'HX-Request': 'true', 'HX-History-Restore-Request': 'true'})
    assert '<html' in body(full) and 'HX-Request' in full.headers['Vary']
    boosted = desk.get('/customers?q=李', headers={'HX-Request': 'true', 'HX-Boosted': 'true'})
    assert '<html' in body(boosted)


def test_no_match_offers_a_new_customer_with_the_phone(desk, files):
    """A first-time caller's number typed in the box must carry over to the new-customer form."""
    html = body(desk.get('/customers?q=18688889999'))
    assert 'Nothing on file matches' in html
    assert '/customers/new?phone=18688889999' in html
    form = body(desk.get('/customers/new?phone=18688889999'))
    assert 'value="18688889999"' in form


def test_more_matches_than_shown_says_so(desk, shop):
    """A long list cut at 20 would look complete."""
    for i in range(25):
        factories.make_vehicle(shop, factories.make_customer(shop, name='许%02d' % i), plate='粤B7%04d' % i)
    html = body(desk.get('/customers?q=B7'))
    assert html.count('<li class="result') == 20 and 'type more to narrow them down' in html


def test_customer_page_shows_details_vehicles_and_orders(desk, files, shop, advisor):
    """The advisor would not see a customer's cars, past orders or their wish not to be called."""
    li = files['li']
    rules.update_customer(li, advisor, consent_contact=False, note='只接受短信')
    ro = factories.make_order(shop, advisor, vehicle=files['li_car'])
    html = body(desk.get('/customers/%d' % li.id))
    assert '李娜' in html and '139 0000 1111' in html and '020 8888 1234' in html
    assert '湘A77881' in html and '粤BD12345' in html
    assert ro.number in html and 'href="/orders/%d"' % ro.id in html
    assert 'Do not contact' in html and '只接受短信' in html
    assert 'href="/customers/%d/edit"' % li.id in html and 'href="/customers/%d/vehicles/new"' % li.id in html


def _order(shop, advisor, car, stage, days_ago, odometer, **kw):
    ro = factories.make_order(shop, advisor, vehicle=car, odometer=odometer,
                              checked_in_at=utcnow() - timedelta(days=days_ago), **kw)
    ro.stage = stage
    if stage in (stages.DELIVERED, stages.CLOSED):
        ro.delivered_at = ro.checked_in_at + timedelta(hours=5)
    ro.save()
    return ro


def test_vehicle_page_shows_every_order_newest_first(desk, files, shop, advisor):
    """A car's past visits would be missing or out of order when the advisor looks at its history."""
    car = files['wang_car']
    old = _order(shop, advisor, car, stages.CLOSED, 200, 30000, complaint='首保')
    new = _order(shop, advisor, car, stages.IN_PROGRESS, 1, 42000, complaint='刹车异响')
    mid = _order(shop, advisor, car, stages.CLOSED, 90, 36000, complaint='空调不凉')
    html = body(desk.get('/vehicles/%d' % car.id))
    table = html[html.index('Repair orders</h2>'):]
    positions = [table.index(ro.number) for ro in (new, mid, old)]
    assert positions == sorted(positions)
    for ro in (old, mid, new):
        assert 'href="/orders/%d"' % ro.id in html
    assert car.vin in html and '42,000 km' in html and '王小明' in html


def test_vehicle_page_lists_declined_recommendations(desk, files, shop, advisor):
    """Work the customer declined last time (brakes!) would not be raised again at the next visit."""
    car = files['wang_car']
    ro = _order(shop, advisor, car, stages.CLOSED, 30, 40000)
    Recommendation.create(shop=shop, vehicle=car, order_id=ro.id, description='前刹车片 3 mm', safety=True,
                          price=Decimal('880'))
    Recommendation.create(shop=shop, vehicle=car, order_id=ro.id, description='空调滤芯', price=Decimal('168'))
    Recommendation.create(shop=shop, vehicle=car, order_id=ro.id, description='已做过的雨刮', done_order_id=ro.id)
    html = body(desk.get('/vehicles/%d' % car.id))
    assert '前刹车片 3 mm' in html and '空调滤芯' in html and '¥880.00' in html
    assert '已做过的雨刮' not in html
    assert html.index('前刹车片 3 mm') < html.index('空调滤芯')   # safety first
    assert 'Safety' in html


def test_next_maintenance_estimated_from_the_last_finished_order(desk, files, shop, advisor):
    """Without a booked service the page would show nothing, or pass off a guess as a booking."""
    car = files['wang_car']
    html = body(desk.get('/vehicles/%d' % car.id))
    assert 'No service on file yet' in html
    ro = _order(shop, advisor, car, stages.CLOSED, 10, 40000)
    _order(shop, advisor, car, stages.IN_PROGRESS, 1, 42000)       # not finished: not counted
    due = next_service(Vehicle.get_by_id(car.id), date.today())
    assert due.estimate and due.basis.id == ro.id and due.km == 45000
    assert due.date == add_months(ro.delivered_at.date(), 6)
    html = body(desk.get('/vehicles/%d' % car.id))
    assert '45,000 km' in html and 'Estimate: 6 months or 5,000 km' in html and ro.number in html


def test_next_maintenance_as_booked_on_the_vehicle(desk, files):
    """A service date set on the car must be shown as it is, and flagged when it has passed."""
    car = files['wang_car']
    car.next_service_date = date(2020, 1, 15)
    car.next_service_km = 50000
    car.save()
    html = body(desk.get('/vehicles/%d' % car.id))
    assert '2020-01-15' in html and '50,000 km' in html and 'Estimate' not in html and 'Due now' in html


def test_add_months_keeps_to_the_end_of_short_months():
    """A service estimated from 31 August would crash on a 31 February."""
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2025, 9, 15), 6) == date(2026, 3, 15)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_vehicle_page_shows_owners_and_readings(desk, files, shop, advisor):
    """After a sale the page would hide who owned the car before, or the odometer history."""
    car = files['wang_car']
    rules.update_vehicle(car, advisor, mileage=43500)
    rules.change_owner(car, files['li'], advisor, at=datetime(2025, 6, 1, 4))
    html = body(desk.get('/vehicles/%d' % car.id))
    assert '王小明' in html and '李娜' in html and '2025-06-01' in html
    assert '43,500 km' in html and '42,000 km' in html


READ = ['advisor', 'manager', 'customer_service', 'warranty', 'foreman']


@pytest.mark.parametrize('role', ['advisor', 'manager', 'customer_service', 'warranty', 'foreman',
                                  'technician', 'qc', 'parts', 'admin'])
def test_who_may_read_and_who_may_change(client, make_user, files, role):
    """Someone outside customer work could read customer files, or a reader could change them."""
    user = make_user('u_' + role, [role])
    with client.session_transaction() as s:
        s['_user_id'] = user.get_id()
    car, person = files['wang_car'], files['wang']
    reads = [client.get(u).status_code for u in ('/customers?q=B3K', '/vehicles/%d' % car.id,
                                                 '/customers/%d' % person.id)]
    assert reads == ([200] * 3 if role in READ else [403] * 3)
    writes = [client.get('/customers/new').status_code,
              client.post('/customers/new', data={'name': 'x', 'phone': '13800001111'}).status_code,
              client.post('/vehicles/%d/owner' % car.id, data={'customer_id': files['li'].id}).status_code]
    if role in ('advisor', 'manager'):
        assert writes == [200, 302, 302]
    else:
        assert writes == [403, 403, 403]
        assert Vehicle.get_by_id(car.id).owner_id == person.id


def test_readers_do_not_see_edit_buttons(client, make_user, files):
    """Customer service would see buttons that only lead to "not allowed"."""
    user = make_user('cs', ['customer_service'])
    with client.session_transaction() as s:
        s['_user_id'] = user.get_id()
    html = body(client.get('/vehicles/%d' % files['wang_car'].id))
    assert 'Change owner' not in html and '/edit' not in html
    assert 'New customer' not in body(client.get('/customers'))


def test_other_shops_files_are_not_found(desk, files, advisor):
    """Changing the id in the address must not open another shop's customer or car."""
    other = factories.make_shop('S2')
    stranger = factories.make_customer(other, name='外店客户')
    car = factories.make_vehicle(other, stranger)
    for url in ('/customers/%d' % stranger.id, '/customers/%d/edit' % stranger.id, '/vehicles/%d' % car.id,
                '/vehicles/%d/edit' % car.id, '/vehicles/%d/owner' % car.id,
                '/customers/%d/vehicles/new' % stranger.id):
        assert desk.get(url).status_code == 404, url
    assert '外店客户' not in body(desk.get('/customers?q=外店'))


def test_demo_adds_history_once(runner):
    """The demo would show cars without owners or readings, or double them on a second run."""
    assert runner.invoke(args=['demo']).exit_code == 0
    cars = list(Vehicle.select())
    owners = {}
    for own in Ownership.select():
        owners.setdefault(own.vehicle_id, []).append(own)
    assert set(owners) == {c.id for c in cars}
    sold = [rows for rows in owners.values() if len(rows) == 2]
    assert len(sold) == 1 and sum(r.until is None for r in sold[0]) == 1
    car = Vehicle.get_by_id(sold[0][0].vehicle_id)
    assert car.owner_id == next(r.customer_id for r in sold[0] if r.until is None)
    readings = {}
    for r in MileageReading.select():
        readings.setdefault(r.vehicle_id, []).append(r)
    assert all(len(readings.get(c.id, [])) >= 2 for c in cars)   # later areas' demos add readings too
    assert all(max(r.km for r in readings[c.id]) == c.mileage for c in cars)
    recs = list(Recommendation.select())
    assert len(recs) >= 5 and sum(r.safety for r in recs) >= 1
    for rec in recs:
        assert RepairOrder.get_by_id(rec.order_id).stage == stages.CLOSED
    counts = (Ownership.select().count(), MileageReading.select().count(), Recommendation.select().count())
    assert runner.invoke(args=['demo']).exit_code == 0
    assert (Ownership.select().count(), MileageReading.select().count(), Recommendation.select().count()) == counts
