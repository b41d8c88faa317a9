"""When each rulebook step falls due: one home for "due" and "late".

The process-compliance figures (app.kpi.steps, app.kpi.sources) measure each step afterwards; the work queues
(app.queues) put the same deadline in front of the person who must act before it passes. Both read the
deadline here, from the same settings, so a step that is late on the dashboard was red in someone's queue first
(tests/queues/test_steps.py holds them together, one test per step).

Every function takes `setting`: a callable key -> value (`shop_settings(shop)`, or the KPI context's
`ctx.setting`). A step's deadline is given as a time (for a record still open) and, where the KPIs compare in
SQL, as the number or expression they compare with.
"""
from datetime import timedelta
from decimal import Decimal

from peewee import Case

from app.core.settings import DEFAULTS, get_setting


def shop_settings(shop):
    """`setting` for one shop: each key read once (the rulebook default when the shop set none)."""
    seen = {}

    def setting(key):
        if key not in seen:
            seen[key] = get_setting(shop, key) if key in DEFAULTS else None
        return seen[key]
    return setting


# --- foreman acceptance (进车间): signed into the workshop within N minutes of check-in ------------------
# The rulebook (001) asks for the sign-in time written precise to ten minutes, a precision the system meets by
# stamping it; the N-minute target is the shop's own (app.core.setting_sources).

def acceptance_limit(setting):
    return timedelta(minutes=int(setting('foreman_acceptance_minutes')))


def acceptance_due(checked_in_at, setting):
    """On time when accepted at or before this (KPI: accept_s <= limit)."""
    return checked_in_at + acceptance_limit(setting) if checked_in_at else None


# --- progress check (查询进度): 50-80 % of the promised duration ------------------------------------------

def progress_window(setting):
    """The window as whole percents of the promised duration, as the step rule compares it."""
    return (int(Decimal(setting('progress_check_from')) * 100), int(Decimal(setting('progress_check_to')) * 100))


def progress_window_times(checked_in_at, promise, setting):
    """(opens, closes) of an order's progress-check window, both included: lo-hi % of check-in to the original
    promise (RepairOrder.original_promised_at, else the current one)."""
    if not checked_in_at or not promise or promise <= checked_in_at:
        return None
    lo, hi = progress_window(setting)
    span = promise - checked_in_at
    return checked_in_at + span * lo / 100, checked_in_at + span * hi / 100


# --- pickup notice (通知客户接车): 1 h ahead, 4 h for a job of two days or more ---------------------------

def pickup_leads(setting):
    """(a long job from, the short lead, the long lead)."""
    return (timedelta(days=int(setting('long_job_days'))), timedelta(hours=int(setting('pickup_notice_short_hours'))),
            timedelta(hours=int(setting('pickup_notice_long_hours'))))


def pickup_lead(checked_in_at, original_promise, setting):
    """How long before the promised time the customer is told: by the job's length from check-in to its
    original promise."""
    long_from, short, long_ = pickup_leads(setting)
    if checked_in_at and original_promise and original_promise - checked_in_at >= long_from:
        return long_
    return short


def pickup_lead_seconds_sql(promise_s, setting):
    """SQL: `pickup_lead` in seconds, for a job `promise_s` seconds from check-in to its original promise."""
    long_from, short, long_ = pickup_leads(setting)
    return Case(None, [(promise_s >= int(long_from.total_seconds()), int(long_.total_seconds()))],
                int(short.total_seconds()))


def pickup_due(promised_at, lead):
    """On time when the first notice is sent at or before this (KPI: promised - sent >= lead)."""
    return promised_at - lead if promised_at else None


# --- maintenance orders settled within N days of becoming ready ----------------------------------------

def settlement_limit(setting):
    return timedelta(days=int(setting('maintenance_settlement_days')))


def settlement_due(ready_at, setting):
    """On time when settled at or before this (KPI: settle_s <= limit)."""
    return ready_at + settlement_limit(setting) if ready_at else None


# --- appointment reminder: at least half a day before ---------------------------------------------------

def reminder_lead(setting):
    return timedelta(hours=int(setting('appointment_reminder_half_day_hours')))


def reminder_due(start_at, setting):
    """On time when reminded at or before this (KPI: start - reminded >= the half-day lead)."""
    return start_at - reminder_lead(setting)


# --- added work: the advisor calls the customer at once ------------------------------------------------

def added_work_due(requested_at, setting):
    """The customer's answer is wanted "at once" (DOMAIN.md step 9): red after `added_work_answer_minutes`. The KPI
    counts an item still undecided when the car leaves the workshop as skipped."""
    return requested_at + timedelta(minutes=int(setting('added_work_answer_minutes')))


# --- follow-up calls and complaints: the deadline is stored on the record --------------------------------

def followup_window(picked_up_day, setting):
    """(due_from, due_by) local days of the first follow-up call, both included (FollowUpTask.due_from/due_by)."""
    return (picked_up_day + timedelta(days=int(setting('followup_first_from_days'))),
            picked_up_day + timedelta(days=int(setting('followup_first_to_days'))))


def second_followup_window(first_call_day, setting):
    """(due_from, due_by) local days of the second call: within 7 days after the week that follows the first
    (001 "一周后7天以内"): days 7 to 14 after the first call, both included."""
    after = int(setting('followup_second_after_days'))
    return (first_call_day + timedelta(days=after),
            first_call_day + timedelta(days=after + int(setting('followup_second_within_days'))))


def followup_late(due_by, today):
    """A call not made by the end of its last day is late (KPI: skipped once due_by has passed)."""
    return due_by < today


def complaint_answer_limit(setting):
    """A complaint's first response is due this long after it was logged (Complaint.first_answer_due_at): 24 h
    (003)."""
    return timedelta(hours=int(setting('complaint_first_response_hours')))


def complaint_handled_limit(setting):
    """A major problem is handled (resolved) this long after it was logged (Complaint.handled_due_at): 48 h (003)."""
    return timedelta(hours=int(setting('complaint_major_handled_hours')))


def complaint_dues(logged_at, major, setting):
    """(first response due, handled due or None): every complaint answered within 24 h, a major one resolved
    within 48 h."""
    return (logged_at + complaint_answer_limit(setting),
            logged_at + complaint_handled_limit(setting) if major else None)


def announce_from(starts_on, setting):
    """The day an activity's notices go out: a week ahead (001 "提前一周")."""
    return starts_on - timedelta(days=int(setting('event_notice_days')))


def escalate_limit(setting):
    """A customer's request from a follow-up call is answered or escalated within this (CallRecord.request_due_at)."""
    return timedelta(days=int(setting('escalate_request_days')))
