"""The health check's rules (检测诊断单): every item green unless recorded otherwise; an amber or red item is a
recommendation, sent to the advisor as added work priced from the catalogue (app.workshop.rules.request_added_work),
so the advisor's existing queue presents it and records the customer's answer: approved becomes an order line,
declined stays on the vehicle as a recommendation (app.approvals.rules.decide) for the next check-in and reminder.

Each write is one user action: one transaction, its audit event on the order's timeline, and the order's version
bumped, so the job card, the board and the customer's status page see the change.
"""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.catalogue.models import CannedJob
from app.core import audit
from app.core import photos as photos_store
from app.core.db import transaction, utcnow
from app.core.errors import Refused
from app.core.models import Photo
from app.core.settings import get_setting
from app.inspection import checks
from app.inspection.models import HealthCheck, HealthItem
from app.reception.models import OrderLine, RepairOrder
from app.settlement.totals import added_work_price
from app.workshop import rules as floor
from app.workshop.models import AddedWork, AddedWorkPart

GREEN, AMBER, RED = HealthItem.GREEN, HealthItem.AMBER, HealthItem.RED
COLOURS = {GREEN: _l('Green: fine'), AMBER: _l('Amber: soon'), RED: _l('Red: now')}
COLOUR_SHORT = {GREEN: _l('Green'), AMBER: _l('Amber'), RED: _l('Red')}
PHOTO_RECORD = 'health_item'


class CheckRefused(Refused):
    """The item cannot be recorded as given: the message says why, on the field it is about."""


def job_systems(order_id):
    """The catalogue systems and guarantee categories of the order's jobs (what decides the check's groups)."""
    rows = (OrderLine.select(CannedJob.system, CannedJob.category)
            .join(CannedJob, on=(OrderLine.canned_job == CannedJob.id))
            .where(OrderLine.order == order_id).tuples())
    rows = list(rows)
    plain = OrderLine.select().where((OrderLine.order == order_id) & OrderLine.canned_job.is_null()).exists()
    return [s for s, _c in rows] + ([''] if plain else []), [c for _s, c in rows]


def groups_of(order_id):
    return checks.groups_for(*job_systems(order_id))


def check_of(order):
    return HealthCheck.get_or_none(HealthCheck.order == order.id)


def suggested_job(shop, item):
    """The catalogue job usually fixing the item, when the shop's catalogue has it."""
    if not item.job_code:
        return None
    return CannedJob.get_or_none((CannedJob.shop == shop) & (CannedJob.code == item.job_code)
                                 & (CannedJob.active == True))  # noqa: E712


def _reading(item, measurement):
    """The measurement as typed, checked against the item's range when it is a number ('' when none)."""
    text = (measurement or '').strip()
    if not item.unit or not text:
        return text[:40]
    try:
        value = Decimal(text.replace(',', '.'))
    except InvalidOperation:
        raise CheckRefused(_l('Enter the reading as a number in %(unit)s.', unit=item.unit), 'measurement')
    if not (item.low <= value <= item.high):
        raise CheckRefused(_l('A reading of %(item)s is %(low)s to %(high)s %(unit)s.', item=item.label,
                              low=item.low, high=item.high, unit=item.unit), 'measurement')
    return '%s' % value.normalize() if value == value.to_integral() else str(value)


def _started(order, by):
    """The order's check, made now (its groups from the jobs) if it has none yet."""
    found = check_of(order)
    if found is None:
        found = HealthCheck.create(shop=order.shop_id, order=order.id, groups=','.join(groups_of(order.id)),
                                   technician=by.id)
    return found


def _may_check(order, by):
    """The order's technicians (or the foreman) check the car while it is being worked on."""
    if not floor.is_foreman(by) and not floor.has_line_on(order, by):
        raise floor.NotYours(_l('You have no job on this order. Ask the foreman to assign you first.'))
    if order.stage not in floor.WORKING:
        raise CheckRefused(_l('The health check is done while the car is in the workshop.'))


def _fresh(order_id):
    return RepairOrder.get_by_id(order_id)


def record_item(order, by, *, key, colour, measurement='', note='', canned_job=None, photos=(), version=None):
    """Record one item: green with a reading, or amber / red with what is wrong. Amber and red need the catalogue
    job that fixes it (the item's usual one when none is chosen) and become added work for the advisor."""
    if len(photos) > floor.MAX_PHOTOS:
        raise CheckRefused(_l('Up to %(n)d photos per item.', n=floor.MAX_PHOTOS), 'photo')
    # the photos are checked first: a file that is no photo is refused as such, whatever else is wrong
    with photos_store.stored(photos) as stored, transaction():
        item = checks.ITEMS.get(key)
        if item is None:
            raise CheckRefused(_l('Choose an item of the check.'))
        if colour not in COLOURS:
            raise CheckRefused(_l('Tap green, amber or red.'), 'colour')
        reading = _reading(item, measurement)
        note = (note or '').strip()[:200]
        if colour != GREEN and item.unit and not reading:
            raise CheckRefused(_l('Enter the reading (%(unit)s): it is why the item is not green.', unit=item.unit),
                               'measurement')
        if colour != GREEN and not item.unit and not note:
            raise CheckRefused(_l('Say what is wrong.'), 'note')
        canned = canned_job
        if colour != GREEN:
            canned = canned or suggested_job(order.shop_id, item)
            if canned is None:
                raise CheckRefused(_l('Pick the catalogue job that fixes it.'), 'canned_job')
        order = _fresh(order.id)
        _may_check(order, by)
        floor.check_version(order, version)
        check = _started(order, by)
        if key not in keys_of(check):
            raise CheckRefused(_l('That item is not on this check.'))
        old = HealthItem.get_or_none((HealthItem.check == check.id) & (HealthItem.key == key))
        if old is not None and old.added_work_id is not None:
            raise CheckRefused(_l('This item is already with the advisor as a recommendation.'))
        work = None
        if colour != GREEN:
            words = ' · '.join(x for x in (str(item.label), '%s %s' % (reading, item.unit) if reading else '',
                                           note) if x)
            work = floor.request_added_work(order, by, description='%s (%s)' % (canned.name, words),
                                            canned_job=canned, safety=item.safety and colour == RED)
            order = _fresh(order.id)
        values = dict(colour=colour, measurement=reading, note=note, added_work=work.id if work else None,
                      recorded_by=by.id, recorded_at=utcnow())
        if old is None:
            row = HealthItem.create(shop=order.shop_id, check=check.id, key=key, **values)
        else:
            HealthItem.update(**values).where(HealthItem.id == old.id).execute()
            row = HealthItem.get_by_id(old.id)
        for filename, width, height in stored:
            Photo.create(shop=order.shop_id, record_type=PHOTO_RECORD, record_id=row.id, filename=filename,
                         width=width, height=height, uploaded_by=by.id)
        if work is None:
            order.update_versioned()     # the customer's page and the job card see the new reading
        audit.record('health.item', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'item': key, 'colour': colour, 'measurement': reading, 'note': note,
                            'added_work': work.id if work else None, 'photos': len(stored)})
    return row


def keys_of(check):
    return {it.key for _k, _l2, items in checks.items_of(check.groups.split(',')) for it in items}


def finish(order, by, *, version=None):
    """The rest is green: the check is done (made now, all green, if nothing was recorded)."""
    with transaction():
        order = _fresh(order.id)
        _may_check(order, by)
        floor.check_version(order, version)
        check = _started(order, by)
        if check.finished_at is not None:
            raise CheckRefused(_l('The health check is already finished.'))
        check.update_versioned(finished_at=utcnow())
        order.update_versioned()
        counts = {c: HealthItem.select().where((HealthItem.check == check.id) & (HealthItem.colour == c)).count()
                  for c in (AMBER, RED)}
        audit.record('health.finished', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'check': check.id, **counts})
    return check


# --- reading the check ---------------------------------------------------------------------------------------

@dataclass
class Row:
    item: checks.Item
    colour: str = GREEN
    measurement: str = ''
    note: str = ''
    photos: list = field(default_factory=list)
    work: AddedWork | None = None
    price: Decimal | None = None        # the recommendation's price with tax: what is billed if it is approved
    recorded: bool = False


@dataclass
class Report:
    check: HealthCheck
    technician: User
    groups: list                        # [(group key, label, [Row])]
    rows: list

    @property
    def recommendations(self):
        return [r for r in self.rows if r.work is not None]

    @property
    def counts(self):
        return {c: sum(1 for r in self.rows if r.colour == c) for c in (GREEN, AMBER, RED)}


def report(order):
    """The order's check as the job card, the diagnosis report and the status page show it, or None."""
    check = check_of(order)
    if check is None:
        return None
    recorded = {it.key: it for it in HealthItem.select().where(HealthItem.check == check.id)}
    photos = {}
    if recorded:
        for p in (Photo.select().where((Photo.record_type == PHOTO_RECORD)
                                       & Photo.record_id.in_([r.id for r in recorded.values()])).order_by(Photo.id)):
            photos.setdefault(p.record_id, []).append(p)
    work_ids = [r.added_work_id for r in recorded.values() if r.added_work_id]
    works = {w.id: w for w in AddedWork.select().where(AddedWork.id.in_(work_ids))} if work_ids else {}
    parts = {}
    for p in AddedWorkPart.select().where(AddedWorkPart.added_work.in_(work_ids or [0])).order_by(AddedWorkPart.id):
        parts.setdefault(p.added_work_id, []).append(p)
    rate = get_setting(order.shop_id, 'tax_rate')
    groups, rows = [], []
    for key, label, items in checks.items_of(check.groups.split(',')):
        mine = []
        for it in items:
            found = recorded.get(it.key)
            row = Row(it)
            if found is not None:
                work = works.get(found.added_work_id)
                row = Row(it, found.colour, found.measurement, found.note, photos.get(found.id, []), work,
                          added_work_price(work, parts.get(work.id, []), rate) if work else None, True)
            mine.append(row)
        groups.append((key, label, mine))
        rows.extend(mine)
    return Report(check, User.get_by_id(check.technician_id), groups, rows)


def photos_of_works(work_ids):
    """{added work id: [Photo]}: the photos of the check items behind these recommendations (for the advisor)."""
    found = {}
    if not work_ids:
        return found
    items = {i.id: i.added_work_id for i in HealthItem.select(HealthItem.id, HealthItem.added_work)
             .where(HealthItem.added_work.in_(list(work_ids)))}
    if items:
        for p in (Photo.select().where((Photo.record_type == PHOTO_RECORD) & Photo.record_id.in_(list(items)))
                  .order_by(Photo.id)):
            found.setdefault(items[p.record_id], []).append(p)
    return found


def item_photo(order, photo_id):
    """A photo of an item of this order's check, or None."""
    check = check_of(order)
    if check is None:
        return None
    ids = HealthItem.select(HealthItem.id).where(HealthItem.check == check.id)
    return Photo.get_or_none((Photo.id == photo_id) & (Photo.record_type == PHOTO_RECORD) & Photo.record_id.in_(ids))
