"""Shop events (活动): a manager adds an activity, and customers seen in the last two years who agreed to be
contacted are told about it a week ahead, by message or by a call task, once each."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from app.aftercare.models import FollowUpTask, Outreach, ShopEvent
from app.aftercare.reminders import REMINDER_WINDOW_DAYS
from app.aftercare.shared import day_bounds, shop_of
from app.core import audit, deadlines
from app.core.db import transaction
from app.core.errors import Refused
from app.core.settings import get_setting
from app.core.timeutil import add_months, shop_today
from app.customers.models import Customer
from app.messages import rules as outbox
from app.reception.models import RepairOrder

# Not a rulebook number: the event audience is customers seen in the last two years.
EVENT_AUDIENCE_YEARS = 2


def add_event(shop, by, *, title, starts_on, title_en='', description=''):
    """A manager adds an activity to announce."""
    title = (title or '').strip()
    if not title:
        raise Refused(_l('Give the event a title.'))
    if starts_on < shop_today(shop):
        raise Refused(_l('The event cannot start in the past.'))
    with transaction():
        event = ShopEvent.create(shop=shop, title=title, title_en=(title_en or '').strip(), starts_on=starts_on,
                                 description=(description or '').strip(), created_by=by)
        audit.record('aftercare.event_added', 'shop_event', event.id, shop=shop, actor=by,
                     after={'title': title, 'starts_on': starts_on})
    return event


def notice_due_by(event, today):
    """The last day to tell a customer: a week before the event (001 "提前一周"), or today when that has passed."""
    return max(today, deadlines.announce_from(event.starts_on, deadlines.shop_settings(shop_of(event))))


def events_to_announce(shop, today):
    """Events whose notices fall due this week (a week before each, 001 "提前一周"), or are late already: starting
    from today up to `event_notice_days` after the last day of the reminders' week."""
    ahead = today + timedelta(days=get_setting(shop, 'event_notice_days') + REMINDER_WINDOW_DAYS - 1)
    return (ShopEvent.for_shop(shop).where(ShopEvent.starts_on.between(today, ahead))
            .order_by(ShopEvent.starts_on, ShopEvent.id))


def upcoming_events(shop, today):
    return ShopEvent.for_shop(shop).where(ShopEvent.starts_on >= today).order_by(ShopEvent.starts_on, ShopEvent.id)


def event_audience(event, today):
    """Customers to tell about an event: consent to be contacted, a visit in the last two years,
    not yet told (query, not run)."""
    shop = shop_of(event)
    since, _end = day_bounds(shop, add_months(today, -12 * EVENT_AUDIENCE_YEARS))
    visited = (RepairOrder.select(RepairOrder.customer)
               .where((RepairOrder.shop == shop) & (RepairOrder.checked_in_at >= since)
                      & RepairOrder.customer.is_null(False)))
    told = Outreach.select(Outreach.customer).where((Outreach.kind == Outreach.EVENT) & (Outreach.event == event.id))
    return (Customer.for_shop(shop)
            .where((Customer.consent_contact == True) & Customer.id.in_(visited)  # noqa: E712
                   & Customer.id.not_in(told))
            .order_by(Customer.name, Customer.id))


def notify_event(event, customers, by, *, via, today=None):
    """Tell customers about an event: a message each, or a call task each."""
    shop = shop_of(event)
    today = today or shop_today(shop)
    if event.starts_on < today:
        raise Refused(_l('This event is over.'))
    if via not in (Outreach.MESSAGE, Outreach.CALL):
        raise Refused(_l('Choose a message or a call.'))
    allowed = {c.id for c in event_audience(event, today)}
    chosen = [c for c in customers if c.id in allowed]
    if not chosen:
        raise Refused(_l('Nobody left to tell: they were told already or did not agree to be contacted.'))
    with transaction():
        for customer in chosen:
            task = None
            if via == Outreach.CALL:
                task = FollowUpTask.create(shop=shop, customer=customer, event=event, kind=FollowUpTask.EVENT,
                                           due_from=today, due_by=notice_due_by(event, today))
            Outreach.create(shop=shop, kind=Outreach.EVENT, customer=customer, event=event, due_on=event.starts_on,
                            via=via, task=task, by=by)
        done = [c.id for c in chosen]
        audit.record('aftercare.event_notice', 'shop_event', event.id, shop=shop, actor=by,
                     after={'via': via, 'customers': done})
    if via == Outreach.MESSAGE:
        # After the commit, as the outbox asks; the template gets event_title (in the customer's language),
        # event_day (a date) and event_description.
        for customer in chosen:
            outbox.send('event_notice', customer=customer, by=by,
                        context={'event_title': event.display_title(customer.language), 'event_day': event.starts_on,
                                 'event_description': event.description})
    return done

