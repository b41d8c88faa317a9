"""What the aftercare rules share: the shop's calendar days, where an event is recorded, who may be given calls and
who gets escalations, the refusal for someone who is not the record's handler, and a move refused in words.

Every aftercare rule is one transaction and writes its audit event; a rule tied to an order writes on
('repair_order', order.id) so the order's timeline shows it.
"""
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.aftercare.models import Complaint
from app.core.access import CUSTOMER_SERVICE, MANAGER
from app.core.errors import Refused
from app.core.models import Shop
from app.core.timeutil import to_local, to_utc

REQUEST_WARNING = timedelta(hours=24)   # "about to breach": the lists warn this long before a deadline


class NotYours(Refused):
    """The person may not act on this record (not its owner nor a manager): shown as a 403."""
    status = 403


def local_day(shop, at):
    """The shop's local calendar day of a stored (naive UTC) time."""
    return to_local(at, shop.timezone).date()


def day_bounds(shop, day):
    """[start, end) of a local calendar day, as naive UTC."""
    start = to_utc(datetime.combine(day, time()), shop.timezone)
    end = to_utc(datetime.combine(day + timedelta(days=1), time()), shop.timezone)
    return start, end


def shop_of(record):
    return record.shop if isinstance(getattr(record, 'shop', None), Shop) else Shop.get_by_id(record.shop_id)


def audit_target(record, own_type):
    """Where the audit event goes: the order's timeline when tied to an order, else the record itself."""
    order_id = getattr(record, 'order_id', None)
    return ('repair_order', order_id) if order_id else (own_type, record.id)


def require_move(machine, record, to, message):
    """Refuse with `message` (what the person can do about it) unless the declaration lets `record` go to `to`."""
    if to not in machine.targets(getattr(record, machine.field)):
        raise Refused(message)


def require_told(answer, told_channel):
    """Refuse an answer to the customer without its words or with no known way it reached them."""
    if not answer:
        raise Refused(_l('Write what the customer was told.'))
    if told_channel not in Complaint.CHANNELS:
        raise Refused(_l('Choose how the customer was told.'))


def callers(shop):
    """Who may be given call tasks: customer service and managers of the shop."""
    found = {}
    for role in (CUSTOMER_SERVICE, MANAGER):
        for user in User.with_role(shop, role).order_by(User.display_name):
            found.setdefault(user.id, user)
    return list(found.values())


def supervisors(shop):
    """The service managers a request or complaint is escalated to."""
    return list(User.with_role(shop, MANAGER).order_by(User.id))
