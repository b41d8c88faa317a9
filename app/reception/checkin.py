"""Check-in rules: a draft repair order filled step by step, then signed (DOMAIN.md steps 2-7).

Each function is one user action: one transaction, with its audit event.
"""
import json
from datetime import datetime, time, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import fn

from app.core.errors import Refused
from app.core import audit, stages
from app.core import photos as photos_store
from app.core.db import transaction, utcnow
from app.core.money import money
from app.core.settings import get_setting
from app.core.timeutil import to_local, to_utc
from app.core.models import Photo, Signature
from app.customers.models import MileageReading, Vehicle
from app.labels.models import KeyHook, KeyTag
from app.reception.models import CHANNELS, Belonging, OrderLine, PartLine, Recommendation, RepairOrder, WalkaroundMark
from app.reception import links
from app.reception.pricing import needs_no_guarantee_note, order_totals


def create_signed_order(*, shop, by, **fields):
    """A signed order straight away (demo and imports), with its number and status link. Call inside the action's
    transaction."""
    fields.setdefault('checked_in_at', utcnow())
    fields.setdefault('original_promised_at', fields.get('promised_at'))
    order = RepairOrder.create(shop=shop, stage=stages.CHECKED_IN, checkin_step='done', **fields)
    order.number = RepairOrder.next_number(shop, order.checked_in_at)
    order.save(only=[RepairOrder.number])
    audit.record('order.created', 'repair_order', order.id, shop=shop, actor=by,
                 after={'number': order.number, 'stage': order.stage})
    links.issue_link(order, by)       # the customer's status link, from the start
    return order


def start_checkin(shop, by, *, customer=None, vehicle=None, complaint='', jobs=(), appointment_id=None):
    """Open a draft order (a check-in in progress). `jobs`: (canned_job or None, description, hours) tuples.

    A canned job brings its usual parts onto the line.
    """
    with transaction():
        order = RepairOrder.create(shop=shop, advisor=by, customer=customer, vehicle=vehicle,
                                   complaint=complaint, appointment_id=appointment_id,
                                   odometer=vehicle.mileage if vehicle else 0,
                                   checkin_step='vehicle' if not (customer and vehicle) else 'walkaround')
        for canned, description, hours in jobs:
            add_line(order, canned_job=canned, description=description, hours=hours)
        audit.record('checkin.started', 'repair_order', order.id, shop=shop, actor=by,
                     after={'customer': getattr(customer, 'id', None), 'vehicle': getattr(vehicle, 'id', None),
                            'appointment': appointment_id, 'jobs': len(jobs)})
    return order


def add_line(order, *, canned_job=None, description='', hours=None, rate=None, system=''):
    """A job line priced at the canned job's or the shop's labour rate. Call inside a transaction."""
    if canned_job is not None:
        description = description or canned_job.name
        hours = canned_job.hours if hours is None else hours
        rate = rate or canned_job.labour_rate
        system = system or canned_job.system
    rate = Decimal(rate or get_setting(order.shop, 'labour_rate'))
    hours = Decimal(hours or 0)
    position = OrderLine.select().where(OrderLine.order == order).count()
    line = OrderLine.create(shop=order.shop, order=order, canned_job=canned_job, description=description,
                            system=system, labour_hours=hours, labour_rate=rate,
                            labour_price=money(hours * rate), position=position)
    if canned_job is not None:
        for p in canned_job.parts:
            PartLine.create(shop=order.shop, order=order, line=line, part_number=p.part_number, name=p.name,
                            quantity=p.quantity, unit_price=p.unit_price)
    return line


# --- the guided steps ------------------------------------------------------------

# A tablet's clock a little ahead of the server's must not refuse 'now'.
CLOCK_SKEW = timedelta(minutes=5)

STEPS = ['vehicle', 'walkaround', 'belongings', 'key', 'estimate', 'promise', 'sign']
STEP_LABELS = {
    'vehicle': _l('Customer and vehicle'), 'walkaround': _l('Walk-around'), 'belongings': _l('Belongings'),
    'key': _l('Key tag'), 'estimate': _l('Estimate'), 'promise': _l('Promised time'), 'sign': _l('Signature'),
}

DOCUMENTS = {  # documents received with the car
    'licence': _l('Vehicle licence (行驶证)'),
    'service_book': _l('Service book'),
    'insurance': _l('Insurance policy'),
    'spare_key': _l('Spare key'),
    'warranty_card': _l('Warranty card'),
}
CHECKS = {  # the walk-around checklist
    'interior': _l('Interior'),
    'instruments': _l('Instruments and warning lights'),
    'seats': _l('Seats'),
    'glass': _l('Glass and mirrors'),
    'lights': _l('Lights'),
    'tyres': _l('Tyres and wheels'),
}
MARK_KINDS = {
    WalkaroundMark.SCRATCH: _l('Scratch'),
    WalkaroundMark.DENT: _l('Dent'),
    WalkaroundMark.CRACK: _l('Crack'),
    WalkaroundMark.CHIP: _l('Chip'),
    WalkaroundMark.OTHER: _l('Other'),
}
# The car outline's drawing size; marks are stored as percentages of it.
OUTLINE_W, OUTLINE_H = 640, 360


class CheckinError(Refused):
    """A check-in step cannot be saved or signed; the message says what to do."""


def _locked(order):
    if order.is_signed:
        raise CheckinError(_l('This order is signed. Later changes go through added work or an amendment.'))


def _advance(order, step):
    """Remember how far the check-in got, so anyone can pick it up there."""
    if STEPS.index(step) + 1 < len(STEPS) and STEPS.index(order.checkin_step) <= STEPS.index(step):
        order.checkin_step = STEPS[STEPS.index(step) + 1]


def _touch(order, by, step, after):
    _advance(order, step)
    order.version += 1
    order.save()
    audit.record('checkin.%s' % step, 'repair_order', order.id, shop=order.shop_id, actor=by, after=after)


def save_vehicle_step(order, by, *, customer, vehicle, odometer, fuel_eighths, complaint, documents):
    with transaction():
        _locked(order)
        if vehicle.owner_id != customer.id:
            raise CheckinError(_l('This vehicle belongs to another customer.'))
        if odometer < (vehicle.mileage or 0):
            raise CheckinError(_l('The odometer reads less than the %(km)s km already on file.',
                                  km='{:,}'.format(vehicle.mileage)))
        order.customer, order.vehicle = customer, vehicle
        order.odometer, order.fuel_eighths = odometer, fuel_eighths
        order.complaint = complaint
        order.documents = json.dumps(sorted(d for d in documents if d in DOCUMENTS))
        _touch(order, by, 'vehicle', {'vehicle': vehicle.id, 'odometer': odometer, 'fuel': fuel_eighths})


def add_mark(order, by, *, view, x, y, kind, note=''):
    """A walk-around mark at (x, y) percent of the outline."""
    if kind not in MARK_KINDS:
        raise CheckinError(_l('Choose what kind of damage it is.'))
    if not (0 <= x <= 100 and 0 <= y <= 100):
        raise CheckinError(_l('Tap on the car drawing to place the mark.'))
    with transaction():
        _locked(order)
        mark = WalkaroundMark.create(shop=order.shop_id, order=order, view=view, x=Decimal(str(round(x, 2))),
                                     y=Decimal(str(round(y, 2))), kind=kind, note=note[:200])
        order.version += 1
        order.save(only=[RepairOrder.version])
        audit.record('checkin.mark_added', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'mark': mark.id, 'kind': kind, 'x': mark.x, 'y': mark.y, 'note': note})
    return mark


def remove_mark(order, by, mark):
    with transaction():
        _locked(order)
        photos = list(Photo.of('walkaround_mark', mark.id))
        if photos:
            Photo.delete().where(Photo.id.in_([p.id for p in photos])).execute()
        mark.delete_instance()
        audit.record('checkin.mark_removed', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     before={'mark': mark.id, 'kind': mark.kind})
    for p in photos:
        photos_store.remove(p.filename)


def add_mark_photo(order, by, mark, data):
    """Attach a photo to a mark. The file is written first and removed again if the row cannot be."""
    filename, width, height = photos_store.store(data)
    try:
        with transaction():
            _locked(order)
            photo = Photo.create(shop=order.shop_id, record_type='walkaround_mark', record_id=mark.id,
                                 filename=filename, width=width, height=height, uploaded_by=by.id)
            audit.record('checkin.photo_added', 'repair_order', order.id, shop=order.shop_id, actor=by,
                         after={'mark': mark.id, 'photo': photo.id})
    except Exception:
        photos_store.remove(filename)   # no orphan file when the row was not written
        raise
    return photo


def save_walkaround(order, by, *, checks):
    """The checklist (interior, instruments, seats…): ok, or a note of what is wrong."""
    with transaction():
        _locked(order)
        order.checks = json.dumps({k: v for k, v in checks.items() if k in CHECKS}, ensure_ascii=False,
                                  sort_keys=True)
        _touch(order, by, 'walkaround', {'checks': order.check_results,
                                         'marks': order.marks.count()})


def save_belongings(order, by, *, items, valuables_reminded):
    """Replace the belongings list. `items`: (preset key or '', name, quantity) with quantity > 0."""
    if not valuables_reminded:
        raise CheckinError(_l('Remind the customer to take valuables with them, then tick the box.'))
    with transaction():
        _locked(order)
        Belonging.delete().where(Belonging.order == order).execute()
        for preset, name, qty in items:
            Belonging.create(shop=order.shop_id, order=order, preset=preset, name=name[:100], quantity=qty)
        order.valuables_reminded = True
        _touch(order, by, 'belongings', {'items': [[n, q] for _p, n, q in items]})


def free_key_tags(shop):
    return KeyTag.for_shop(shop).where(KeyTag.order_id.is_null() & (KeyTag.active == True)).order_by(KeyTag.number)  # noqa: E712


def free_key_hooks(shop):
    return KeyHook.for_shop(shop).where(KeyHook.order_id.is_null()).order_by(KeyHook.number)


def find_key_tag(shop, text):
    """A tag from its number or from a scanned label URL (…/k/<token>)."""
    text = (text or '').strip()
    if text.isdigit():
        return KeyTag.get_or_none((KeyTag.shop == shop) & (KeyTag.number == int(text)))
    token = text.rstrip('/').rsplit('/', 1)[-1]
    return KeyTag.get_or_none((KeyTag.shop == shop) & (KeyTag.token == token)) if token else None


def assign_key(order, by, *, tag, hook):
    """Put the key on a numbered tag and hook. A tag (or hook) on another open order is refused,
    even when two advisors take the same one at the same moment: the conditional UPDATE lets one win."""
    with transaction():
        _locked(order)
        if order.key_tag_id and order.key_tag_id != tag.id:
            KeyTag.update(order_id=None).where((KeyTag.id == order.key_tag_id) & (KeyTag.order_id == order.id)).execute()
        if order.key_hook_id and hook and order.key_hook_id != hook.id:
            KeyHook.update(order_id=None).where((KeyHook.id == order.key_hook_id) & (KeyHook.order_id == order.id)).execute()
        took = (KeyTag.update(order_id=order.id)
                .where((KeyTag.id == tag.id) & (KeyTag.active == True)  # noqa: E712
                       & (KeyTag.order_id.is_null() | (KeyTag.order_id == order.id))).execute())
        if took != 1:
            raise CheckinError(_l('Key tag %(n)s is already on another order. Take another tag.', n=tag.number))
        if hook is not None:
            took = (KeyHook.update(order_id=order.id)
                    .where((KeyHook.id == hook.id) & (KeyHook.order_id.is_null() | (KeyHook.order_id == order.id)))
                    .execute())
            if took != 1:
                raise CheckinError(_l('Hook %(n)s is already taken. Choose another hook.', n=hook.number))
        order.key_tag, order.key_hook = tag, hook
        _touch(order, by, 'key', {'tag': tag.number, 'hook': hook.number if hook else None})


def add_estimate_line(order, by, *, canned_job=None, description='', hours=None, recommendation=None):
    """A job on the estimate; `recommendation`: the work declined on an earlier visit it does, now done here."""
    with transaction():
        _locked(order)
        line = add_line(order, canned_job=canned_job, description=description, hours=hours)
        _refresh_note(order)
        order.version += 1
        order.save()
        if recommendation is not None:
            taken = (Recommendation.update(done_order_id=order.id)
                     .where((Recommendation.id == recommendation.id) & (Recommendation.vehicle == order.vehicle_id)
                            & Recommendation.done_order_id.is_null()).execute())
            if taken != 1:
                raise CheckinError(_l('That recommendation is already taken up.'))
        audit.record('checkin.line_added', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'line': line.id, 'description': line.description, 'hours': line.labour_hours,
                            **({'recommendation': recommendation.id} if recommendation is not None else {})})
    return line


def remove_estimate_line(order, by, line):
    with transaction():
        _locked(order)
        line.delete_instance(recursive=True)
        _refresh_note(order)
        order.version += 1
        order.save()
        audit.record('checkin.line_removed', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     before={'line': line.id, 'description': line.description})


def add_part(order, by, line, *, part_number, name, quantity, unit_price, supplied_by, origin, key_system):
    with transaction():
        _locked(order)
        part = PartLine.create(shop=order.shop_id, order=order, line=line, part_number=part_number, name=name,
                               quantity=quantity, unit_price=unit_price, supplied_by=supplied_by, origin=origin,
                               key_system=key_system)
        _refresh_note(order)
        order.version += 1
        order.save()
        audit.record('checkin.part_added', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'line': line.id, 'part': name, 'qty': quantity, 'price': unit_price,
                            'supplied_by': supplied_by, 'origin': origin})
    return part


def remove_part(order, by, part):
    with transaction():
        _locked(order)
        part.delete_instance()
        _refresh_note(order)
        order.version += 1
        order.save()
        audit.record('checkin.part_removed', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     before={'part': part.name})


def _refresh_note(order):
    order.no_guarantee_note = needs_no_guarantee_note(PartLine.select().where(PartLine.order == order))


def save_estimate(order, by, *, method):
    if method not in (RepairOrder.SYSTEM, RepairOrder.SYMPTOM, RepairOrder.ITEM):
        raise CheckinError(_l('Choose how the estimate was made.'))
    if not OrderLine.select().where(OrderLine.order == order).exists():
        raise CheckinError(_l('Add at least one job to the estimate.'))
    with transaction():
        _locked(order)
        order.estimate_method = method
        _touch(order, by, 'estimate', {'method': method, **{k: v for k, v in order_totals(order).items()}})


def _clock(text):
    h, m = text.split(':')
    return time(int(h), int(m))


def suggest_promise(order, now=None):
    """A promised time to propose: queue in the workshop + this order's hours + a margin, in opening hours.

    The queue is the unfinished labour hours of the open orders shared among the active technicians.
    """
    from app.accounts.models import User
    from app.core.access import TECHNICIAN
    shop = order.shop
    now = now or utcnow()
    own = sum((l.labour_hours for l in OrderLine.select().where(OrderLine.order == order)), Decimal(0))
    queued = (OrderLine.select(fn.COALESCE(fn.SUM(OrderLine.labour_hours), 0))
              .join(RepairOrder)
              .where((RepairOrder.shop == shop) & RepairOrder.stage.in_(list(stages.OPEN))
                     & (OrderLine.status != OrderLine.DONE))
              .scalar()) or 0
    techs = max(User.with_role(shop, TECHNICIAN).count(), 1)
    work = timedelta(hours=float(Decimal(queued) / techs + own))
    work += timedelta(minutes=get_setting(shop, 'promise_margin_minutes'))
    opens, closes = _clock(get_setting(shop, 'workday_start')), _clock(get_setting(shop, 'workday_end'))
    local = to_local(now, shop.timezone).replace(tzinfo=None)
    # Walk forward through opening hours until the work is covered.
    while True:
        day_open = datetime.combine(local.date(), opens)
        day_close = datetime.combine(local.date(), closes)
        if local < day_open:
            local = day_open
        if local >= day_close:
            local = datetime.combine(local.date() + timedelta(days=1), opens)
            continue
        if local + work <= day_close:
            local += work
            break
        work -= day_close - local
        local = datetime.combine(local.date() + timedelta(days=1), opens)
    # Round up to the next quarter hour: nobody promises 15:07.
    extra = (15 - local.minute % 15) % 15
    local = (local + timedelta(minutes=extra)).replace(second=0, microsecond=0)
    return to_utc(local, shop.timezone)


def save_promise(order, by, *, promised_at):
    if promised_at <= utcnow():
        raise CheckinError(_l('The promised time must be in the future.'))
    with transaction():
        _locked(order)
        order.promised_at = promised_at
        _touch(order, by, 'promise', {'promised_at': promised_at})


def missing_for_signature(order):
    """What still has to be done before the customer can sign, as messages."""
    missing = []
    if not (order.customer_id and order.vehicle_id):
        missing.append(_l('Customer and vehicle'))
    if not order.valuables_reminded:
        missing.append(_l('Belongings list'))
    if not order.key_tag_id:
        missing.append(_l('Key tag'))
    if not OrderLine.select().where(OrderLine.order == order).exists():
        missing.append(_l('At least one job in the estimate'))
    if not order.promised_at:
        missing.append(_l('Promised time'))
    return missing


def sign(order, by, *, signature_png, signer):
    """The customer signs: the order gets its gap-free number, becomes checked in, and is locked."""
    store = photos_store
    missing = missing_for_signature(order)
    if missing:
        raise CheckinError(_l('Before signing, complete: %(what)s.', what=', '.join(str(m) for m in missing)))
    try:
        filename, _w, _h = store.store(signature_png, max_side=1200, fmt='PNG')
    except store.PhotoRejected:
        raise CheckinError(_l('The signature could not be read. Ask the customer to sign again.'))
    try:
        with transaction():
            fresh = RepairOrder.get_by_id(order.id)
            if fresh.version != order.version or fresh.is_signed:
                raise stages.StaleRecord(order.id)
            now = utcnow()
            Signature.create(shop=order.shop_id, order=order, purpose='repair_order', filename=filename,
                             signer=signer[:100], signed_at=now)
            order.number = RepairOrder.next_number(order.shop, now)
            order.checked_in_at = now
            order.checkin_step = 'done'
            totals = order_totals(order)
            order.agreed_total = totals['total']              # what the customer signs for
            order.original_promised_at = order.promised_at
            order.save(only=[RepairOrder.number, RepairOrder.checked_in_at, RepairOrder.checkin_step,
                             RepairOrder.agreed_total, RepairOrder.original_promised_at])
            stages.move(order, stages.CHECKED_IN, by=by, note=str(_l('Signed by %(name)s', name=signer)))
            vehicle = order.vehicle
            if order.odometer > (vehicle.mileage or 0):
                vehicle.mileage = order.odometer
                vehicle.save(only=[Vehicle.mileage, Vehicle.plate_key, Vehicle.vin_tail])
            MileageReading.create(shop=order.shop_id, vehicle=vehicle, km=order.odometer, at=now, order_id=order.id)
            audit.record('order.signed', 'repair_order', order.id, shop=order.shop_id, actor=by,
                         after={'number': order.number, 'signer': signer, 'totals': totals})
            # Every order gets its customer status link when it is created (printed on the customer's copy).
            links.issue_link(order, by)
    except Exception:
        store.remove(filename)
        raise
    return order


def amend(order, by, *, promised_at, advisor_notes, reason, told_channel='', told_at=None, now=None):
    """A change to a signed order still in the shop, kept in the audit trail with what it was, what it is and why.

    A settled, delivered, closed or cancelled order is not amended. A new promised time follows the rulebook's
    rule for a late car: it is in the future, the customer is told (how and when are recorded), and the promise
    they signed for stays the one timeliness is measured by (RepairOrder.original_promised_at).
    """
    now = now or utcnow()
    if not (reason or '').strip():
        raise CheckinError(_l('Say why the signed order is changed.'))
    with transaction():
        order = RepairOrder.get_by_id(order.id)
        if order.stage not in stages.OPEN or order.is_settled:
            raise CheckinError(_l('This order is settled or has left the shop: it can no longer be amended.'))
        moved = promised_at != order.promised_at
        if moved:
            if order.stage == stages.READY_FOR_PICKUP:
                raise CheckinError(_l('The car is ready for pickup: its promised time no longer moves.'))
            if promised_at <= now:
                raise CheckinError(_l('The new promised time must be in the future.'))
            if told_channel not in CHANNELS:
                raise CheckinError(_l('Choose how the customer was told of the new time.'))
            told_at = told_at or now
            if told_at > now + CLOCK_SKEW:
                raise CheckinError(_l('The time the customer was told cannot be in the future.'))
        before = {'promised_at': order.promised_at, 'advisor_notes': order.advisor_notes}
        order.promised_at, order.advisor_notes = promised_at, advisor_notes
        order.version += 1
        order.save(only=[RepairOrder.promised_at, RepairOrder.advisor_notes, RepairOrder.version])
        b, a = audit.diff(before, {'promised_at': promised_at, 'advisor_notes': advisor_notes})
        if moved:
            a.update(customer_told_at=told_at, channel=told_channel, original_promised_at=order.original_promised_at)
        audit.record('order.amended', 'repair_order', order.id, shop=order.shop_id, actor=by, before=b, after=a,
                     note=reason)
    return order


# the note on an abandoned check-in's stage event (stored; shown in words by the order's history)
ABANDONED_NOTE = 'abandoned'


def cancel_draft(order, by, note=''):
    """A check-in that will not go ahead: cancelled, its key tag and hook freed."""
    with transaction():
        _locked(order)
        KeyTag.update(order_id=None).where(KeyTag.order_id == order.id).execute()
        KeyHook.update(order_id=None).where(KeyHook.order_id == order.id).execute()
        order.key_tag = order.key_hook = None
        order.save(only=[RepairOrder.key_tag, RepairOrder.key_hook])
        stages.move(order, stages.CANCELLED, by=by, note=note)


def abandoned_drafts(shop, now=None):
    """Check-ins started longer ago than the shop's `checkin_abandoned_hours` and never signed."""
    cutoff = (now or utcnow()) - timedelta(hours=get_setting(shop, 'checkin_abandoned_hours'))
    return RepairOrder.drafts(shop).where(RepairOrder.created_at < cutoff)


def release_abandoned(shop, now=None, keep=None):
    """Cancel the abandoned check-ins (by nobody: the shop's own housekeeping), so their key tags and hooks go
    back to the pool. Called where a tag is needed (the key step, the list of check-ins) and by the shift-end
    housekeeping (`flask close-shifts`); `keep` is the check-in being worked on. Returns the orders cancelled."""
    done = []
    for order in abandoned_drafts(shop, now):
        if keep is not None and order.id == keep.id:
            continue        # the advisor is back on this one: it is not abandoned
        cancel_draft(order, None, note=ABANDONED_NOTE)
        done.append(order)
    return done
