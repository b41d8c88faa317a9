"""Requests a customer made on a follow-up call: open until answered, or escalated to the supervisor (a service
manager) and answered there (REQUESTS); each has a deadline the lists warn about a day ahead."""
from flask_babel import lazy_gettext as _l

from app.aftercare.models import CallRecord
from app.aftercare.shared import REQUEST_WARNING, audit_target, require_move, require_told, shop_of, supervisors
from app.core import audit
from app.core.db import transaction, utcnow
from app.core.errors import Refused
from app.core.machine import Machine

REQUESTS = Machine(field='request_status', labels=CallRecord.REQUEST_STATUSES,
                   moves={CallRecord.R_OPEN: {CallRecord.R_ANSWERED, CallRecord.R_ESCALATED},
                          CallRecord.R_ESCALATED: {CallRecord.R_ANSWERED}},
                   illegal=lambda a, b: _l('A request cannot go from "%(a)s" to "%(b)s".', a=a, b=b))


def request_state(call, now):
    """'breached', 'due_soon' (within REQUEST_WARNING), 'open', 'escalated', 'answered' or 'none'."""
    if call.request_status != CallRecord.R_OPEN:
        return call.request_status
    if now >= call.request_due_at:
        return 'breached'
    return 'due_soon' if call.request_due_at - now <= REQUEST_WARNING else 'open'


def requests_to_watch(shop, now):
    """Requests not yet answered: open ones (with their state, most urgent first), then escalated ones."""
    C = CallRecord
    rows = list(C.for_shop(shop).where(C.request_status.in_([C.R_OPEN, C.R_ESCALATED]))
                .order_by(C.request_due_at, C.id))
    for call in rows:
        call.state = request_state(call, now)
    order = {'breached': 0, 'due_soon': 1, 'open': 2, 'escalated': 3}
    return sorted(rows, key=lambda c: order.get(c.state, 9))


def answer_request(call, by, *, answer, told_channel, told_at=None, expected_version=None):
    """The customer was told the answer to their request: when, how, what."""
    shop = shop_of(call)
    answer = (answer or '').strip()
    require_move(REQUESTS, call, CallRecord.R_ANSWERED, _l('This request has no open question to answer.'))
    require_told(answer, told_channel)
    told_at = told_at or utcnow()
    with transaction():
        REQUESTS.move(call, CallRecord.R_ANSWERED, expected_version=expected_version, answer=answer,
                      answered_at=told_at, answered_by=by.id if by else None, told_channel=told_channel)
        rtype, rid = audit_target(call, 'call_record')
        audit.record('followup.request_answered', rtype, rid, shop=shop, actor=by,
                     after={'call': call.id, 'told_at': told_at, 'told_channel': told_channel,
                            'late': told_at > call.request_due_at if call.request_due_at else False})
    return call


def escalate_request(call, by, *, to, note='', expected_version=None):
    """Report a request the caller cannot answer to the supervisor (a service manager)."""
    shop = shop_of(call)
    require_move(REQUESTS, call, CallRecord.R_ESCALATED, _l('Only an open request can be escalated.'))
    if to is None or to.id not in {u.id for u in supervisors(shop)}:
        raise Refused(_l('Escalate to a service manager of this shop.'))
    now = utcnow()
    with transaction():
        REQUESTS.move(call, CallRecord.R_ESCALATED, expected_version=expected_version, escalated_at=now,
                      escalated_by=by.id if by else None, escalated_to=to.id)
        rtype, rid = audit_target(call, 'call_record')
        audit.record('followup.request_escalated', rtype, rid, shop=shop, actor=by, note=note,
                     after={'call': call.id, 'escalated_to': to.id, 'late': now > call.request_due_at})
    return call
