"""The KPI engine: every figure of the manager's dashboard, computed from what was recorded, never typed in.

Public API (the dashboard, the reports and the scorecards code against these names):

    compute(shop_ids, start_local, end_local, names=None) -> {name: Figure}
    trend(shop_ids, name, start_local, end_local, by='week'|'month') -> [(period_start, Figure)]
    series(shop_ids, start_local, end_local, by, names=None) -> {name: (Figure, [(period_start, Figure)])}
    drill(shop_ids, name, start_local, end_local, status=None) -> [DrillRow]
    for_user(shop_ids, user_id, role, start_local, end_local) -> {name: Figure}
    for_users(shop_ids, user_ids, role, start_local, end_local) -> {user id: {name: Figure}}

What each figure counts is app.kpi.specs; the queries are app.kpi.sources (the records) and
app.kpi.fact_sources (the facts, app.kpi.facts, which the engine counts from where it can). Each source is one
query for all the period's buckets; a figure adds up its sources' columns per bucket.
"""
from datetime import datetime
from decimal import Decimal

from peewee import SQL, Case, fn

from app.core.access import MANAGER
from app.core.models import Shop
from app.core.periods import Buckets
from app.kpi import fact_sources, facts, rollup
from app.kpi.context import Ctx
from app.kpi.figure import COUNT, ON_TIME, STATUSES, DrillRow, Figure, meets, ratio
from app.kpi.sources import OTHER_ROWS, OTHER_SOURCES, SOURCE_KIND, SQL_SOURCES
from app.kpi.specs import BALANCES, COMPLIANCE_STEPS, DASHBOARD, ROLE_FIGURES, SPEC_BY_NAME, SPECS, STEP_COLUMNS
from app.kpi.sql import DISTINCT, NUM, STATUS
from app.reception.models import RepairOrder

USE_FACTS = True     # tests switch it off to count the same figures from the records directly


# --- summing the sources ----------------------------------------------------------------------------------

def _aggregate(ctx, source):
    """{bucket: {column: summed value}} for one SQL source: one query (from the facts where they have it).
    A source grouped by person (PerUser) gives {(user id, bucket): {column: summed value}}."""
    build = fact_sources.SOURCES.get(source) if ctx.facts else None
    if build is not None and rollup.applies(ctx, build):
        return rollup.aggregate(ctx, build, lambda part, built: _summed(part, built(part), True))
    return _summed(ctx, (build or SQL_SOURCES[source])(ctx), build is not None)


def _summed(ctx, built, from_facts):
    """_aggregate of one source's query (`built`: the query and its columns' kinds, or None)."""
    if built is None:
        return None
    inner, kinds = built
    per_user = getattr(inner, 'per_user', False)
    # Materialised, so each row's classification is worked out once, not once per SUM that reads it
    # (both SQLite and PostgreSQL would otherwise fold the subquery into the outer query).
    ctes = list(inner._cte_list or [])    # a source's own CTEs go first in the one WITH clause
    inner._cte_list = None
    # (The facts' sources read plain columns, and a source without a status column has each column read by one
    # SUM: nothing to work out once, so the database may fold them in.)
    once = not from_facts and STATUS in kinds.values()
    t = inner.cte('t', materialized=True if once else None)
    sel = [t.c.k.alias('k')] + ([t.c.u.alias('u')] if per_user else [])
    names = []
    for name, kind in kinds.items():
        col = getattr(t.c, name)
        if kind == NUM:
            sel.append(fn.SUM(col).alias(name))
            names.append(name)
        elif kind == DISTINCT:
            sel.append(fn.COUNT(col.distinct()).alias(name))
            names.append(name)
        else:
            for v in STATUSES:
                sel.append(fn.SUM(Case(None, [(col == v, 1)], 0)).alias('%s:%s' % (name, v)))
                names.append('%s:%s' % (name, v))
    groups = (SQL('1'), SQL('2')) if per_user else (SQL('1'),)
    rows = RepairOrder.select(*sel).from_(t).with_cte(*ctes, t).group_by(*groups).tuples()
    out = {}
    for row in rows:
        if row[0] is None or (per_user and row[1] is None):
            continue
        key = (row[1], int(row[0])) if per_user else int(row[0])
        out[key] = {n: (v if v is not None else 0) for n, v in zip(names, row[len(groups):])}
    return out


def _sums(ctx, specs):
    """Summed columns per bucket ({bucket: {column: value}}), per person and bucket for the sources grouped
    by person ({(user id, bucket): …}, Ctx.per_user), and the sources that do not apply: one query per source."""
    needed = []
    for spec in specs:
        for src in spec.sources:
            if src not in needed:
                needed.append(src)
    sums, mine, missing, done = {}, {}, set(), {}
    for src in needed:
        shared = fact_sources.SOURCES.get(src) if ctx.facts else None
        if shared is not None and shared in done:      # one query of the facts gives both (clocks, present)
            if done[shared] is None:
                missing.add(src)
            continue
        agg = _aggregate(ctx, src) if src in SQL_SOURCES else OTHER_SOURCES[src](ctx)
        if shared is not None:
            done[shared] = agg
        if agg is None:
            missing.add(src)
            continue
        for key, values in agg.items():
            (mine if isinstance(key, tuple) else sums).setdefault(key, {}).update(values)
    return sums, mine, missing


# --- building figures ---------------------------------------------------------------------------------

def _made(spec, num, den, value, target_op, target, start, end, parts):
    return Figure(spec.name, spec.label, num, den, value, spec.unit, target_op, target, meets(value, spec.op, target),
                  {'name': spec.name, 'start': start.isoformat(), 'end': end.isoformat()}, parts, spec.group)


def _figure(spec, ctx, s, k):
    """The figure of bucket k from its summed columns `s`."""
    if spec.derive is not None:
        num, den = spec.derive(s, ctx.setting)
    else:
        num, den = spec.num(s), (spec.den(s) if spec.den else None)
    if den is None and spec.derive is None:
        value = int(num or 0) if spec.unit == COUNT else num
    else:
        value = ratio(num, den)
    target = ctx.setting(spec.target_key) if spec.target_key else None
    parts = {}
    if spec.group == 'compliance':
        cols = STEP_COLUMNS if spec.name == 'compliance' else [spec.drill_col]
        parts = {v: sum(s.get('%s:%s' % (c, v), 0) for c in cols) for v in STATUSES}
    return _made(spec, num, den, value, spec.op if target is not None else None,
                 Decimal(target) if target is not None else None, *ctx.b.period(k), parts)


def _total(spec, ctx, figs):
    """The period's figure from its buckets: numerators and denominators add up (balances take the last)."""
    if spec.name in BALANCES:
        last = figs[-1]
        return Figure(**{**last.__dict__, 'drill': {**last.drill, 'start': ctx.b.starts[0].isoformat()}})
    num = sum((f.numerator for f in figs), type(figs[0].numerator)(0)) if figs else 0
    den = None
    if figs and figs[0].denominator is not None:
        den = sum((f.denominator for f in figs), type(figs[0].denominator)(0))
    value = ratio(num, den) if den is not None else (int(num) if spec.unit == COUNT else num)
    parts = {}
    if figs and figs[0].parts:
        parts = {v: sum(f.parts.get(v, 0) for f in figs) for v in STATUSES}
    return _made(spec, num, den, value, figs[0].target_op if figs else None, figs[0].target if figs else None,
                 ctx.b.starts[0], ctx.b.end, parts)


def _per_bucket(spec, ctx, sums, mine=None, uid=None):
    """The figure of every bucket of the period: [Figure]."""
    mine = mine or {}
    return [_figure(spec, ctx, {**sums.get(k, {}), **mine.get((uid, k), {})}, k) for k in range(len(ctx.b))]


def _run(ctx, names):
    """{name: [Figure per bucket]} for the named figures: one query per source needed."""
    specs = [SPEC_BY_NAME[n] for n in names]
    sums, _mine, missing = _sums(ctx, specs)
    return {spec.name: _per_bucket(spec, ctx, sums) for spec in specs
            if not any(src in missing for src in spec.sources)}


def _shops(shop_ids):
    ids = sorted(set(int(i) for i in shop_ids))
    return list(Shop.select().where(Shop.id.in_(ids)).order_by(Shop.id)) if ids else []


def _ctx(shop_ids, start_local, end_local, by=None, role=None, user_id=None, now=None, per_user=False):
    shops = _shops(shop_ids)
    ctx = Ctx(shops, Buckets.make(shops, start_local, end_local, by), role, user_id, now, per_user, USE_FACTS)
    if ctx.facts and shops:
        facts.refresh([s.id for s in shops])
    return ctx


# --- the public API ------------------------------------------------------------------------------------

def compute(shop_ids, start_local, end_local, names=None, *, now=None):
    """Every named figure (default: all) for the shops over the local-date period [start_local, end_local)."""
    ctx = _ctx(shop_ids, start_local, end_local, now=now)
    if not ctx.shops:
        return {}
    return {n: figs[0] for n, figs in _run(ctx, names or [s.name for s in SPECS]).items()}


def trend(shop_ids, name, start_local, end_local, by='week', *, now=None):
    """The figure per week (from Monday) or month, clipped to the period: [(bucket start date, Figure)]."""
    ctx = _ctx(shop_ids, start_local, end_local, by, now=now)
    if not ctx.shops:
        return []
    figs = _run(ctx, [name]).get(name, [])
    return list(zip(ctx.b.starts, figs))


def series(shop_ids, start_local, end_local, by='week', names=None, *, role=None, user_id=None, now=None):
    """The period's figures and their trend in one pass: {name: (Figure, [(bucket start, Figure)])}.

    One query per source for all buckets; the period's figure adds up its buckets' numerators and
    denominators, so the two always agree.
    """
    ctx = _ctx(shop_ids, start_local, end_local, by, role, user_id, now)
    if not ctx.shops:
        return {}
    out = {}
    for name, figs in _run(ctx, names or DASHBOARD).items():
        out[name] = (_total(SPEC_BY_NAME[name], ctx, figs), list(zip(ctx.b.starts, figs)))
    return out


def for_user(shop_ids, user_id, role, start_local, end_local, *, now=None):
    """One person's figures in a role (ROLE_FIGURES): their orders, lines, clocks, calls or complaints.

    Parts and warranty figures, and the claims clerk's insurance figures, are the shop's (the counter and the claims
    are team work); an advisor's insurance figures are their own orders'.
    """
    names = ROLE_FIGURES.get(role, [])
    if role == MANAGER:
        return compute(shop_ids, start_local, end_local, names, now=now)
    ctx = _ctx(shop_ids, start_local, end_local, role=role, user_id=user_id, now=now)
    if not ctx.shops:
        return {}
    return {n: figs[0] for n, figs in _run(ctx, names).items()}


def for_users(shop_ids, user_ids, role, start_local, end_local, names=None, *, now=None):
    """Everyone's own figures in a role at once: {user id: {name: Figure}}, each the figure `for_user` (and
    `series` over the whole period) gives that person, in one query per source for all of them (grouped by
    person). Team figures (parts, warranty) are the same for everyone."""
    names = names if names is not None else ROLE_FIGURES.get(role, [])
    if role == MANAGER:
        team = compute(shop_ids, start_local, end_local, names, now=now)
        return {uid: dict(team) for uid in user_ids}
    ctx = _ctx(shop_ids, start_local, end_local, role=role, now=now, per_user=True)
    if not ctx.shops:
        return {}
    specs = [SPEC_BY_NAME[n] for n in names]
    sums, mine, missing = _sums(ctx, specs)
    return {uid: {spec.name: _total(spec, ctx, _per_bucket(spec, ctx, sums, mine, uid)) for spec in specs
                  if not any(src in missing for src in spec.sources)}
            for uid in user_ids}


# --- drill-down -------------------------------------------------------------------------------------

def drill(shop_ids, name, start_local, end_local, status=None, *, role=None, user_id=None, now=None, limit=None):
    """The rows the figure counts over the period, each marked good / bad (or on time / late / skipped).
    `status` keeps only rows with that mark (on_time, late, skipped, good, bad)."""
    spec = SPEC_BY_NAME[name]
    ctx = _ctx(shop_ids, start_local, end_local, role=role, user_id=user_id, now=now)
    if not ctx.shops:
        return []
    if spec.drill_source in OTHER_ROWS:
        rows = OTHER_ROWS[spec.drill_source](ctx, spec.drill_col)
    elif spec.name == 'compliance':
        rows = []
        for col, _label, src in COMPLIANCE_STEPS:
            rows += _drill_sql(ctx, src, col, None, True)
    else:
        rows = _drill_sql(ctx, spec.drill_source, spec.drill_col, spec.drill_base, spec.group == 'compliance')
    if status:
        rows = [r for r in rows if r.status == status]
    rows.sort(key=lambda r: (str(r.at or ''), str(r.ref)))
    return rows[:limit] if limit else rows


def _drill_sql(ctx, source, col, base, is_status):
    built = SQL_SOURCES[source](ctx, drill=True)
    if built is None:
        return []
    q, _kinds = built
    out = []
    for row in q.dicts():
        if is_status:
            st = row.get(col)
            if st is None:
                continue
            good = st == ON_TIME
        else:
            if base and not row.get(base):
                continue
            if col is None:
                st, good = '', None
            else:
                good = bool(row.get(col))
                st = 'good' if good else 'bad'
        out.append(DrillRow(SOURCE_KIND[source], row.get('order_id'), row.get('ref') or '', _as_time(row.get('at')),
                            row.get('order_id'), st, good, row.get('amount'), row.get('shop_id')))
    return out


def _as_time(value):
    """A time read through a CTE comes back from SQLite as text: the same datetime PostgreSQL gives."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value
