"""Staff scorecards (考核): a score out of 100 per person and role, from weighted KPIs, monthly or yearly.

How a score is made:
- Each KPI is a share counted from the records, numerator ÷ denominator (for example the advisor's
  delivered cars handed back by the promised time ÷ delivered cars). Where the KPI engine
  (app.kpi.engine) has the figure, the scorecard takes it, with its target, from `for_user` (the
  person's own orders, lines, clocks, calls…) or `compute` (a team figure, the same for everyone in the
  role); the few it has not are counted here (OWN, documented on each counting function) against the
  `scorecard_accuracy_target` setting. A KPI with nothing to count (denominator 0) is left out, and the
  other KPIs' weights then share the whole score.
- A KPI's score is its achievement against its target, capped at 100:
  higher-is-better:  score = min(value ÷ target, 1) × 100        (90% against a 90% target = 100)
  lower-is-better:   score = 100 when value ≤ target, else target ÷ value × 100
- The total is the weighted average of the KPI scores, Σ weight × score ÷ Σ weight, to one decimal
  (half up). Weights and targets are settings (app.core.settings, the "reports" block), with the
  per-role lists of DOMAIN.md as defaults.
- Grade bands: excellent ≥ 90, good 80–89.9, pass 60–79.9, fail < 60.
- Parts and warranty figures are the shop's (the KPI engine counts the counter and the claims as team work).
- Insurance jobs (the advisor's own, the claims clerk's the shop's): the jobs and their revenue are volumes, shown
  without a score; the days from the assessment to delivery and the insurer's money past its month (a balance at the
  period's end, target 0 from rulebook 004: 100 when nothing is overdue, else 0) are scored like the others, with a
  weight of 0 until the shop gives them one.
Cost control and parts purchase cost / loss are not recorded per person, so they are not scored.
"""
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from peewee import Case, fn

from app.accounts.models import User
from app.aftercare.models import Complaint
from app.core.access import ADVISOR, CUSTOMER_SERVICE, FOREMAN, PARTS, QC, TECHNICIAN, WARRANTY
from app.core.db import utcnow
from app.core.settings import get_setting
from app.kpi import engine
from app.kpi.figure import DAYS, PERCENT
from app.kpi.specs import INSURANCE_FIGURES, SPEC_BY_NAME
from app.reception.models import RepairOrder
from app.settlement.models import CreditNote, Settlement
from app.workshop.models import PartsRequest, QCInspection

ROLES = (ADVISOR, TECHNICIAN, FOREMAN, QC, PARTS, WARRANTY, CUSTOMER_SERVICE)
HUNDRED = Decimal('100')
TENTH = Decimal('0.1')
EXCELLENT, GOOD, PASS, FAIL = 'excellent', 'good', 'pass', 'fail'
GRADE_LABELS = {EXCELLENT: _l('Excellent'), GOOD: _l('Good'), PASS: _l('Pass'), FAIL: _l('Fail')}
# Where a KPI is counted: the person's own figure from the KPI engine (app.kpi.engine.for_user), the
# shop's figure (engine.compute, for team KPIs), or a count of this module (OWN) for what the engine has not.
USER, TEAM, OWN = 'user', 'team', 'own'


@dataclass(frozen=True)
class Kpi:
    name: str
    label: object
    source: str                     # USER, TEAM or OWN
    figure: str = None              # the KPI engine's figure name (USER, TEAM); its target comes with it
    target_key: str = 'scorecard_accuracy_target'    # OWN: settings key of the target (a share)
    weight_key: str = None          # settings key of its weight (None: the role's convention, see ROLE_KPIS)
    weighted: bool = True           # False: a volume shown for reading (no target, no weight, no score)


def _with_weight_keys(role_kpis):
    """A KPI's weight is the setting scorecard_<role>_<name> unless it names another (customer service: 'cs')."""
    short = {CUSTOMER_SERVICE: 'cs'}
    return {role: [replace(k, weight_key=k.weight_key or 'scorecard_%s_%s' % (short.get(role, role), k.name))
                   if k.weighted else k for k in kpis] for role, kpis in role_kpis.items()}


def _insurance(source):
    """The insurance figures (app.kpi.specs INSURANCE_FIGURES): the jobs and their revenue shown for reading, the days
    from the assessment to delivery and the insurer's money past its month scored (weight 0 until the shop says)."""
    volumes = ('insurance_jobs', 'insurance_revenue')
    return [Kpi(name, SPEC_BY_NAME[name].label, source, name, weighted=name not in volumes)
            for name in INSURANCE_FIGURES]


ROLE_KPIS = {
    ADVISOR: [
        Kpi('satisfaction', _l('Customer satisfaction'), USER, 'satisfaction'),
        Kpi('completion', _l('Orders completed by the promised time'), USER, 'timeliness'),
        Kpi('settlement_accuracy', _l('Settlements without a credit note'), OWN),
        Kpi('complaint_timeliness', _l('Complaints answered in time'), OWN),
        Kpi('first_fix', _l('Jobs fixed the first time'), USER, 'first_time_fix'),
        # the accident cars they took in: their own orders' (app.kpi.sources.src_insurance, agg_insurer_owed)
        *_insurance(USER),
    ],
    TECHNICIAN: [
        Kpi('qc_first_pass', _l('Lines passing QC the first time'), USER, 'qc_first_pass'),
        Kpi('hours', _l('Labour-hour completion (sold ÷ clocked hours)'), USER, 'tech_efficiency'),
        Kpi('parts_use', _l('Parts requests used (not cancelled)'), OWN),
        Kpi('first_fix', _l('Jobs fixed the first time'), USER, 'first_time_fix'),
    ],
    FOREMAN: [
        Kpi('acceptance', _l('Cars signed into the workshop in time'), USER, 'compliance_acceptance'),
        Kpi('timeliness', _l('Cars handed back by the promised time'), USER, 'timeliness'),
        Kpi('qc_first_pass', _l('Workshop: lines passing QC the first time'), TEAM, 'qc_first_pass'),
    ],
    QC: [
        Kpi('escape_free', _l('Passed cars without a quality complaint'), OWN),
        Kpi('timeliness', _l('Workshop: cars handed back by the promised time'), TEAM, 'timeliness'),
    ],
    PARTS: [
        Kpi('fill_rate', _l('Parts fill rate'), USER, 'parts_fill_rate'),
        Kpi('stock_variance', _l('Stock count variance'), USER, 'stock_variance',
            weight_key='scorecard_parts_stock_accuracy'),
    ],
    WARRANTY: [
        Kpi('first_approval', _l('Claims approved at first submission'), USER, 'warranty_first_approval'),
        Kpi('first_maintenance', _l('First-maintenance return rate'), USER, 'first_maintenance_return'),
        # the claims clerk chases the insurers for the whole shop: the shop's figures (see app.kpi.specs)
        *_insurance(TEAM),
    ],
    CUSTOMER_SERVICE: [
        Kpi('followup_success', _l('Follow-up success rate'), USER, 'followup_success'),
        Kpi('complaint_satisfaction', _l('Satisfied with the complaint answer'), USER, 'complaint_satisfaction'),
        Kpi('complaint_answer', _l('Complaints answered in time'), USER, 'compliance_complaint_answer'),
    ],
}
ROLE_KPIS = _with_weight_keys(ROLE_KPIS)


def grade(total):
    """The grade band of a total out of 100 (None: nothing to score)."""
    if total is None:
        return None
    if total >= 90:
        return EXCELLENT
    if total >= 80:
        return GOOD
    if total >= 60:
        return PASS
    return FAIL


def kpi_score(value, target, lower_is_better=False):
    """A KPI's score out of 100: achievement against the target, capped (see the module docstring)."""
    if value is None or target is None:
        return None
    value, target = Decimal(value), Decimal(target)
    if lower_is_better:
        score = HUNDRED if value <= target else HUNDRED * target / value
    elif target <= 0:
        score = HUNDRED
    else:
        score = min(value / target, Decimal(1)) * HUNDRED
    return score.quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    kpi: Kpi
    numerator: Decimal
    denominator: Decimal
    value: Decimal                  # the share (None: nothing counted)
    target: Decimal
    lower_is_better: bool
    weight: int
    score: Decimal = None
    fig: object = None              # the KPI engine's Figure it was made from (None: an own count)

    @property
    def share(self):
        """Whether it is a share (shown as a percent), not an amount, a count or days."""
        return self.fig is None or self.fig.unit == PERCENT

    @property
    def actual(self):
        """The value for the page: '92.5%', or the figure's own words for an amount ('1,200.00', '3.5')."""
        if self.value is None:
            return '—'
        return '%.1f%%' % (self.value * 100) if self.share else self.fig.display

    @property
    def target_text(self):
        if self.target is None:
            return '—'
        if not self.share:
            return self.fig.target_display
        return '%s %.1f%%' % ('≤' if self.lower_is_better else '≥', self.target * 100)

    @property
    def counted(self):
        """'3 / 4' (counts) or '9.10 / 11.02' (hours, money) for the page."""
        def show(v):
            return str(int(v)) if v == v.to_integral_value() else str(v)
        if self.fig is not None and self.fig.denominator is None:
            return '—'             # an amount: nothing to divide
        if self.fig is not None and self.fig.unit == DAYS:
            return '%s / %s' % (self.fig.numerator_display, show(self.denominator))
        return '%s / %s' % (show(self.numerator), show(self.denominator))


@dataclass
class Scorecard:
    user: object
    role: str
    period: object
    lines: list = field(default_factory=list)

    @property
    def total(self):
        scored = [l for l in self.lines if l.score is not None and l.weight > 0]
        weights = sum(l.weight for l in scored)
        if not weights:
            return None
        return (sum(l.weight * l.score for l in scored) / weights).quantize(TENTH, rounding=ROUND_HALF_UP)

    @property
    def grade(self):
        return grade(self.total)

    @property
    def grade_label(self):
        return GRADE_LABELS.get(self.grade, '—')


# --- this module's own counts: {user id: {kpi name: (numerator, denominator)}} for everyone in a role --------

def _in(column, period):
    return (column >= period.start_utc) & (column < period.end_utc)


def _ones(condition):
    return fn.SUM(Case(None, [(condition, 1)], 0))


def _grouped(query):
    return {uid: (Decimal(int(num or 0)), Decimal(den)) for uid, num, den in query.tuples()}


def _advisor(shop, period, ids):
    """Settlements of their orders without a credit note; complaints they own answered by the due time."""
    clean = _grouped(Settlement.select(RepairOrder.advisor,
                                       _ones(Settlement.id.not_in(CreditNote.select(CreditNote.settlement))),
                                       fn.COUNT(Settlement.id))
                     .join(RepairOrder, on=(Settlement.order == RepairOrder.id))
                     .where((Settlement.shop == shop) & Settlement.settled_where()
                            & _in(Settlement.settled_at, period))
                     .group_by(RepairOrder.advisor))
    now = min(utcnow(), period.end_utc)
    in_time = Complaint.first_answer_at.is_null(False) & (Complaint.first_answer_at <= Complaint.first_answer_due_at)
    counted = Complaint.first_answer_at.is_null(False) | (Complaint.first_answer_due_at < now)
    timely = _grouped(Complaint.select(Complaint.owner, _ones(in_time), fn.COUNT(Complaint.id))
                      .where((Complaint.shop == shop) & _in(Complaint.logged_at, period) & counted)
                      .group_by(Complaint.owner))
    return {uid: {'settlement_accuracy': clean.get(uid, (0, 0)), 'complaint_timeliness': timely.get(uid, (0, 0))}
            for uid in ids}


def _technician(shop, period, ids):
    """Parts requests they made that were not cancelled (a wrong request gets cancelled)."""
    used = _grouped(PartsRequest.select(PartsRequest.requested_by,
                                        _ones(PartsRequest.status != PartsRequest.CANCELLED),
                                        fn.COUNT(PartsRequest.id))
                    .where((PartsRequest.shop == shop) & _in(PartsRequest.requested_at, period))
                    .group_by(PartsRequest.requested_by))
    return {uid: {'parts_use': used.get(uid, (0, 0))} for uid in ids}


def _qc(shop, period, ids):
    """Their passes in the period on orders that never got a complaint about repair quality."""
    quality = Complaint.select(Complaint.order).where((Complaint.shop == shop) & (Complaint.cause_category == 'quality')
                                                     & Complaint.order.is_null(False))
    clean = _grouped(QCInspection.select(QCInspection.inspector, _ones(QCInspection.order.not_in(quality)),
                                         fn.COUNT(QCInspection.id))
                     .where((QCInspection.shop == shop) & (QCInspection.result == QCInspection.PASS)
                            & _in(QCInspection.created_at, period))
                     .group_by(QCInspection.inspector))
    return {uid: {'escape_free': clean.get(uid, (0, 0))} for uid in ids}


OWN_COUNTS = {ADVISOR: _advisor, TECHNICIAN: _technician, QC: _qc}


def _line(kpi, weight, fig=None, own=None, own_target=None):
    """A scorecard line from a KPI engine Figure or from an own (numerator, denominator)."""
    if fig is not None:
        num = Decimal(str(fig.numerator or 0))
        den = Decimal(str(fig.denominator or 0))
        value = fig.value
        target, lower = fig.target, fig.target_op in ('<', '<=')
    else:
        num, den = (Decimal(own[0]), Decimal(own[1])) if own else (Decimal(0), Decimal(0))
        value = (num / den) if den else None
        target, lower = own_target, False
    line = Line(kpi, num, den, value, target, lower, weight, fig=fig)
    line.score = kpi_score(value, target, lower)
    return line


def scorecards(shop, role, period, users=None):
    """A Scorecard for each active person with the role in the shop (or the users given), best first.

    Queries: this module's grouped counts (a few, whatever the staff size), the shop's team figures
    once, and the KPI engine's per-person figures for everyone at once (`engine.for_users`: one query per
    source the role's figures need, grouped by person), whatever the staff size.
    """
    users = list(users) if users is not None else list(User.with_role(shop, role).order_by(User.display_name))
    if not users:
        return []
    kpis = ROLE_KPIS[role]
    own = OWN_COUNTS[role](shop, period, [u.id for u in users]) if any(k.source == OWN for k in kpis) else {}
    team_names = [k.figure for k in kpis if k.source == TEAM]
    team = engine.compute([shop.id], period.start, period.end, team_names) if team_names else {}
    weights = {k.name: get_setting(shop, k.weight_key) if k.weighted else 0 for k in kpis}
    own_targets = {k.name: Decimal(str(get_setting(shop, k.target_key))) for k in kpis if k.source == OWN}
    user_names = [k.figure for k in kpis if k.source == USER]
    everyone = (engine.for_users([shop.id], [u.id for u in users], role, period.start, period.end, user_names)
                if user_names else {})
    cards = []
    for user in users:
        mine = everyone.get(user.id, {})
        card = Scorecard(user, role, period)
        for k in kpis:
            if k.source == OWN:
                card.lines.append(_line(k, weights[k.name], own=own[user.id][k.name], own_target=own_targets[k.name]))
            else:
                fig = (mine if k.source == USER else team).get(k.figure)
                card.lines.append(_line(k, weights[k.name], fig=fig) if fig is not None
                                  else Line(k, Decimal(0), Decimal(0), None, None, False, weights[k.name]))
        cards.append(card)
    return sorted(cards, key=lambda c: (c.total is None, -(c.total or 0), c.user.display_name))


def scorecards_of(shop, user, period):
    """One person's scorecards, one per scored role they have."""
    return [scorecards(shop, role, period, [user])[0] for role in ROLES if role in user.role_names]
