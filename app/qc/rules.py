"""Final inspection (竣工检验), wash and the advisor's final check (DOMAIN.md steps 11-12).

The inspector passes an order (on to the wash) or fails it with reasons, the failed lines and photos (those
lines go back to the same technician as rework). First-time pass is kept per line and technician:
OrderLine.qc_failures stays 0 for a line that passed at its first inspection. After the wash the advisor
checks the work, the replaced parts, the tools, every belonging and the key, and the car is ready for pickup.
Each action is one transaction with its audit event on the order.
"""
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from peewee import JOIN, Case, fn

from app.accounts.models import User
from app.core import audit, stages
from app.core import errors as core_errors
from app.core import photos as photos_store
from app.core.db import is_sqlite, transaction, utcnow
from app.core.models import Event
from app.catalogue.models import CannedJob
from app.core.models import Photo
from app.customers.models import Vehicle
from app.reception.models import Belonging, OrderLine, RepairOrder
from app.qc.checklist import item_keys
from app.workshop.models import QCInspection
from app.workshop.rules import NOT_NEEDED as SELF_NOT_NEEDED
from app.workshop.rules import OK as SELF_OK
from app.workshop.rules import SELF_CHECK_ITEMS, SelfCheck

PASS, FAIL = QCInspection.PASS, QCInspection.FAIL
RESULTS = {PASS: _l('Pass'), FAIL: _l('Fail')}
PHOTO_RECORD = 'qc_inspection'
MAX_PHOTOS = 3     # phone photos are 2-5 MB each; a request may carry 16 MB (MAX_CONTENT_LENGTH)


class Refused(core_errors.Refused):
    """The action cannot be recorded as it stands; `errors` maps form fields to messages (all of them at once)."""

    def __init__(self, errors):
        super().__init__('; '.join(str(m) for m in errors.values()), field=next(iter(errors), None))
        self.errors = errors


def _fresh_order(order_id):
    """The order re-read and locked inside the transaction (SQLite's BEGIN IMMEDIATE already holds the lock)."""
    query = RepairOrder.select().where(RepairOrder.id == order_id)
    if not is_sqlite():
        query = query.for_update()
    return query.get()


def _check_version(order, expected_version):
    if order.version != expected_version:
        raise stages.StaleRecord(order.id)


# --- the QC queue -------------------------------------------------------------------------

def _with_vehicle(query):
    return query.select(RepairOrder, Vehicle).join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER)


def qc_queue(shop):
    """Orders handed over for inspection, the soonest promised first."""
    return _with_vehicle(RepairOrder.for_shop(shop)).where(RepairOrder.stage == stages.READY_FOR_QC) \
        .order_by(RepairOrder.promised_at, RepairOrder.id)


def queue_token(shop):
    """A cheap fingerprint of the QC queue (orders arrive and leave by stage moves, which bump versions)."""
    count, versions, top = (RepairOrder.select(fn.COUNT(RepairOrder.id), fn.SUM(RepairOrder.version),
                                               fn.MAX(RepairOrder.id))
                            .where((RepairOrder.shop == shop) & (RepairOrder.stage == stages.READY_FOR_QC))
                            .tuples().get())
    return '%d.%d.%d' % (count or 0, top or 0, versions or 0)


def order_lines(order):
    """The order's job lines with their technician and catalogue job, in order."""
    return list(OrderLine.select(OrderLine, User, CannedJob)
                .join_from(OrderLine, User, JOIN.LEFT_OUTER)
                .join_from(OrderLine, CannedJob, JOIN.LEFT_OUTER)
                .where(OrderLine.order == order).order_by(OrderLine.position, OrderLine.id))


def lines_by_order(orders):
    """Lines of many orders in one query (the queue shows who did what)."""
    out = {o.id: [] for o in orders}
    if out:
        for line in (OrderLine.select(OrderLine, User).join_from(OrderLine, User, JOIN.LEFT_OUTER)
                     .where(OrderLine.order.in_(list(out))).order_by(OrderLine.position, OrderLine.id)):
            out[line.order_id].append(line)
    return out


@dataclass
class SelfCheckView:
    """The technician's self-check as the inspector reads it: (label, passed, not needed, note) per item."""
    rows: list
    by_name: str = ''
    at: object = None

    @property
    def passed_count(self):
        return sum(1 for _label, passed, _na, _note in self.rows if passed)


def self_check(order):
    """The technician's self-check before QC, as the job card saved it (app.workshop.rules)."""
    saved = SelfCheck(order)
    rows = []
    for key, label in SELF_CHECK_ITEMS:
        item = saved.items.get(key)
        if item:
            state = item.get('state')
            rows.append((label, state in (SELF_OK, SELF_NOT_NEEDED), state == SELF_NOT_NEEDED, item.get('note', '')))
    return SelfCheckView(rows, saved.by_name, saved.at)


def inspections(order):
    return list(QCInspection.select(QCInspection, User).join(User)
                .where(QCInspection.order == order).order_by(QCInspection.created_at, QCInspection.id))


def inspection_photos(inspection_ids):
    out = {}
    if inspection_ids:
        for p in Photo.select().where((Photo.record_type == PHOTO_RECORD) & Photo.record_id.in_(inspection_ids)) \
                .order_by(Photo.id):
            out.setdefault(p.record_id, []).append(p)
    return out


# --- the inspection -----------------------------------------------------------------------

def inspect(order, by, *, result, checklist, expected_version, reasons='', failed_line_ids=(), photos=()):
    """Record the inspection. `checklist`: {item key: (ok, note)} for every item of the order's checklist;
    `photos`: raw uploads. Pass: every item OK, the order goes to the wash. Fail: reasons and the failed lines,
    which go back to their technician as rework (qc_failures + 1); the order goes to "QC failed"."""
    lines = order_lines(order)
    by_id = {line.id: line for line in lines}
    reasons = (reasons or '').strip()[:2000]
    failed = [by_id[i] for i in dict.fromkeys(failed_line_ids) if i in by_id]
    errors = {}
    keys = item_keys(lines)
    unanswered = [k for k in keys if k not in checklist]
    if unanswered:
        errors['checklist'] = _l('Mark every item OK or not OK (%(n)d left).', n=len(unanswered))
    not_ok = [k for k in keys if k in checklist and not checklist[k][0]]
    if result not in RESULTS:
        errors['result'] = _l('Choose pass or fail.')
    elif result == PASS and not_ok:
        errors['result'] = _l('An item is not OK: fail the inspection, or correct the item.')
    elif result == FAIL:
        if not reasons:
            errors['reasons'] = _l('Write what is wrong, for the technician.')
        if not failed:
            errors['failed_lines'] = _l('Choose the jobs that go back for rework.')
        elif any(line.status != stages.LINE_DONE for line in failed):
            errors['failed_lines'] = _l('Only jobs marked done can be sent back for rework.')
    if len(photos) > MAX_PHOTOS:
        errors['photos'] = _l('At most %(n)d photos.', n=MAX_PHOTOS)
    if errors:
        raise Refused(errors)
    stored = []
    try:
        for data in photos:
            stored.append(photos_store.store(data))
    except photos_store.PhotoRejected as exc:
        for name, _w, _h in stored:
            photos_store.remove(name)
        raise Refused({'photos': exc})
    try:
        with transaction():
            order = _fresh_order(order.id)
            _check_version(order, expected_version)
            first = not QCInspection.select().where(QCInspection.order == order).exists()
            saved = {k: {'ok': bool(checklist[k][0]), 'note': (checklist[k][1] or '')[:200]} for k in keys}
            inspection = QCInspection.create(
                shop=order.shop_id, order=order, inspector=by, result=result,
                checklist=json.dumps(saved, ensure_ascii=False, sort_keys=True),
                reasons=reasons, failed_lines=json.dumps([line.id for line in failed] if result == FAIL else []),
                first_time=first, created_at=utcnow())
            for name, width, height in stored:
                Photo.create(shop=order.shop_id, record_type=PHOTO_RECORD, record_id=inspection.id, filename=name,
                             width=width, height=height, uploaded_by=by.id)
            after = {'inspection': inspection.id, 'result': result, 'first_time': first, 'not_ok': not_ok,
                     'photos': len(stored)}
            if result == FAIL:
                for line in failed:
                    stages.move_line(line, stages.LINE_REWORK, by=by, note=reasons[:200])
                    OrderLine.update(qc_failures=OrderLine.qc_failures + 1).where(OrderLine.id == line.id).execute()
                after['failed_lines'] = [{'line': line.id, 'technician': line.technician_id} for line in failed]
                audit.record('qc.failed', 'repair_order', order.id, shop=order.shop_id, actor=by, after=after,
                             note=reasons)
                stages.move(order, stages.QC_FAILED, by=by, note=reasons[:200])
            else:
                audit.record('qc.passed', 'repair_order', order.id, shop=order.shop_id, actor=by, after=after,
                             note=reasons)
                stages.move(order, stages.READY_FOR_WASH, by=by)
    except Exception:
        for name, _w, _h in stored:
            photos_store.remove(name)    # no orphan file when the rows were not written
        raise
    return inspection


# --- first-time pass (a technician's quality KPI) -----------------------------------------

@dataclass
class PassRate:
    lines: int          # job lines whose order passed QC
    first_time: int     # of them, passed at the first inspection (never sent back)

    @property
    def rate(self):
        if not self.lines:
            return None
        return (Decimal(self.first_time) / Decimal(self.lines)).quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP)


def first_time_pass_counts(shop, technician=None, since=None):
    """Lines (with a technician) on orders that passed QC — since `since` if given — and how many of them
    passed without ever being sent back for rework."""
    passed = QCInspection.select(QCInspection.order).where((QCInspection.shop == shop) & (QCInspection.result == PASS))
    if since is not None:
        passed = passed.where(QCInspection.created_at >= since)
    query = (OrderLine.select(fn.COUNT(OrderLine.id), fn.SUM(Case(None, [(OrderLine.qc_failures == 0, 1)], 0)))
             .where((OrderLine.shop == shop) & OrderLine.order.in_(passed) & OrderLine.technician.is_null(False)))
    if technician is not None:
        query = query.where(OrderLine.technician == technician)
    total, first = query.tuples().get()
    return PassRate(int(total or 0), int(first or 0))


def first_time_pass_rate(shop, technician=None, since=None):
    """Share (0..1, 4 places) of lines that passed QC the first time, for the shop or one technician; None if none."""
    return first_time_pass_counts(shop, technician, since).rate


# --- wash and final check -----------------------------------------------------------------

def after_qc(shop):
    """Orders passed by QC, waiting for the wash and the advisor's final check."""
    return _with_vehicle(RepairOrder.for_shop(shop)).where(RepairOrder.stage == stages.READY_FOR_WASH) \
        .order_by(RepairOrder.promised_at, RepairOrder.id)


def washes(order_ids):
    """The latest wash event per order: {order id: Event}."""
    out = {}
    if order_ids:
        for e in (Event.select().where((Event.record_type == 'repair_order') & Event.record_id.in_(list(order_ids))
                                       & (Event.action == 'order.washed')).order_by(Event.id)):
            out[e.record_id] = e
    return out


def mark_washed(order, by, *, expected_version):
    """The car is washed (车辆清洁): kept on the order's timeline; the final check needs it."""
    with transaction():
        order = _fresh_order(order.id)
        order.update_versioned(expected_version)          # on the order's timeline: a stale page is refused
        if order.stage != stages.READY_FOR_WASH:
            raise Refused({'wash': _l('Only a car that passed QC is washed here.')})
        audit.record('order.washed', 'repair_order', order.id, shop=order.shop_id, actor=by, after={'washed': True})
    return order


def final_check(order, by, *, belongings_ticked, key_present, work_checked, parts_checked, tools_checked,
                expected_version):
    """The advisor's final check after the wash: the work, the replaced parts, the tools, every belonging on the
    list and the key on its hook. Then the order is ready for pickup."""
    if order.stage != stages.READY_FOR_WASH:
        raise Refused({'form': _l('This car is not waiting for its final check.')})
    belongings = list(Belonging.select().where(Belonging.order == order).order_by(Belonging.id))
    ticked = set(belongings_ticked)
    missing = [b for b in belongings if b.id not in ticked]
    errors = {}
    if order.id not in washes([order.id]):
        errors['wash'] = _l('Record the wash first.')
    if missing:
        errors['belongings'] = _l('Tick every belonging once you have seen it: %(items)s.',
                                  items=', '.join(str(b.label) for b in missing))
    if not key_present:
        errors['key_present'] = _l('Check that the key is on its hook.')
    if not work_checked:
        errors['work_checked'] = _l('Check the work done on every job.')
    if not parts_checked:
        errors['parts_checked'] = _l('Check the replaced parts kept for the customer.')
    if not tools_checked:
        errors['tools_checked'] = _l("Check the car's tools are in place.")
    if errors:
        raise Refused(errors)
    with transaction():
        order = _fresh_order(order.id)
        order.update_versioned(expected_version, final_check_at=utcnow(), final_check_by=by.id)
        audit.record('order.final_check', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'belongings': [[str(b.label), b.quantity] for b in belongings],
                            'key_tag': order.key_tag.number if order.key_tag_id else None,
                            'key_hook': order.key_hook.number if order.key_hook_id else None,
                            'work': True, 'old_parts': True, 'tools': True})
        stages.move(order, stages.READY_FOR_PICKUP, by=by)
    return order
