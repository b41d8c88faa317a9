"""The process-compliance steps of a delivered repair order: every time the step rules compare, looked up once
per order, and each step's rule (on time, late or skipped) as SQL over those times.

The facts (app.kpi.facts) store an order's times and durations (`order_fact_select`, `durations`) and
app.kpi.fact_sources classifies a KpiOrderFact with `delivered_columns`; the records-based source
(app.kpi.sources.src_delivered) reads the same times from the records (`delivered_raw`, `OrderTimes`) and
classifies them with the same rules, so the two cannot disagree (tests/kpi/test_facts.py holds them together).
"""
import json

import peewee as pw
from peewee import JOIN, SQL, fn

from app.aftercare.models import CallRecord, FollowUpTask
from app.core import deadlines
from app.core.models import Event, Signature
from app.core.periods import epoch, seconds_between
from app.kpi.figure import LATE, ON_TIME, SKIPPED
from app.kpi.sql import flag, progress_window, scalar, status_case
from app.messages.models import Message
from app.reception.models import RepairOrder, WalkaroundMark
from app.settlement.models import Settlement
from app.settlement.rules import SETTLE_STAGES
from app.workshop.models import ProgressCheck

# --- an order's times ------------------------------------------------------------------------------------

def original_promise(order_alias):
    """The promise timeliness is measured by (RepairOrder.original_promised_at; the current one if none)."""
    return fn.COALESCE(order_alias.original_promised_at, order_alias.promised_at)


def _times(RO, lo100, hi100):
    """Per order, every time the step rules compare, each looked up once: ({name: SQL}, the follow-up task alias)."""
    sig, mark, pc, m = Signature.alias('sg'), WalkaroundMark.alias('wm'), ProgressCheck.alias('pc1'), Message.alias('mp')
    ev, st = Event.alias('ev'), Settlement.alias('st')
    ft, cr = FollowUpTask.alias('ft'), CallRecord.alias('cr')
    promise = original_promise(RO)
    marks = [json.dumps({'stage': s}, sort_keys=True) for s in SETTLE_STAGES]
    return {
        'checked_in_at': RO.checked_in_at, 'promised_at': RO.promised_at, 'accepted_at': RO.accepted_at,
        'valuables_reminded': RO.valuables_reminded,
        'promise': promise,
        'walked': flag(((RO.checks != '{}') & (RO.checks != ''))
                       | fn.EXISTS(mark.select(SQL('1')).where(mark.order == RO.id))),
        'signed_at': scalar(sig.select(fn.MIN(sig.signed_at))
                            .where((sig.order == RO.id) & (sig.purpose == 'repair_order'))),
        'in_window': checked_in_window(RO.id, RO.checked_in_at, epoch(promise) - epoch(RO.checked_in_at),
                                       (lo100, hi100)),
        'checked': flag(fn.EXISTS(pc.select(SQL('1')).where(pc.order == RO.id))),
        'first_notice': scalar(m.select(fn.MIN(m.sent_at)).where((m.order == RO.id)
                                                                 & m.kind.in_(['pickup_notice', 'late_notice'])
                                                                 & (m.status == 'sent'))),
        'maintenance': flag(RepairOrder.maintenance_where(RO)),
        'ready_at': scalar(ev.select(fn.MIN(ev.at)).where((ev.record_type == 'repair_order')
                                                          & (ev.record_id == RO.id) & (ev.action == 'order.stage')
                                                          & ev.after.in_(marks))),
        'settled_at': scalar(st.select(fn.MIN(st.settled_at)).where((st.order == RO.id)
                                                                    & Settlement.settled_where(st))),
        'fu_from': ft.due_from, 'fu_by': ft.due_by,
        'first_call': scalar(cr.select(fn.MIN(cr.called_at)).where(cr.task == ft.id)),
    }, ft


def checked_in_window(order_id, checked_in_at, duration, window, alias='pc1'):
    """SQL: 1 when the order had a progress check once lo–hi % (`window`, whole percents) of its promised
    duration (seconds from check-in to the original promise) had passed, else 0."""
    pc = ProgressCheck.alias(alias)
    since = epoch(pc.checked_at) - epoch(checked_in_at)
    lo100, hi100 = window
    return flag(fn.EXISTS(pc.select(SQL('1')).where(
        (pc.order == order_id) & (since * 100 >= duration * lo100) & (since * 100 <= duration * hi100))))


def _with_times(RO, window, *own):
    """RO.select(own columns, then every time the step rules compare by name), the first follow-up task joined."""
    times, ft = _times(RO, *window)
    return (RO.select(*own, *[v.alias(n) for n, v in times.items()])
            .join(ft, JOIN.LEFT_OUTER, on=((ft.order == RO.id) & (ft.kind == 'first'))))


def delivered_raw(ctx, RO):
    """Per delivered order, every time the step rules compare, with what a drill-down row shows (order_id, ref,
    at, amount, shop_id) and its bucket `k`: the records' source reads it as a materialised CTE."""
    return _with_times(RO, progress_window(ctx), RO.id.alias('order_id'), RO.number.alias('ref'),
                       RO.delivered_at.alias('at'), RO.shop.alias('shop_id'), pw.Value(None).alias('amount'),
                       ctx.b.bucket(RO.shop, RO.delivered_at).alias('k'))


def order_fact_select(RO, lo100, hi100):
    """The KpiOrderFact columns of every order (app.kpi.facts narrows it to the orders to refresh)."""
    return _with_times(RO, (lo100, hi100), RO.id.alias('order_id'), RO.shop.alias('shop_id'),
                       RO.number.alias('number'), RO.stage.alias('stage'), RO.advisor.alias('advisor_id'),
                       RO.accepted_by.alias('accepted_by'), RO.delivered_at.alias('delivered_at'),
                       pw.Value(lo100).alias('win_lo'), pw.Value(hi100).alias('win_hi'))


def durations(r):
    """The durations the step rules compare, from an order's times `r`: whole seconds, and epoch seconds for the
    first follow-up call and its window. The facts store them; the records' OrderTimes works them out."""
    return {
        'accept_s': seconds_between(r.checked_in_at, r.accepted_at),
        'promise_s': seconds_between(r.checked_in_at, r.promise),
        'notice_margin_s': seconds_between(r.first_notice, r.promised_at),
        'settle_s': epoch(r.settled_at) - epoch(fn.COALESCE(r.ready_at, r.checked_in_at)),
        'first_call_e': epoch(r.first_call), 'fu_from_e': epoch(r.fu_from), 'fu_by_e': epoch(r.fu_by),
    }


class OrderTimes:
    """An order's times by name from the records' CTE (`delivered_raw`), with its durations worked out in SQL: the
    step rules read it as they read a KpiOrderFact. (The CTE calls the delivery time `at`, as a drill-down row.)"""

    def __init__(self, cte):
        self.__dict__.update(durations(cte.c), delivered_at=cte.c.at, _cte=cte)

    def __getattr__(self, name):
        return getattr(self._cte.c, name)


# --- the step rules --------------------------------------------------------------------------------------

def walkaround(r):
    """Walk-around with signature: the checklist (or a mark) recorded and the customer's signature on the order.
    On time when signed before the foreman took the car in; late when signed after; skipped without either."""
    return status_case([
        ((r.walked == 0) | r.signed_at.is_null(), SKIPPED),
        (r.accepted_at.is_null(False) & (r.signed_at > r.accepted_at), LATE),
    ], ON_TIME)


def belongings(r):
    """Belongings list signed: the list (and the valuables reminder) done and signed with the order."""
    return status_case([((r.valuables_reminded == True) & r.signed_at.is_null(False), ON_TIME)],  # noqa: E712
                       SKIPPED)


def acceptance(r, ctx):
    """Foreman acceptance: signed into the workshop within `foreman_acceptance_minutes` of check-in
    (app.core.deadlines.acceptance_due)."""
    limit = int(deadlines.acceptance_limit(ctx.setting).total_seconds())
    return status_case([
        (r.checked_in_at.is_null(), None),
        (r.accepted_at.is_null(), SKIPPED),
        (r.accept_s <= limit, ON_TIME),
    ], LATE)


def progress(r, in_window):
    """Progress check in the window: a check when 50–80% of the promised duration (check-in to the
    original promise) had passed is on time; checks only outside the window are late; none is skipped."""
    return status_case([
        (r.checked_in_at.is_null() | r.promised_at.is_null(), None),
        (in_window == 1, ON_TIME),
        (r.checked == 1, LATE),
    ], SKIPPED)


def pickup(r, ctx):
    """Pickup notice on time: the first pickup or late notice sent at least the lead time (1 h, or 4 h for a
    job of `long_job_days` or more from check-in to its original promise) before the (latest) promised time
    (app.core.deadlines.pickup_lead, pickup_due)."""
    lead = deadlines.pickup_lead_seconds_sql(r.promise_s, ctx.setting)
    return status_case([
        (r.promised_at.is_null() | r.checked_in_at.is_null(), None),
        (r.first_notice.is_null(), SKIPPED),
        (r.notice_margin_s >= lead, ON_TIME),
    ], LATE)


def settlement(r, ctx):
    """Maintenance orders settled within `maintenance_settlement_days` of becoming ready (the first
    move to wash or pickup on the timeline; check-in when there is none); unsettled is skipped
    (app.core.deadlines.settlement_due)."""
    limit = int(deadlines.settlement_limit(ctx.setting).total_seconds())
    return status_case([
        (r.maintenance == 0, None),
        (r.settled_at.is_null(), SKIPPED),
        (r.settle_s <= limit, ON_TIME),
    ], LATE)


def not_due_yet(r, ctx):
    """SQL: the first follow-up call is not made and not yet due: the only mark of a delivered order that changes
    with the day it is counted on (app.kpi.rollup counts such orders' days live)."""
    return r.first_call.is_null() & (r.fu_by >= ctx.first_today())


def followup(r, ctx):
    """First follow-up call on a local day from `followup_first_from_days` to `followup_first_to_days` after
    pickup (the task's due_from..due_by); a first attempt outside is late; no call once due_by passed is
    skipped; not due yet is not counted."""
    local = r.first_call_e + ctx.b.offset(r.shop_id)
    return status_case([
        (r.fu_by.is_null(), None),
        (not_due_yet(r, ctx), None),
        (r.first_call.is_null(), SKIPPED),
        ((local >= r.fu_from_e) & (local < r.fu_by_e + 86400), ON_TIME),
    ], LATE)


def delivered_columns(r, ctx, in_window):
    """{column: SQL} of a delivered order over its times `r` (a KpiOrderFact, or the records' OrderTimes): counted
    (cars), with a promise, handed back by the original promise (on_time) and each compliance step's mark (c_*).
    `in_window`: 1 when a progress check fell in the window of the current settings."""
    return {
        'cars': pw.Value(1),
        'promised': flag(r.promised_at.is_null(False)),
        'on_time': flag(r.promised_at.is_null(False) & (r.delivered_at <= r.promise)),
        'c_walkaround': walkaround(r),
        'c_belongings': belongings(r),
        'c_acceptance': acceptance(r, ctx),
        'c_progress': progress(r, in_window),
        'c_pickup': pickup(r, ctx),
        'c_settlement': settlement(r, ctx),
        'c_followup': followup(r, ctx),
    }
