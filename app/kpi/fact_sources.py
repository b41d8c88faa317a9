"""The KPI sources counted from the facts (app.kpi.facts): the same rows and columns as the sources of
app.kpi.figures that read the records, from one narrow table each, without a lookup per row.

Each step rule here is its twin in figures (`_c_*`) with the durations the facts store in whole seconds;
tests/kpi/test_facts.py checks every figure against the records-based sources on the known month.
"""
import peewee as pw
from peewee import Case

from app.core import stages
from app.core.access import ADVISOR, FOREMAN, TECHNICIAN
from app.kpi.figures import (DISTINCT, LATE, NOT_A_REPAIR, ON_TIME, SKIPPED, _clocked_only, _done, _flag, _status,
                             _window)
from app.kpi.models import KpiClockFact, KpiLineFact, KpiOrderFact, KpiSettlementFact
from app.kpi.periods import epoch


def _in_window(f, ctx):
    """A progress check in the window: as the facts worked it out, or afresh when the settings differ."""
    from app.workshop.models import ProgressCheck
    lo, hi = _window(ctx)
    pc = ProgressCheck.alias('pcw')
    since = epoch(pc.checked_at) - epoch(f.checked_in_at)
    fresh = _flag(pw.fn.EXISTS(pc.select(pw.SQL('1')).where(
        (pc.order == f.order_id) & (since * 100 >= f.promise_s * lo) & (since * 100 <= f.promise_s * hi))))
    return Case(None, [((f.win_lo == lo) & (f.win_hi == hi), f.in_window)], fresh)


def delivered(ctx):
    F = KpiOrderFact
    who = ctx.who({ADVISOR: F.advisor_id, FOREMAN: F.accepted_by})
    if who is None:
        return None
    limit = int(ctx.setting('foreman_acceptance_minutes')) * 60
    long_s = int(ctx.setting('long_job_days')) * 86400
    short_h, long_h = int(ctx.setting('pickup_notice_short_hours')), int(ctx.setting('pickup_notice_long_hours'))
    lead = Case(None, [(F.promise_s >= long_s, long_h * 3600)], short_h * 3600)
    days = int(ctx.setting('maintenance_settlement_days'))
    today = min(ctx.today(tz) for tz in ctx.b.zones)
    local = F.first_call_e + ctx.b.offset(F.shop_id)
    cols = {
        'k': ctx.b.bucket(F.shop_id, F.delivered_at),
        'cars': pw.Value(1),
        'promised': _flag(F.promised_at.is_null(False)),
        'on_time': _flag(F.promised_at.is_null(False) & (F.delivered_at <= F.promise)),
        'c_walkaround': _status([
            ((F.walked == 0) | F.signed_at.is_null(), SKIPPED),
            (F.accepted_at.is_null(False) & (F.signed_at > F.accepted_at), LATE)], ON_TIME),
        'c_belongings': _status([((F.valuables_reminded == True) & F.signed_at.is_null(False), ON_TIME)],  # noqa: E712
                                SKIPPED),
        'c_acceptance': _status([
            (F.checked_in_at.is_null(), None),
            (F.accepted_at.is_null(), SKIPPED),
            (F.accept_s <= limit, ON_TIME)], LATE),
        'c_progress': _status([
            (F.checked_in_at.is_null() | F.promised_at.is_null(), None),
            (_in_window(F, ctx) == 1, ON_TIME),
            (F.checked == 1, LATE)], SKIPPED),
        'c_pickup': _status([
            (F.promised_at.is_null() | F.checked_in_at.is_null(), None),
            (F.first_notice.is_null(), SKIPPED),
            (F.notice_margin_s >= lead, ON_TIME)], LATE),
        'c_settlement': _status([
            (F.maintenance == 0, None),
            (F.settled_at.is_null(), SKIPPED),
            (F.settle_s <= days * 86400, ON_TIME)], LATE),
        'c_followup': _status([
            (F.fu_by.is_null(), None),
            (F.first_call.is_null() & (F.fu_by >= today), None),
            (F.first_call.is_null(), SKIPPED),
            ((local >= F.fu_from_e) & (local < F.fu_by_e + 86400), ON_TIME)], LATE),
    }
    q = (F.select(*[v.alias(n) for n, v in cols.items()])
         .where(ctx.b.within(F.shop_id, F.delivered_at) & F.stage.not_in(list(NOT_A_REPAIR))))
    return _done(q, who, cols)


def settled(ctx):
    F = KpiSettlementFact
    who = ctx.who({ADVISOR: F.advisor_id})
    if who is None:
        return None
    cols = {'k': ctx.b.bucket(F.shop_id, F.settled_at), 'settlements': pw.Value(1),
            'labour': F.labour, 'parts': F.parts, 'discount': F.discount,
            'hours_sold': F.hours_sold, 'order_clocked_s': F.order_clocked_s}
    q = (F.select(*[v.alias(n) for n, v in cols.items()])
         .where(ctx.b.within(F.shop_id, F.settled_at) & (F.status != 'draft')))
    return _done(q, who, cols)


def clocks(ctx):
    """Hours clocked on jobs (figures.src_clocks) and, in the same pass, the technician-days present
    (figures.src_present: distinct technician and local day, counted with COUNT(DISTINCT …))."""
    F = KpiClockFact
    who = ctx.who({TECHNICIAN: F.technician_id})
    if who is None:
        return None
    day = (F.started_e + ctx.b.offset(F.shop_id)) / 86400
    cols = {'k': ctx.b.bucket(F.shop_id, F.started_at),
            'clocked_s': Case(None, [(F.order_id.is_null(False), F.clocked_s)], None),
            'present_days': day * 100000000 + F.technician_id}
    q = F.select(*[v.alias(n) for n, v in cols.items()]).where(ctx.b.within(F.shop_id, F.started_at))
    q, kinds = _done(q, who, cols)
    kinds['present_days'] = DISTINCT
    return q, kinds


def lines(ctx):
    F = KpiLineFact
    who = ctx.who({TECHNICIAN: F.technician_id})
    if who is None:
        return None
    cols = {'k': ctx.b.bucket(F.shop_id, F.delivered_at),
            'lines': pw.Value(1), 'sold_h': F.labour_hours, 'line_clocked_s': F.clocked_s,
            'clocked_sold_h': _clocked_only(F.labour_hours, F.clocked_s), 'unclocked': _flag(F.clocked_s <= 0),
            'first_pass': _flag(F.qc_failures == 0), 'reworked': _flag(F.qc_failures > 0)}
    q = (F.select(*[v.alias(n) for n, v in cols.items()])
         .where(ctx.b.within(F.shop_id, F.delivered_at) & F.stage.not_in(list(NOT_A_REPAIR))
                & (F.status == stages.LINE_DONE)))
    return _done(q, who, cols)


SOURCES = {'delivered': delivered, 'settled': settled, 'clocks': clocks, 'present': clocks, 'lines': lines}
