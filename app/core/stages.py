"""Repair-order stages, declared once: the stages, the allowed moves and who may make each.

Views, the board, the customer status page and the KPIs all read this
declaration; move() is the one function that changes a stage.
"""
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.access import ADVISOR, FOREMAN, MANAGER, PARTS, QC, TECHNICIAN
from app.core.errors import IllegalMove, StaleRecord  # noqa: F401 (the names areas knew them by)
from app.core.machine import Machine


DRAFT = 'draft'                  # a check-in in progress, not yet signed
CHECKED_IN = 'checked_in'
DISPATCHED = 'dispatched'
IN_PROGRESS = 'in_progress'
WAITING_APPROVAL = 'waiting_approval'
WAITING_PARTS = 'waiting_parts'
READY_FOR_QC = 'ready_for_qc'
QC_FAILED = 'qc_failed'
READY_FOR_WASH = 'ready_for_wash'
READY_FOR_PICKUP = 'ready_for_pickup'
DELIVERED = 'delivered'
CLOSED = 'closed'
CANCELLED = 'cancelled'

# (stage, staff label, customer label); in the order a car passes them.
STAGES = [(DRAFT, _l('Check-in in progress'), _l('Being received')),
          (CHECKED_IN, _l('Checked in'), _l('Received at reception')),
          (DISPATCHED, _l('Dispatched'), _l('Assigned to a technician')),
          (IN_PROGRESS, _l('In progress'), _l('Being repaired')),
          (WAITING_APPROVAL, _l('Waiting approval'), _l('Waiting for your decision')),
          (WAITING_PARTS, _l('Waiting parts'), _l('Waiting for parts')),
          (READY_FOR_QC, _l('Ready for QC'), _l('Quality inspection')),
          (QC_FAILED, _l('QC failed (rework)'), _l('Being repaired')),
          (READY_FOR_WASH, _l('Ready for wash'), _l('Cleaning and final check')),
          (READY_FOR_PICKUP, _l('Ready for pickup'), _l('Ready for pickup')),
          (DELIVERED, _l('Delivered'), _l('Delivered')), (CLOSED, _l('Closed'), _l('Completed')),
          (CANCELLED, _l('Cancelled'), _l('Cancelled'))]
LABELS = {s: label for s, label, _c in STAGES}
CUSTOMER_LABELS = {s: c for s, _label, c in STAGES}
# On the board and in the workshop's load: signed and not yet handed back.
OPEN = frozenset(s for s, *_ in STAGES) - {DRAFT, DELIVERED, CLOSED, CANCELLED}

# from -> {to: roles that may make the move}
MOVES = {
    DRAFT: {CHECKED_IN: {ADVISOR, MANAGER}, CANCELLED: {ADVISOR, MANAGER}},
    CHECKED_IN: {DISPATCHED: {FOREMAN, MANAGER}, CANCELLED: {ADVISOR, MANAGER}},
    DISPATCHED: {IN_PROGRESS: {TECHNICIAN, FOREMAN}, CHECKED_IN: {FOREMAN, MANAGER},
                 WAITING_APPROVAL: {TECHNICIAN, FOREMAN, ADVISOR}, WAITING_PARTS: {TECHNICIAN, FOREMAN, PARTS},
                 CANCELLED: {ADVISOR, MANAGER}},
    IN_PROGRESS: {WAITING_APPROVAL: {TECHNICIAN, FOREMAN, ADVISOR}, WAITING_PARTS: {TECHNICIAN, FOREMAN, PARTS},
                  READY_FOR_QC: {TECHNICIAN, FOREMAN}},
    WAITING_APPROVAL: {IN_PROGRESS: {ADVISOR, FOREMAN, MANAGER, TECHNICIAN}, WAITING_PARTS: {PARTS, FOREMAN}},
    WAITING_PARTS: {IN_PROGRESS: {TECHNICIAN, FOREMAN, PARTS}, WAITING_APPROVAL: {TECHNICIAN, FOREMAN, ADVISOR}},
    READY_FOR_QC: {READY_FOR_WASH: {QC, FOREMAN}, QC_FAILED: {QC, FOREMAN}},
    QC_FAILED: {IN_PROGRESS: {TECHNICIAN, FOREMAN}},
    READY_FOR_WASH: {READY_FOR_PICKUP: {ADVISOR, FOREMAN}},
    READY_FOR_PICKUP: {DELIVERED: {ADVISOR, MANAGER}},
    DELIVERED: {CLOSED: {ADVISOR, MANAGER}},
    CLOSED: {},
    CANCELLED: {},
}


ORDERS = Machine(field='stage', labels=LABELS, moves=MOVES,
                 illegal=lambda a, b: _l('An order cannot go from "%(a)s" to "%(b)s".', a=a, b=b),
                 forbidden=lambda b: _l('Your role may not move an order to "%(b)s".', b=b))


def allowed_moves(stage, user):
    """The stages this user may move an order to from `stage`."""
    return ORDERS.allowed(stage, user)


def move(order, to, *, by, note='', expected_version=None):
    """Move an order to another stage: checks the declaration, the role and the version; writes the event.

    Call inside the action's transaction. The order must have `stage`, `version`, `shop` and `id`.
    """
    frm = ORDERS.move(order, to, by=by, expected_version=expected_version)
    audit.record('order.stage', 'repair_order', order.id, shop=order.shop_id, actor=by,
                 before={'stage': frm}, after={'stage': to}, note=note)
    return order


# --- job lines: their own small state machine --------------------------------------------

LINE_PENDING = 'pending'        # on the order, nobody assigned
LINE_ASSIGNED = 'assigned'      # dispatched to a technician (and bay)
LINE_ACTIVE = 'active'          # a technician's clock is running on it
LINE_PAUSED = 'paused'          # started, clock stopped
LINE_DONE = 'done'              # the technician marked it done
LINE_REWORK = 'rework'          # failed QC: back to the same technician

LINE_STAGES = [
    (LINE_PENDING, _l('Not assigned')), (LINE_ASSIGNED, _l('Assigned')), (LINE_ACTIVE, _l('Working')),
    (LINE_PAUSED, _l('Paused')), (LINE_DONE, _l('Done')), (LINE_REWORK, _l('Rework')),
]
LINE_LABELS = dict(LINE_STAGES)
LINE_MOVES = {
    LINE_PENDING: {LINE_ASSIGNED},
    LINE_ASSIGNED: {LINE_ACTIVE, LINE_PENDING, LINE_ASSIGNED, LINE_DONE},
    LINE_ACTIVE: {LINE_PAUSED, LINE_DONE},
    LINE_PAUSED: {LINE_ACTIVE, LINE_DONE, LINE_ASSIGNED},
    LINE_DONE: {LINE_REWORK, LINE_ACTIVE},
    LINE_REWORK: {LINE_ACTIVE, LINE_DONE},
}


LINES = Machine(field='status', labels=LINE_LABELS, moves=LINE_MOVES,
                illegal=lambda a, b: _l('A job cannot go from "%(a)s" to "%(b)s".', a=a, b=b))


def move_line(line, to, *, by, note=''):
    """Move a job line; checks the declaration and the line's version, writes the event."""
    frm = LINES.move(line, to)
    audit.record('line.status', 'repair_order', line.order_id, shop=line.shop_id, actor=by,
                 before={'line': line.id, 'status': frm}, after={'line': line.id, 'status': to}, note=note)
    return line
