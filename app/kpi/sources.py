"""The KPI sources: one query each over the records, a row per counted record with its classification (figures
add up its columns per bucket, app.kpi.engine), and the sources other areas' rules compute (parts, warranty,
receivables). Where the facts have a source (app.kpi.fact_sources) the engine counts from them; the sources here
count the same from the records, and give the drill-down rows of every figure.

A source `src_*(ctx, drill=False)` returns (query, {column: how it adds up}) or None when it does not apply to
the person's role (`ctx.who`); with drill=True each row also says what it is (order_id, ref, at, amount, shop_id).
"""
from datetime import timedelta
from decimal import Decimal

import peewee as pw
from peewee import JOIN, SQL, fn

from app.aftercare.models import Complaint as C
from app.aftercare.models import FollowUpTask as T
from app.appointments.models import Appointment as A
from app.core import deadlines, stages
from app.core.access import ADVISOR, CUSTOMER_SERVICE, FOREMAN, MANAGER, PARTS, TECHNICIAN, WARRANTY
from app.core.db import utcnow
from app.core.money import INSURANCE
from app.core.periods import epoch, local_day_number, seconds_between
from app.core.timeutil import to_local
from app.insurance.models import InsuranceClaim as IC
from app.kpi.context import PerUser
from app.kpi.figure import LATE, ON_TIME, SKIPPED, DrillRow
from app.kpi.sql import (
    NOT_A_REPAIR,
    clocked_only,
    clocked_seconds,
    flag,
    kinds,
    labour_hours_sold,
    narrowed,
    selecting,
    status_case,
)
from app.kpi.steps import OrderTimes, delivered_columns, delivered_raw
from app.parts import kpi as parts_kpi
from app.reception.models import OrderLine as OL
from app.reception.models import RepairOrder as RO
from app.settlement.models import Settlement as S
from app.settlement.models import SettlementLine as SL
from app.settlement.models import VehicleDelivery as VD
from app.settlement.receivables import bills_owing, owed_by_bucket, payer_bills_owing_at, payer_due_on
from app.warranty import comebacks
from app.warranty import rules as warranty
from app.warranty.models import Claim
from app.workshop.models import AddedWork as AW
from app.workshop.models import TimeEntry as TE

ZERO = Decimal('0')


def _row(order_id, ref, at, shop_id, amount=None):
    """What a drill-down row shows of a counted record (a DrillRow): its order, reference, time, amount and shop."""
    return (order_id.alias('order_id'), ref.alias('ref'), at.alias('at'),
            (amount if amount is not None else pw.Value(None)).alias('amount'), shop_id.alias('shop_id'))


def _order_row(at, amount=None):
    return _row(RO.id, RO.number, at, RO.shop, amount)


# --- from the records --------------------------------------------------------------------------------------

def src_delivered(ctx, drill=False):
    who = ctx.who({ADVISOR: RO.advisor, FOREMAN: RO.accepted_by})
    if who is None:
        return None
    raw = delivered_raw(ctx, RO).where(ctx.b.within(RO.shop, RO.delivered_at) & RO.stage.not_in(list(NOT_A_REPAIR)))
    if who is not True:
        raw = raw.where(who)
    cte = raw.cte('r', materialized=True)
    r = OrderTimes(cte)
    cols = {'k': r.k, **delivered_columns(r, ctx, r.in_window)}
    extra = _row(r.order_id, r.ref, r.at, r.shop_id, r.amount) if drill else ()
    return selecting(RO, cols, *extra).from_(cte).with_cte(cte), kinds(cols)


def src_settled(ctx, drill=False):
    who = ctx.who({ADVISOR: RO.advisor})
    if who is None:
        return None
    sl, te = SL.alias('sl'), TE.alias('te')
    cols = {
        'k': ctx.b.bucket(S.shop, S.settled_at),
        'settlements': pw.Value(1),
        'labour': S.labour, 'parts': S.parts, 'discount': S.discount,
        'hours_sold': labour_hours_sold(sl, S.id), 'order_clocked_s': clocked_seconds(te, te.order == S.order),
    }
    q = (selecting(S, cols, *(_order_row(S.settled_at, S.labour + S.parts - S.discount) if drill else ()))
         .join(RO, on=(S.order == RO.id))
         .where(ctx.b.within(S.shop, S.settled_at) & S.settled_where()))
    return narrowed(q, who, cols)


def src_clocks(ctx, drill=False):
    who = ctx.who({TECHNICIAN: TE.technician})
    if who is None:
        return None
    cols = {'k': ctx.b.bucket(TE.shop, TE.started_at),
            'clocked_s': seconds_between(TE.started_at, TE.ended_at)}
    q = (selecting(TE, cols, *(_order_row(TE.started_at) if drill else ()))
         .join(RO, on=(TE.order == RO.id))
         .where(ctx.b.within(TE.shop, TE.started_at) & TE.ended_at.is_null(False)))
    return narrowed(q, who, cols)


def src_present(ctx, drill=False):
    """A row per technician and local day with a clock on: the day's shift counts as present."""
    who = ctx.who({TECHNICIAN: TE.technician})
    if who is None:
        return None
    day = local_day_number(TE.started_at, ctx.b.offset(TE.shop))
    cols = {'k': ctx.b.bucket(TE.shop, TE.started_at), 'present_days': pw.Value(1)}
    q = (TE.select(cols['k'].alias('k'), TE.technician.alias('tech'), day.alias('day'),
                   cols['present_days'].alias('present_days'))
         .where(ctx.b.within(TE.shop, TE.started_at)).distinct())
    return narrowed(q, who, cols)


def src_lines(ctx, drill=False):
    who = ctx.who({TECHNICIAN: OL.technician})
    if who is None:
        return None
    te = TE.alias('tl')
    clocked = clocked_seconds(te, te.line == OL.id)
    cols = {'k': ctx.b.bucket(RO.shop, RO.delivered_at),
            'lines': pw.Value(1), 'sold_h': OL.labour_hours, 'line_clocked_s': clocked,
            'clocked_sold_h': clocked_only(OL.labour_hours, clocked), 'unclocked': flag(clocked <= 0),
            'first_pass': flag(OL.qc_failures == 0), 'reworked': flag(OL.qc_failures > 0)}
    q = (selecting(OL, cols, *(_order_row(RO.delivered_at) if drill else ()))
         .join(RO, on=(OL.order == RO.id))
         .where(ctx.b.within(RO.shop, RO.delivered_at) & RO.stage.not_in(list(NOT_A_REPAIR))
                & (OL.status == stages.LINE_DONE) & OL.technician.is_null(False)))
    return narrowed(q, who, cols)


def src_fixes(ctx, drill=False):
    """The job lines counted for the workshop, each fixed the first time or come back (app.warranty.comebacks)."""
    who = ctx.who({TECHNICIAN: OL.technician, ADVISOR: RO.advisor})
    if who is None:
        return None
    back = comebacks.came_back(OL.id)
    cols = {'k': ctx.b.bucket(RO.shop, RO.delivered_at), 'fix_lines': pw.Value(1), 'came_back': flag(back)}
    if drill:     # each row's own mark; the figure takes fix_lines - came_back (one lookup per line over a year)
        cols['fixed_first'] = flag(~back)
    q = (selecting(OL, cols, *(_order_row(RO.delivered_at) if drill else ()))
         .join(RO, on=(OL.order == RO.id))
         .where(ctx.b.within(RO.shop, RO.delivered_at) & comebacks.counted_lines_where(RO, OL)))
    return narrowed(q, who, cols)


def src_deliveries(ctx, drill=False):
    who = ctx.who({ADVISOR: RO.advisor})
    if who is None:
        return None
    good = int(ctx.setting('kpi_satisfied_score'))
    cols = {'k': ctx.b.bucket(VD.shop, VD.delivered_at),
            'answers': pw.Value(1), 'satisfied': flag(VD.satisfaction >= good)}
    q = (selecting(VD, cols, *(_order_row(VD.delivered_at) if drill else ()))
         .join(RO, on=(VD.order == RO.id))
         .where(ctx.b.within(VD.shop, VD.delivered_at) & VD.satisfaction.is_null(False)))
    return narrowed(q, who, cols)


def src_complaints(ctx, drill=False):
    who = ctx.who({ADVISOR: RO.advisor, CUSTOMER_SERVICE: C.owner})
    if who is None:
        return None
    good = int(ctx.setting('kpi_satisfied_score'))
    now = ctx.now or utcnow()
    cols = {'k': ctx.b.bucket(C.shop, C.logged_at),
            'complaints': pw.Value(1), 'fault': flag(C.service_fault == True),  # noqa: E712
            'c_complaint_answer': status_case([
                (C.first_answer_at.is_null() & (C.first_answer_due_at >= now), None),
                (C.first_answer_at.is_null(), SKIPPED),
                (C.first_answer_at <= C.first_answer_due_at, ON_TIME)], LATE),
            # a major problem (003): handled (resolved, the customer told) by handled_due_at; the rest count nothing
            'c_complaint_handled': status_case([
                (C.handled_due_at.is_null(), None),
                (C.status.in_((C.OPEN, C.ANSWERED)) & (C.handled_due_at >= now), None),
                (C.status.in_((C.OPEN, C.ANSWERED)), SKIPPED),
                (C.customer_told_at <= C.handled_due_at, ON_TIME)], LATE),
            'sat_answers': flag(C.customer_satisfaction.is_null(False)),
            'sat_good': flag(C.customer_satisfaction >= good)}
    q = (selecting(C, cols, *(_row(C.order, fn.COALESCE(RO.number, C.contact), C.logged_at, C.shop) if drill else ()))
         .join(RO, JOIN.LEFT_OUTER, on=(C.order == RO.id))
         .where(ctx.b.within(C.shop, C.logged_at)))
    return narrowed(q, who, cols)


def src_followups(ctx, drill=False):
    who = ctx.who({CUSTOMER_SERVICE: T.assigned_to, ADVISOR: RO.advisor})
    if who is None:
        return None
    cols = {'k': ctx.b.date_bucket(T.due_by), 'fu_tasks': pw.Value(1), 'fu_done': flag(T.status == 'done')}
    q = (selecting(T, cols, *(_row(T.order, RO.number, T.done_at, T.shop) if drill else ()))
         .join(RO, JOIN.LEFT_OUTER, on=(T.order == RO.id))
         .where(T.shop.in_(ctx.b.shop_ids) & ctx.b.date_within(T.due_by) & T.kind.in_(['first', 'second'])
                & (T.status != 'cancelled') & ((T.status == 'done') | (T.due_by < ctx.first_today()))))
    return narrowed(q, who, cols)


def src_appointments(ctx, drill=False):
    """Appointment reminder: reminded at least `appointment_reminder_half_day_hours` before the start is on
    time, later (before the start) late; none by the start is skipped."""
    who = ctx.who({ADVISOR: A.advisor})
    if who is None:
        return None
    half = int(deadlines.reminder_lead(ctx.setting).total_seconds())      # app.core.deadlines.reminder_due
    now = ctx.now or utcnow()
    cols = {'k': ctx.b.bucket(A.shop, A.start_at),
            'c_reminder': status_case([
                (A.reminded_at.is_null() & (A.start_at > now), None),
                (A.reminded_at.is_null() | (A.reminded_at >= A.start_at), SKIPPED),
                (epoch(A.start_at) - epoch(A.reminded_at) >= half, ON_TIME)], LATE)}
    q = (selecting(A, cols, *(_row(A.order_id, fn.COALESCE(RO.number, ''), A.start_at, A.shop) if drill else ()))
         .join(RO, JOIN.LEFT_OUTER, on=(A.order_id == RO.id))
         .where(ctx.b.within(A.shop, A.start_at) & (A.status != 'cancelled')))
    return narrowed(q, who, cols)


def src_added(ctx, drill=False):
    """Added work decided before it was done: work clocked on its line before the decision is late; still
    undecided when the order left the workshop is skipped; undecided on an open order is not counted."""
    who = ctx.who({ADVISOR: RO.advisor})
    if who is None:
        return None
    ol, te = OL.alias('oa'), TE.alias('ta')
    worked_before = fn.EXISTS(te.select(SQL('1')).join(ol, on=(te.line == ol.id))
                              .where((ol.added_work_id == AW.id) & (te.started_at < AW.decided_at)))
    cols = {'k': ctx.b.bucket(AW.shop, AW.requested_at),
            'c_added_work': status_case([
                (AW.decided_at.is_null() & RO.stage.in_(list(stages.OPEN)), None),
                (AW.decided_at.is_null(), SKIPPED),
                (worked_before, LATE)], ON_TIME)}
    q = (selecting(AW, cols, *(_order_row(AW.requested_at) if drill else ()))
         .join(RO, on=(AW.order == RO.id))
         .where(ctx.b.within(AW.shop, AW.requested_at) & RO.stage.not_in(list(NOT_A_REPAIR))))
    return narrowed(q, who, cols)


def src_insurance(ctx, drill=False):
    """Settled insurance jobs: a row per bill with its revenue (all payers, with tax) and, once the car left, the
    seconds from the insurer's assessment to the delivery. The advisor's own orders; the claims clerk's are the
    shop's (team work, as the warranty claims are)."""
    who = ctx.who({ADVISOR: RO.advisor, WARRANTY: True})
    if who is None:
        return None
    timed = IC.assessed_at.is_null(False) & VD.delivered_at.is_null(False)
    cols = {'k': ctx.b.bucket(S.shop, S.settled_at), 'ins_jobs': pw.Value(1), 'ins_revenue': S.total,
            'ins_timed': flag(timed),
            'ins_assessed_s': pw.Case(None, [(timed, seconds_between(IC.assessed_at, VD.delivered_at))], 0)}
    q = (selecting(S, cols, *(_order_row(S.settled_at, S.total) if drill else ()))
         .join(RO, on=(S.order == RO.id)).join(IC, on=(IC.order == S.order))
         .join(VD, JOIN.LEFT_OUTER, on=(VD.order == S.order))
         .where(ctx.b.within(S.shop, S.settled_at) & S.settled_where()))
    return narrowed(q, who, cols)


SQL_SOURCES = {
    'delivered': src_delivered, 'settled': src_settled, 'clocks': src_clocks, 'present': src_present,
    'lines': src_lines, 'deliveries': src_deliveries, 'complaints': src_complaints,
    'followups': src_followups, 'appointments': src_appointments, 'added': src_added, 'fixes': src_fixes,
    'insurance': src_insurance,
}
# What a drill-down row of each source is.
SOURCE_KIND = {'delivered': 'order', 'settled': 'settlement', 'clocks': 'clock', 'present': 'clock',
               'lines': 'line', 'deliveries': 'delivery', 'complaints': 'complaint', 'followups': 'call',
               'appointments': 'appointment', 'added': 'added_work', 'fixes': 'line', 'insurance': 'settlement'}


# --- computed by other areas' rules: {bucket: {column: value}}, and their drill-down rows ------------------------

def agg_parts(ctx):
    """Parts fill rate, stock variance and the parts cost per bucket, from app.parts.kpi (the counter's team work)."""
    if ctx.who({PARTS: True}) is None and ctx.role is not None:
        return None
    return parts_kpi.by_bucket(ctx.b)


def _part_row(r):
    """A row app.parts.kpi counts (a parts request or a counted stock line), as a DrillRow."""
    if hasattr(r, 'requested_at'):     # a parts request: good when served from stock at once
        good = r.status in parts_kpi.SERVED and r.expected_at is None
        return DrillRow('part', r.id, r.part_number or r.name, r.requested_at, r.order_id,
                        'good' if good else 'bad', good, None, r.shop_id)
    variance = parts_kpi.line_variance_value(r)     # a counted stock line: good when it matched the book
    sheet = r.sheet
    return DrillRow('part', r.id, '%s %s' % (sheet.number, r.bin or ''), sheet.approved_at, None,
                    'good' if not variance else 'bad', not variance, variance, sheet.shop_id)


def rows_parts(ctx, col):
    """The parts requests (fill rate, `col` 'fill') or counted stock lines (stock variance) behind a parts figure."""
    out = []
    for tz, ids in ctx.b.zones.items():
        lo, hi = ctx.b.utc_range(tz)
        fetch = parts_kpi.fill_rate_rows if col == 'fill' else parts_kpi.stock_variance_rows
        out += [_part_row(r) for r in fetch(ids, lo, hi)]
    return out


def _cohort(ctx, shop):
    """The first-maintenance cohort of a shop: the cars sold in the period (app.warranty.rules)."""
    return warranty.first_maintenance_cohort(shop, ctx.b.starts[0], ctx.b.end - timedelta(days=1),
                                             today=ctx.today(shop.timezone))


def agg_warranty(ctx):
    """First-maintenance returns (the cohort of cars sold in the period, split by sale date) and first-time
    claim approval per bucket, from app.warranty.rules."""
    if ctx.role is not None and ctx.role not in (WARRANTY, MANAGER):
        return None
    out = {k: {'fm_returned': 0, 'fm_known': 0, 'claims_first_ok': 0, 'claims_decided': 0}
           for k in range(len(ctx.b))}

    def bucket_of(day):
        return max(k for k, start in enumerate(ctx.b.starts) if start <= day)

    for shop in ctx.shops:
        cohort = _cohort(ctx, shop)
        for car, _order in cohort.returned:
            out[bucket_of(car.sale_date)]['fm_returned'] += 1
            out[bucket_of(car.sale_date)]['fm_known'] += 1
        for car in cohort.missed:
            out[bucket_of(car.sale_date)]['fm_known'] += 1
    # First-time approval: the rule of warranty.first_time_approval_rate (claims whose first submission was
    # answered, by the day of that answer; approved at once), grouped by bucket in one query for every shop.
    k = ctx.b.bucket(Claim.shop, Claim.first_decided_at)
    rows = (Claim.select(k.alias('k'), fn.COUNT(Claim.id), fn.SUM(flag(Claim.first_result == Claim.APPROVED)))
            .where(ctx.b.within(Claim.shop, Claim.first_decided_at) & (Claim.first_result != ''))
            .group_by(SQL('1')).tuples())
    for kk, decided, approved in rows:
        out[int(kk)]['claims_decided'] += decided
        out[int(kk)]['claims_first_ok'] += int(approved or 0)
    return out


def rows_warranty(ctx, col):
    """The cars of the first-maintenance cohort (`col` 'fm'), or the claims first answered in the period."""
    out = []
    for shop in ctx.shops:
        if col == 'fm':
            cohort = _cohort(ctx, shop)
            out += [DrillRow('vehicle', car.id, car.plate, car.sale_date, order.id, 'good', True, None, shop.id)
                    for car, order in cohort.returned]
            out += [DrillRow('vehicle', car.id, car.plate, car.sale_date, None, 'bad', False, None, shop.id)
                    for car in cohort.missed]
            continue
        lo, hi = ctx.b.utc_range(shop.timezone)
        for c in (Claim.for_shop(shop).where((Claim.first_result != '') & (Claim.first_decided_at >= lo)
                                             & (Claim.first_decided_at < hi))):
            ok = c.first_result == Claim.APPROVED
            out.append(DrillRow('claim', c.id, c.number, c.first_decided_at, c.order_id,
                                'good' if ok else 'bad', ok, c.amount, shop.id))
    return out


def agg_receivables(ctx):
    """What customers owed at the end of each bucket: app.settlement.receivables, the one rule."""
    who = ctx.who({ADVISOR: RO.advisor})
    if who is None or isinstance(who, PerUser):
        return None
    series = owed_by_bucket(ctx.b, None if who is True else ctx.user_id)
    return {k: {'receivables': v} for k, v in enumerate(series)}


def rows_receivables(ctx, _col):
    """The bills behind the receivables figure: app.settlement.receivables.bills_owing at the period's end."""
    who = ctx.who({ADVISOR: RO.advisor})
    if who is None or isinstance(who, PerUser):
        return []
    out = []
    for tz, ids in ctx.b.zones.items():
        _lo, end = ctx.b.utc_range(tz)
        for r in bills_owing(ids, end, None if who is True else ctx.user_id):
            out.append(DrillRow('settlement', r.settlement_id, r.number, r.settled_at, r.order_id, 'bad', False,
                                r.balance, r.shop_id))
    return out


def _insurer_owing(ctx, advisor=None):
    """What insurers owed at the end of each bucket (app.settlement.receivables, the one rule), {bucket: [(bill,
    whether it was past the month it was settled in)]} (rulebook 004: 保险不超过当月). `advisor`: only their orders."""
    now = ctx.now or utcnow()
    out = {k: [] for k in range(len(ctx.b))}
    for tz, ids in ctx.b.zones.items():
        ends = [min(ctx.b.utc_range(tz, k)[1], now) for k in range(len(ctx.b))]
        for k, (end, rows) in enumerate(zip(ends, payer_bills_owing_at(ids, ends, INSURANCE, advisor))):
            today = to_local(end, tz).date()
            out[k] += [(r, today > payer_due_on(r.settled_at, tz)) for r in rows]
    return out


def _insurer_who(ctx):
    """Whose insurer bills count: True (the shop's: the manager, the claims clerk), an advisor's id, PerUser
    (every advisor at once) or None (the figure is not the role's)."""
    who = ctx.who({ADVISOR: RO.advisor, WARRANTY: True})
    return who if who is None or who is True or isinstance(who, PerUser) else ctx.user_id


def agg_insurer_owed(ctx):
    """Insurer receivables past their month at the end of each bucket: the shop's, or per advisor (their orders)."""
    who = _insurer_who(ctx)
    if who is None:
        return None
    out = {}
    per_user = isinstance(who, PerUser)
    for k, owing in _insurer_owing(ctx, None if per_user or who is True else who).items():
        if per_user:
            for r, late in owing:
                d = out.setdefault((r.advisor_id, k), {'ins_overdue': ZERO})
                d['ins_overdue'] += r.balance if late else ZERO
        else:
            out[k] = {'ins_overdue': sum((r.balance for r, late in owing if late), ZERO)}
    return out


def rows_insurer_owed(ctx, _col):
    """The insurer bills past their month at the period's end (an advisor's: their orders')."""
    who = _insurer_who(ctx)
    if who is None or isinstance(who, PerUser):
        return []
    owing = _insurer_owing(ctx, None if who is True else who)[len(ctx.b) - 1]
    return [DrillRow('settlement', r.settlement_id, r.number, r.settled_at, r.order_id, 'bad', False, r.balance,
                     r.shop_id) for r, late in owing if late]


OTHER_SOURCES = {'parts': agg_parts, 'warranty': agg_warranty, 'receivables': agg_receivables,
                 'insurer_owed': agg_insurer_owed}
OTHER_ROWS = {'parts': rows_parts, 'warranty': rows_warranty, 'receivables': rows_receivables,
              'insurer_owed': rows_insurer_owed}
