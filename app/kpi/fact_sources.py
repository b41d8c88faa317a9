"""The KPI sources counted from the facts (app.kpi.facts): the same rows and columns as the sources of
app.kpi.sources that read the records, from one narrow table each, without a lookup per row.

The delivered orders' compliance steps are app.kpi.steps' rules, read over the durations the facts store in whole
seconds; tests/kpi/test_facts.py checks every figure against the records-based sources on the known month.
"""
import peewee as pw
from peewee import Case

from app.core import stages
from app.core.access import ADVISOR, FOREMAN, TECHNICIAN
from app.kpi.models import KpiClockFact, KpiLineFact, KpiOrderFact, KpiSettlementFact
from app.kpi.sql import DISTINCT, NOT_A_REPAIR, clocked_only, flag, narrowed, progress_window, selecting
from app.kpi.steps import checked_in_window, delivered_columns
from app.warranty import comebacks


def _in_window(f, ctx):
    """A progress check in the window: as the facts worked it out, or afresh when the settings differ."""
    lo, hi = progress_window(ctx)
    fresh = checked_in_window(f.order_id, f.checked_in_at, f.promise_s, (lo, hi), alias='pcw')
    return Case(None, [((f.win_lo == lo) & (f.win_hi == hi), f.in_window)], fresh)


def delivered(ctx):
    F = KpiOrderFact
    who = ctx.who({ADVISOR: F.advisor_id, FOREMAN: F.accepted_by})
    if who is None:
        return None
    cols = {'k': ctx.b.bucket(F.shop_id, F.delivered_at), **delivered_columns(F, ctx, _in_window(F, ctx))}
    q = selecting(F, cols).where(ctx.b.within(F.shop_id, F.delivered_at) & F.stage.not_in(list(NOT_A_REPAIR)))
    return narrowed(q, who, cols)


def settled(ctx):
    F = KpiSettlementFact
    who = ctx.who({ADVISOR: F.advisor_id})
    if who is None:
        return None
    cols = {'k': ctx.b.bucket(F.shop_id, F.settled_at), 'settlements': pw.Value(1),
            'labour': F.labour, 'parts': F.parts, 'discount': F.discount,
            'hours_sold': F.hours_sold, 'order_clocked_s': F.order_clocked_s}
    q = selecting(F, cols).where(ctx.b.within(F.shop_id, F.settled_at) & (F.status != 'draft'))
    return narrowed(q, who, cols)


def clocks(ctx):
    """Hours clocked on jobs (sources.src_clocks) and, in the same pass, the technician-days present
    (sources.src_present: distinct technician and local day, counted with COUNT(DISTINCT …))."""
    F = KpiClockFact
    who = ctx.who({TECHNICIAN: F.technician_id})
    if who is None:
        return None
    day = (F.started_e + ctx.b.offset(F.shop_id)) / 86400
    cols = {'k': ctx.b.bucket(F.shop_id, F.started_at),
            'clocked_s': Case(None, [(F.order_id.is_null(False), F.clocked_s)], None),
            'present_days': day * 100000000 + F.technician_id}
    q = selecting(F, cols).where(ctx.b.within(F.shop_id, F.started_at))
    q, kinds = narrowed(q, who, cols)
    kinds['present_days'] = DISTINCT
    return q, kinds


def lines(ctx):
    F = KpiLineFact
    who = ctx.who({TECHNICIAN: F.technician_id})
    if who is None:
        return None
    cols = {'k': ctx.b.bucket(F.shop_id, F.delivered_at),
            'lines': pw.Value(1), 'sold_h': F.labour_hours, 'line_clocked_s': F.clocked_s,
            'clocked_sold_h': clocked_only(F.labour_hours, F.clocked_s), 'unclocked': flag(F.clocked_s <= 0),
            'first_pass': flag(F.qc_failures == 0), 'reworked': flag(F.qc_failures > 0)}
    q = (selecting(F, cols)
         .where(ctx.b.within(F.shop_id, F.delivered_at) & F.stage.not_in(list(NOT_A_REPAIR))
                & (F.status == stages.LINE_DONE)))
    return narrowed(q, who, cols)


def _fix_rows(ctx, cols, *where):
    """The job lines fixes counts, with these columns (F: the line facts)."""
    F, O = KpiLineFact, KpiOrderFact
    who = ctx.who({TECHNICIAN: F.technician_id, ADVISOR: O.advisor_id})
    if who is None:
        return None
    cols = {'k': ctx.b.bucket(F.shop_id, F.delivered_at), **cols}
    q = (selecting(F, cols)
         .where(ctx.b.within(F.shop_id, F.delivered_at) & F.stage.not_in(list(NOT_A_REPAIR))
                & (F.status == stages.LINE_DONE), *where))
    if ctx.role == ADVISOR:
        q = q.join(O, on=(O.order_id == F.order_id))
    return narrowed(q, who, cols)


def fixes(ctx):
    """The job lines fixed the first time or come back (sources.src_fixes) from the line facts; the comeback is
    looked up live (it is recorded after the delivery). Over a long period the lines are stored by day
    (`fix_lines`) and only the lines that came back are counted live (`came_back`), app.kpi.rollup."""
    return _fix_rows(ctx, {'fix_lines': pw.Value(1),
                           'came_back': flag(comebacks.came_back(KpiLineFact.line_id))})


def fix_lines(ctx):
    """fixes without its comebacks: what can be stored by day."""
    return _fix_rows(ctx, {'fix_lines': pw.Value(1)})


def came_back(ctx):
    """fixes' lines that came back, counted live: read from the few comebacks."""
    return _fix_rows(ctx, {'came_back': pw.Value(1)}, KpiLineFact.line_id.in_(comebacks.lines_came_back()))


fixes.stored, fixes.live = fix_lines, came_back


SOURCES = {'delivered': delivered, 'settled': settled, 'clocks': clocks, 'present': clocks, 'lines': lines,
           'fixes': fixes}
