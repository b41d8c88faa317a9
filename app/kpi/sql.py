"""The SQL pieces every KPI source is written with, on the records (app.kpi.sources) and on the facts
(app.kpi.fact_sources): a source is one query with a row per counted record, its columns classified in SQL,
and says how each column adds up (a sum, on time / late / skipped counts, or distinct values)."""

import peewee as pw
from peewee import Case, fn

from app.core import deadlines, stages
from app.core.periods import seconds_between
from app.kpi.context import PerUser

NUM, STATUS, DISTINCT = 'num', 'status', 'distinct'   # how a source's column adds up
NOT_A_REPAIR = (stages.DRAFT, stages.CANCELLED)


def scalar(subquery):
    """A scalar subquery usable as a value (comparisons, IS NULL, arithmetic)."""
    return pw.NodeList((subquery,))


def flag(cond):
    """SQL: 1 where the condition holds, else 0 (a column that adds up to a count)."""
    return Case(None, [(cond, 1)], 0)


def status_case(whens, default=None):
    """SQL: a compliance mark (on time, late, skipped; None: not counted) from the first condition that holds."""
    return Case(None, whens, default)


def clocked_only(sold_hours, clocked_s):
    """SQL: a line's flat-rate hours where time was clocked on it, else 0. A line done with no time clocked says
    nothing about efficiency (0:00 on a 1.6-hour job read as "48000 % efficient"); it is counted as unclocked."""
    return Case(None, [(clocked_s > 0, sold_hours)], 0)


def progress_window(ctx):
    """The progress-check window (share of the promised duration) as whole percents, as the step rule compares it
    (app.core.deadlines.progress_window)."""
    return deadlines.progress_window(ctx.setting)


def kinds(cols):
    """How each column of a source adds up: the compliance steps (c_*) by mark, the others summed."""
    return {n: (STATUS if n.startswith('c_') else NUM) for n in cols if n != 'k'}


def narrowed(q, who, cols):
    """A source's query narrowed to one person (`who`, or True for everyone), or with the person's column `u`
    (PerUser), and its columns' kinds."""
    if isinstance(who, PerUser):
        q = q.select_extend(who.field.alias('u'))
        q.per_user = True
        return q, kinds(cols)
    return (q if who is True else q.where(who)), kinds(cols)


def selecting(model, cols, *extra):
    """model.select of the named columns (and any extra ones): a source's rows."""
    return model.select(*[v.alias(n) for n, v in cols.items()], *extra)


def clocked_seconds(te, on):
    """SQL: the seconds clocked on what `on` matches (a line, an order), finished clocks only (`te`: a TimeEntry
    alias)."""
    return scalar(te.select(fn.COALESCE(fn.SUM(seconds_between(te.started_at, te.ended_at)), 0))
                  .where(on & te.ended_at.is_null(False)))


def labour_hours_sold(sl, settlement_id):
    """SQL: the flat-rate hours on a settlement's labour lines (`sl`: a SettlementLine alias)."""
    return scalar(sl.select(fn.COALESCE(fn.SUM(sl.hours), 0))
                  .where((sl.settlement == settlement_id) & (sl.kind == 'labour')))
