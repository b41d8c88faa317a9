"""The catalogue of KPIs: what each figure counts (its sources and columns), its unit, its target setting, its
drill-down rows; the process-compliance steps; which figures each role's scorecard and the dashboard show.

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
  on those lines (a line done with no time clocked is left out of both and counted as unclocked); productivity =
  hours clocked on jobs ÷ hours present, where present is the shift (workday_start–workday_end) on each local day
  the technician clocked on (no attendance clock exists); first-time QC pass = those job lines never failed at QC
  ÷ lines; rework the rest. First-time fix = those lines no comeback (other than a new fault) names ÷ lines,
  per technician and advisor; the comeback rate the rest (app.warranty.comebacks).
- Process compliance per rulebook step: each counted record is on time, late (done outside the
  window) or skipped (not done once it can no longer be on time); share = on time ÷ all three.
  See app.kpi.steps for each step's rule (and app.kpi.sources for the reminder, added work and complaint steps).
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

from app.core.access import ADVISOR, CUSTOMER_SERVICE, FOREMAN, MANAGER, PARTS, QC, TECHNICIAN, WARRANTY
from app.core.money import money
from app.kpi.figure import COUNT, DAYS, HOURS, MONEY, ON_TIME, PERCENT, RATE, STATUSES


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
    derive: object = None        # (s, setting) -> (numerator, denominator): a share whose parts need settings


def _s(name):
    return lambda s: s.get(name, 0)


def _fixed_first(s):
    """Job lines fixed the first time: those counted less those that came back (app.kpi.sources.src_fixes)."""
    return s.get('fix_lines', 0) - s.get('came_back', 0)


def hours(seconds):
    """Seconds as hours, to the hundredth."""
    return (Decimal(str(seconds or 0)) / 3600).quantize(Decimal('0.01'), ROUND_HALF_UP)


def _hours_of(name):
    return lambda s: Decimal(str(s.get(name, 0))).quantize(Decimal('0.01'))


def _labour_margin(s, setting):
    """Labour revenue less the hours clocked on the orders at `kpi_technician_hour_cost`, ÷ labour revenue."""
    cost = money(hours(s.get('order_clocked_s')) * Decimal(setting('kpi_technician_hour_cost')))
    return money(s.get('labour', 0)) - cost, money(s.get('labour', 0))


def _parts_margin(s, setting):
    """Parts revenue less the parts cost (app.parts.kpi) ÷ parts revenue."""
    return money(s.get('parts', 0)) - money(s.get('parts_cost', 0)), money(s.get('parts', 0))


def _productivity(s, setting):
    """Hours clocked on jobs ÷ hours present (the shift on each day a technician clocked on)."""
    h1, m1 = (int(x) for x in str(setting('workday_start')).split(':'))
    h2, m2 = (int(x) for x in str(setting('workday_end')).split(':'))
    shift = Decimal((h2 * 60 + m2) - (h1 * 60 + m1)) / 60
    return hours(s.get('clocked_s')), Decimal(s.get('present_days', 0)) * shift


COMPLIANCE_STEPS = [
    ('c_reminder', _l('Appointment reminder'), 'appointments'),
    ('c_walkaround', _l('Walk-around with signature'), 'delivered'),
    ('c_belongings', _l('Belongings list signed'), 'delivered'),
    ('c_acceptance', _l('Foreman acceptance (shop target)'), 'delivered'),
    ('c_progress', _l('Progress check in the window'), 'delivered'),
    ('c_added_work', _l('Added work decided before done'), 'added'),
    ('c_pickup', _l('Pickup notice on time'), 'delivered'),
    ('c_settlement', _l('Maintenance orders settled in time'), 'delivered'),
    ('c_followup', _l('First follow-up call in the window'), 'delivered'),
    ('c_complaint_answer', _l('Complaint first answer in time'), 'complaints'),
    ('c_complaint_handled', _l('Major complaint handled in time'), 'complaints'),
]
STEP_COLUMNS = [c for c, *_ in COMPLIANCE_STEPS]


def step_label(col):
    return dict((c, label) for c, label, _s in COMPLIANCE_STEPS).get(col, col)


def _compliance_num(cols):
    return lambda s: sum(s.get('%s:%s' % (c, ON_TIME), 0) for c in cols)


def _compliance_den(cols):
    return lambda s: sum(s.get('%s:%s' % (c, v), 0) for c in cols for v in STATUSES)


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
    Spec('hours_per_order', _l('Hours sold per order'), HOURS, 'business', ('settled',), _hours_of('hours_sold'),
         _s('settlements'), None, None, 'settled', None),
    Spec('effective_labour_rate', _l('Effective labour rate'), RATE, 'business', ('settled',),
         lambda s: money(s.get('labour', 0)), _hours_of('hours_sold'), None, None, 'settled', None),
    Spec('labour_revenue', _l('Labour revenue'), MONEY, 'business', ('settled',), lambda s: money(s.get('labour', 0)),
         None, None, None, 'settled', None),
    Spec('labour_margin', _l('Labour margin'), PERCENT, 'business', ('settled',), None, None, None, None,
         'settled', None, derive=_labour_margin),
    Spec('parts_revenue', _l('Parts revenue'), MONEY, 'business', ('settled',), lambda s: money(s.get('parts', 0)),
         None, None, None, 'settled', None),
    Spec('parts_margin', _l('Parts margin'), PERCENT, 'business', ('settled', 'parts'), None, None, None, None,
         'settled', None, derive=_parts_margin),
    Spec('receivables', _l('Receivables (customers)'), MONEY, 'business', ('receivables',), _s('receivables'),
         None, None, None, 'receivables', None),
    # insurance jobs (app.insurance): how many were settled, their revenue, the days from the insurer's assessment to
    # the car's delivery, and what insurers owe past the month the bill was settled in (rulebook 004)
    Spec('insurance_jobs', _l('Insurance jobs'), COUNT, 'business', ('insurance',), _s('ins_jobs'), None, None, None,
         'insurance', None),
    Spec('insurance_revenue', _l('Insurance job revenue'), MONEY, 'business', ('insurance',),
         lambda s: money(s.get('ins_revenue', 0)), None, None, None, 'insurance', None),
    Spec('insurance_days', _l('Days from the assessment to delivery'), DAYS, 'business', ('insurance',),
         lambda s: Decimal(str(s.get('ins_assessed_s', 0))) / 86400, _s('ins_timed'), 'kpi_insurance_days_target',
         '<=', 'insurance', 'ins_timed', 'ins_timed'),
    Spec('insurer_overdue', _l('Insurer receivables past their month'), MONEY, 'business', ('insurer_owed',),
         lambda s: money(s.get('ins_overdue', 0)), None, 'insurer_overdue_target', '<=', 'insurer_owed', None),
    # workshop
    Spec('tech_efficiency', _l('Technician efficiency'), PERCENT, 'workshop', ('lines',), _hours_of('clocked_sold_h'),
         lambda s: hours(s.get('line_clocked_s')), 'kpi_efficiency_target', '>=', 'lines', None),
    Spec('tech_productivity', _l('Technician productivity'), PERCENT, 'workshop', ('clocks', 'present'), None,
         None, 'kpi_productivity_target', '>=', 'clocks', None, derive=_productivity),
    Spec('qc_first_pass', _l('First-time QC pass rate'), PERCENT, 'workshop', ('lines',), _s('first_pass'),
         _s('lines'), 'kpi_qc_first_pass_target', '>=', 'lines', 'first_pass'),
    Spec('rework_rate', _l('Rework rate'), PERCENT, 'workshop', ('lines',), _s('reworked'), _s('lines'),
         None, None, 'lines', 'reworked'),
    Spec('first_time_fix', _l('First-time fix rate'), PERCENT, 'workshop', ('fixes',), _fixed_first,
         _s('fix_lines'), 'kpi_first_time_fix_target', '>=', 'fixes', 'fixed_first'),
    Spec('comeback_rate', _l('Comeback rate'), PERCENT, 'workshop', ('fixes',), _s('came_back'), _s('fix_lines'),
         None, None, 'fixes', 'came_back'),
    Spec('hours_sold', _l('Flat-rate hours sold'), HOURS, 'workshop', ('lines',), _hours_of('sold_h'), None, None,
         None, 'lines', None),
    # process compliance
    Spec('compliance', _l('Process compliance (all steps)'), PERCENT, 'compliance',
         ('appointments', 'delivered', 'added', 'complaints'),
         _compliance_num(STEP_COLUMNS), _compliance_den(STEP_COLUMNS), 'kpi_compliance_target', '>=', None, None),
] + [
    Spec('compliance_' + col[2:], label, PERCENT, 'compliance', (src,), _compliance_num([col]),
         _compliance_den([col]), 'kpi_compliance_target', '>=', src, col)
    for col, label, src in COMPLIANCE_STEPS
]
SPEC_BY_NAME = {s.name: s for s in SPECS}
CATALOG = [(s.name, s.label, s.group, s.unit) for s in SPECS]
# Balances at a moment: the period's figure is its last bucket's, not a sum.
BALANCES = ('receivables', 'insurer_overdue')

GROUPS = [('quality', _l('Quality and targets')), ('business', _l('Business')), ('workshop', _l('Workshop')),
          ('compliance', _l('Process compliance'))]

# Insurance jobs (issue 16). In a 4S shop the claims work sits with the advisor who takes the accident car in (the
# assessment followed up, the insurer's money collected within the month, rulebook 004: 保险不超过当月) and with the
# claims (warranty) clerk. The advisor's figures are their own orders' (insurer_overdue too: the insurer bills of the
# orders they advised, as customer receivables are counted per advisor); the clerk's are the shop's, as warranty
# claims are: no record says which clerk chased which insurer, so a per-clerk share could not be told honestly.
INSURANCE_FIGURES = ('insurance_jobs', 'insurance_revenue', 'insurance_days', 'insurer_overdue')

# The figures of each role's own scorecard (DOMAIN.md "Targets", per-role lists).
ROLE_FIGURES = {
    ADVISOR: ['timeliness', 'satisfaction', 'complaint_rate', 'followup_success', 'car_count', 'labour_revenue',
              'parts_revenue', 'avg_ro_value', 'compliance', 'compliance_reminder', 'compliance_walkaround',
              'compliance_belongings', 'compliance_progress', 'compliance_added_work', 'compliance_pickup',
              'compliance_settlement', 'first_time_fix', 'comeback_rate'] + list(INSURANCE_FIGURES),
    TECHNICIAN: ['tech_efficiency', 'tech_productivity', 'qc_first_pass', 'rework_rate', 'first_time_fix',
                 'comeback_rate', 'hours_sold'],
    FOREMAN: ['timeliness', 'car_count', 'compliance_acceptance'],
    CUSTOMER_SERVICE: ['followup_success', 'complaint_satisfaction', 'compliance_complaint_answer',
                       'compliance_complaint_handled'],
    PARTS: ['parts_fill_rate', 'stock_variance'],
    WARRANTY: ['warranty_first_approval', 'first_maintenance_return'] + list(INSURANCE_FIGURES),
    QC: [],
    MANAGER: [s.name for s in SPECS],
}
# The dashboard's figures (complaint-handling satisfaction and hours sold live on the scorecards).
DASHBOARD = [s.name for s in SPECS if s.name not in ('complaint_satisfaction', 'hours_sold')]
