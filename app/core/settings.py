"""Every rulebook number is a setting with the rulebook's value as its default (DOMAIN.md)."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l

# key: (default, type, label)
DEFAULTS = {
    # reception
    'new_customer_file_days': (2, int, _l('Days to open a new customer file')),
    'appointment_reminder_hours': (24, int, _l('Remind customers this many hours before an appointment')),
    'appointment_reminder_half_day_hours': (12, int, _l('Second reminder window (hours before)')),
    'appointment_deposit_share': (Decimal('0.5'), Decimal, _l('Deposit share for expensive parts')),
    'expensive_part_threshold': (Decimal('1000'), Decimal, _l('Parts above this price need a deposit (yuan)')),
    'tax_rate': (Decimal('0.13'), Decimal, _l('Tax rate')),
    'labour_rate': (Decimal('300'), Decimal, _l('Labour rate per hour (yuan)')),
    # the shop's own target: 001 asks for the sign-in time written precise to ten minutes, a precision (the system
    # stamps it to the second), not a deadline (app.core.setting_sources)
    'foreman_acceptance_minutes': (10, int, _l('Foreman signs the order in within (minutes)')),
    'bays': (8, int, _l('Workshop bays')),
    'workday_start': ('08:30', str, _l('Workshop opens at')),
    'workday_end': ('18:00', str, _l('Workshop closes at')),
    'slot_minutes': (60, int, _l('Appointment slot length (minutes)')),
    'promise_margin_minutes': (30, int, _l('Margin added to a promised time (minutes)')),
    # not from the rulebooks: a check-in started this long ago and never signed is abandoned (its key tag freed)
    'checkin_abandoned_hours': (12, int, _l('A check-in not signed within this many hours is abandoned')),
    # not from the rulebooks: the usual maintenance interval, for an estimate when none is booked
    'service_interval_months': (6, int, _l('Usual maintenance interval (months)')),
    'service_interval_km': (5000, int, _l('Usual maintenance interval (km)')),
    # not from the rulebooks: a Brother QL label printer on the shop's network (app.labels.printing)
    'label_printer_address': ('', str, _l('Label printer address')),
    'label_printer_model': ('QL-820NWB', str, _l('Label printer model')),
    'label_printer_media': ('62', str, _l('Label roll in the printer')),
    # workshop
    'progress_check_from': (Decimal('0.5'), Decimal, _l('Progress check window starts (share of promised duration)')),
    'progress_check_to': (Decimal('0.8'), Decimal, _l('Progress check window ends (share of promised duration)')),
    'shift_end': ('18:00', str, _l('Shift ends at')),
    # not from the rulebooks, which say "at once": added work red in the advisor's queue after this long
    'added_work_answer_minutes': (15, int, _l('Added work: call the customer within (minutes)')),
    # delivery and aftercare
    'pickup_notice_short_hours': (1, int, _l('Pickup notice ahead for jobs under two days (hours)')),
    'pickup_notice_long_hours': (4, int, _l('Pickup notice ahead for jobs of two days or more (hours)')),
    'long_job_days': (2, int, _l('A job this many days or longer is a long job')),
    'maintenance_settlement_days': (3, int, _l('Settle maintenance orders within (days)')),
    # insurance jobs (app.insurance): not from the rulebooks, the shop's own choice (1 yes, 0 no)
    'insurance_work_waits_for_assessment': (1, int, _l("Insurance jobs: work waits for the insurer's assessment (1 yes, 0 no)")),
    'followup_first_from_days': (2, int, _l('First follow-up call from (days after pickup)')),
    'followup_first_to_days': (7, int, _l('First follow-up call by (days after pickup)')),
    'followup_second_after_days': (7, int, _l('Second follow-up call from (days after the first)')),
    'followup_second_within_days': (7, int, _l('Second follow-up call within (days after that)')),
    'escalate_request_days': (2, int, _l('Unanswered requests escalated within (days)')),
    'complaint_first_response_hours': (24, int, _l('Complaint first response within (hours)')),
    'complaint_major_handled_hours': (48, int, _l('Major complaint handled within (hours)')),
    'event_notice_days': (7, int, _l('Announce activities this many days ahead')),
    'status_link_days_after_delivery': (14, int, _l('Status link valid after delivery (days)')),
    'status_link_requests_per_minute': (30, int, _l('Failed status link requests per minute per client')),
    # the shop's own: a customer who declines the repair pays this for the diagnosis or estimate (002 sets no sum)
    'diagnosis_fee': (Decimal('200'), Decimal, _l('Diagnosis fee when the customer declines the repair (yuan, before tax)')),
    'discount_share_without_manager': (Decimal('0.10'), Decimal, _l('Largest discount an advisor may give alone (share)')),
    'guarantee_major_days': (100, int, _l('Guarantee for major or assembly repair (days)')),
    'guarantee_major_km': (20000, int, _l('Guarantee for major or assembly repair (km)')),
    'guarantee_maintenance_days': (30, int, _l('Guarantee for second-level maintenance (days)')),
    'guarantee_maintenance_km': (5000, int, _l('Guarantee for second-level maintenance (km)')),
    'guarantee_minor_days': (10, int, _l('Guarantee for minor and other repairs (days)')),
    'guarantee_minor_km': (2000, int, _l('Guarantee for minor and other repairs (km)')),
    # parts
    'stock_variance_target': (Decimal('0.003'), Decimal, _l('Stock count variance target')),
    'safety_stock_factor': (Decimal('1.5'), Decimal, _l('Safety stock value = factor x last month outflow value')),
    # the shop's own: how many months' outflow of one part a reorder brings it back to
    'reorder_cover_factor': (Decimal('1.5'), Decimal, _l('Reorder a part up to factor x its last month outflow')),
    'slow_moving_share_target': (Decimal('0.06'), Decimal, _l('Slow-moving stock share target')),
    'turnover_min': (4, int, _l('Stock turnover per year, at least')),
    'turnover_max': (6, int, _l('Stock turnover per year, at most')),
    'fill_rate_target': (Decimal('0.98'), Decimal, _l('Parts fill rate target')),
    # warranty
    'warranty_years': (3, int, _l('Warranty period (years)')),
    'warranty_km': (60000, int, _l('Warranty period (km)')),
    'three_guarantee_years': (2, int, _l('Three-guarantee period (years)')),
    'three_guarantee_km': (50000, int, _l('Three-guarantee period (km)')),
    'lemon_repair_days': (35, int, _l('Cumulative repair days that entitle a replacement')),
    'lemon_same_problem_repairs': (5, int, _l('Repairs of the same problem that entitle a replacement')),
    'loaner_after_days': (5, int, _l('A repair longer than this owes a loaner car (days)')),
    'early_failure_days': (60, int, _l('Serious failure window (days)')),
    'early_failure_km': (3000, int, _l('Serious failure window (km)')),
    # the shop's own: warn near the three-guarantee limits; the window a first maintenance counts as a return in
    'lemon_near_days': (25, int, _l('Warn from this many cumulative repair days')),
    'lemon_near_repairs': (4, int, _l('Warn at this repair of the same problem')),
    'first_maintenance_months': (9, int, _l('First maintenance counts as a return up to (months after sale)')),
    'first_maintenance_km': (7500, int, _l('First maintenance counts as a return up to (km)')),
    'first_maintenance_return_target': (Decimal('0.95'), Decimal, _l('First-maintenance return rate target')),
    'claim_first_approval_target': (Decimal('0.98'), Decimal, _l('Claim first-time approval target')),
    # not from the rulebooks, the shop's own choice: a car back within this many days and km of a delivery is
    # a possible comeback (返修), flagged at check-in (app.warranty.comebacks)
    'comeback_window_days': (30, int, _l('Comeback window (days after delivery)')),
    'comeback_window_km': (3000, int, _l('Comeback window (km after delivery)')),
    # 004 "半年、一年、两年、三年、五年索赔件到期前预约回厂检查": how far ahead of each date the call is due is the
    # shop's own choice (app.recalls.parts_due)
    'claimed_part_reminder_days': (14, int, _l('Claimed-part check: call this many days before ½, 1, 2, 3 and 5 years')),
    # KPIs
    'timeliness_target': (Decimal('0.90'), Decimal, _l('Service timeliness target')),
    'satisfaction_target': (Decimal('0.85'), Decimal, _l('Customer satisfaction target')),
    'complaint_rate_target': (Decimal('0.03'), Decimal, _l('Complaint rate (service fault) below')),
    'onsite_near_km': (100, int, _l('On-site service: near radius (km)')),
    'onsite_near_hours': (24, int, _l('On-site service near: reach the site within (hours)')),
    'onsite_far_answer_hours': (12, int, _l('On-site service far: answer within (hours)')),
    # --- kpi (app/kpi): targets the rulebooks leave open; not from the rulebooks, the shop sets its own ---
    'kpi_satisfied_score': (4, int, _l('A satisfaction score of at least this counts as satisfied (1-5)')),
    'kpi_followup_success_target': (Decimal('0.90'), Decimal, _l('Follow-up success rate target')),
    'kpi_compliance_target': (Decimal('0.90'), Decimal, _l('Process compliance target (each step)')),
    'kpi_efficiency_target': (Decimal('1.00'), Decimal, _l('Technician efficiency target')),
    'kpi_productivity_target': (Decimal('0.80'), Decimal, _l('Technician productivity target')),
    'kpi_qc_first_pass_target': (Decimal('0.95'), Decimal, _l('First-time QC pass rate target')),
    'kpi_first_time_fix_target': (Decimal('0.95'), Decimal, _l('First-time fix rate target')),
    # insurance jobs: 004 "保险不超过当月" wants the insurer's money in by the end of the month the bill was settled
    # in, so nothing owed past its month; how many days from the assessment to the car leaving is the shop's own
    'insurer_overdue_target': (Decimal('0'), Decimal, _l('Insurer receivables past their month at most (yuan)')),
    'kpi_insurance_days_target': (Decimal('30'), Decimal, _l('Insurance jobs: days from the assessment to delivery at most')),
    'kpi_technician_hour_cost': (Decimal('60'), Decimal, _l('Cost of a clocked technician hour, for the labour margin (yuan)')),
    # reports: staff scorecards (app.reports.scorecards). Weights per role follow DOMAIN.md's per-role KPI
    # lists; a role's weights are shared out of their sum. The KPI engine's figures bring their own targets;
    # the target below (for the scorecards' own shares) is not from the rulebooks.
    'scorecard_advisor_satisfaction': (30, int, _l('Scorecard weight, advisor: customer satisfaction')),
    'scorecard_advisor_completion': (30, int, _l('Scorecard weight, advisor: orders completed on time')),
    'scorecard_advisor_settlement_accuracy': (20, int, _l('Scorecard weight, advisor: settlement accuracy')),
    'scorecard_advisor_complaint_timeliness': (20, int, _l('Scorecard weight, advisor: complaint handling in time')),
    'scorecard_technician_qc_first_pass': (40, int, _l('Scorecard weight, technician: first-time QC pass')),
    'scorecard_technician_hours': (40, int, _l('Scorecard weight, technician: labour-hour completion')),
    # not from the rulebooks: first-time fix is shown on the scorecards and weighs nothing until the shop says
    'scorecard_technician_first_fix': (0, int, _l('Scorecard weight, technician: jobs fixed the first time')),
    'scorecard_advisor_first_fix': (0, int, _l('Scorecard weight, advisor: jobs fixed the first time')),
    # not from the rulebooks either: the insurance figures show on the advisor's and the claims clerk's scorecards
    # and weigh nothing until the shop says (jobs and revenue are volumes, shown without a weight)
    'scorecard_advisor_insurance_days': (0, int, _l('Scorecard weight, advisor: days from the assessment to delivery')),
    'scorecard_advisor_insurer_overdue': (0, int, _l('Scorecard weight, advisor: insurer receivables past their month')),
    'scorecard_warranty_insurance_days': (0, int, _l('Scorecard weight, warranty clerk: days from the assessment to delivery')),
    'scorecard_warranty_insurer_overdue': (0, int, _l('Scorecard weight, warranty clerk: insurer receivables past their month')),
    'scorecard_technician_parts_use': (20, int, _l('Scorecard weight, technician: parts use')),
    'scorecard_foreman_acceptance': (40, int, _l('Scorecard weight, foreman: cars signed in on time')),
    'scorecard_foreman_timeliness': (30, int, _l('Scorecard weight, foreman: workshop timeliness')),
    'scorecard_foreman_qc_first_pass': (30, int, _l('Scorecard weight, foreman: workshop first-time QC pass')),
    'scorecard_qc_escape_free': (60, int, _l('Scorecard weight, QC: passed cars without quality complaints')),
    'scorecard_qc_timeliness': (40, int, _l('Scorecard weight, QC: workshop timeliness')),
    'scorecard_parts_fill_rate': (50, int, _l('Scorecard weight, parts clerk: fill rate')),
    'scorecard_parts_stock_accuracy': (50, int, _l('Scorecard weight, parts clerk: stock accuracy')),
    'scorecard_warranty_first_approval': (60, int, _l('Scorecard weight, warranty clerk: first-time approval')),
    'scorecard_warranty_first_maintenance': (40, int, _l('Scorecard weight, warranty clerk: first-maintenance return')),
    'scorecard_cs_followup_success': (40, int, _l('Scorecard weight, customer service: follow-up success')),
    'scorecard_cs_complaint_satisfaction': (30, int, _l('Scorecard weight, customer service: complaint satisfaction')),
    'scorecard_cs_complaint_answer': (30, int, _l('Scorecard weight, customer service: complaints answered in time')),
    'scorecard_accuracy_target': (Decimal('1.00'), Decimal, _l('Scorecard target for on-time and error-free shares')),
}


def get_setting(shop, key):
    """The shop's value for a setting, or the rulebook default."""
    default, kind, _label = DEFAULTS[key]
    value = own_value(shop, key)
    return kind(value) if value is not None else default


def own_value(shop, key):
    """The shop's own stored value of a key (text), None when it set none."""
    from app.core.models import Setting
    if shop is None:
        return None
    mine = _this_request(shop)
    if mine is not None:
        return mine.get(key)
    row = Setting.get_or_none((Setting.shop == shop) & (Setting.key == key))
    return row.value if row is not None else None


def _this_request(shop):
    """Inside a web request: all the shop's own values, read once (a home page asks dozens of settings); None
    outside one (a command, a test between requests reads each value as it is now)."""
    from flask import has_request_context, request

    from app.core.models import Setting
    if not has_request_context():
        return None
    read = request.environ.setdefault('servicebay.settings', {})    # (g may outlive the request)
    shop_id = getattr(shop, 'id', shop)
    if shop_id not in read:
        read[shop_id] = dict(Setting.select(Setting.key, Setting.value).where(Setting.shop == shop_id).tuples())
    return read[shop_id]


def set_setting(shop, key, value):
    """Store the shop's own value for a setting (inside the caller's transaction, with its audit event)."""
    from app.core.models import Setting
    if key not in DEFAULTS:
        raise KeyError(key)
    changed = Setting.update(value=str(value)).where((Setting.shop == shop) & (Setting.key == key)).execute()
    if not changed:
        Setting.create(shop=shop, key=key, value=str(value))
    mine = _this_request(shop)
    if mine is not None:
        mine[key] = str(value)
