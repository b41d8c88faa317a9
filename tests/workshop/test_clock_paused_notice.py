"""Clocking on one car pauses the clock on another: the phone says which job and car."""
from app.core import stages
from app.core.models import Event
from tests.helpers import reload
from tests.workshop.helpers import lines_of, make_job, tap

import json


def test_the_phone_names_the_job_and_car_whose_clock_was_paused(as_tech, shop, advisor, order, tech):
    """A technician clocking on a second car did not know the first car's clock had stopped."""
    other = make_job(shop, advisor, tech, lines=1)
    first = lines_of(order)[0]
    tap(as_tech, order, first, 'clock-on')
    resp = tap(as_tech, other, lines_of(other)[0], 'clock-on')
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'data-testid="clock-paused"' in body
    assert 'Your clock on %s (粤B12345) is paused.' % first.description in body
    assert reload(first).status == stages.LINE_PAUSED
    event = Event.for_record('repair_order', other.id).where(Event.action == 'clock.on').order_by(Event.id.desc()).get()
    assert json.loads(event.after)['paused_lines'] == [first.id]


def test_without_javascript_the_message_is_the_flash(as_tech, shop, advisor, order, tech):
    """A phone without JavaScript gets the same words after the redirect."""
    other = make_job(shop, advisor, tech, lines=1)
    tap(as_tech, order, lines_of(order)[0], 'clock-on')
    resp = tap(as_tech, other, lines_of(other)[0], 'clock-on', htmx=False)
    assert resp.status_code == 302
    page = as_tech.get(resp.headers['Location']).get_data(as_text=True)
    assert 'is paused.' in page and '粤B12345' in page


def test_a_first_clock_on_says_nothing_about_pausing(as_tech, order):
    """With no other clock running there is nothing paused to mention."""
    resp = tap(as_tech, order, lines_of(order)[0], 'clock-on')
    assert resp.status_code == 200 and 'clock-paused' not in resp.get_data(as_text=True)


def test_switching_jobs_on_the_same_car_names_the_job(as_tech, order):
    """Two jobs on one car: the phone still says which job stopped."""
    first, second = lines_of(order)[:2]
    tap(as_tech, order, first, 'clock-on')
    body = tap(as_tech, order, second, 'clock-on').get_data(as_text=True)
    assert 'Your clock on %s (粤B12345) is paused.' % first.description in body
