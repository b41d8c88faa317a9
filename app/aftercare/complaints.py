"""Complaints (投诉): whoever logs one owns it (首问负责制) until they hand it on; its first response is due within
24 hours and a major problem is handled (resolved) within 48 (003: app.core.deadlines.complaint_dues); a first
answer that is late is escalated to the service manager; then investigation, resolution, close.

A complaint goes open → answered → resolved → closed (or straight from open to resolved): COMPLAINTS.
"""

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.aftercare.models import Complaint, ComplaintHandover
from app.aftercare.shared import (NotYours, audit_target, require_move, require_told, shop_of,
                                  supervisors)
from app.core import audit, deadlines
from app.core.access import MANAGER
from app.core.db import transaction, utcnow
from app.core.errors import Refused
from app.core.machine import Machine
from app.core.settings import get_setting
from app.core.validators import format_phone

COMPLAINTS = Machine(field='status', labels=Complaint.STATUSES,
                     moves={Complaint.OPEN: {Complaint.ANSWERED, Complaint.RESOLVED},
                            Complaint.ANSWERED: {Complaint.RESOLVED},
                            Complaint.RESOLVED: {Complaint.CLOSED},
                            Complaint.CLOSED: set()},
                     illegal=lambda a, b: _l('A complaint cannot go from "%(a)s" to "%(b)s".', a=a, b=b))


def first_answer_window(shop):
    """How long the shop has to give a complaint its first answer."""
    return deadlines.complaint_answer_limit(deadlines.shop_settings(shop))


def _require_severity(severity):
    if severity not in Complaint.SEVERITIES:
        raise Refused(_l('Choose how serious the complaint is.'), field='severity')


def log_complaint(shop, by, *, channel, content, contact='', customer=None, order=None, logged_at=None,
                  severity=Complaint.NORMAL):
    """Anyone on staff logs a complaint and owns it (首问负责制); the first response is due in 24 hours, a major
    problem handled in 48 (`complaint_first_response_hours`, `complaint_major_handled_hours`)."""
    _require_severity(severity)
    content, contact = (content or '').strip(), (contact or '').strip()
    if channel not in Complaint.CHANNELS:
        raise Refused(_l('Choose how the complaint came in.'))
    if not content:
        raise Refused(_l('Write down what the customer complains about.'))
    if order is not None and customer is None:
        customer = order.customer
    if not contact and customer is not None:
        contact = '%s %s' % (customer.name, format_phone(customer.phone))
    if not contact:
        raise Refused(_l('Write down who complained and how to reach them.'))
    logged_at = logged_at or utcnow()
    with transaction():
        due, handled_due = deadlines.complaint_dues(logged_at, severity == Complaint.MAJOR,
                                                    deadlines.shop_settings(shop))
        c = Complaint.create(shop=shop, logged_at=logged_at, logged_by=by, owner=by, channel=channel,
                             customer=customer, contact=contact[:120], order=order, content=content,
                             severity=severity, first_answer_due_at=due, handled_due_at=handled_due)
        rtype, rid = audit_target(c, 'complaint')
        audit.record('complaint.logged', rtype, rid, shop=shop, actor=by,
                     after={'complaint': c.id, 'channel': channel, 'owner': getattr(by, 'id', None),
                            'severity': severity, 'first_answer_due_at': c.first_answer_due_at,
                            'handled_due_at': c.handled_due_at})
    return c


def may_handle(complaint, user):
    """Its owner, the manager it was escalated to, or any service manager."""
    return user is not None and (user.id in (complaint.owner_id, complaint.escalated_to_id) or user.has_role(MANAGER))


def require_handler(complaint, user):
    """Refuse (403) anyone who may not handle the complaint."""
    if not may_handle(complaint, user):
        raise NotYours(_l('Only the complaint\'s owner or a service manager can do this.'))


def _complaint_event(complaint, action, by, note='', **after):
    rtype, rid = audit_target(complaint, 'complaint')
    audit.record(action, rtype, rid, shop=complaint.shop_id, actor=by, note=note,
                 after=dict(complaint=complaint.id, **after))


def handover_candidates(complaint):
    shop = shop_of(complaint)
    return [u for u in User.in_shop(shop).where(User.active == True).order_by(User.display_name)  # noqa: E712
            if u.id != complaint.owner_id]


def hand_over(complaint, by, to_user, *, note='', expected_version=None):
    """The owner hands the complaint on; the handover is recorded and the new person owns it."""
    require_handler(complaint, by)
    if complaint.status == Complaint.CLOSED:
        raise Refused(_l('This complaint is closed.'))
    if to_user is None or to_user.id not in {u.id for u in handover_candidates(complaint)}:
        raise Refused(_l('Hand it to someone else on the staff of this shop.'))
    with transaction():
        frm = complaint.owner_id
        complaint.update_versioned(expected_version, owner=to_user.id)
        ComplaintHandover.create(shop=complaint.shop_id, complaint=complaint, from_user=frm, to_user=to_user,
                                 note=(note or '').strip()[:200])
        _complaint_event(complaint, 'complaint.handed_over', by, note=note, from_user=frm, to_user=to_user.id)
    return complaint


def investigate(complaint, by, *, investigation, cause_category, service_fault, expected_version=None,
                severity=None):
    """Investigation notes, the cause, whether it was service's fault (for the KPI complaint rate) and how serious
    it is: a complaint found to be a major problem is due handled 48 hours after it was logged."""
    require_handler(complaint, by)
    severity = severity or complaint.severity
    _require_severity(severity)
    if complaint.status == Complaint.CLOSED:
        raise Refused(_l('This complaint is closed.'))
    if cause_category and cause_category not in Complaint.CAUSES:
        raise Refused(_l('Choose a cause from the list.'))
    with transaction():
        _first, handled_due = deadlines.complaint_dues(complaint.logged_at, severity == Complaint.MAJOR,
                                                       deadlines.shop_settings(shop_of(complaint)))
        complaint.update_versioned(expected_version, investigation=(investigation or '').strip(),
                                   cause_category=cause_category or '', service_fault=service_fault,
                                   severity=severity, handled_due_at=handled_due)
        _complaint_event(complaint, 'complaint.investigated', by, cause=cause_category, service_fault=service_fault,
                         severity=severity)
    return complaint


def first_answer(complaint, by, *, answer, told_channel, at=None, expected_version=None):
    """The customer got a first answer (when, how, what): this is what the 24-hour deadline measures."""
    require_handler(complaint, by)
    answer = (answer or '').strip()
    if complaint.first_answer_at is not None:
        raise Refused(_l('The customer already had a first answer.'))
    require_move(COMPLAINTS, complaint, Complaint.ANSWERED, _l('The customer already had a first answer.'))
    require_told(answer, told_channel)
    at = at or utcnow()
    with transaction():
        COMPLAINTS.move(complaint, Complaint.ANSWERED, expected_version=expected_version, first_answer_at=at,
                        first_answer=answer, customer_told_at=at, told_channel=told_channel)
        _complaint_event(complaint, 'complaint.first_answer', by, at=at, told_channel=told_channel,
                         late=at > complaint.first_answer_due_at)
    return complaint


def resolve(complaint, by, *, resolution, told_channel, satisfaction=None, told_at=None, expected_version=None):
    """The complaint is resolved and the customer told; their satisfaction with the answer is kept."""
    require_handler(complaint, by)
    resolution = (resolution or '').strip()
    require_move(COMPLAINTS, complaint, Complaint.RESOLVED, _l('This complaint is already resolved.'))
    if not complaint.cause_category:
        raise Refused(_l('Record the cause first (investigation), so the analysis counts it.'))
    if not resolution:
        raise Refused(_l('Write down the resolution.'))
    if told_channel not in Complaint.CHANNELS:
        raise Refused(_l('Choose how the customer was told.'))
    if satisfaction is not None and not 1 <= int(satisfaction) <= 5:
        raise Refused(_l('Satisfaction is a score from 1 to 5.'))
    told_at = told_at or utcnow()
    changes = dict(resolution=resolution, customer_told_at=told_at, told_channel=told_channel,
                   customer_satisfaction=satisfaction)
    if complaint.first_answer_at is None:
        changes.update(first_answer_at=told_at, first_answer=resolution)
    with transaction():
        COMPLAINTS.move(complaint, Complaint.RESOLVED, expected_version=expected_version, **changes)
        _complaint_event(complaint, 'complaint.resolved', by, told_at=told_at, told_channel=told_channel,
                         satisfaction=satisfaction)
    return complaint


def close_complaint(complaint, by, *, expected_version=None):
    """Close a resolved complaint."""
    require_handler(complaint, by)
    require_move(COMPLAINTS, complaint, Complaint.CLOSED, _l('Only a resolved complaint can be closed.'))
    with transaction():
        COMPLAINTS.move(complaint, Complaint.CLOSED, expected_version=expected_version)
        _complaint_event(complaint, 'complaint.closed', by)
    return complaint


def overdue_complaints(shop, now):
    """Complaints past their first-answer deadline and not yet escalated (query, not run)."""
    C = Complaint
    return C.for_shop(shop).where(C.first_answer_at.is_null() & C.escalated_at.is_null()
                                  & (C.status == C.OPEN) & (C.first_answer_due_at <= now))


def escalate_overdue_complaints(shop, now=None):
    """Escalate every complaint without a first answer by its deadline to the service manager.

    Recorded on each complaint (escalated_at, escalated_to) and in the audit trail, even when the
    shop has no manager to give it to. Returns the complaints escalated.
    """
    now = now or utcnow()
    done = []
    with transaction():
        boss = next(iter(supervisors(shop)), None)
        for c in overdue_complaints(shop, now).order_by(Complaint.id):
            c.update_versioned(escalated_at=now, escalated_to=boss.id if boss else None)
            hours = get_setting(shop, 'complaint_first_response_hours')
            note = ('No first answer within %d hours' % hours) + ('' if boss else '; no service manager in this shop')
            _complaint_event(c, 'complaint.escalated', None, note=note, escalated_to=boss.id if boss else None,
                             due_at=c.first_answer_due_at)
            done.append(c)
    return done


def handled_state(complaint, now):
    """For a major problem: 'handled' (resolved by its deadline), 'handled_late', 'breached' (past it, not
    resolved), 'due_soon' or 'open'; None for a normal complaint."""
    due = complaint.handled_due_at
    if due is None:
        return None
    if complaint.status in (Complaint.RESOLVED, Complaint.CLOSED):
        return 'handled' if complaint.customer_told_at and complaint.customer_told_at <= due else 'handled_late'
    if now >= due:
        return 'breached'
    return 'due_soon' if due - now <= warning(complaint.handled_due_at - complaint.logged_at) else 'open'


def warning(window):
    """How long before a complaint's deadline the lists warn: the last quarter of its window (6 of 24 hours)."""
    return window / 4


def answer_state(complaint, now):
    """'answered', 'breached' (past the first-answer deadline) or 'due_soon' / 'open'."""
    if complaint.first_answer_at is not None:
        return 'answered'
    if now >= complaint.first_answer_due_at:
        return 'breached'
    due = complaint.first_answer_due_at
    return 'due_soon' if due - now <= warning(due - complaint.logged_at) else 'open'

