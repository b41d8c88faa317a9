"""The day and week calendar: bay hours available vs booked per slot, the appointments, navigation, filters."""
from datetime import timedelta

from tests import factories
from tests.appointments.helpers import book, local_day, set_setting
from tests.helpers import HX


def test_day_view_shows_capacity_and_appointments(client, advisor, shop, customer, car):
    """The advisor must see, slot by slot, how many bay hours are booked and who is coming."""
    set_setting(shop, 'bays', 4)
    book(shop, advisor, customer, car, clock='10:30', duration='2', requested_work='刹车异响 brake noise')
    book(shop, advisor, customer, car, clock='10:30')
    body = client.get('/appointments?date=%s' % local_day(shop).isoformat()).get_data(as_text=True)
    assert '10:30–11:30' in body and '2/4 h' in body          # two bays taken at 10:30
    assert '11:30–12:30' in body and '1/4 h' in body          # the two-hour job still holds a bay at 11:30
    assert '0/4 h' in body                                     # the rest of the day is free
    assert '粤B12345' in body and '张伟' in body and '刹车异响 brake noise' in body
    assert '10:30–12:30' in body and '2 h' in body and 'Booked' in body


def test_full_slot_is_marked_and_offers_no_booking(client, advisor, shop, customer, car):
    """A full slot must look full, with no 'book here' link."""
    set_setting(shop, 'bays', 1)
    book(shop, advisor, customer, car, clock='09:30')
    body = client.get('/appointments?date=%s' % local_day(shop).isoformat()).get_data(as_text=True)
    assert 'load-full' in body and 'Full' in body
    assert 'time=09:30' not in body and 'time=10:30' in body


def test_week_view_shows_every_day_with_capacity(client, advisor, shop, customer, car):
    """The week view must show Monday to Sunday with each slot's load and the appointments."""
    day = local_day(shop, 3)
    book(shop, advisor, customer, car, clock='14:30', days=3, requested_work='空调不凉 A/C')
    body = client.get('/appointments/week?date=%s' % day.isoformat()).get_data(as_text=True)
    monday = day - timedelta(days=day.weekday())
    for i in range(7):
        assert (monday + timedelta(days=i)).strftime('%m-%d') in body
    assert '1/8 h' in body and '0/8 h' in body
    assert '粤B12345' in body and '空调不凉 A/C' in body and 'Booked' in body


def test_advisor_filter_narrows_the_appointments_not_the_capacity(client, advisor, shop, customer, car, make_user):
    """One advisor's view shows only their customers, while the bays stay the whole workshop's."""
    other = make_user('bob', ['advisor'], display_name='Bob Advisor')
    someone = factories.make_customer(shop, name='李娜')
    book(shop, advisor, customer, car, clock='10:30', advisor=advisor)
    book(shop, other, someone, clock='10:30', advisor=other)
    day = local_day(shop).isoformat()
    mine = client.get('/appointments?date=%s&advisor=%d' % (day, advisor.id)).get_data(as_text=True)
    assert '张伟' in mine and '李娜' not in mine and '2/8 h' in mine
    assert 'Showing the appointments of Amy Advisor' in mine
    everyone = client.get('/appointments?date=%s' % day).get_data(as_text=True)
    assert '张伟' in everyone and '李娜' in everyone and 'Bob Advisor' in everyone


def test_navigation_swaps_only_the_calendar_and_pushes_a_loadable_url(client, advisor, shop, customer, car):
    """Previous/next must swap the calendar in place, and the pushed address must open the full page."""
    book(shop, advisor, customer, car, clock='10:30')
    day = local_day(shop)
    url = '/appointments?date=%s' % day.isoformat()
    frag = client.get(url, headers=HX)
    body = frag.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="calendar"') and '<html' not in body
    assert 'HX-Request' in frag.headers['Vary']
    next_url = '/appointments?date=%s' % (day + timedelta(days=1)).isoformat()
    assert 'href="%s"' % next_url.replace('&', '&amp;') in body and 'hx-push-url="true"' in body
    assert 'hx-target="#calendar"' in body
    full = client.get(next_url)
    assert '<html' in full.get_data(as_text=True) and 'HX-Request' in full.headers['Vary']
    week = client.get('/appointments/week?date=%s' % day.isoformat(), headers=HX)
    assert week.get_data(as_text=True).lstrip().startswith('<section id="calendar"')
    boosted = client.get(url, headers=dict(HX, **{'HX-Boosted': 'true'}))
    assert '<html' in boosted.get_data(as_text=True)


def test_a_bad_date_in_the_address_shows_today(client, advisor, shop):
    """A mangled link opens today's calendar instead of an error."""
    resp = client.get('/appointments?date=not-a-date&advisor=abc')
    assert resp.status_code == 200 and 'Whole shop' in resp.get_data(as_text=True)


def test_foreman_and_customer_service_see_the_calendar_but_cannot_book(client, make_user, shop, customer, car):
    """The workshop and customer service plan around the calendar; booking stays with advisors and the manager."""
    make_user('fred', ['foreman'])
    make_user('cs', ['customer_service'])
    make_user('tina', ['technician'])
    for name in ('fred', 'cs'):
        client.post('/login', data={'username': name, 'password': factories.PASSWORD})
        assert client.get('/appointments').status_code == 200
        assert client.get('/appointments/week').status_code == 200
        body = client.get('/appointments').get_data(as_text=True)
        assert 'Book a visit' not in body and '+ Book' not in body
        assert client.get('/appointments/new').status_code == 403
        assert client.get('/appointments/reminders').status_code == 403
        assert client.post('/appointments/new', data={}).status_code == 403
        client.post('/logout')
    client.post('/login', data={'username': 'tina', 'password': factories.PASSWORD})
    assert client.get('/appointments').status_code == 403


def test_home_page_tiles(client, advisor):
    """An advisor finds the appointments and reminders from the start page."""
    body = client.get('/').get_data(as_text=True)
    assert 'href="/appointments"' in body and 'href="/appointments/reminders"' in body
