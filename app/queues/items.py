"""What a work queue is made of: items, each with its deadline, how long is left or how late it is, and the one
place where it is done; and the context every role's list is read in (the shop, the person, now, the settings).

An item's deadline comes from the rulebook step it belongs to (app.core.deadlines), so "late" here is what the
process-compliance figures will call late or skipped once the order is delivered.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from flask_babel import lazy_gettext as _l

from app.core.deadlines import shop_settings
from app.core.timeutil import to_local

LATE, SOON, OPEN = 'late', 'soon', 'open'
# "About to breach": an item turns amber this long before its deadline (a share of the step's own time for short
# steps: see Item.state).
SOON_AT_MOST = timedelta(hours=24)
SOON_WITHOUT_WINDOW = timedelta(hours=1)     # a promised time, an expected day: amber in the last hour

# kind -> what it asks of the person (shown on the item) and what the deadline means.
KINDS = {
    # advisor
    'added_work': _l("Added work waiting for the customer's answer"),
    'progress': _l('Progress check due'),
    'pickup_notice': _l('Tell the customer when to collect the car'),
    'late_notice': _l('Tell the customer the car will be late'),
    'settle': _l('Settle the maintenance order'),
    'collect': _l('Ready, not yet collected'),
    'arriving': _l('Appointment arriving'),
    'reminder': _l('Remind the customer of the appointment'),
    'request': _l("Answer the customer's request"),
    # foreman
    'acceptance': _l('Sign the car into the workshop and dispatch it'),
    'assign': _l('Jobs waiting for a technician'),
    'idle': _l('Technician without a job'),
    'overrun': _l('Job over its booked hours'),
    # technician
    'job': _l('My job'),
    'rework': _l('Rework sent back by QC'),
    'parts_ready': _l('Parts ready to collect at the counter'),
    # QC
    'inspect': _l('Waiting for the final inspection'),
    # parts
    'parts_request': _l('Parts request waiting'),
    'backorder': _l('Backorder due'),
    'restock': _l('Parts below their reorder level'),
    # warranty
    'claim_file': _l('Warranty claim to file'),
    'claim_rejected': _l('Claim rejected: correct and resubmit'),
    'loaner': _l('Long repair: loaner car or transport owed'),
    # customer service
    'call': _l('Follow-up call due'),
    'complaint': _l('Complaint: first answer due'),
    # manager
    'discount': _l('Discount waiting for your approval'),
    'internal': _l("Shop's own share waiting for your approval"),
    'count': _l('Stock count waiting for your approval'),
    'escalated_request': _l('Request escalated to you'),
    'escalated_complaint': _l('Complaint escalated to you'),
}


@dataclass
class Item:
    kind: str
    key: str                       # unique in a queue: kind and record
    title: str                     # the car's plate, an order number, a name
    url: str                       # the one place where it is done
    due: datetime | None = None    # UTC; None: as soon as possible, no rulebook deadline
    since: datetime | None = None  # UTC: waiting since
    detail: str = ''
    rule: str = ''                 # the rulebook deadline in words ("10 min after check-in")
    window: timedelta | None = None   # the step's own time, for "about to breach"
    overdue: bool = False          # late whatever the clock says (a job over its hours)
    role: str = ''
    now: datetime = None

    @property
    def label(self):
        return KINDS.get(self.kind, self.kind)

    @property
    def state(self):
        """late (red), soon (amber: within a quarter of the step's time, at most a day; the last hour for a
        deadline without a step time of its own) or open."""
        if self.overdue or (self.due is not None and self.now > self.due):
            return LATE
        if self.due is None:
            return OPEN
        soon = min(self.window / 4, SOON_AT_MOST) if self.window else SOON_WITHOUT_WINDOW
        return SOON if self.due - self.now <= soon else OPEN

    @property
    def late(self):
        return self.state == LATE

    @property
    def minutes(self):
        """Whole minutes left (positive) or late (negative) to the deadline; None without one."""
        if self.due is None:
            return None
        return int((self.due - self.now).total_seconds() // 60)

    @property
    def waited(self):
        """Whole minutes since the item arrived (None if not known)."""
        return int((self.now - self.since).total_seconds() // 60) if self.since else None

    def sort_key(self):
        """Most urgent first: late ones (the latest first), then by deadline, then the longest waiting."""
        rank = {LATE: 0, SOON: 1, OPEN: 2}[self.state]
        due = self.due or datetime.max
        return rank, self.due is None, due, self.since or datetime.max, self.key


def urgent_first(items):
    seen, out = set(), []
    for item in sorted(items, key=Item.sort_key):
        if item.key not in seen:
            seen.add(item.key)
            out.append(item)
    return out


@dataclass
class Ctx:
    """What a role's list is read with. `mine`: the person's own records only (False: the whole shop, for the
    manager's "everything late")."""
    shop: object
    user: object
    now: datetime
    mine: bool = True
    _items: list = field(default_factory=list)

    @cached_property
    def setting(self):
        return shop_settings(self.shop)

    @cached_property
    def today(self):
        return self.local(self.now).date()

    def local(self, at):
        return to_local(at, self.shop.timezone).replace(tzinfo=None)

    def end_of_day(self, day: date):
        """The UTC moment a local calendar day ends (a call due "by" that day is late after it)."""
        from app.core.timeutil import to_utc
        return to_utc(datetime.combine(day + timedelta(days=1), datetime.min.time()), self.shop.timezone)

    def item(self, kind, key, title, url, group=None, **kw):
        """An item of `kind` for record `key` (unique within `group`, the kind by default)."""
        return Item(kind, '%s:%s' % (group or kind, key), title or '—', url, now=self.now, **kw)


def with_plates(orders):
    """Give orders read without their car their vehicle in one query (for `plate`)."""
    from app.customers.models import Vehicle
    ids = {o.vehicle_id for o in orders if o.vehicle_id}
    cars = {v.id: v for v in Vehicle.select().where(Vehicle.id.in_(list(ids)))} if ids else {}
    for o in orders:
        if o.vehicle_id in cars:
            o.vehicle = cars[o.vehicle_id]
    return orders


def plate(order):
    """The car's plate (or the order number) as an item's title."""
    vehicle = getattr(order, 'vehicle', None) if getattr(order, 'vehicle_id', None) else None
    return (vehicle.plate if vehicle is not None and vehicle.plate else None) or order.number or '#%d' % order.id
