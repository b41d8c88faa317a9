"""What the customer's status page shows, read in one place.

`status_view` returns a plain object holding only what the page may show, so the template never
holds the order, the customer or the vehicle: a careless `{{ order.customer.phone }}` cannot happen.
Never in it: the customer's name or phone, the VIN, staff names, notes, or anything of another order.
"""
import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache

import peewee as pw
from flask import current_app, url_for

from app.core import stages
from app.core.db import Prepared, utcnow
from app.core.models import Event
from app.core.settings import get_setting
from app.core.timeutil import to_local
from app.core.models import Photo
from app.customers.models import Customer
from app.inspection import rules as health
from app.reception.models import OrderLine, RepairOrder, StatusLink
from app.settlement.totals import added_work_price, order_money
from app.workshop.models import AddedWork, AddedWorkPart, ProgressCheck

# The way most cars go, for the steps still to come (detours map onto the step they return to).
MAIN_PATH = [stages.CHECKED_IN, stages.DISPATCHED, stages.IN_PROGRESS, stages.READY_FOR_QC, stages.READY_FOR_WASH,
             stages.READY_FOR_PICKUP, stages.DELIVERED]
PATH_POSITION = {s: i for i, s in enumerate(MAIN_PATH)}
PATH_POSITION.update({stages.WAITING_APPROVAL: PATH_POSITION[stages.IN_PROGRESS],
                      stages.WAITING_PARTS: PATH_POSITION[stages.IN_PROGRESS],
                      stages.QC_FAILED: PATH_POSITION[stages.IN_PROGRESS],
                      stages.CLOSED: PATH_POSITION[stages.DELIVERED]})
# Guarantee categories, most generous first (settings guarantee_<category>_days / _km).
GUARANTEE_ORDER = ('major', 'maintenance', 'minor')


@dataclass
class StagePass:
    stage: str
    label: object
    at: datetime | None          # shop-local time; None for a step still to come
    current: bool = False
    done: bool = True


@dataclass
class PendingItem:
    description: str
    price: Decimal
    safety: bool
    photo_urls: list = field(default_factory=list)


@dataclass
class HealthRow:
    label: object
    colour: str
    colour_label: object
    reading: str
    note: str
    photo_urls: list
    advice: str = ''             # the recommended work, with its price with tax and the customer's answer
    price: Decimal | None = None
    decided: str = ''            # '', 'approved', 'declined'


@dataclass
class HealthView:
    groups: list                 # [(label, [HealthRow])]
    counts: dict
    finished: bool


@dataclass
class Delay:
    new_at: datetime             # shop-local
    original_at: datetime | None
    reason: str


@dataclass
class Guarantee:
    days: int
    km: int
    until: object                # a date


@dataclass
class StatusView:
    shop_name: str
    shop_phone: str
    opening_hours: str
    order_number: str
    vehicle: str
    plate: str                   # masked
    stage: str
    stage_label: object
    steps: list
    is_open: bool
    ready: bool
    delivered: bool
    cancelled: bool
    promised_at: datetime | None
    overdue: bool                # past the promised time with no new time given yet
    delay: Delay | None
    pending: list
    estimate: Decimal | None     # while open: the bill so far, with tax (what settling would charge now)
    total: Decimal | None
    guarantee: Guarantee | None
    expires_at: datetime | None
    health: HealthView | None = None


def mask_plate(plate):
    """粤B12345 -> 粤B·***45: enough for the owner to recognise, too little to identify the car."""
    p = (plate or '').replace('·', '').replace(' ', '').replace('-', '')
    if len(p) <= 4:
        return '*' * len(p)
    return p[:2] + '·' + '*' * (len(p) - 4) + p[-2:]


def _local(dt, tz):
    return to_local(dt, tz).replace(tzinfo=None) if dt else None


def stage_history(order):
    """(stage, UTC time) of each stage the order reached, in order; the same customer label is shown once."""
    history = []
    events = (Event.for_record('repair_order', order.id).where(Event.action == 'order.stage')
              .order_by(Event.at, Event.id))
    for event in events:
        stage = (event.after_data or {}).get('stage')
        if stage in stages.CUSTOMER_LABELS and stage != stages.DRAFT:
            history.append((stage, event.at))
    if not history or history[0][0] != stages.CHECKED_IN:
        # orders made signed straight away (imports, demo) have no move into "checked in"
        history.insert(0, (stages.CHECKED_IN, order.checked_in_at or order.created_at))
    shown = []
    for stage, at in history:
        if shown and stages.CUSTOMER_LABELS[shown[-1][0]] == stages.CUSTOMER_LABELS[stage]:
            continue
        shown.append((stage, at))
    return shown


def _steps(order, tz):
    history = stage_history(order)
    steps = [StagePass(s, stages.CUSTOMER_LABELS[s], _local(at, tz)) for s, at in history]
    if steps:
        steps[-1].current = True
    if order.stage in stages.OPEN:
        seen = {str(stages.CUSTOMER_LABELS[s]) for s, _at in history}
        for s in MAIN_PATH[PATH_POSITION.get(order.stage, 0) + 1:]:
            if s == stages.DISPATCHED or str(stages.CUSTOMER_LABELS[s]) in seen:
                continue   # "assigned to a technician" is only worth showing once it happened
            steps.append(StagePass(s, stages.CUSTOMER_LABELS[s], None, done=False))
    return steps


def latest_delay(order):
    """The latest progress check that gave the order a new time, or None."""
    return (ProgressCheck.select().where((ProgressCheck.order == order) & ProgressCheck.new_promised_at.is_null(False))
            .order_by(ProgressCheck.checked_at.desc(), ProgressCheck.id.desc()).first())


def pending_work(order):
    return list(AddedWork.select().where((AddedWork.order == order) & (AddedWork.status == AddedWork.PENDING))
                .order_by(AddedWork.requested_at, AddedWork.id))


def pending_photos(order):
    """The technician's photos of the findings behind the items waiting for the customer's decision."""
    finding_ids = [aw.finding_id for aw in pending_work(order) if aw.finding_id]
    if not finding_ids:
        return []
    return list(Photo.select().where((Photo.shop == order.shop_id) & (Photo.record_type == 'finding')
                                     & Photo.record_id.in_(finding_ids)).order_by(Photo.id))


def pending_photo(order, photo_id):
    """One photo the page of this order may show, or None (another order's, or neither a finding's behind an item
    waiting for a decision nor an item's of the order's health check)."""
    return next((p for p in pending_photos(order) if p.id == photo_id), None) or health.item_photo(order, photo_id)


def health_view(order, token):
    """The order's health check as the customer reads it: items, colours, thumbnails, each recommendation's price."""
    found = health.report(order)
    if found is None:
        return None
    groups = []
    for _key, label, rows in found.groups:
        shown = []
        for r in rows:
            urls = [url_for('status.photo', status_token=token, finding_photo_id=p.id) for p in r.photos]
            decided = r.work.status if r.work is not None and r.work.status != AddedWork.PENDING else ''
            shown.append(HealthRow(r.item.label, r.colour, health.COLOUR_SHORT[r.colour],
                                   ('%s %s' % (r.measurement, r.item.unit)).strip() if r.measurement else '', r.note,
                                   urls, r.work.description if r.work is not None else '', r.price, decided))
        groups.append((label, shown))
    return HealthView(groups, found.counts, found.check.finished_at is not None)


def guarantee_for(order, delivered_at):
    """The most generous quality guarantee among the order's jobs, from delivery (settings per category)."""
    categories = set()
    for line in OrderLine.select().where(OrderLine.order == order):
        job = line.canned_job if line.canned_job_id else None
        categories.add(getattr(job, 'category', 'minor') if job else 'minor')
    category = next((c for c in GUARANTEE_ORDER if c in categories), 'minor')
    days = get_setting(order.shop, 'guarantee_%s_days' % category)
    km = get_setting(order.shop, 'guarantee_%s_km' % category)
    start = delivered_at or order.checked_in_at
    tz = order.shop.timezone
    until = (_local(start, tz) + timedelta(days=days)).date() if start else None
    return Guarantee(days, km, until)


def page_language(asked, customer_language, supported, fallback):
    """?lang= (the page's own zh/en links), else the customer's language, else `fallback()` (the browser's)."""
    if asked in supported:
        return asked
    if customer_language in supported:
        return customer_language
    return fallback()


def _newest_event(record_type, column):
    event = Event.alias()
    return event.select(pw.fn.MAX(event.id)).where((event.record_type == record_type) & (event.record_id == column))


def _newest_events(order_id, vehicle_id, shop_id):
    return (_newest_event('repair_order', order_id), _newest_event('vehicle', vehicle_id or 0),
            _newest_event('shop', shop_id))


@lru_cache(maxsize=4)
def _page_files_stamp(template_folder, translations):
    """When the page's templates or translations last changed (a new release shows even without a change)."""
    folders = [os.path.join(template_folder, 'status')] + [os.path.join(translations, lang, 'LC_MESSAGES')
                                                           for lang in sorted(os.listdir(translations))
                                                           if os.path.isdir(os.path.join(translations, lang))]
    return max((os.stat(os.path.join(d, f)).st_mtime_ns for d in folders if os.path.isdir(d) for f in os.listdir(d)),
               default=0)


def page_version(order, expires_at, locale, events=None):
    """The ETag of the page a link shows (app.status.views and app.status.fastpath answer 304 while it matches).

    It must change whenever anything `status_view` shows may have: everything done to the order writes an audit
    event on it (its stages, lines, parts, items to decide, photos, progress checks, settlement), the vehicle's
    and the shop's own changes (name, phone, hours, settings) write theirs; the order's version, the language,
    the link's expiry, whether the promised time has passed, and the release's templates complete it. `events`:
    the newest of those three event ids when already read (PageState), else one query. Whatever the page comes to
    show besides goes in here too.
    """
    if events is None:
        newest = pw.Select(columns=[q.alias('e%d' % i) for i, q in enumerate(
            _newest_events(order.id, order.vehicle_id, order.shop_id))]).bind(Event._meta.database)
        events = tuple(next(iter(newest.tuples())))
    overdue = bool(order.promised_at and order.promised_at < utcnow())
    files = _page_files_stamp(current_app.template_folder, current_app.config['BABEL_TRANSLATION_DIRECTORIES'])
    parts = (order.id, order.version, order.stage, tuple(events), locale, overdue, expires_at, files)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


# --- the page's version in one query, for the page's own refresh (app.status.fastpath) -------------------------

@dataclass
class PageState:
    """What page_version needs of a link's order, read in one query by the token's hash."""
    nonce: str
    revoked_at: datetime | None
    link_expires_at: datetime | None
    id: int
    version: int
    stage: str
    promised_at: datetime | None
    delivered_at: datetime | None
    vehicle_id: int | None
    shop_id: int
    customer_id: int | None
    customer_language: str | None
    events: tuple

    def records(self):
        """The records whose change may change this state (app.core.changes keys; a link's own changes are its
        order's)."""
        return ['repair_order:%d' % self.id, 'shop:%d' % self.shop_id] + \
            (['vehicle:%d' % self.vehicle_id] if self.vehicle_id else []) + \
            (['customer:%d' % self.customer_id] if self.customer_id else [])


def _page_state_query(token_hash):
    order = RepairOrder
    return (StatusLink.select(StatusLink.nonce, StatusLink.revoked_at, StatusLink.expires_at, order.id, order.version,
                              order.stage, order.promised_at, order.delivered_at, order.vehicle, order.shop,
                              order.customer, Customer.language, *_newest_events(order.id, order.vehicle, order.shop))
            .join(order, on=(StatusLink.order == order.id))
            .join(Customer, pw.JOIN.LEFT_OUTER, on=(order.customer == Customer.id))
            .where(StatusLink.token_hash == token_hash))


# compiled once and prepared on PostgreSQL: building and planning it cost more than running it
_page_state = Prepared(lambda token_hash: _page_state_query(token_hash).tuples().limit(1), str)


def page_state(token_hash):
    """The PageState of the link with this token hash, or None."""
    row = _page_state(token_hash).first()
    if row is None:
        return None
    return PageState(*row[:12], events=tuple(row[12:]))


def status_view(found, token, locale):
    """Everything the page shows for a link that opens (app.reception.links.find(...).state == OK)."""
    from app.reception.links import ended_at
    order, shop = found.order, found.link.shop
    tz = shop.timezone
    vehicle = order.vehicle
    delivered = order.stage in (stages.DELIVERED, stages.CLOSED)
    pc = latest_delay(order) if order.stage in stages.OPEN else None
    promised = order.promised_at
    delay = None
    if pc is not None:
        delay = Delay(_local(pc.new_promised_at, tz), _local(pc.old_promised_at, tz), pc.reason)
        promised = pc.new_promised_at
    overdue = bool(pc is None and order.stage in stages.OPEN and order.stage != stages.READY_FOR_PICKUP
                   and order.promised_at and order.promised_at < utcnow())
    pending = []
    if order.stage in stages.OPEN:
        photos = {}
        for p in pending_photos(order):
            photos.setdefault(p.record_id, []).append(
                url_for('status.photo', status_token=token, finding_photo_id=p.id))
        works = pending_work(order)
        parts = {}
        for p in AddedWorkPart.select().where(AddedWorkPart.added_work.in_([aw.id for aw in works] or [0])):
            parts.setdefault(p.added_work_id, []).append(p)
        rate = get_setting(shop, 'tax_rate')
        for aw in works:    # the price with tax, as the advisor tells it and the settlement charges it
            pending.append(PendingItem(aw.description, added_work_price(aw, parts.get(aw.id, []), rate), aw.safety,
                                       photos.get(aw.finding_id, [])))
    end = ended_at(order) if delivered else None
    return StatusView(
        shop_name=shop.display_name(locale), shop_phone=shop.phone, opening_hours=shop.opening_hours,
        order_number=order.number or '',
        vehicle=' '.join(x for x in (vehicle.make, vehicle.model) if x) if vehicle else '',
        plate=mask_plate(vehicle.plate) if vehicle else '',
        stage=order.stage, stage_label=stages.CUSTOMER_LABELS[order.stage], steps=_steps(order, tz),
        is_open=order.stage in stages.OPEN, ready=order.stage == stages.READY_FOR_PICKUP,
        delivered=delivered, cancelled=order.stage == stages.CANCELLED,
        promised_at=_local(promised, tz) if order.stage in stages.OPEN else None, overdue=overdue, delay=delay,
        pending=pending,
        estimate=order_money(order).totals['customer_total'] if order.stage in stages.OPEN else None,
        total=order_money(order).totals['customer_total'] if delivered else None,   # what the customer paid
        guarantee=guarantee_for(order, end) if delivered else None,
        expires_at=_local(found.expires_at, tz) if found.expires_at else None,
        health=health_view(order, token),
    )
