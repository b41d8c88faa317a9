"""The parts counter's answer to a technician's parts request: issued, substituted, backordered, cancelled.

A backorder puts the order in "waiting parts"; when nothing is left requested or backordered on an order
waiting for parts, it goes back in progress. Each answer is one transaction with its audit event on the
order, so the order's timeline and the technician's job card show it.
"""
from datetime import datetime, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import JOIN, Case, fn

from app.accounts.models import User
from app.core import audit, stages
from app.core.db import is_sqlite, transaction, utcnow
from app.core.errors import Refused
from app.core.settings import get_setting
from app.core.timeutil import shop_today, to_utc
from app.parts import issuing
from app.catalogue.models import CannedJobPart
from app.customers.models import Vehicle
from app.reception.models import OrderLine, PartLine, RepairOrder
from app.workshop.models import PartsRequest

ISSUED, SUBSTITUTED, BACKORDERED, CANCELLED = (PartsRequest.ISSUED, PartsRequest.SUBSTITUTED,
                                               PartsRequest.BACKORDERED, PartsRequest.CANCELLED)
OPEN = (PartsRequest.REQUESTED, PartsRequest.BACKORDERED)
OUTCOMES = {ISSUED: _l('Issue'), SUBSTITUTED: _l('Substitute'), BACKORDERED: _l('Backorder'), CANCELLED: _l('Cancel')}
STATUS_LABELS = {PartsRequest.REQUESTED: _l('Requested'), ISSUED: _l('Issued'), SUBSTITUTED: _l('Substituted'),
                 BACKORDERED: _l('Backordered'), CANCELLED: _l('Cancelled')}
# A backorder puts the order in "waiting parts" from these stages (as the stage declaration allows the clerk).
HOLD_FROM = (stages.DISPATCHED, stages.IN_PROGRESS, stages.WAITING_APPROVAL)


def _fresh_order(order_id):
    """The order re-read and locked inside the transaction (SQLite's BEGIN IMMEDIATE already holds the lock)."""
    query = RepairOrder.select().where(RepairOrder.id == order_id)
    if not is_sqlite():
        query = query.for_update()
    return query.get()


# --- the counter's queue ------------------------------------------------------------------

def _rows(shop):
    """The shop's requests, each with its order, car, job line and technician (as `requested_by`)."""
    Tech = User.alias()
    return (PartsRequest.for_shop(shop)
            .select(PartsRequest, RepairOrder, Vehicle, OrderLine, Tech)
            .join_from(PartsRequest, RepairOrder)
            .join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER)
            .join_from(PartsRequest, OrderLine, JOIN.LEFT_OUTER)
            .join_from(PartsRequest, Tech, on=(PartsRequest.requested_by == Tech.id), attr='requested_by'))


def counter_queue(shop):
    """Open requests: new ones first, oldest first; backordered ones below, soonest expected first."""
    backordered_last = Case(None, [(PartsRequest.status == PartsRequest.REQUESTED, 0)], 1)
    return (_rows(shop).where(PartsRequest.status.in_(OPEN))
            .order_by(backordered_last, PartsRequest.expected_at, PartsRequest.requested_at, PartsRequest.id))


def request_row(shop, request_id):
    """One request of the shop, whatever its status, with its order, car, line and technician, or None."""
    return _rows(shop).where(PartsRequest.id == request_id).first()


def queue_token(shop):
    """A cheap fingerprint of the queue: changes when a request arrives, is answered or backordered again."""
    count, top, versions = (PartsRequest.select(fn.COUNT(PartsRequest.id), fn.MAX(PartsRequest.id),
                                                fn.SUM(PartsRequest.version))
                            .where((PartsRequest.shop == shop) & PartsRequest.status.in_(OPEN)).tuples().get())
    return '%d.%d.%d' % (count or 0, top or 0, versions or 0)


def expected_date_to_utc(shop, day):
    """A backorder's expected date: the part is due when the workshop opens that day."""
    hours, _sep, minutes = str(get_setting(shop, 'workday_start')).partition(':')
    return to_utc(datetime.combine(day, time(int(hours), int(minutes or 0))), shop.timezone)


# --- the answer ---------------------------------------------------------------------------

def answer(req, by, *, outcome, expected_version, quantity=None, substitute='', expected_on=None, note='',
           allow_negative=False):
    """Answer a parts request in one step.

    issued / substituted: the part (or its substitute) goes onto the request's job line as a PartLine, so the
    job card and the order show it; a catalogue part also leaves the shelf (a ledger row at moving average
    cost, refused when stock would go below zero unless a manager overrides) and gets an old-part record.
    A settled order takes no more parts. backordered: the expected date; the order waits for parts.
    cancelled: nothing issued. Afterwards an order waiting for parts with nothing open goes back in progress.
    """
    note = (note or '').strip()[:200]
    substitute = (substitute or '').strip()[:40]
    if outcome not in OUTCOMES:
        raise Refused(_l('Choose the answer: issue, substitute, backorder or cancel.'), 'outcome')
    if outcome in (ISSUED, SUBSTITUTED):
        quantity = req.quantity if quantity is None else Decimal(quantity)
        if quantity <= 0:
            raise Refused(_l('The quantity must be more than 0.'), 'quantity')
    if outcome == SUBSTITUTED and not substitute:
        raise Refused(_l('Enter the part number of the substitute.'), 'substitute')
    shop = req.shop
    if outcome == BACKORDERED:
        if expected_on is None:
            raise Refused(_l('Enter the date the part is expected.'), 'expected_on')
        if expected_on < shop_today(shop):
            raise Refused(_l('The expected date cannot be in the past.'), 'expected_on')
    with transaction():
        # claim the request first: a second clerk answering the same row meets a stale version, not a double issue
        req.update_versioned(expected_version, where=PartsRequest.status.in_(OPEN))
        req = PartsRequest.get_by_id(req.id)
        order = _fresh_order(req.order_id)
        before = {'status': req.status}
        req.status = outcome
        req.answered_at, req.answered_by = utcnow(), by.id
        req.note = note or req.note
        after = {'request': req.id, 'status': outcome, 'part_number': req.part_number, 'name': req.name,
                 'quantity': req.quantity}
        if outcome in (ISSUED, SUBSTITUTED):
            req.issued_part_number = substitute if outcome == SUBSTITUTED else req.part_number
            req.issued_quantity = quantity
            stocked = issuing.catalogue_part(shop.id, req.issued_part_number)
            issuing.ensure_order_editable(order)
            part = _issue_onto_line(req, order, stocked)
            if stocked is not None:
                line = part.line if part else (req.line or issuing.first_line(order))
                move = issuing.issue_to_line(stocked, order, line, quantity, by=by, parts_request=req,
                                             part_line=part or _carried(line, stocked.number),
                                             allow_negative=allow_negative)
                after.update(stock_move=move.id, override=move.override)
            after.update(issued_part_number=req.issued_part_number, issued_quantity=quantity,
                         part_line=part.id if part else None)
        elif outcome == BACKORDERED:
            req.expected_at = expected_date_to_utc(shop, expected_on)
            after.update(expected_at=req.expected_at)
        req.save()
        audit.record('parts.%s' % outcome, 'repair_order', order.id, shop=order.shop_id, actor=by,
                     before=before, after=after, note=note)
        if outcome == BACKORDERED and order.stage in HOLD_FROM:
            stages.move(order, stages.WAITING_PARTS, by=by,
                        note=str(_l('Backordered: %(part)s', part=req.name)))
        elif order.stage == stages.WAITING_PARTS and not open_requests(order).exists():
            stages.move(order, stages.IN_PROGRESS, by=by, note=str(_l('Every part requested is answered.')))
    return req


def open_requests(order):
    return PartsRequest.select().where((PartsRequest.order == order) & PartsRequest.status.in_(OPEN))


def _carried(line, number):
    """The part line of the estimate that already carries this part (the issue is booked against it)."""
    if line is None:
        return None
    return (PartLine.select().where((PartLine.line == line) & (PartLine.part_number == number))
            .order_by(PartLine.id).first())


def _issue_onto_line(req, order, stocked=None):
    """The issued part as a PartLine on the request's job line (the order's first line when none was named).

    The part is priced at the stock catalogue's selling price, else the canned-job catalogue's price when its
    number is there, else at 0 for the advisor to price before settlement. A part the estimate already
    carries on that line (same number, quantity not yet used up by earlier issues) is not added a second time,
    so the customer is never charged twice for it.
    """
    line = req.line or (OrderLine.select().where(OrderLine.order == order)
                        .order_by(OrderLine.position, OrderLine.id).first())
    if line is None:
        return None
    number = req.issued_part_number
    quantity = req.issued_quantity
    if number:
        on_line = Decimal((PartLine.select(fn.SUM(PartLine.quantity))
                           .where((PartLine.line == line) & (PartLine.part_number == number)).scalar()) or 0)
        issued_before = Decimal((PartsRequest.select(fn.SUM(PartsRequest.issued_quantity))
                                 .where((PartsRequest.line == line) & (PartsRequest.id != req.id)
                                        & PartsRequest.status.in_((ISSUED, SUBSTITUTED))
                                        & (PartsRequest.issued_part_number == number)).scalar()) or 0)
        quantity = issued_before + quantity - max(on_line, issued_before)   # what the line does not carry yet
        if quantity <= 0:
            return None
    catalogue = (CannedJobPart.select(CannedJobPart.unit_price)
                 .where((CannedJobPart.shop == order.shop_id) & (CannedJobPart.part_number == number))
                 .first()) if number else None
    price = catalogue.unit_price if catalogue else Decimal('0')
    if stocked is not None and stocked.sell_price:
        price = stocked.sell_price
    return PartLine.create(shop=order.shop_id, order=order, line=line, part_number=number, name=req.name,
                           quantity=quantity, unit_price=price,
                           origin=stocked.origin if stocked is not None else PartLine.OEM)
