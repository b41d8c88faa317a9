"""The advisor's side of the workshop flow (DOMAIN.md steps 9-10).

Added work (追加维修项目): the customer's answer per item — approved (a new order line with its parts,
the promised time moved), declined (kept on the vehicle as a recommendation; a safety item is flagged on
the order) or could not reach (stays pending, the attempt kept). Progress check (查询进度): orders
50-80% through their promised duration, and late orders with the new time and that the customer was told.

Each function that changes something is one user action: one transaction with its audit event on the
order, so the order's timeline shows it.
"""
import json
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from app.accounts.models import User
from app.core import audit, stages
from app.core.db import is_sqlite, transaction, utcnow
from app.core.errors import Refused
from app.core.models import Event
from app.core.money import ZERO, money
from app.core.settings import get_setting
from app.reception.checkin import add_line
from app.catalogue.models import CannedJob
from app.inspection.rules import photos_of_works
from app.core.models import Photo
from app.customers.models import Customer, Vehicle
from app.reception.models import CHANNELS, OrderFrozen, PartLine, Recommendation, RepairOrder
from app.reception.pricing import needs_no_guarantee_note
from app.settlement.totals import added_work_items, added_work_price
from app.workshop import timing
from app.workshop.models import AddedWork, AddedWorkPart, Finding, ProgressCheck

APPROVED, DECLINED, UNREACHABLE = 'approved', 'declined', 'unreachable'
DECISIONS = {
    APPROVED: _l('Approved'),
    DECLINED: _l('Declined'),
    UNREACHABLE: _l('Could not reach'),
}
# A clock a little ahead of the server's must not refuse "now" typed on a tablet.
CLOCK_SKEW = timedelta(minutes=5)


def fresh_order(order_id):
    """The order re-read inside the action's transaction, locked against a concurrent writer.

    SQLite transactions here take the write lock when they begin (BEGIN IMMEDIATE), so a plain read is
    already current; PostgreSQL needs the row lock.
    """
    query = RepairOrder.select().where(RepairOrder.id == order_id)
    if not is_sqlite():
        query = query.for_update()
    return query.get()


# --- the approval queue --------------------------------------------------------------------

def pending(shop):
    return AddedWork.for_shop(shop).where(AddedWork.status == AddedWork.PENDING)


def queue_token(shop):
    """A cheap fingerprint of the queue: changes when an item arrives, is decided or a call attempt is made."""
    count, top, versions = (AddedWork.select(fn.COUNT(AddedWork.id), fn.MAX(AddedWork.id), fn.SUM(AddedWork.version))
                            .where((AddedWork.shop == shop) & (AddedWork.status == AddedWork.PENDING))
                            .tuples().get())
    return '%d.%d.%d' % (count or 0, top or 0, versions or 0)


@dataclass
class Quote:
    """What an item costs the customer and what it does to the promised time."""
    labour: Decimal
    parts: Decimal
    tax: Decimal
    total: Decimal                   # with tax: what the settlement charges for it (app.settlement.totals)
    delay_minutes: int
    promised_at: object = None       # the order's promise now: the one promised time the order holds
    new_promised_at: object = None   # while the item waits for an answer: the promise if the delay is agreed


def quote(work, parts, order, tax_rate):
    """Price of an added-work item with its tax, by the bill's own arithmetic, so the price told is the price
    billed; and, while it waits for the customer, what it would do to the promised time."""
    items = added_work_items(work, parts)
    labour = sum((it.amount for it in items if it.kind == 'labour'), ZERO)
    parts_total = sum((it.amount for it in items if it.kind != 'labour'), ZERO)
    total = added_work_price(work, parts, tax_rate)
    delay = int(work.delay_minutes or 0)
    new = None
    if work.status == AddedWork.PENDING and order.promised_at:
        new = order.promised_at + timedelta(minutes=delay)
    return Quote(labour, parts_total, total - labour - parts_total, total, delay, order.promised_at, new)


@dataclass
class Item:
    work: AddedWork
    order: RepairOrder
    technician: User
    finding: object
    parts: list
    photos: list
    quote: Quote
    attempts: list = field(default_factory=list)   # [{'at': iso, 'channel': .., 'by': ..}] of could-not-reach calls

    @property
    def vehicle(self):
        return self.order.vehicle

    @property
    def customer(self):
        return self.order.customer


def _items(shop, works):
    """Queue items for these added-work rows, in a fixed number of queries whatever their number."""
    works = list(works)
    if not works:
        return []
    ids = [w.id for w in works]
    parts = {}
    for p in AddedWorkPart.select().where(AddedWorkPart.added_work.in_(ids)).order_by(AddedWorkPart.id):
        p.amount = money(p.quantity * p.unit_price)
        parts.setdefault(p.added_work_id, []).append(p)
    finding_ids = [w.finding_id for w in works if w.finding_id]
    findings = {f.id: f for f in Finding.select().where(Finding.id.in_(finding_ids))} if finding_ids else {}
    photos = {}
    if finding_ids:
        for ph in (Photo.select().where((Photo.record_type == 'finding') & Photo.record_id.in_(finding_ids))
                   .order_by(Photo.id)):
            photos.setdefault(ph.record_id, []).append(ph)
    checked = photos_of_works(ids)        # a health check's amber or red item: its photos
    attempts = call_attempts([w.order_id for w in works])
    rate = get_setting(shop, 'tax_rate')
    out = []
    for w in works:
        out.append(Item(work=w, order=w.order, technician=w.requested_by, finding=findings.get(w.finding_id),
                        parts=parts.get(w.id, []), photos=photos.get(w.finding_id, []) + checked.get(w.id, []),
                        quote=quote(w, parts.get(w.id, []), w.order, rate), attempts=attempts.get(w.id, [])))
    return out


def _with_order(query):
    Tech = User.alias()
    return (query.select(AddedWork, RepairOrder, Vehicle, Customer, Tech)
            .join_from(AddedWork, RepairOrder)
            .join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER)
            .join_from(RepairOrder, Customer, JOIN.LEFT_OUTER)
            .join_from(AddedWork, Tech, on=(AddedWork.requested_by == Tech.id), attr='requested_by'))


def queue(shop):
    """Pending added work of the shop, the longest waiting first (the customer is called at once)."""
    return _items(shop, _with_order(pending(shop)).order_by(AddedWork.requested_at, AddedWork.id))


def item(shop, work_id):
    """One added-work item of the shop with everything the decision panel shows, or None."""
    found = _items(shop, _with_order(AddedWork.for_shop(shop)).where(AddedWork.id == work_id))
    return found[0] if found else None


def call_attempts(order_ids):
    """Could-not-reach calls per added-work id, from the orders' timelines."""
    out = {}
    if not order_ids:
        return out
    rows = (Event.select(Event.at, Event.actor_name, Event.after)
            .where((Event.record_type == 'repair_order') & Event.record_id.in_(list(set(order_ids)))
                   & (Event.action == 'added_work.unreachable'))
            .order_by(Event.id))
    for e in rows:
        data = json.loads(e.after or '{}')
        out.setdefault(data.get('work'), []).append({'at': e.at, 'channel': data.get('channel', ''),
                                                     'by': e.actor_name})
    return out


# --- the customer's decision -----------------------------------------------------------------

def decide(work, by, *, decision, channel, expected_version, spoke_with='', at=None, price_told=None,
           delay_told_minutes=None, note=''):
    """Record the customer's answer to one added-work item.

    Approved: a new order line (description, hours, its parts) for the technician who asked, and the
    promised time moved by the delay the customer was told (the workshop's estimate when none was typed).
    Declined: a recommendation on the vehicle; a declined safety item flags the order.
    Could not reach: the item stays pending; the attempt is on the order's timeline.
    When nothing is left pending on an order waiting for approval, it goes back in progress.
    """
    now = utcnow()
    at = at or now
    spoke_with = (spoke_with or '').strip()[:100]
    note = (note or '').strip()[:200]
    if decision not in DECISIONS:
        raise Refused(_l("Choose the customer's answer."), 'decision')
    if channel not in CHANNELS:
        raise Refused(_l('Choose how the customer was contacted.'), 'channel')
    if decision != UNREACHABLE and not spoke_with:
        raise Refused(_l('Enter who gave the answer.'), 'spoke_with')
    if at > now + CLOCK_SKEW:
        raise Refused(_l('The time of the call cannot be in the future.'), 'at')
    if price_told is not None and price_told < 0:
        raise Refused(_l('The price cannot be negative.'), 'price_told')
    if delay_told_minutes is not None and delay_told_minutes < 0:
        raise Refused(_l('The delay cannot be negative.'), 'delay_told_minutes')
    with transaction():
        # Claim the item: a second advisor (or a stale page) deciding the same item is refused here.
        work.update_versioned(expected_version, where=(AddedWork.status == AddedWork.PENDING))
        work = AddedWork.get_by_id(work.id)
        order = fresh_order(work.order_id)
        if order.stage not in stages.OPEN:
            raise Refused(_l('This order is no longer in the workshop.'))
        if decision == APPROVED:
            try:
                order.ensure_editable()        # a settled order's jobs are frozen: approving would bill twice
            except OrderFrozen as exc:
                raise Refused(exc.args[0])
        parts = list(AddedWorkPart.select().where(AddedWorkPart.added_work == work).order_by(AddedWorkPart.id))
        q = quote(work, parts, order, get_setting(order.shop, 'tax_rate'))
        after = {'work': work.id, 'description': work.description, 'safety': work.safety, 'channel': channel,
                 'at': at, 'price': q.total}
        before = None
        if decision == UNREACHABLE:
            audit.record('added_work.unreachable', 'repair_order', order.id, shop=order.shop_id, actor=by,
                         after=after, note=note)
            return work
        work.status = decision
        work.decided_at, work.decided_by = at, by.id
        work.channel, work.spoke_with = channel, spoke_with
        work.price_told = q.total if price_told is None else money(price_told)
        work.delay_told_minutes = q.delay_minutes if delay_told_minutes is None else int(delay_told_minutes)
        work.note = note
        work.save(only=[AddedWork.status, AddedWork.decided_at, AddedWork.decided_by, AddedWork.channel,
                        AddedWork.spoke_with, AddedWork.price_told, AddedWork.delay_told_minutes, AddedWork.note])
        after.update(spoke_with=spoke_with, price_told=work.price_told, delay_told_minutes=work.delay_told_minutes)
        if decision == APPROVED:
            line = _add_approved_line(order, work, parts)
            old, agreed = order.promised_at, order.agreed_total
            changes = {'no_guarantee_note': needs_no_guarantee_note(PartLine.select().where(PartLine.order == order))}
            if old and work.delay_told_minutes:
                delay = timedelta(minutes=work.delay_told_minutes)
                changes['promised_at'] = old + delay
                if order.original_promised_at:     # the customer agreed to the delay: timeliness counts from it
                    changes['original_promised_at'] = order.original_promised_at + delay
            if agreed is not None:
                # what they agreed to pay grows by what they were told
                changes['agreed_total'] = agreed + work.price_told
            order.update_versioned(**changes)
            before = {'promised_at': old, 'agreed_total': agreed}
            after.update(line=line.id, parts=len(parts), promised_at=order.promised_at,
                         agreed_total=order.agreed_total)
        else:
            rec = Recommendation.create(shop=order.shop_id, vehicle=order.vehicle_id, order_id=order.id,
                                        description=work.description, safety=work.safety, price=q.total,
                                        canned_job_id=work.canned_job_id)
            after.update(recommendation=rec.id)
            if work.safety and not order.safety_declined:
                before = {'safety_declined': False}
                after.update(safety_declined=True)
            order.update_versioned(safety_declined=order.safety_declined or work.safety)
        audit.record('added_work.%s' % decision, 'repair_order', order.id, shop=order.shop_id, actor=by,
                     before=before, after=after, note=note)
        if order.stage == stages.WAITING_APPROVAL and not pending(order.shop_id).where(
                AddedWork.order == order).exists():
            stages.move(order, stages.IN_PROGRESS, by=by, note=str(_l('Every added-work item is decided.')))
    return work


def _add_approved_line(order, work, parts):
    """The approved item as an order line, priced as the customer agreed, for the technician who asked."""
    canned = CannedJob.get_or_none((CannedJob.id == work.canned_job_id) & (CannedJob.shop == order.shop_id)) \
        if work.canned_job_id else None
    # Not add_line(canned_job=...): that would bring the catalogue's usual parts on top of the item's own list.
    line = add_line(order, description=work.description, hours=work.hours,
                    rate=canned.labour_rate if canned else None, system=canned.system if canned else '')
    line.canned_job = canned
    line.added_work_id = work.id
    line.labour_price = money(work.labour_price)        # the price the customer was quoted and agreed to
    if work.requested_by_id:
        line.technician = work.requested_by_id
        line.status = stages.LINE_ASSIGNED
    line.save()
    for p in parts:
        PartLine.create(shop=order.shop_id, order=order, line=line, part_number=p.part_number, name=p.name,
                        quantity=p.quantity, unit_price=p.unit_price)
    if not parts and work.parts_price:
        # priced as one sum with no list: billed as that sum, as it was quoted (added_work_items)
        PartLine.create(shop=order.shop_id, order=order, line=line, name=work.description[:100],
                        quantity=Decimal('1'), unit_price=money(work.parts_price))
    return line


# --- progress checks (查询进度) -----------------------------------------------------------------

@dataclass
class ProgressRow:
    order: RepairOrder
    timing: timing.Timing
    late: bool
    last_check: object = None     # the latest ProgressCheck, if any


def progress_list(shop, now=None):
    """Orders to check on: late ones first, then those inside the check window (50-80% by default)."""
    now = now or utcnow()
    opened = list(RepairOrder.open_orders(shop).where(RepairOrder.promised_at.is_null(False)))
    times = timing.timings(opened, now)
    due = {o.id: t for o, t in timing.progress_checks_due(shop, now, opened, times)}
    rows = [ProgressRow(o, times[o.id], times[o.id].late) for o in opened if times[o.id].late or o.id in due]
    if not rows:
        return []
    ids = [r.order.id for r in rows]
    vehicles = {v.id: v for v in Vehicle.select().where(Vehicle.id.in_([r.order.vehicle_id for r in rows]))}
    customers = {c.id: c for c in Customer.select().where(Customer.id.in_([r.order.customer_id for r in rows]))}
    checks = {}
    for c in ProgressCheck.select().where(ProgressCheck.order.in_(ids)).order_by(ProgressCheck.checked_at):
        checks[c.order_id] = c
    for r in rows:
        r.order.vehicle = vehicles.get(r.order.vehicle_id)
        r.order.customer = customers.get(r.order.customer_id)
        r.last_check = checks.get(r.order.id)
    rows.sort(key=lambda r: (not r.late, r.order.promised_at))
    return rows


def progress_row(order, now=None):
    """One order's row of the progress list (after a check is recorded, or for its own page)."""
    t = timing.timings([order], now)[order.id]
    last = (ProgressCheck.select().where(ProgressCheck.order == order)
            .order_by(ProgressCheck.checked_at.desc()).first())
    return ProgressRow(order, t, t.late, last)


def record_progress_check(order, by, *, on_track, expected_version, note='', new_promised_at=None, reason='',
                          told_at=None, told_channel='', now=None):
    """The advisor's progress check. A late order needs the new promised time, why, and when and how the
    customer was told; the order's promise moves and the old and new times are on its timeline."""
    now = now or utcnow()
    note, reason = (note or '').strip()[:200], (reason or '').strip()[:200]
    if not on_track and not note:
        raise Refused(_l('Say what the problem is.'), 'note')
    with transaction():
        order = fresh_order(order.id)
        if order.version != expected_version:
            raise stages.StaleRecord(order.id)
        if order.stage not in stages.OPEN:
            raise Refused(_l('This order is no longer in the workshop.'))
        late = timing.timings([order], now)[order.id].late
        if late and new_promised_at is None:
            raise Refused(_l('This order will miss its promised time: enter the new time.'), 'new_promised_at')
        if new_promised_at is not None:
            if new_promised_at <= now:
                raise Refused(_l('The new promised time must be in the future.'), 'new_promised_at')
            if not reason:
                raise Refused(_l('Say why the car will be later.'), 'reason')
            if told_channel not in CHANNELS:
                raise Refused(_l('Choose how the customer was told.'), 'told_channel')
            if told_at is None:
                told_at = now
            if told_at > now + CLOCK_SKEW:
                raise Refused(_l('The time the customer was told cannot be in the future.'), 'told_at')
        old = order.promised_at
        check = ProgressCheck.create(
            shop=order.shop_id, order=order, checked_by=by, checked_at=now, on_track=bool(on_track), note=note,
            old_promised_at=old if new_promised_at else None, new_promised_at=new_promised_at,
            reason=reason if new_promised_at else '', customer_told_at=told_at if new_promised_at else None,
            told_channel=told_channel if new_promised_at else '')
        order.update_versioned(**({'promised_at': new_promised_at} if new_promised_at is not None else {}))
        after = {'check': check.id, 'on_track': bool(on_track), 'late': late}
        before = None
        if new_promised_at is not None:
            before = {'promised_at': old}
            after.update(promised_at=new_promised_at, reason=reason, customer_told_at=told_at, channel=told_channel)
        audit.record('order.progress_checked', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     before=before, after=after, note=note)
    return check
