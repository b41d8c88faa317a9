"""A long period of the dashboard (a year) from a daily roll-up of the facts: per shop, fact source and local day,
the summed columns (KpiDay), so a year reads about 365 stored rows per source instead of every order, line, clock
and settlement of the year.

What a stored day holds is exactly what the source counts over that day, so adding up the days of a bucket gives
the bucket (tests/kpi/test_rollup.py holds the two together). It stays right because:
- a day is counted (and stored) the first time a long period needs it, with the settings of the count: a stored
  day made for other settings, or by another VERSION of the rules, is counted again;
- the facts' refresh (app.kpi.facts) deletes the stored days an order's changed facts were dated on, before and
  after the change (a day whose facts changed is counted again when next needed);
- the days that may still change without any record changing are counted live, never stored: the last
  LIVE_DAYS days, and every day from the first delivered order whose follow-up call is not yet due
  (app.kpi.steps.not_due_yet: the one mark that moves with the day it is counted on);
- a source's columns that change without its facts changing (the job lines that came back: a comeback is
  recorded after the delivery) are never stored: the source stores the rest (`build.stored`) and counts those
  live over the whole period (`build.live`, app.kpi.fact_sources.fixes).
Each person's own figures (scorecards) and periods shorter than MIN_DAYS are counted from the facts directly.
Not followed: a concurrent refresh that changes a day between its count and its storing leaves that day stale
until its facts change again or `flask kpi rebuild` runs (the stored days go with the facts).
"""
import hashlib
import json
from bisect import bisect_right
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from peewee import fn

from app.core.db import transaction
from app.core.models import Shop
from app.core.periods import Buckets
from app.core.timeutil import to_local
from app.kpi.models import KpiClockFact, KpiDay, KpiLineFact, KpiOrderFact, KpiSettlementFact
from app.kpi.steps import not_due_yet

VERSION = 1          # raise it when a fact source counts differently: every stored day is counted again
LIVE_DAYS = 7        # the days before today (and today) are counted live: they are still being written
MIN_DAYS = 90        # a shorter period is counted from the facts directly (a month reads little)
CHUNK_DAYS = 31      # days counted per query when storing (each day is one WHEN of the bucket's CASE)

# The fact and the time each fact source dates its rows by (its buckets), by the source's name.
DATED = {'delivered': (KpiOrderFact, KpiOrderFact.delivered_at), 'lines': (KpiLineFact, KpiLineFact.delivered_at),
         'fix_lines': (KpiLineFact, KpiLineFact.delivered_at),
         'settled': (KpiSettlementFact, KpiSettlementFact.settled_at),
         'clocks': (KpiClockFact, KpiClockFact.started_at)}


def _stored(build):
    """The part of a source stored by day: the source, or `build.stored` for a source with columns that change
    without its facts changing (`build.live`, counted live over the whole period: app.kpi.fact_sources.fixes)."""
    return getattr(build, 'stored', build)


def applies(ctx, build):
    """Whether the source is counted from the stored days here: the shop's figures over a long period."""
    return (_stored(build).__name__ in DATED and ctx.facts and ctx.role is None and not ctx.per_user
            and (ctx.b.end - ctx.b.starts[0]).days >= MIN_DAYS)


def aggregate(ctx, build, count):
    """{bucket: {column: sum}} of the source `build` over ctx's buckets, as `count(ctx, build)` gives it: the stored
    days up to the live ones, then the live part counted by `count` over the same buckets (and a source's live
    columns, `build.live`, over the whole period)."""
    live = getattr(build, 'live', None)
    out = _aggregate_stored(ctx, _stored(build), count)
    if live is not None and out is not None:
        for k, sums in (count(ctx, live) or {}).items():
            _add(out.setdefault(k, {}), sums)
    return out


def _aggregate_stored(ctx, build, count):
    start, end = ctx.b.starts[0], ctx.b.end
    stop = min(_first_live_day(ctx), end)
    if stop <= start:
        return count(ctx, build)
    out = {}
    for (_shop, day), sums in _days(ctx, build, count, start, stop).items():
        _add(out.setdefault(bisect_right(ctx.b.starts, day) - 1, {}), sums)
    if stop < end:
        starts = [stop] + [s for s in ctx.b.starts if stop < s < end]
        live = count(replace(ctx, b=Buckets.at(ctx.shops, starts, end)), build)
        for k, sums in (live or {}).items():
            _add(out.setdefault(bisect_right(ctx.b.starts, starts[k]) - 1, {}), sums)
    return out


def _first_live_day(ctx):
    """The first local day counted live: LIVE_DAYS before today, or earlier where a delivered order's follow-up
    call is not yet due (its mark still depends on the day). Read once per view: every dated source asks."""
    key = ('first_live_day', tuple(s.id for s in ctx.shops), ctx.first_today())
    memo = ctx.memo()
    if key not in memo:
        memo[key] = _count_first_live_day(ctx)
    return memo[key]


def _count_first_live_day(ctx):
    first = ctx.first_today() - timedelta(days=LIVE_DAYS)
    F = KpiOrderFact
    waiting = (F.select(F.shop_id, fn.MIN(F.delivered_at))
               .where(F.shop_id.in_([s.id for s in ctx.shops]) & F.delivered_at.is_null(False) & not_due_yet(F, ctx))
               .group_by(F.shop_id).tuples())
    zone = {s.id: s.timezone for s in ctx.shops}
    for shop_id, at in waiting:
        if at is not None:
            first = min(first, to_local(_as_datetime(at), zone[shop_id]).date())
    return first


def _days(ctx, build, count, start, stop):
    """{(shop id, day): sums} of every day of [start, stop) for ctx's shops: stored ones, the others counted now
    and stored."""
    name, made_for = build.__name__, '%d:%s' % (VERSION, _digest(ctx.settings_key()))
    found = {}
    for shop_id, day, sums in (KpiDay.select(KpiDay.shop_id, KpiDay.day, KpiDay.sums)
                               .where(KpiDay.shop_id.in_([s.id for s in ctx.shops]) & (KpiDay.source == name)
                                      & (KpiDay.day >= start) & (KpiDay.day < stop)
                                      & (KpiDay.made_for == made_for)).tuples()):
        found[(shop_id, _as_date(day))] = _decode(sums)
    every = [start + timedelta(days=i) for i in range((stop - start).days)]
    for shop in ctx.shops:
        missing = [d for d in every if (shop.id, d) not in found]
        fresh = {}
        while missing:
            first = missing[0]
            window = [d for d in missing if d < first + timedelta(days=CHUNK_DAYS)]
            last = window[-1] + timedelta(days=1)
            counted = count(replace(ctx, shops=[shop], b=Buckets.make([shop], first, last, 'day')), build) or {}
            for d in window:
                fresh[d] = counted.get((d - first).days, {})
            missing = missing[len(window):]
        if fresh:
            _store(shop.id, name, made_for, fresh)
            found.update({(shop.id, d): sums for d, sums in fresh.items()})
    return found


def _store(shop_id, name, made_for, days):
    rows = [dict(shop_id=shop_id, source=name, day=d, made_for=made_for, sums=_encode(sums)) for d, sums in days.items()]
    with transaction():
        for i in range(0, len(rows), 200):
            (KpiDay.insert_many(rows[i:i + 200])
             .on_conflict(conflict_target=[KpiDay.shop_id, KpiDay.source, KpiDay.day],
                          preserve=[KpiDay.made_for, KpiDay.sums]).execute())


# --- kept right by the facts' refresh -----------------------------------------------------------------------

def dated_days(shop_id, order_ids):
    """The shop's local days the facts of these orders are dated on (None: all of the shop's orders)."""
    tz = Shop.get_by_id(shop_id).timezone
    days = set()
    for model, at in dict.fromkeys(DATED.values()):      # a fact dated once, whichever sources read it
        q = model.select(at).where((model.shop_id == shop_id) & at.is_null(False))
        if order_ids is not None:
            q = q.where(model.order_id.in_(order_ids))
        days.update(to_local(_as_datetime(v), tz).date() for (v,) in q.tuples())
    return days


def forget(shop_id, days=None):
    """Delete the shop's stored days (these days, or all): counted again when next needed."""
    if days is None:
        KpiDay.delete().where(KpiDay.shop_id == shop_id).execute()
        return
    days = sorted(days)
    for i in range(0, len(days), 500):
        KpiDay.delete().where((KpiDay.shop_id == shop_id) & KpiDay.day.in_(days[i:i + 500])).execute()


# --- sums as stored --------------------------------------------------------------------------------------------

def _add(into, sums):
    for key, value in sums.items():
        try:
            into[key] = into.get(key, 0) + value
        except TypeError:       # a Decimal and a float (SQLite sums some columns as floats): both as Decimal
            into[key] = Decimal(str(into[key])) + Decimal(str(value))


def _encode(sums):
    return json.dumps({k: ('D:%s' % v if isinstance(v, Decimal) else v) for k, v in sums.items()}, sort_keys=True)


def _decode(text):
    text = text or '{}'
    sums = json.loads(text)
    if '"D:' not in text:       # no Decimal stored (counts only)
        return sums
    return {k: (Decimal(v[2:]) if isinstance(v, str) and v.startswith('D:') else v) for k, v in sums.items()}


def _digest(text):
    return hashlib.sha1(text.encode()).hexdigest()[:40]


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _as_datetime(value):
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
