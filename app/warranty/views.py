"""Warranty: the dashboard, an order's coverage and claims, the claim list and the three-guarantee status."""
from datetime import datetime, time, timedelta
from functools import partial

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core.access import ADVISOR, CUSTOMER_SERVICE, MANAGER, WARRANTY, allow, may_use
from app.core.db import utcnow
from app.core.errors import IllegalMove, Refused, StaleRecord
from app.core.idempotency import idempotent
from app.core.timeutil import add_months, shop_today, to_utc
from app.core.web import STALE_MESSAGE, act, record_action, render, replay, replays, wants_fragment
from app.customers.models import Vehicle
from app.reception.models import OrderLine, PartLine, RepairOrder
from app.reception.pricing import line_parts_total
from app.warranty import claims as claim_rules
from app.warranty import comeback_views, forms, kpis, tracker
from app.warranty.coverage import claim_locking, coverage_by_line, decide_coverage
from app.warranty.eligibility import CLERKS, LOANER_RECORDERS, eligibility, limits
from app.warranty.models import SYSTEM_LABELS, Claim, LineCoverage, LoanerRecord, system_of

bp = Blueprint('warranty', __name__)

FLAG_READERS = (ADVISOR, WARRANTY, MANAGER, CUSTOMER_SERVICE)  # see the three-guarantee warnings

TILES = [
    ('warranty.dashboard', _l('Warranty'), _l('Three-guarantee limits, open claims, money owed by the maker, KPIs')),
    ('warranty.claims', _l('Warranty claims'), _l('Claims to the maker by status and age')),
    ('warranty.comebacks', _l('Comebacks'), _l('Cars back for the same problem; first-time fix per technician, '
                                                 'advisor and job type')),
]


@bp.app_context_processor
def _warranty_helpers():
    """What the order and vehicle pages include: the warnings, for the people allowed to see them."""
    def order_flags(order):
        if not may_use('warranty.order') or order is None or not order.is_signed:
            return None
        return tracker.order_flags(order)

    def vehicle_status(vehicle):
        if not may_use('warranty.vehicle') or vehicle is None:
            return None
        return tracker.vehicle_status(vehicle)

    return {'warranty_order_flags': order_flags, 'warranty_vehicle_status': vehicle_status,
            **comeback_views.helpers()}


for _rule, _endpoint, _view, _methods in comeback_views.ROUTES:     # comebacks (app.warranty.comeback_views)
    bp.add_url_rule(_rule, _endpoint, _view, methods=_methods)



def _typed(forms_given, error):
    """A refusal's message goes on the one form the person sent (above its fields); with none, on the page."""
    typed = next((f for f in forms_given if f is not None), None)
    if error and typed is not None:
        typed.form_errors.append(error)
        return None
    return error


# --- dashboard -----------------------------------------------------------------------------------

@bp.route('/warranty')
@allow(*CLERKS)
def dashboard():
    """Vehicles near or over the three-guarantee limits, long repairs, early failures, open claims,
    receivables from the maker and the two KPIs against their targets."""
    shop = current_shop()
    now = utcnow()
    today = shop_today(shop)
    year_ago = today - timedelta(days=365)
    fm_since, fm_until = add_months(today, -24), today
    receivable = claim_rules.receivables(shop, now)
    open_claims = list(claim_rules.claims(shop).where(Claim.status.in_([Claim.DRAFT, Claim.SUBMITTED,
                                                                        Claim.REJECTED])))
    return render('warranty/dashboard.html', None, lim=limits(shop), now=now,
                  near=tracker.vehicles_near_limits(shop, now), long_repairs=tracker.open_long_repairs(shop, now),
                  early=tracker.early_failures(shop, now), open_claims=open_claims, receivable=receivable,
                  receivable_total=sum((r.amount for r in receivable), 0),
                  approval=kpis.first_time_approval_rate(shop, since=year_ago), approval_since=year_ago,
                  first_maint=kpis.first_maintenance_cohort(shop, fm_since, fm_until, today),
                  fm_since=fm_since, fm_until=fm_until, counts=claim_rules.status_counts(shop),
                  labels=claim_rules.CLAIM_LABELS, age=claim_rules.age_days, system_labels=SYSTEM_LABELS)


# --- an order's coverage, claims and loaner car --------------------------------------------------

def _order(order_id):
    return RepairOrder.get_for_shop_or_404(current_shop(), order_id)


def _line_rows(order):
    lines = list(OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.position, OrderLine.id))
    parts = {}
    for p in PartLine.select().where(PartLine.order == order).order_by(PartLine.id):
        parts.setdefault(p.line_id, []).append(p)
    covs = coverage_by_line(order)
    return [dict(line=ln, parts=parts.get(ln.id, []), parts_total=line_parts_total(parts.get(ln.id, [])),
                 cov=covs.get(ln.id), locked=claim_locking(ln)) for ln in lines]


def _claimable(rows, order_claims):
    """The warranty lines a new claim may cover: none once the whole order is claimed; else unclaimed ones."""
    if any(c.line_id is None for c in order_claims):
        return []
    claimed = {c.line_id for c in order_claims}
    return [r['line'] for r in rows
            if r['cov'] and r['cov'].kind == LineCoverage.WARRANTY and r['line'].id not in claimed]


def _claim_form(rows, order_claims, formdata=None):
    lines = _claimable(rows, order_claims)
    form = forms.ClaimNewForm(formdata=formdata, lines=lines)
    if order_claims or not lines:      # a claim per line from now on (or nothing to claim): no "whole order"
        form.line.choices = form.line.choices[1:]
    if formdata is None:
        form.version.data = len(order_claims)
    return form


def _coverage_form(row, formdata=None):
    cov = row['cov']
    form = forms.CoverageForm(formdata=formdata, prefix='l%d' % row['line'].id)
    if formdata is None:
        form.version.data = cov.version if cov else 0
        if cov:
            form.kind.data, form.system.data = cov.kind, cov.system
            form.fault_code.data, form.reason.data = cov.fault_code, cov.reason
        else:
            form.system.data = _guess_system(row['line'])
    return form


def _guess_system(line):
    """Pre-select the fault group from the job's own system where the names agree."""
    return system_of(line.system)


def _order_page(order, status=200, error=None, done=None, claim_form=None, loaner_form=None, line_forms=None):
    """The order's warranty page, with the form the person sent (as typed) where it failed."""
    line_forms = line_forms or {}
    error = _typed([claim_form, loaner_form, *line_forms.values()], error)
    rows = _line_rows(order)
    for row in rows:
        row['form'] = line_forms.get(row['line'].id) or _coverage_form(row)
    order_claims = list(Claim.select().where(Claim.order == order).order_by(Claim.id))
    info = tracker.order_warranty(order)
    if claim_form is None:
        claim_form = _claim_form(rows, order_claims)
    if loaner_form is None:
        loaner_form = forms.LoanerForm(formdata=None)
        loaner_form.version.data = len(info.loaners)
        loaner_form.given_on.data = shop_today(order.shop)
    return render(
        'warranty/order.html', None, ro=order, rows=rows, info=info, claims=order_claims, claim_form=claim_form,
        loaner_form=loaner_form, labels=claim_rules.CLAIM_LABELS, amounts=claim_rules.claim_amounts(order),
        lim=limits(order.shop), flags=tracker.order_flags(order), error=error), status


@bp.route('/warranty/orders/<int:order_id>')
@allow(*FLAG_READERS)
def order(order_id):
    """An order as the warranty clerk sees it: eligibility, who pays for each job, its claims, the loaner car."""
    return _order_page(_order(order_id))


def _line(line_id):
    line = OrderLine.get_for_shop_or_404(current_shop(), line_id)
    return line, RepairOrder.get_by_id(line.order_id)


def _line_piece(line, status=200, form=None, error=None, done=None):
    """One job's coverage box again (htmx), else the order's page; with the form as typed where it failed."""
    order = RepairOrder.get_by_id(line.order_id)
    if not wants_fragment():
        return _order_page(order, status, error=error, line_forms={line.id: form} if form else None)
    row = next(r for r in _line_rows(order) if r['line'].id == line.id)
    row['form'] = form or _coverage_form(row)
    _typed([row['form']], error)
    return render('warranty/_line.html', None, row=row, ro=order), status


def _to_line(line):
    return url_for('warranty.order', order_id=line.order_id, _anchor='line-%d' % line.id)


def _coverage_replay(line_id):
    line, _order_of_line = _line(line_id)
    return replay(partial(_line_piece, line), _to_line(line))


@bp.route('/warranty/lines/<int:line_id>/coverage', methods=['POST'])
@allow(*CLERKS)
@idempotent(replay=_coverage_replay)
def coverage(line_id):
    """Decide who pays for one job (customer, warranty, goodwill) and its fault group, with the reason."""
    line, order = _line(line_id)
    row = next(r for r in _line_rows(order) if r['line'].id == line.id)
    form = _coverage_form(row, formdata=request.form)
    return act(partial(_line_piece, line),
               lambda: decide_coverage(line, by=current_user, kind=form.kind.data, system=form.system.data,
                                       fault_code=form.fault_code.data, reason=form.reason.data,
                                       expected_version=form.version.data),
               done=_('Decision recorded for "%(job)s".', job=line.description), back=_to_line(line), form=form)


_to_order = replays(_order_page, _order, 'warranty.order')


@bp.route('/warranty/orders/<int:order_id>/claims', methods=['POST'])
@allow(*CLERKS)
@idempotent(replay=_to_order)
def claim_new(order_id):
    """Open a claim to the maker for the order's warranty jobs, or for one of them; then its page."""
    order = _order(order_id)
    form = _claim_form(_line_rows(order), list(Claim.select().where(Claim.order == order)), formdata=request.form)
    if not form.validate_on_submit():
        return _order_page(order, 400, claim_form=form)
    line = OrderLine.get_or_none((OrderLine.id == int(form.line.data)) & (OrderLine.order == order)) \
        if form.line.data else None
    try:
        claim = claim_rules.open_claim(order, by=current_user, line=line, old_part_tag=form.old_part_tag.data,
                                       note=form.note.data, expected_claims=form.version.data)
    except StaleRecord:
        return _order_page(order, 409, error=STALE_MESSAGE())
    except Refused as refused:
        return _order_page(order, refused.status, error=str(refused), claim_form=form)
    flash(_('Claim %(number)s opened as a draft.', number=claim.number), 'ok')
    return redirect(url_for('warranty.claim', claim_id=claim.id))


@bp.route('/warranty/orders/<int:order_id>/loaners', methods=['POST'])
@allow(*LOANER_RECORDERS)
@record_action(_order, _order_page, 'warranty.order', form=forms.LoanerForm, form_as='loaner_form',
               back=lambda order: url_for('warranty.order', order_id=order.id, _anchor='loaner'))
def loaner_new(order, form):
    """Record the loaner car or transport compensation given for a long repair."""
    shop = current_shop()
    given_at = to_utc(datetime.combine(form.given_on.data, time(12)), shop.timezone)
    if form.given_on.data == shop_today(shop):
        given_at = utcnow()
    tracker.record_loaner(order, by=current_user, kind=form.kind.data, given_at=given_at,
                          amount=form.amount.data, note=form.note.data, expected_count=form.version.data)
    return _('Recorded: %(what)s.', what=LoanerRecord.KIND_LABELS.get(form.kind.data, ''))


# --- claims --------------------------------------------------------------------------------------

@bp.route('/warranty/claims')
@allow(*CLERKS)
def claims():
    """Claims by status, with their age in days since (re)submission."""
    shop = current_shop()
    status = request.args.get('status', '')
    if status not in claim_rules.CLAIM_LABELS:
        status = ''
    rows = list(claim_rules.claims(shop, status or None).limit(500))
    return render('warranty/claims.html', None, rows=rows, status=status, statuses=claim_rules.CLAIM_STATUSES,
                  counts=claim_rules.status_counts(shop), now=utcnow(), age=claim_rules.age_days,
                  labels=claim_rules.CLAIM_LABELS)


def _claim(claim_id):
    return Claim.get_for_shop_or_404(current_shop(), claim_id)


def _claim_page(claim, status=200, error=None, done=None, edit_form=None, move_forms=None):
    """The claim's page, with the form the person sent (as typed) where it failed."""
    move_forms = dict(move_forms or {})
    error = _typed([edit_form, *move_forms.values()], error)
    if edit_form is None:
        edit_form = forms.ClaimEditForm(formdata=None, obj=claim)
        edit_form.version.data = claim.version
    for to in claim_rules.claim_moves(claim, current_user):
        if to not in move_forms:
            f = forms.ClaimMoveForm(formdata=None, prefix=to)
            f.version.data = claim.version
            if to == Claim.PAID:
                f.paid_amount.data = claim.amount
                f.paid_on.data = shop_today(claim.shop)
            move_forms[to] = f
    labour, parts = claim_rules.claim_amounts(claim.order, claim.line_id)
    return render(
        'warranty/claim.html', None, claim=claim, ro=claim.order, edit_form=edit_form, move_forms=move_forms,
        history=claim_rules.claim_history(claim), labels=claim_rules.CLAIM_LABELS, now=utcnow(),
        age=claim_rules.age_days, lines=claim_rules.warranty_lines(claim.order, claim.line_id),
        current=(labour, parts), editable=claim.status in claim_rules.EDITABLE, error=error), status


@bp.route('/warranty/claims/<int:claim_id>')
@allow(*CLERKS)
def claim(claim_id):
    """One claim: its jobs and amounts from the order, the old-part tag, the maker's answers and payment."""
    return _claim_page(_claim(claim_id))


_to_claim = replays(_claim_page, _claim, 'warranty.claim')


@bp.route('/warranty/claims/<int:claim_id>/edit', methods=['POST'])
@allow(*CLERKS)
@record_action(_claim, _claim_page, 'warranty.claim', form=forms.ClaimEditForm, form_as='edit_form')
def claim_edit(found, form):
    """Change the old-part tag or the note of a draft or rejected claim (amounts are read again)."""
    claim_rules.edit_claim(found, by=current_user, old_part_tag=form.old_part_tag.data, note=form.note.data,
                           expected_version=form.version.data)
    return _('Claim %(number)s saved.', number=found.number)


MOVE_DONE = {
    Claim.SUBMITTED: _l('Claim %(number)s submitted to the maker.'),
    Claim.APPROVED: _l('Claim %(number)s: approval recorded.'),
    Claim.REJECTED: _l('Claim %(number)s: rejection recorded.'),
    Claim.PAID: _l('Claim %(number)s: payment recorded.'),
}


@bp.route('/warranty/claims/<int:claim_id>/move', methods=['POST'])
@allow(*CLERKS)
@idempotent(replay=_to_claim)
def claim_move(claim_id):
    """Submit (or resubmit) a claim, record the maker's approval or rejection, or the payment."""
    found = _claim(claim_id)
    to = request.form.get('to', '')
    if to not in claim_rules.CLAIM_LABELS:
        raise IllegalMove(_('Choose what happened to the claim.'))
    form = forms.ClaimMoveForm(prefix=to)

    def piece(status, form=None, **given):
        return _claim_page(found, status, move_forms={to: form} if form is not None else None, **given)

    return act(piece,
               lambda: claim_rules.move_claim(found, to, by=current_user, expected_version=form.version.data,
                                              reason=form.reason.data, paid_amount=form.paid_amount.data,
                                              paid_on=form.paid_on.data),
               done=MOVE_DONE[to] % {'number': found.number}, back=url_for('warranty.claim', claim_id=found.id),
               form=form)


# --- a vehicle's three-guarantee status ----------------------------------------------------------

@bp.route('/warranty/vehicles/<int:vehicle_id>')
@allow(*FLAG_READERS)
def vehicle(vehicle_id):
    """A vehicle's three-guarantee record: each counted repair with its days and problems, limits used."""
    car = Vehicle.get_for_shop_or_404(current_shop(), vehicle_id)
    status = tracker.vehicle_status(car)
    return render('warranty/vehicle.html', None, car=car, wstatus=status, lim=status.limits,
                  system_labels=SYSTEM_LABELS, elig=eligibility(car, shop_today(car.shop), car.mileage, car.shop))
