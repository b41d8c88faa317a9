"""Maintenance reminders due this week and events announced a week ahead, each as a message or a call task."""
from datetime import date, timedelta

import pytest

from app.aftercare import events, followups, reminders
from app.aftercare.models import FollowUpTask, Outreach, ShopEvent
from app.core.db import utcnow
from app.core.errors import Refused
from app.core.timeutil import shop_today
from app.customers.models import MileageReading
from app.messages import rules as outbox
from tests import factories
from tests.aftercare.helpers import staff
from tests.helpers import HX, sign_in


@pytest.fixture
def people(shop):
    return staff(shop)


@pytest.fixture
def sent(monkeypatch):
    """Messages handed to the outbox (its templates are the messages area's business)."""
    calls = []
    monkeypatch.setattr(outbox, 'send', lambda kind, **kw: calls.append((kind, kw)) or object())
    return calls


def _car(shop, consent=True, **kw):
    return factories.make_vehicle(shop, factories.make_customer(shop, consent_contact=consent), **kw)


def test_maintenance_due_this_week_by_date_in_the_shops_calendar(shop):
    """Customers due in the next 7 days must be on the list; the day after the week and past dates must not."""
    today = date(2026, 6, 1)
    in_week = [_car(shop, next_service_date=today), _car(shop, next_service_date=today + timedelta(days=6))]
    _car(shop, next_service_date=today + timedelta(days=7))
    _car(shop, next_service_date=today - timedelta(days=1))
    _car(shop, consent=False, next_service_date=today + timedelta(days=2))     # did not agree to be contacted
    due = reminders.maintenance_due(shop, today)
    assert [d.vehicle.id for d in due] == [c.id for c in in_week]
    assert not any(d.by_km for d in due) and due[0].customer.id == in_week[0].owner_id


def test_maintenance_due_by_mileage_estimate(shop):
    """A car that will reach its service mileage this week must be reminded even without a date."""
    today = shop_today(shop)
    near = _car(shop, mileage=0, next_service_km=10000)
    far = _car(shop, mileage=0, next_service_km=20000)
    for car in (near, far):
        # 100 km a day for the last 30 days: 9,500 km today
        MileageReading.create(shop=shop, vehicle=car, km=6500, at=utcnow() - timedelta(days=30))
        MileageReading.create(shop=shop, vehicle=car, km=9500, at=utcnow())
    due = reminders.maintenance_due(shop, today)
    assert [d.vehicle.id for d in due] == [near.id]
    assert due[0].by_km and due[0].estimated_km == 9500 and due[0].due_on == today + timedelta(days=5)


def test_reminder_as_message_leaves_the_list_and_is_recorded(shop, people, sent):
    """A reminder sent must go out once: the car leaves the list and the message carries the car and date."""
    today = shop_today(shop)
    car = _car(shop, next_service_date=today + timedelta(days=3), next_service_km=15000)
    reminders.remind_maintenance(car, people['cs'], via='message', today=today)
    assert sent[0][0] == 'maintenance_reminder' and sent[0][1]['customer'].id == car.owner_id
    assert sent[0][1]['context']['due_on'] == today + timedelta(days=3)
    assert reminders.maintenance_due(shop, today) == []
    assert Outreach.get().via == 'message'
    with pytest.raises(Refused):
        reminders.remind_maintenance(car, people['cs'], via='message', today=today)
    assert len(sent) == 1


def test_reminder_as_call_task(shop, people, sent):
    """Choosing to call must put a reminder call on the list, due before the service date."""
    today = shop_today(shop)
    car = _car(shop, next_service_date=today + timedelta(days=4))
    task = reminders.remind_maintenance(car, people['cs'], via='call', today=today)
    assert (task.kind, task.vehicle_id) == ('reminder', car.id)
    assert (task.due_from, task.due_by) == (today, today + timedelta(days=4))
    assert task.id in [t.id for t in followups.due_tasks(shop, today)]
    assert sent == []


def test_reminder_again_after_the_next_visit(shop, people, sent):
    """A car reminded last time must be reminded again once it has been in and has a new due date."""
    today = shop_today(shop)
    car = _car(shop, next_service_date=today + timedelta(days=2))
    reminders.remind_maintenance(car, people['cs'], via='message', today=today)
    order = factories.make_order(shop, people['advisor'], vehicle=car)
    order.checked_in_at = utcnow() + timedelta(seconds=1)
    order.save()
    assert [d.vehicle.id for d in reminders.maintenance_due(shop, today)] == [car.id]


def test_reminder_message_reaches_the_outbox(shop, people, monkeypatch):
    """With the real outbox, a reminder becomes a message to the customer's phone."""
    from app.messages.models import Message
    monkeypatch.setattr(outbox, 'render_message', lambda kind, lang, ctx: ('Reminder', 'Due %s' % ctx['due_on']))
    today = shop_today(shop)
    car = _car(shop, next_service_date=today + timedelta(days=1))
    reminders.remind_maintenance(car, people['cs'], via='message', today=today)
    message = Message.get()
    assert (message.kind, message.customer_id, message.to_address) == ('maintenance_reminder', car.owner_id,
                                                                        car.owner.phone)


def _visited(shop, by, days_ago, consent=True):
    customer = factories.make_customer(shop, consent_contact=consent)
    order = factories.make_order(shop, by, vehicle=factories.make_vehicle(shop, customer))
    order.checked_in_at = utcnow() - timedelta(days=days_ago)
    order.save()
    return customer


def test_events_are_announced_a_week_ahead_to_recent_customers_with_consent(shop, people, sent):
    """Customers seen in the last two years who agreed to be contacted must hear of an event a week before it."""
    today = shop_today(shop)
    in_week = ShopEvent.create(shop=shop, title='夏季空调检测', starts_on=today + timedelta(days=7))
    next_week = ShopEvent.create(shop=shop, title='秋季检测', starts_on=today + timedelta(days=13))   # tell within 6 days
    ShopEvent.create(shop=shop, title='太早', starts_on=today + timedelta(days=14))
    ShopEvent.create(shop=shop, title='已过', starts_on=today - timedelta(days=1))
    assert [e.id for e in events.events_to_announce(shop, today)] == [in_week.id, next_week.id]

    recent = _visited(shop, people['advisor'], 100)
    edge = _visited(shop, people['advisor'], 700)
    _visited(shop, people['advisor'], 800)                        # more than two years ago
    _visited(shop, people['advisor'], 10, consent=False)
    factories.make_customer(shop)                                 # never visited
    audience = list(events.event_audience(in_week, today))
    assert sorted(c.id for c in audience) == sorted([recent.id, edge.id])

    events.notify_event(in_week, [recent], people['cs'], via='message', today=today)
    assert sent[0][0] == 'event_notice' and sent[0][1]['context']['event_day'] == in_week.starts_on
    tasks = events.notify_event(in_week, audience, people['cs'], via='call', today=today)
    assert tasks == [edge.id]                                    # the one already told is not told twice
    task = FollowUpTask.get(FollowUpTask.kind == 'event')
    assert (task.customer_id, task.event_id) == (edge.id, in_week.id)
    assert task.due_by == today      # a week ahead (001 "提前一周") is today for an event in 7 days, not the day before
    assert list(events.event_audience(in_week, today)) == []


def test_manager_adds_an_event_and_others_cannot(client, shop, people):
    """Only a manager may add events; customer service sees them on the reminders page."""
    today = shop_today(shop)
    sign_in(client, people['cs'])
    assert client.get('/aftercare/events/new').status_code == 403
    sign_in(client, people['manager'])
    resp = client.post('/aftercare/events/new', data={'title': '免费检测日', 'title_en': 'Free check day',
                                                      'starts_on': (today + timedelta(days=3)).isoformat()})
    assert resp.status_code == 302
    resp = client.post('/aftercare/events/new', data={'title': '', 'starts_on': ''})
    assert resp.status_code == 400
    sign_in(client, people['cs'])
    html = client.get('/aftercare/reminders').get_data(as_text=True)
    assert 'Free check day' in html


def test_reminder_button_swaps_its_row(client, shop, people, sent):
    """Tapping 'Send message' on the list must change that row to done, and a double tap sends once."""
    today = shop_today(shop)
    car = _car(shop, next_service_date=today + timedelta(days=1))
    sign_in(client, people['cs'])
    assert car.plate in client.get('/aftercare/reminders').get_data(as_text=True)
    for _ in range(2):
        resp = client.post('/aftercare/reminders/%d' % car.id, headers=HX,
                           data={'via': 'message', 'idem': 'same-tap'})
        assert resp.status_code == 200 and 'remind-%d' % car.id in resp.get_data(as_text=True)
    assert len(sent) == 1 and Outreach.select().count() == 1
