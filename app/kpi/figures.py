"""The KPI engine: every figure of the manager's dashboard, computed from what was recorded, never typed in.

Public API (the reports and scorecards code against these names):

    compute(shop_ids, start_local, end_local, names=None) -> {name: Figure}
    trend(shop_ids, name, start_local, end_local, by='week'|'month') -> [(period_start, Figure)]
    series(shop_ids, start_local, end_local, by, names=None) -> {name: (Figure, [(period_start, Figure)])}
    drill(shop_ids, name, start_local, end_local, status=None) -> [DrillRow]
    for_user(shop_ids, user_id, role, start_local, end_local) -> {name: Figure}
    CATALOG / SPECS / ROLE_FIGURES / COMPLIANCE_STEPS

Periods are the shops' local calendar days, half-open: [start_local, end_local). A record counts
on the local day of its time in its shop's zone (an order delivered at 23:30 local counts that day).

How things are counted (one place for each rule; the numbers are settings, app.core.settings):
- Orders are counted when delivered (RepairOrder.delivered_at), drafts and cancelled orders never.
- Service timeliness: delivered by the original promise (RepairOrder.original_promised_at: given at signing,
  moved only by added work the customer approved; a progress check or an amendment does not move it)
  ÷ delivered orders that had a promise.
- Customer satisfaction: delivery answers scoring `kpi_satisfied_score` or more ÷ answers.
- Complaint rate: complaints logged in the period found to be the service's fault ÷ orders delivered.
- Follow-up success: first and second follow-up calls that reached the customer ÷ such calls that
  were due in the period (a call not yet due and not yet made is not counted).
- Money: settlements settled in the period (not drafts). Average order value = (labour + parts −
  discount) ÷ settlements, before tax. Hours sold = flat-rate hours on the settled labour lines.
  Labour margin uses hours clocked on the order × `kpi_technician_hour_cost`; parts margin the
  parts cost from app.parts.kpi. Receivables: what customers owed on settled bills at the period's
  end (customer share − payments − credit notes).
- Technicians: efficiency = flat-rate hours of job lines done on delivered orders ÷ hours clocked
  on those lines (a line done with no time clocked is left out of both and counted as unclocked); productivity = hours clocked on jobs ÷ hours present, where present is the
  shift (workday_start–workday_end) on each local day the technician clocked on (no attendance
  clock exists); first-time QC pass = those job lines never failed at QC ÷ lines; rework the rest.
- Process compliance per rulebook step: each counted record is on time, late (done outside the
  window) or skipped (not done once it can no longer be on time); share = on time ÷ all three.
  See the `_c_*` functions for each step's rule.
"""
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import peewee as pw
from flask_babel import lazy_gettext as _l
from peewee import JOIN, SQL, Case, fn

from app.core import stages
from app.core.access import ADVISOR, CUSTOMER_SERVICE, FOREMAN, MANAGER, PARTS, QC, TECHNICIAN, WARRANTY
from app.core.db import utcnow
from app.core.models import Event, Shop
from app.core.money import money
from app.core.settings import DEFAULTS, get_setting
from app.core.timeutil import local_now, to_local
from app.kpi.periods import Buckets, epoch, local_day_number, seconds_between

ON_TIME, LATE, SKIPPED = 'on_time', 'late', 'skipped'
STATUSES = (ON_TIME, LATE, SKIPPED)
STATUS_LABELS = {ON_TIME: _l('On time'), LATE: _l('Late'), SKIPPED: _l('Skipped')}
NUM, STATUS, DISTINCT = 'num', 'status', 'distinct'   # how a source's column adds up
ZERO = Decimal('0')
NOT_A_REPAIR = (stages.DRAFT, stages.CANCELLED)

PERCENT, MONEY, HOURS, COUNT, RATE = 'percent', 'money', 'hours', 'count', 'rate'


# --- the figure -----------------------------------------------------------------------------------

@dataclass
class Figure:
    """One KPI for one period: how it was counted, its value, its target and whether it meets it."""
    name: str
    label: object
    numerator: object            # int or Decimal
    denominator: object          # int or Decimal; None for a plain amount
    value: object                # Decimal (a share is 0..1), or None when nothing was counted
    unit: str                    # percent, money, hours, count, rate (money per hour)
    target_op: str = None        # '>=', '<', '<=' or None when the rulebooks set no target
    target: object = None        # Decimal
    ok: object = None            # True good, False bad, None no target / nothing counted
    drill: dict = field(default_factory=dict)   # url_for arguments of its drill-down list
    parts: dict = field(default_factory=dict)   # compliance: on_time / late / skipped counts
    group: str = ''

    @property
    def percent(self):
        """A share as a percent with one decimal, for display."""
        if self.value is None or self.unit != PERCENT:
            return None
        return (self.value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)

    @property
    def target_percent(self):
        if self.target is None or self.unit != PERCENT:
            return None
        return '{:f}'.format((Decimal(self.target) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP).normalize())

    @property
    def display(self):
        """The value as text, without a currency sign (templates add it)."""
        if self.value is None:
            return '–'
        if self.unit == PERCENT:
            return '%s%%' % self.percent
        if self.unit in (MONEY, RATE):
            return '{:,.2f}'.format(self.value)
        if self.unit == HOURS:
            return '{:,.2f}'.format(self.value)
        return '{:,}'.format(self.value)

    @property
    def target_display(self):
        if self.target is None:
            return ''
        t = '%s%%' % self.target_percent if self.unit == PERCENT else '{:f}'.format(Decimal(self.target).normalize())
        return '%s %s' % ({'>=': '≥', '<=': '≤'}.get(self.target_op, self.target_op), t)


def _ratio(num, den):
    if not den:
        return None
    return Decimal(num) / Decimal(den)


def _meets(value, op, target):
    if value is None or target is None or op is None:
        return None
    t = Decimal(target)
    return {'>=': value >= t, '>': value > t, '<': value < t, '<=': value <= t}[op]


# --- the context every source reads -------------------------------------------------------------------

@dataclass
class Ctx:
    shops: list
    b: Buckets
    role: str = None
    user_id: int = None
    now: object = None
    per_user: bool = False       # group a person's figures by person (for_users) instead of keeping one
    facts: bool = True           # count from the KPI facts (app.kpi.facts); False: from the records directly

    _settings: dict = None

    def setting(self, key):
        """Settings come from the first shop of the selection (a dealer group shares its targets); read once."""
        if not self.shops:
            return None
        if self._settings is None:
            from app.core.models import Setting
            self._settings = {r.key: r.value for r in Setting.select(Setting.key, Setting.value)
                              .where(Setting.shop == self.shops[0])}
        if key in self._settings:
            return DEFAULTS[key][1](self._settings[key])
        return get_setting(None, key)

    def today(self, tz):
        """The local calendar day of `now` (the request time, or the time a test pins)."""
        return to_local(self.now, tz).date() if self.now else local_now(tz).date()

    def who(self, mapping):
        """The condition for a per-person figure: None when the source does not apply to the role."""
        if self.role is None:
            return True
        f = mapping.get(self.role)
        if f is None or f is True:
            return f
        return PerUser(f) if self.per_user else (f == self.user_id)


class PerUser:
    """`Ctx.who` for everyone in the role at once: the source adds the person's column `u` and is grouped by it."""

    def __init__(self, field):
        self.field = field


def _status(whens, default=None):
    return Case(None, whens, default)


def _v(subquery):
    """A scalar subquery usable as a value (comparisons, IS NULL, arithmetic)."""
    return pw.NodeList((subquery,))


def _flag(cond):
    return Case(None, [(cond, 1)], 0)


# --- sources: one query each, a row per counted record with its classification -------------------

def _original_promise(order_alias):
    """The promise timeliness is measured by (RepairOrder.original_promised_at; the current one if none)."""
    return fn.COALESCE(order_alias.original_promised_at, order_alias.promised_at)


def _order_parts(RO, lo100, hi100):
    """Per order, every time the step rules compare, each looked up once: {name: SQL} (with _order_join)."""
    from app.aftercare.models import CallRecord, FollowUpTask
    from app.messages.models import Message
    from app.core.models import Signature
    from app.reception.models import RepairOrder, WalkaroundMark
    from app.settlement.models import Settlement
    from app.settlement.rules import SETTLE_STAGES
    from app.workshop.models import ProgressCheck
    sig, mark, pc, m = Signature.alias('sg'), WalkaroundMark.alias('wm'), ProgressCheck.alias('pc1'), Message.alias('mp')
    ev, st = Event.alias('ev'), Settlement.alias('st')
    ft, cr = FollowUpTask.alias('ft'), CallRecord.alias('cr')
    promise = _original_promise(RO)
    duration = epoch(promise) - epoch(RO.checked_in_at)
    since = epoch(pc.checked_at) - epoch(RO.checked_in_at)
    marks = [json.dumps({'stage': s}, sort_keys=True) for s in SETTLE_STAGES]
    return {
        'promise': promise,
        'walked': _flag(((RO.checks != '{}') & (RO.checks != ''))
                        | fn.EXISTS(mark.select(SQL('1')).where(mark.order == RO.id))),
        'signed_at': _v(sig.select(fn.MIN(sig.signed_at))
                        .where((sig.order == RO.id) & (sig.purpose == 'repair_order'))),
        'in_window': _flag(fn.EXISTS(pc.select(SQL('1')).where(
            (pc.order == RO.id) & (since * 100 >= duration * lo100) & (since * 100 <= duration * hi100)))),
        'checked': _flag(fn.EXISTS(pc.select(SQL('1')).where(pc.order == RO.id))),
        'first_notice': _v(m.select(fn.MIN(m.sent_at)).where((m.order == RO.id)
                                                             & m.kind.in_(['pickup_notice', 'late_notice'])
                                                             & (m.status == 'sent'))),
        'maintenance': _flag(RepairOrder.maintenance_where(RO)),
        'ready_at': _v(ev.select(fn.MIN(ev.at)).where((ev.record_type == 'repair_order') & (ev.record_id == RO.id)
                                                      & (ev.action == 'order.stage') & ev.after.in_(marks))),
        'settled_at': _v(st.select(fn.MIN(st.settled_at)).where((st.order == RO.id) & Settlement.settled_where(st))),
        'fu_from': ft.due_from, 'fu_by': ft.due_by,
        'first_call': _v(cr.select(fn.MIN(cr.called_at)).where(cr.task == ft.id)),
        '_ft': ft,
    }


def _order_join(q, RO, ft):
    """The order's first follow-up task, joined for fu_from / fu_by / first_call."""
    return q.join(ft, JOIN.LEFT_OUTER, on=((ft.order == RO.id) & (ft.kind == 'first')))


def _window(ctx):
    lo, hi = Decimal(ctx.setting('progress_check_from')), Decimal(ctx.setting('progress_check_to'))
    return int(lo * 100), int(hi * 100)


def _delivered_raw(ctx, RO):
    """Per delivered order, every time the step rules compare, each looked up once (a materialised CTE)."""
    p = _order_parts(RO, *_window(ctx))
    cols = [
        RO.id.alias('order_id'), RO.number.alias('ref'), RO.delivered_at.alias('at'), RO.shop.alias('shop_id'),
        pw.Value(None).alias('amount'), RO.checked_in_at.alias('checked_in_at'), RO.promised_at.alias('promised_at'),
        RO.accepted_at.alias('accepted_at'), RO.valuables_reminded.alias('valuables_reminded'),
        p['promise'].alias('promise'), p['walked'].alias('walked'), p['signed_at'].alias('signed_at'),
        p['in_window'].alias('checked_in_window'), p['checked'].alias('checked'),
        p['first_notice'].alias('first_notice'), p['maintenance'].alias('maintenance'),
        p['ready_at'].alias('ready_at'), p['settled_at'].alias('settled_at'), p['fu_from'].alias('fu_from'),
        p['fu_by'].alias('fu_by'), p['first_call'].alias('first_call'),
    ]
    return _order_join(RO.select(*cols, ctx.b.bucket(RO.shop, RO.delivered_at).alias('k')), RO, p['_ft'])


def order_fact_select(RO, lo100, hi100):
    """The KpiOrderFact columns of every order (app.kpi.facts narrows it to the orders to refresh)."""
    p = _order_parts(RO, lo100, hi100)
    cols = [RO.id.alias('order_id'), RO.shop.alias('shop_id'), RO.number.alias('number'), RO.stage.alias('stage'),
            RO.advisor.alias('advisor_id'), RO.accepted_by.alias('accepted_by'), RO.delivered_at.alias('delivered_at'),
            RO.checked_in_at.alias('checked_in_at'), RO.promised_at.alias('promised_at'),
            RO.accepted_at.alias('accepted_at'), p['promise'].alias('promise'),
            RO.valuables_reminded.alias('valuables_reminded'), p['walked'].alias('walked'),
            p['signed_at'].alias('signed_at'), p['checked'].alias('checked'), p['in_window'].alias('in_window'),
            pw.Value(lo100).alias('win_lo'), pw.Value(hi100).alias('win_hi'),
            p['first_notice'].alias('first_notice'), p['maintenance'].alias('maintenance'),
            p['ready_at'].alias('ready_at'), p['settled_at'].alias('settled_at'), p['fu_from'].alias('fu_from'),
            p['fu_by'].alias('fu_by'), p['first_call'].alias('first_call')]
    return _order_join(RO.select(*cols), RO, p['_ft'])


def _c_walkaround(r, ctx):
    """Walk-around with signature: the checklist (or a mark) recorded and the customer's signature on the order.
    On time when signed before the foreman took the car in; late when signed after; skipped without either."""
    return _status([
        ((r.walked == 0) | r.signed_at.is_null(), SKIPPED),
        (r.accepted_at.is_null(False) & (r.signed_at > r.accepted_at), LATE),
    ], ON_TIME)


def _c_belongings(r, ctx):
    """Belongings list signed: the list (and the valuables reminder) done and signed with the order."""
    return _status([((r.valuables_reminded == True) & r.signed_at.is_null(False), ON_TIME)], SKIPPED)  # noqa: E712


def _c_acceptance(r, ctx):
    """Foreman acceptance: signed into the workshop within `foreman_acceptance_minutes` of check-in."""
    limit = int(ctx.setting('foreman_acceptance_minutes')) * 60
    return _status([
        (r.checked_in_at.is_null(), None),
        (r.accepted_at.is_null(), SKIPPED),
        (seconds_between(r.checked_in_at, r.accepted_at) <= limit, ON_TIME),
    ], LATE)


def _c_progress(r, ctx):
    """Progress check in the window: a check when 50–80% of the promised duration (check-in to the
    original promise) had passed is on time; checks only outside the window are late; none is skipped."""
    return _status([
        (r.checked_in_at.is_null() | r.promised_at.is_null(), None),
        (r.checked_in_window == 1, ON_TIME),
        (r.checked == 1, LATE),
    ], SKIPPED)


def _c_pickup(r, ctx):
    """Pickup notice on time: the first pickup or late notice sent at least the lead time (1 h, or 4 h for a
    job of `long_job_days` or more from check-in to its original promise) before the (latest) promised time."""
    long_s = int(ctx.setting('long_job_days')) * 86400
    short_h, long_h = int(ctx.setting('pickup_notice_short_hours')), int(ctx.setting('pickup_notice_long_hours'))
    lead = Case(None, [(epoch(r.promise) - epoch(r.checked_in_at) >= long_s, long_h * 3600)], short_h * 3600)
    return _status([
        (r.promised_at.is_null() | r.checked_in_at.is_null(), None),
        (r.first_notice.is_null(), SKIPPED),
        (epoch(r.first_notice) <= epoch(r.promised_at) - lead, ON_TIME),
    ], LATE)


def _c_settlement(r, ctx):
    """Maintenance orders settled within `maintenance_settlement_days` of becoming ready (the first
    move to wash or pickup on the timeline; check-in when there is none); unsettled is skipped."""
    days = int(ctx.setting('maintenance_settlement_days'))
    return _status([
        (r.maintenance == 0, None),
        (r.settled_at.is_null(), SKIPPED),
        (epoch(r.settled_at) - epoch(fn.COALESCE(r.ready_at, r.checked_in_at)) <= days * 86400, ON_TIME),
    ], LATE)


def _c_followup(r, ctx):
    """First follow-up call on a local day from `followup_first_from_days` to `followup_first_to_days` after
    pickup (the task's due_from..due_by); a first attempt outside is late; no call once due_by passed is
    skipped; not due yet is not counted."""
    local = epoch(r.first_call) + ctx.b.offset(r.shop_id)
    today = min(ctx.today(tz) for tz in ctx.b.zones)
    return _status([
        (r.fu_by.is_null(), None),
        (r.first_call.is_null() & (r.fu_by >= today), None),
        (r.first_call.is_null(), SKIPPED),
        ((local >= epoch(r.fu_from)) & (local < epoch(r.fu_by) + 86400), ON_TIME),
    ], LATE)


class _Cols:
    """Columns of a CTE by name, for the step rules (r.accepted_at…)."""

    def __init__(self, cte):
        self._cte = cte

    def __getattr__(self, name):
        return getattr(self._cte.c, name)


def src_delivered(ctx, drill=False):
    from app.reception.models import RepairOrder as RO
    who = ctx.who({ADVISOR: RO.advisor, FOREMAN: RO.accepted_by})
    if who is None:
        return None
    raw = _delivered_raw(ctx, RO).where(ctx.b.within(RO.shop, RO.delivered_at) & RO.stage.not_in(list(NOT_A_REPAIR)))
    if who is not True:
        raw = raw.where(who)
    cte = raw.cte('r', materialized=True)
    r = _Cols(cte)
    cols = {
        'k': r.k,
        'cars': pw.Value(1),
        'promised': _flag(r.promised_at.is_null(False)),
        'on_time': _flag(r.promised_at.is_null(False) & (r.at <= r.promise)),
        'c_walkaround': _c_walkaround(r, ctx),
        'c_belongings': _c_belongings(r, ctx),
        'c_acceptance': _c_acceptance(r, ctx),
        'c_progress': _c_progress(r, ctx),
        'c_pickup': _c_pickup(r, ctx),
        'c_settlement': _c_settlement(r, ctx),
        'c_followup': _c_followup(r, ctx),
    }
    extra = (r.order_id.alias('order_id'), r.ref.alias('ref'), r.at.alias('at'), r.amount.alias('amount'),
             r.shop_id.alias('shop_id')) if drill else ()
    from app.reception.models import RepairOrder
    q = RepairOrder.select(*[v.alias(n) for n, v in cols.items()], *extra).from_(cte).with_cte(cte)
    return q, _kinds(cols)


def _order_fields(RO, at, amount=None):
    return (RO.id.alias('order_id'), RO.number.alias('ref'), at.alias('at'),
            (amount if amount is not None else pw.Value(None)).alias('amount'), RO.shop.alias('shop_id'))


def _clocked_only(sold_hours, clocked_s):
    """SQL: a line's flat-rate hours where time was clocked on it, else 0. A line done with no time clocked says
    nothing about efficiency (0:00 on a 1.6-hour job read as "48000 % efficient"); it is counted as unclocked."""
    return Case(None, [(clocked_s > 0, sold_hours)], 0)


def _done(q, who, cols):
    """A source's query narrowed to one person (`who`, or True for everyone), or with the person's column `u`
    (PerUser), and its columns' kinds."""
    if isinstance(who, PerUser):
        q = q.select_extend(who.field.alias('u'))
        q.per_user = True
        return q, _kinds(cols)
    return (q if who is True else q.where(who)), _kinds(cols)


def _kinds(cols):
    return {n: (STATUS if n.startswith('c_') else NUM) for n in cols if n != 'k'}


def src_settled(ctx, drill=False):
    from app.reception.models import RepairOrder as RO
    from app.settlement.models import Settlement as S
    from app.settlement.models import SettlementLine as SL
    from app.workshop.models import TimeEntry as TE
    who = ctx.who({ADVISOR: RO.advisor})
    if who is None:
        return None
    sl = SL.alias('sl')
    hours = _v(sl.select(fn.COALESCE(fn.SUM(sl.hours), 0)).where((sl.settlement == S.id) & (sl.kind == 'labour')))
    te = TE.alias('te')
    clocked = _v(te.select(fn.COALESCE(fn.SUM(seconds_between(te.started_at, te.ended_at)), 0))
               .where((te.order == S.order) & te.ended_at.is_null(False)))
    cols = {
        'k': ctx.b.bucket(S.shop, S.settled_at),
        'settlements': pw.Value(1),
        'labour': S.labour, 'parts': S.parts, 'discount': S.discount,
        'hours_sold': hours, 'order_clocked_s': clocked,
    }
    q = (S.select(*[v.alias(n) for n, v in cols.items()],
                  *(_order_fields(RO, S.settled_at, S.labour + S.parts - S.discount) if drill else ()))
         .join(RO, on=(S.order == RO.id))
         .where(ctx.b.within(S.shop, S.settled_at) & S.settled_where()))
    return _done(q, who, cols)


def src_clocks(ctx, drill=False):
    from app.reception.models import RepairOrder as RO
    from app.workshop.models import TimeEntry as TE
    who = ctx.who({TECHNICIAN: TE.technician})
    if who is None:
        return None
    cols = {'k': ctx.b.bucket(TE.shop, TE.started_at),
            'clocked_s': seconds_between(TE.started_at, TE.ended_at)}
    q = (TE.select(*[v.alias(n) for n, v in cols.items()],
                   *(_order_fields(RO, TE.started_at) if drill else ()))
         .join(RO, on=(TE.order == RO.id))
         .where(ctx.b.within(TE.shop, TE.started_at) & TE.ended_at.is_null(False)))
    return _done(q, who, cols)


def src_present(ctx, drill=False):
    """A row per technician and local day with a clock on: the day's shift counts as present."""
    from app.workshop.models import TimeEntry as TE
    who = ctx.who({TECHNICIAN: TE.technician})
    if who is None:
        return None
    day = local_day_number(TE.started_at, ctx.b.offset(TE.shop))
    cols = {'k': ctx.b.bucket(TE.shop, TE.started_at), 'present_days': pw.Value(1)}
    q = (TE.select(cols['k'].alias('k'), TE.technician.alias('tech'), day.alias('day'),
                   cols['present_days'].alias('present_days'))
         .where(ctx.b.within(TE.shop, TE.started_at)).distinct())
    return _done(q, who, cols)


def src_lines(ctx, drill=False):
    from app.reception.models import OrderLine as OL
    from app.reception.models import RepairOrder as RO
    from app.workshop.models import TimeEntry as TE
    who = ctx.who({TECHNICIAN: OL.technician})
    if who is None:
        return None
    te = TE.alias('tl')
    clocked = _v(te.select(fn.COALESCE(fn.SUM(seconds_between(te.started_at, te.ended_at)), 0))
               .where((te.line == OL.id) & te.ended_at.is_null(False)))
    cols = {'k': ctx.b.bucket(RO.shop, RO.delivered_at),
            'lines': pw.Value(1), 'sold_h': OL.labour_hours, 'line_clocked_s': clocked,
            'clocked_sold_h': _clocked_only(OL.labour_hours, clocked), 'unclocked': _flag(clocked <= 0),
            'first_pass': _flag(OL.qc_failures == 0), 'reworked': _flag(OL.qc_failures > 0)}
    q = (OL.select(*[v.alias(n) for n, v in cols.items()], *(_order_fields(RO, RO.delivered_at) if drill else ()))
         .join(RO, on=(OL.order == RO.id))
         .where(ctx.b.within(RO.shop, RO.delivered_at) & RO.stage.not_in(list(NOT_A_REPAIR))
                & (OL.status == stages.LINE_DONE) & OL.technician.is_null(False)))
    return _done(q, who, cols)


def src_deliveries(ctx, drill=False):
    from app.reception.models import RepairOrder as RO
    from app.settlement.models import VehicleDelivery as VD
    who = ctx.who({ADVISOR: RO.advisor})
    if who is None:
        return None
    good = int(ctx.setting('kpi_satisfied_score'))
    cols = {'k': ctx.b.bucket(VD.shop, VD.delivered_at),
            'answers': pw.Value(1), 'satisfied': _flag(VD.satisfaction >= good)}
    q = (VD.select(*[v.alias(n) for n, v in cols.items()], *(_order_fields(RO, VD.delivered_at) if drill else ()))
         .join(RO, on=(VD.order == RO.id))
         .where(ctx.b.within(VD.shop, VD.delivered_at) & VD.satisfaction.is_null(False)))
    return _done(q, who, cols)


def src_complaints(ctx, drill=False):
    from app.aftercare.models import Complaint as C
    from app.reception.models import RepairOrder as RO
    who = ctx.who({ADVISOR: RO.advisor, CUSTOMER_SERVICE: C.owner})
    if who is None:
        return None
    good = int(ctx.setting('kpi_satisfied_score'))
    now = ctx.now or utcnow()
    cols = {'k': ctx.b.bucket(C.shop, C.logged_at),
            'complaints': pw.Value(1), 'fault': _flag(C.service_fault == True),  # noqa: E712
            'c_complaint_answer': _status([
                (C.first_answer_at.is_null() & (C.first_answer_due_at >= now), None),
                (C.first_answer_at.is_null(), SKIPPED),
                (C.first_answer_at <= C.first_answer_due_at, ON_TIME)], LATE),
            'sat_answers': _flag(C.customer_satisfaction.is_null(False)),
            'sat_good': _flag(C.customer_satisfaction >= good)}
    q = (C.select(*[v.alias(n) for n, v in cols.items()],
                  *((C.order.alias('order_id'), fn.COALESCE(RO.number, C.contact).alias('ref'), C.logged_at.alias('at'),
                     pw.Value(None).alias('amount'), C.shop.alias('shop_id')) if drill else ()))
         .join(RO, JOIN.LEFT_OUTER, on=(C.order == RO.id))
         .where(ctx.b.within(C.shop, C.logged_at)))
    return _done(q, who, cols)


def src_followups(ctx, drill=False):
    from app.aftercare.models import FollowUpTask as T
    from app.reception.models import RepairOrder as RO
    who = ctx.who({CUSTOMER_SERVICE: T.assigned_to, ADVISOR: RO.advisor})
    if who is None:
        return None
    today = min(ctx.today(tz) for tz in ctx.b.zones)
    cols = {'k': ctx.b.date_bucket(T.due_by), 'fu_tasks': pw.Value(1), 'fu_done': _flag(T.status == 'done')}
    q = (T.select(*[v.alias(n) for n, v in cols.items()],
                  *((T.order.alias('order_id'), RO.number.alias('ref'), T.done_at.alias('at'),
                     pw.Value(None).alias('amount'), T.shop.alias('shop_id')) if drill else ()))
         .join(RO, JOIN.LEFT_OUTER, on=(T.order == RO.id))
         .where(T.shop.in_(ctx.b.shop_ids) & ctx.b.date_within(T.due_by) & T.kind.in_(['first', 'second'])
                & (T.status != 'cancelled') & ((T.status == 'done') | (T.due_by < today))))
    return _done(q, who, cols)


def src_appointments(ctx, drill=False):
    """Appointment reminder: reminded at least `appointment_reminder_half_day_hours` before the start is on
    time, later (before the start) late; none by the start is skipped."""
    from app.appointments.models import Appointment as A
    from app.reception.models import RepairOrder as RO
    who = ctx.who({ADVISOR: A.advisor})
    if who is None:
        return None
    half = int(ctx.setting('appointment_reminder_half_day_hours')) * 3600
    now = ctx.now or utcnow()
    cols = {'k': ctx.b.bucket(A.shop, A.start_at),
            'c_reminder': _status([
                (A.reminded_at.is_null() & (A.start_at > now), None),
                (A.reminded_at.is_null() | (A.reminded_at >= A.start_at), SKIPPED),
                (epoch(A.start_at) - epoch(A.reminded_at) >= half, ON_TIME)], LATE)}
    q = (A.select(*[v.alias(n) for n, v in cols.items()],
                  *((A.order_id.alias('order_id'), fn.COALESCE(RO.number, '').alias('ref'), A.start_at.alias('at'),
                     pw.Value(None).alias('amount'), A.shop.alias('shop_id')) if drill else ()))
         .join(RO, JOIN.LEFT_OUTER, on=(A.order_id == RO.id))
         .where(ctx.b.within(A.shop, A.start_at) & (A.status != 'cancelled')))
    return _done(q, who, cols)


def src_added(ctx, drill=False):
    """Added work decided before it was done: work clocked on its line before the decision is late; still
    undecided when the order left the workshop is skipped; undecided on an open order is not counted."""
    from app.reception.models import OrderLine as OL
    from app.reception.models import RepairOrder as RO
    from app.workshop.models import AddedWork as AW
    from app.workshop.models import TimeEntry as TE
    who = ctx.who({ADVISOR: RO.advisor})
    if who is None:
        return None
    ol, te = OL.alias('oa'), TE.alias('ta')
    worked_before = fn.EXISTS(te.select(SQL('1')).join(ol, on=(te.line == ol.id))
                              .where((ol.added_work_id == AW.id) & (te.started_at < AW.decided_at)))
    cols = {'k': ctx.b.bucket(AW.shop, AW.requested_at),
            'c_added_work': _status([
                (AW.decided_at.is_null() & RO.stage.in_(list(stages.OPEN)), None),
                (AW.decided_at.is_null(), SKIPPED),
                (worked_before, LATE)], ON_TIME)}
    q = (AW.select(*[v.alias(n) for n, v in cols.items()], *(_order_fields(RO, AW.requested_at) if drill else ()))
         .join(RO, on=(AW.order == RO.id))
         .where(ctx.b.within(AW.shop, AW.requested_at) & RO.stage.not_in(list(NOT_A_REPAIR))))
    return _done(q, who, cols)


SQL_SOURCES = {
    'delivered': src_delivered, 'settled': src_settled, 'clocks': src_clocks, 'present': src_present,
    'lines': src_lines, 'deliveries': src_deliveries, 'complaints': src_complaints,
    'followups': src_followups, 'appointments': src_appointments, 'added': src_added,
}


def _aggregate(ctx, source):
    """{bucket: {column: summed value}} for one SQL source: one query (from the facts where they have it).
    A source grouped by person (PerUser) gives {(user id, bucket): {column: summed value}}."""
    from app.kpi import fact_sources
    build = fact_sources.SOURCES.get(source) if ctx.facts else None
    built = (build or SQL_SOURCES[source])(ctx)
    if built is None:
        return None
    inner, kinds = built
    per_user = getattr(inner, 'per_user', False)
    # Materialised, so each row's classification is worked out once, not once per SUM that reads it
    # (both SQLite and PostgreSQL would otherwise fold the subquery into the outer query).
    ctes = list(inner._cte_list or [])    # a source's own CTEs go first in the one WITH clause
    inner._cte_list = None
    # (The facts' sources read plain columns: nothing to work out once, so SQLite may fold them in.)
    t = inner.cte('t', materialized=None if build else True)
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
    from app.reception.models import RepairOrder
    groups = (SQL('1'), SQL('2')) if per_user else (SQL('1'),)
    rows = RepairOrder.select(*sel).from_(t).with_cte(*ctes, t).group_by(*groups).tuples()
    out = {}
    for row in rows:
        if row[0] is None or (per_user and row[1] is None):
            continue
        key = (row[1], int(row[0])) if per_user else int(row[0])
        out[key] = {n: (v if v is not None else 0) for n, v in zip(names, row[len(groups):])}
    return out


# --- sources computed by other areas' functions ------------------------------------------------------

def _zone_ranges(ctx):
    for tz, ids in ctx.b.zones.items():
        for k in range(len(ctx.b)):
            lo, hi = ctx.b.utc_range(tz, k)
            yield tz, ids, k, lo, hi


def _parts_kpi():
    try:
        from app.parts import kpi
    except ImportError:
        return None
    return kpi


def agg_parts(ctx):
    kpi = _parts_kpi()
    if kpi is None or ctx.who({PARTS: True}) is None and ctx.role is not None:
        return None
    out = {}
    for _tz, ids, k, lo, hi in _zone_ranges(ctx):
        served, requests = kpi.fill_rate(ids, lo, hi)
        variance, book = kpi.stock_variance(ids, lo, hi)
        cost = kpi.parts_cost(ids, lo, hi)
        d = out.setdefault(k, {'served': 0, 'requests': 0, 'variance': ZERO, 'book': ZERO, 'parts_cost': ZERO})
        d['served'] += served
        d['requests'] += requests
        d['variance'] += Decimal(variance or 0)
        d['book'] += Decimal(book or 0)
        d['parts_cost'] += Decimal(cost or 0)
    return out


def agg_warranty(ctx):
    """First-maintenance returns (the cohort of cars sold in the period, split by sale date) and first-time
    claim approval per bucket, from app.warranty.rules."""
    if ctx.role is not None and ctx.role not in (WARRANTY, MANAGER):
        return None
    from app.warranty import rules as w
    out = {k: {'fm_returned': 0, 'fm_known': 0, 'claims_first_ok': 0, 'claims_decided': 0}
           for k in range(len(ctx.b))}

    def bucket_of(day):
        return max(k for k, start in enumerate(ctx.b.starts) if start <= day)

    for shop in ctx.shops:
        cohort = w.first_maintenance_cohort(shop, ctx.b.starts[0], ctx.b.end - timedelta(days=1),
                                         today=ctx.today(shop.timezone))
        for car, _order in cohort.returned:
            out[bucket_of(car.sale_date)]['fm_returned'] += 1
            out[bucket_of(car.sale_date)]['fm_known'] += 1
        for car in cohort.missed:
            out[bucket_of(car.sale_date)]['fm_known'] += 1
    # First-time approval: the rule of w.first_time_approval_rate (claims whose first submission was answered,
    # by the day of that answer; approved at once), grouped by bucket in one query for every shop.
    from app.warranty.models import Claim
    k = ctx.b.bucket(Claim.shop, Claim.first_decided_at)
    rows = (Claim.select(k.alias('k'), fn.COUNT(Claim.id), fn.SUM(_flag(Claim.first_result == Claim.APPROVED)))
            .where(ctx.b.within(Claim.shop, Claim.first_decided_at) & (Claim.first_result != ''))
            .group_by(SQL('1')).tuples())
    for kk, decided, approved in rows:
        out[int(kk)]['claims_decided'] += decided
        out[int(kk)]['claims_first_ok'] += int(approved or 0)
    return out


def agg_receivables(ctx):
    """What customers owed at the end of each bucket: app.settlement.receivables, the one rule."""
    from app.reception.models import RepairOrder as RO
    from app.settlement.receivables import owed_by_bucket
    who = ctx.who({ADVISOR: RO.advisor})
    if who is None or isinstance(who, PerUser):
        return None
    series = owed_by_bucket(ctx.b, None if who is True else ctx.user_id)
    return {k: {'receivables': v} for k, v in enumerate(series)}


OTHER_SOURCES = {'parts': agg_parts, 'warranty': agg_warranty, 'receivables': agg_receivables}


# --- the catalogue ------------------------------------------------------------------------------------

@dataclass
class Spec:
    name: str
    label: object
    unit: str
    group: str
    sources: tuple
    num: object                  # s -> numerator
    den: object = None           # s -> denominator, or None for a plain amount
    target_key: str = None
    op: str = None
    drill_source: str = None     # SQL source whose rows it counts
    drill_col: str = None        # status column, or the column counted as good
    drill_base: str = None       # the column a row must have > 0 to be counted (None: every row)


def _s(name):
    return lambda s: s.get(name, 0)


def _hours(seconds):
    return (Decimal(seconds or 0) / 3600).quantize(Decimal('0.01'), ROUND_HALF_UP)


def _present_hours(s, shift_hours):
    return Decimal(s.get('present_days', 0)) * shift_hours


COMPLIANCE_STEPS = [
    ('c_reminder', _l('Appointment reminder'), 'appointments'),
    ('c_walkaround', _l('Walk-around with signature'), 'delivered'),
    ('c_belongings', _l('Belongings list signed'), 'delivered'),
    ('c_acceptance', _l('Foreman acceptance'), 'delivered'),
    ('c_progress', _l('Progress check in the window'), 'delivered'),
    ('c_added_work', _l('Added work decided before done'), 'added'),
    ('c_pickup', _l('Pickup notice on time'), 'delivered'),
    ('c_settlement', _l('Maintenance orders settled in time'), 'delivered'),
    ('c_followup', _l('First follow-up call in the window'), 'delivered'),
    ('c_complaint_answer', _l('Complaint first answer in time'), 'complaints'),
]
STEP_SOURCES = {col: src for col, _label, src in COMPLIANCE_STEPS}


def _compliance_num(cols):
    return lambda s: sum(s.get('%s:%s' % (c, ON_TIME), 0) for c in cols)


def _compliance_den(cols):
    return lambda s: sum(s.get('%s:%s' % (c, v), 0) for c in cols for v in STATUSES)


def _margin(revenue_key, cost):
    return lambda s: money(s.get(revenue_key, 0)) - cost(s)


SPECS = [
    # quality
    Spec('timeliness', _l('Service timeliness'), PERCENT, 'quality', ('delivered',), _s('on_time'), _s('promised'),
         'timeliness_target', '>=', 'delivered', 'on_time', 'promised'),
    Spec('satisfaction', _l('Customer satisfaction'), PERCENT, 'quality', ('deliveries',), _s('satisfied'),
         _s('answers'), 'satisfaction_target', '>=', 'deliveries', 'satisfied'),
    Spec('complaint_rate', _l('Complaint rate (service fault)'), PERCENT, 'quality', ('complaints', 'delivered'),
         _s('fault'), _s('cars'), 'complaint_rate_target', '<', 'complaints', 'fault', 'fault'),
    Spec('followup_success', _l('Follow-up success rate'), PERCENT, 'quality', ('followups',), _s('fu_done'),
         _s('fu_tasks'), 'kpi_followup_success_target', '>=', 'followups', 'fu_done'),
    Spec('first_maintenance_return', _l('First-maintenance return rate'), PERCENT, 'quality', ('warranty',),
         _s('fm_returned'), _s('fm_known'), 'first_maintenance_return_target', '>=', 'warranty', 'fm'),
    Spec('warranty_first_approval', _l('Warranty first-time approval'), PERCENT, 'quality', ('warranty',),
         _s('claims_first_ok'), _s('claims_decided'), 'claim_first_approval_target', '>=', 'warranty', 'claims'),
    Spec('parts_fill_rate', _l('Parts fill rate'), PERCENT, 'quality', ('parts',), _s('served'), _s('requests'),
         'fill_rate_target', '>=', 'parts', 'fill'),
    Spec('stock_variance', _l('Stock variance'), PERCENT, 'quality', ('parts',), _s('variance'), _s('book'),
         'stock_variance_target', '<=', 'parts', 'variance'),
    Spec('complaint_satisfaction', _l('Complaint-handling satisfaction'), PERCENT, 'quality', ('complaints',),
         _s('sat_good'), _s('sat_answers'), 'satisfaction_target', '>=', 'complaints', 'sat_good',
         'sat_answers'),
    # business
    Spec('car_count', _l('Car count'), COUNT, 'business', ('delivered',), _s('cars'), None, None, None,
         'delivered', None),
    Spec('avg_ro_value', _l('Average repair order value'), MONEY, 'business', ('settled',),
         lambda s: money(s.get('labour', 0)) + money(s.get('parts', 0)) - money(s.get('discount', 0)),
         _s('settlements'), None, None, 'settled', None),
    Spec('hours_per_order', _l('Hours sold per order'), HOURS, 'business', ('settled',),
         lambda s: Decimal(str(s.get('hours_sold', 0))).quantize(Decimal('0.01')), _s('settlements'),
         None, None, 'settled', None),
    Spec('effective_labour_rate', _l('Effective labour rate'), RATE, 'business', ('settled',),
         lambda s: money(s.get('labour', 0)), lambda s: Decimal(str(s.get('hours_sold', 0))).quantize(Decimal('0.01')),
         None, None, 'settled', None),
    Spec('labour_revenue', _l('Labour revenue'), MONEY, 'business', ('settled',), lambda s: money(s.get('labour', 0)),
         None, None, None, 'settled', None),
    Spec('labour_margin', _l('Labour margin'), PERCENT, 'business', ('settled',), None,
         lambda s: money(s.get('labour', 0)), None, None, 'settled', None),
    Spec('parts_revenue', _l('Parts revenue'), MONEY, 'business', ('settled',), lambda s: money(s.get('parts', 0)),
         None, None, None, 'settled', None),
    Spec('parts_margin', _l('Parts margin'), PERCENT, 'business', ('settled', 'parts'), None,
         lambda s: money(s.get('parts', 0)), None, None, 'settled', None),
    Spec('receivables', _l('Receivables (customers)'), MONEY, 'business', ('receivables',), _s('receivables'),
         None, None, None, 'receivables', None),
    # workshop
    Spec('tech_efficiency', _l('Technician efficiency'), PERCENT, 'workshop', ('lines',),
         lambda s: Decimal(str(s.get('clocked_sold_h', 0))).quantize(Decimal('0.01')),
         lambda s: _hours(s.get('line_clocked_s')),
         'kpi_efficiency_target', '>=', 'lines', None),
    Spec('tech_productivity', _l('Technician productivity'), PERCENT, 'workshop', ('clocks', 'present'),
         lambda s: _hours(s.get('clocked_s')), None, 'kpi_productivity_target', '>=', 'clocks', None),
    Spec('qc_first_pass', _l('First-time QC pass rate'), PERCENT, 'workshop', ('lines',), _s('first_pass'),
         _s('lines'), 'kpi_qc_first_pass_target', '>=', 'lines', 'first_pass'),
    Spec('rework_rate', _l('Rework rate'), PERCENT, 'workshop', ('lines',), _s('reworked'), _s('lines'),
         None, None, 'lines', 'reworked'),
    Spec('hours_sold', _l('Flat-rate hours sold'), HOURS, 'workshop', ('lines',),
         lambda s: Decimal(str(s.get('sold_h', 0))).quantize(Decimal('0.01')), None, None, None, 'lines', None),
    # process compliance
    Spec('compliance', _l('Process compliance (all steps)'), PERCENT, 'compliance',
         ('appointments', 'delivered', 'added', 'complaints'),
         _compliance_num([c for c, *_ in COMPLIANCE_STEPS]), _compliance_den([c for c, *_ in COMPLIANCE_STEPS]),
         'kpi_compliance_target', '>=', None, None),
] + [
    Spec('compliance_' + col[2:], label, PERCENT, 'compliance', (src,), _compliance_num([col]),
         _compliance_den([col]), 'kpi_compliance_target', '>=', src, col)
    for col, label, src in COMPLIANCE_STEPS
]
SPEC_BY_NAME = {s.name: s for s in SPECS}
CATALOG = [(s.name, s.label, s.group, s.unit) for s in SPECS]
GROUPS = [('quality', _l('Quality and targets')), ('business', _l('Business')), ('workshop', _l('Workshop')),
          ('compliance', _l('Process compliance'))]

# The figures of each role's own scorecard (DOMAIN.md "Targets", per-role lists).
ROLE_FIGURES = {
    ADVISOR: ['timeliness', 'satisfaction', 'complaint_rate', 'followup_success', 'car_count', 'labour_revenue',
              'parts_revenue', 'avg_ro_value', 'compliance', 'compliance_reminder', 'compliance_walkaround',
              'compliance_belongings', 'compliance_progress', 'compliance_added_work', 'compliance_pickup',
              'compliance_settlement'],
    TECHNICIAN: ['tech_efficiency', 'tech_productivity', 'qc_first_pass', 'rework_rate', 'hours_sold'],
    FOREMAN: ['timeliness', 'car_count', 'compliance_acceptance'],
    CUSTOMER_SERVICE: ['followup_success', 'complaint_satisfaction', 'compliance_complaint_answer'],
    PARTS: ['parts_fill_rate', 'stock_variance'],
    WARRANTY: ['warranty_first_approval', 'first_maintenance_return'],
    QC: [],
    MANAGER: [s.name for s in SPECS],
}
# The dashboard's figures (complaint-handling satisfaction and hours sold live on the scorecards).
DASHBOARD = [s.name for s in SPECS if s.name not in ('complaint_satisfaction', 'hours_sold')]


# --- building figures ---------------------------------------------------------------------------------

def _shops(shop_ids):
    ids = sorted(set(int(i) for i in shop_ids))
    return list(Shop.select().where(Shop.id.in_(ids)).order_by(Shop.id)) if ids else []


def _derived(spec, ctx, s):
    """Numerator and denominator of the figures whose parts need settings (margins, productivity)."""
    if spec.name == 'labour_margin':
        cost = money(_hours(s.get('order_clocked_s')) * Decimal(ctx.setting('kpi_technician_hour_cost')))
        return money(s.get('labour', 0)) - cost, money(s.get('labour', 0))
    if spec.name == 'parts_margin':
        return money(s.get('parts', 0)) - money(s.get('parts_cost', 0)), money(s.get('parts', 0))
    if spec.name == 'tech_productivity':
        return _hours(s.get('clocked_s')), _present_hours(s, _shift_hours(ctx))
    return spec.num(s), (spec.den(s) if spec.den else None)


def _shift_hours(ctx):
    h1, m1 = (int(x) for x in str(ctx.setting('workday_start')).split(':'))
    h2, m2 = (int(x) for x in str(ctx.setting('workday_end')).split(':'))
    return Decimal((h2 * 60 + m2) - (h1 * 60 + m1)) / 60


def _figure(spec, ctx, s, k, by_status=True):
    num, den = _derived(spec, ctx, s)
    if spec.den is None and spec.name not in ('labour_margin', 'parts_margin', 'tech_productivity'):
        value = num
        if spec.unit == COUNT:
            value = int(num or 0)
    else:
        value = _ratio(num, den)
    target = ctx.setting(spec.target_key) if spec.target_key else None
    start, end = ctx.b.period(k)
    parts = {}
    if spec.group == 'compliance':
        cols = [c for c, *_ in COMPLIANCE_STEPS] if spec.name == 'compliance' else [spec.drill_col]
        parts = {v: sum(s.get('%s:%s' % (c, v), 0) for c in cols) for v in STATUSES}
    return Figure(spec.name, spec.label, num, den, value, spec.unit, spec.op if target is not None else None,
                  Decimal(target) if target is not None else None, _meets(value, spec.op, target),
                  {'name': spec.name, 'start': start.isoformat(), 'end': end.isoformat()}, parts, spec.group)


def _sums(ctx, specs):
    """Summed columns per bucket ({bucket: {column: value}}), per person and bucket for the sources grouped
    by person ({(user id, bucket): …}, Ctx.per_user), and the sources that do not apply: one query per source."""
    needed = []
    for spec in specs:
        for src in spec.sources:
            if src not in needed:
                needed.append(src)
    from app.kpi import fact_sources
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


def _run(ctx, names):
    """{name: [Figure per bucket]} for the named figures: one query per source needed."""
    specs = [SPEC_BY_NAME[n] for n in names]
    sums, _mine, missing = _sums(ctx, specs)
    out = {}
    for spec in specs:
        if any(src in missing for src in spec.sources):
            continue
        out[spec.name] = [_figure(spec, ctx, sums.get(k, {}), k) for k in range(len(ctx.b))]
    return out


def _ctx(shop_ids, start_local, end_local, by=None, role=None, user_id=None, now=None, per_user=False):
    shops = _shops(shop_ids)
    ctx = Ctx(shops, Buckets.make(shops, start_local, end_local, by), role, user_id, now, per_user, USE_FACTS)
    if ctx.facts and shops:
        from app.kpi import facts
        facts.refresh([s.id for s in shops])
    return ctx


USE_FACTS = True     # tests switch it off to count the same figures from the records directly


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


def _total(spec, ctx, per_bucket_sums_figs):
    """The period's figure from its buckets: numerators and denominators add up (balances take the last)."""
    figs = per_bucket_sums_figs
    if spec.name == 'receivables':
        last = figs[-1]
        return Figure(**{**last.__dict__, 'drill': {**last.drill, 'start': ctx.b.starts[0].isoformat()}})
    num = sum((f.numerator for f in figs), type(figs[0].numerator)(0)) if figs else 0
    den = None
    if figs and figs[0].denominator is not None:
        den = sum((f.denominator for f in figs), type(figs[0].denominator)(0))
    value = _ratio(num, den) if den is not None else (int(num) if spec.unit == COUNT else num)
    target = figs[0].target if figs else None
    parts = {}
    if figs and figs[0].parts:
        parts = {v: sum(f.parts.get(v, 0) for f in figs) for v in STATUSES}
    return Figure(spec.name, spec.label, num, den, value, spec.unit, figs[0].target_op if figs else None, target,
                  _meets(value, spec.op, target),
                  {'name': spec.name, 'start': ctx.b.starts[0].isoformat(), 'end': ctx.b.end.isoformat()},
                  parts, spec.group)


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

    Parts and warranty figures are the shop's (the counter and the claims are team work).
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
    out = {}
    for uid in user_ids:
        out[uid] = {}
        for spec in specs:
            if any(src in missing for src in spec.sources):
                continue
            figs = [_figure(spec, ctx, {**sums.get(k, {}), **mine.get((uid, k), {})}, k) for k in range(len(ctx.b))]
            out[uid][spec.name] = _total(spec, ctx, figs)
    return out


# --- drill-down -------------------------------------------------------------------------------------

@dataclass
class DrillRow:
    """One record a figure counts."""
    kind: str                    # order, settlement, line, clock, delivery, complaint, call, appointment,
                                 # added_work, claim, vehicle, part
    id: object
    ref: str                     # what people read: the order number, the claim number, the plate…
    at: object                   # UTC time (or a date) the row counts at
    order_id: object = None
    status: str = ''             # on_time / late / skipped for compliance; good / bad for a share
    good: object = None          # True / False / None
    amount: object = None
    shop_id: object = None


SOURCE_KIND = {'delivered': 'order', 'settled': 'settlement', 'clocks': 'clock', 'present': 'clock',
               'lines': 'line', 'deliveries': 'delivery', 'complaints': 'complaint', 'followups': 'call',
               'appointments': 'appointment', 'added': 'added_work'}


def drill(shop_ids, name, start_local, end_local, status=None, *, role=None, user_id=None, now=None, limit=None):
    """The rows the figure counts over the period, each marked good / bad (or on time / late / skipped).
    `status` keeps only rows with that mark (on_time, late, skipped, good, bad)."""
    spec = SPEC_BY_NAME[name]
    ctx = _ctx(shop_ids, start_local, end_local, role=role, user_id=user_id, now=now)
    if not ctx.shops:
        return []
    if spec.drill_source in OTHER_SOURCES:
        rows = _drill_other(spec, ctx)
    elif spec.name == 'compliance':
        rows = []
        for col, _label, src in COMPLIANCE_STEPS:
            rows += _drill_sql(ctx, src, col, None, True, step=col)
    else:
        is_status = spec.group == 'compliance'
        rows = _drill_sql(ctx, spec.drill_source, spec.drill_col, spec.drill_base, is_status)
    if status:
        rows = [r for r in rows if r.status == status]
    rows.sort(key=lambda r: (str(r.at or ''), str(r.ref)))
    return rows[:limit] if limit else rows


def _drill_sql(ctx, source, col, base, is_status, step=None):
    built = SQL_SOURCES[source](ctx, drill=True)
    if built is None:
        return []
    q, _kinds_ = built
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
                            row.get('order_id'), st, good,
                            row.get('amount'), row.get('shop_id')))
    return out


def _as_time(value):
    """A time read through a CTE comes back from SQLite as text: the same datetime PostgreSQL gives."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _drill_other(spec, ctx):
    out = []
    if spec.drill_source == 'warranty':
        from app.warranty import rules as w
        from app.warranty.models import Claim
        for shop in ctx.shops:
            since, until = ctx.b.starts[0], ctx.b.end
            if spec.drill_col == 'fm':
                cohort = w.first_maintenance_cohort(shop, since, until - timedelta(days=1),
                                                 today=ctx.today(shop.timezone))
                out += [DrillRow('vehicle', car.id, car.plate, car.sale_date, order.id, 'good', True, None, shop.id)
                        for car, order in cohort.returned]
                out += [DrillRow('vehicle', car.id, car.plate, car.sale_date, None, 'bad', False, None, shop.id)
                        for car in cohort.missed]
            else:
                lo, hi = ctx.b.utc_range(shop.timezone)
                for c in (Claim.for_shop(shop).where((Claim.first_result != '') & (Claim.first_decided_at >= lo)
                                                     & (Claim.first_decided_at < hi))):
                    ok = c.first_result == Claim.APPROVED
                    out.append(DrillRow('claim', c.id, c.number, c.first_decided_at, c.order_id,
                                        'good' if ok else 'bad', ok, c.amount, shop.id))
    elif spec.drill_source == 'parts':
        kpi = _parts_kpi()
        if kpi is None:
            return []
        for tz, ids in ctx.b.zones.items():
            lo, hi = ctx.b.utc_range(tz)
            fetch = kpi.fill_rate_rows if spec.drill_col == 'fill' else kpi.stock_variance_rows
            for r in fetch(ids, lo, hi):
                out.append(_part_row(r))
    elif spec.drill_source == 'receivables':
        out = _receivable_rows(ctx)
    return out


def _part_row(r):
    """A row app.parts.kpi counts (a parts request or a counted stock line), as a DrillRow."""
    kpi = _parts_kpi()
    if hasattr(r, 'requested_at'):     # a parts request: good when served from stock at once
        good = r.status in kpi.SERVED and r.expected_at is None
        return DrillRow('part', r.id, r.part_number or r.name, r.requested_at, r.order_id,
                        'good' if good else 'bad', good, None, r.shop_id)
    variance = kpi.line_variance_value(r)     # a counted stock line: good when it matched the book
    sheet = r.sheet
    return DrillRow('part', r.id, '%s %s' % (sheet.number, r.bin or ''), sheet.approved_at, None,
                    'good' if not variance else 'bad', not variance, variance, sheet.shop_id)


def _receivable_rows(ctx):
    """The bills behind the receivables figure: app.settlement.receivables.bills_owing at the period's end."""
    from app.reception.models import RepairOrder as RO
    from app.settlement.receivables import bills_owing
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


def step_label(col):
    return dict((c, label) for c, label, _s in COMPLIANCE_STEPS).get(col, col)


def today_local(shop):
    return local_now(shop.timezone).date()


def default_period(shop, today=None):
    """The current month so far, as a local-date period (end exclusive: tomorrow)."""
    today = today or today_local(shop)
    return today.replace(day=1), today + timedelta(days=1)


__all__ = ['Figure', 'DrillRow', 'compute', 'trend', 'series', 'drill', 'for_user', 'for_users', 'SPECS', 'CATALOG',
           'ROLE_FIGURES', 'COMPLIANCE_STEPS', 'STATUSES', 'DASHBOARD']
