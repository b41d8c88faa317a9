"""Insurance jobs at the front desk: the insurer list, an order's claim, damage photos by area, the assessment (定损)
against the shop's estimate, supplementary assessments, the insurer's receivables and the insurer's print."""
from decimal import Decimal, InvalidOperation
from functools import partial

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core import audit
from app.core.access import ADVISOR, CUSTOMER_SERVICE, MANAGER, WARRANTY, allow
from app.core.db import transaction
from app.core.errors import Refused
from app.core.settings import get_setting, set_setting
from app.core.web import act, record_action, render
from app.insurance import forms, queries, rules
from app.insurance.models import CAR_AREAS, LINE_KINDS, Insurer, Supplement
from app.reception.models import CHANNELS, RepairOrder
from app.settlement.forms import PAYER_LABELS
from app.settlement.payer_payments import record_payer_payment
from app.settlement.receivables import payer_due_on, payer_paid
from app.settlement.totals import order_money

bp = Blueprint('insurance', __name__)

READERS = (ADVISOR, MANAGER, WARRANTY, CUSTOMER_SERVICE)
DESK = (ADVISOR, MANAGER)

TILES = [
    ('insurance.jobs', _l('Insurance jobs'), _l('Accident repairs: claims, damage assessment, what insurers owe')),
    ('insurance.receivables', _l('Insurer receivables'), _l('What insurers owe, and bills past their month')),
]

LABELS = dict(area_labels=CAR_AREAS, kind_labels=LINE_KINDS, channel_labels=CHANNELS, answer_labels=forms.ANSWERS,
              payer_labels=PAYER_LABELS)


# --- lists ------------------------------------------------------------------------------------------------------

@bp.route('/insurance')
@allow(*READERS)
def jobs():
    """The shop's insurance jobs and where each stands: waiting for the assessment, for the insurer's answer…"""
    return render('insurance/jobs.html', None, jobs=queries.jobs(current_shop()))


@bp.route('/insurance/receivables')
@allow(*READERS)
def receivables():
    """What insurers owe on settled bills; those past the month they were settled in first (rulebook 004)."""
    rows = queries.insurer_receivables(current_shop())
    return render('insurance/receivables.html', None, rows=rows, total=sum((r.balance for r in rows), Decimal(0)),
                  overdue=[r for r in rows if r.overdue])


# --- the insurer list and the shop's setting ------------------------------------------------------------------------

def _insurers_page(_found=None, status=200, error=None, done=None, form=None, editing=None, setting_form=None):
    shop = current_shop()
    setting_form = setting_form or forms.WaitSettingForm(
        formdata=None, waits=bool(get_setting(shop, 'insurance_work_waits_for_assessment')))
    return render('insurance/insurers.html', None, insurers=queries.insurers(shop), error=error, editing=editing,
                  form=form or forms.InsurerForm(formdata=None, version=0), setting_form=setting_form), status


@bp.route('/insurance/insurers')
@allow(*DESK)
def insurers():
    """The insurers the shop repairs for (a list the service manager keeps) and the shop's insurance setting."""
    return _insurers_page()


def _no_record():
    return None


@bp.route('/insurance/insurers', methods=['POST'])
@allow(MANAGER)
@record_action(_no_record, _insurers_page, 'insurance.insurers', form=forms.InsurerForm)
def insurer_add(_found, form):
    """Add an insurer to the list."""
    rules.save_insurer(current_shop(), current_user, name=form.name.data, phone=form.phone.data,
                       contact=form.contact.data, active=form.active.data)
    return _('Insurer added.')


def _insurer(insurer_id):
    return Insurer.get_for_shop_or_404(current_shop(), insurer_id)


def _insurer_page(insurer, status=200, **given):
    return _insurers_page(None, status, editing=insurer.id, **given)


@bp.route('/insurance/insurers/<int:insurer_id>', methods=['POST'])
@allow(MANAGER)
@record_action(_insurer, _insurer_page, 'insurance.insurers', form=forms.InsurerForm,
               back=lambda _i: url_for('insurance.insurers'))
def insurer_edit(insurer, form):
    """Change an insurer's details, or take it off the list."""
    rules.save_insurer(current_shop(), current_user, insurer=insurer, name=form.name.data, phone=form.phone.data,
                       contact=form.contact.data, active=form.active.data, version=form.version.data)
    return _('Insurer saved.')


@bp.route('/insurance/settings', methods=['POST'])
@allow(MANAGER)
def wait_setting():
    """The shop's own choice: whether work on an insurance job waits for the insurer's assessment."""
    shop, form = current_shop(), forms.WaitSettingForm()

    def run():
        with transaction():
            before = get_setting(shop, 'insurance_work_waits_for_assessment')
            set_setting(shop, 'insurance_work_waits_for_assessment', 1 if form.waits.data else 0)
            audit.record('settings.changed', 'shop', shop.id, shop=shop, actor=current_user,
                         before={'insurance_work_waits_for_assessment': before},
                         after={'insurance_work_waits_for_assessment': 1 if form.waits.data else 0})
    return act(partial(_insurers_page, None), run, done=_('Setting saved.'), back=url_for('insurance.insurers'),
               form=form, form_as='setting_form')


# --- one order's claim --------------------------------------------------------------------------------------------

def _order(order_id):
    return RepairOrder.get_for_shop_or_404(current_shop(), order_id)


def _typed_rows(insurer=True):
    """The lines as the form sent them: (kind, description, shop's amount[, insurer's amount]) per row."""
    f = request.form
    columns = [f.getlist('kind'), f.getlist('line_description'), f.getlist('shop_amount')]
    return [tuple(r) for r in zip(*columns + ([f.getlist('insurer_amount')] if insurer else []))]


def _with_rows(name, insurer=True):
    """The claim page showing the lines as typed (under `name`): a refused form keeps every line."""
    return lambda order, status=200, **given: _claim_page(order, status, **{name: _typed_rows(insurer)}, **given)


def _claim_page(order, status=200, error=None, done=None, **given):
    """The insurance page of an order: the claim, the damage, the assessment and its split, supplements, the bill."""
    shop = current_shop()
    claim = rules.claim_of(order)
    claim_form = given.pop('claim_form', None) or forms.ClaimForm(
        formdata=None, version=claim.version if claim else 0, **(dict(
            insurer=claim.insurer_id, policy_number=claim.policy_number, claim_number=claim.claim_number,
            accident_date=claim.accident_date, insured_name=claim.insured_name, driver_name=claim.driver_name)
            if claim else dict(insured_name=order.customer.name if order.customer else '')))
    claim_form.insurer.choices = [(0, _('Choose…'))] + [(i.id, i.name) for i in queries.insurers(shop, True)]
    ctx = dict(ro=order, claim=claim, claim_form=claim_form, error=error, done=done, **LABELS)
    if claim is not None:
        figures = rules.assessment(claim)
        areas, photos = queries.damage(claim)
        statement = order_money(order)
        s = statement.settlement
        ctx.update(
            figures=figures, areas=areas, photos=photos, statement=statement,
            supplements=list(Supplement.select().where(Supplement.claim == claim).order_by(Supplement.id)),
            assessment_form=given.pop('assessment_form', None) or forms.AssessmentForm(
                formdata=None, version=claim.version, assessor=claim.assessor, deductible=claim.deductible),
            assessment_rows=given.pop('assessment_rows', None) or [
                (ln.kind, ln.description, ln.shop_amount, ln.insurer_amount) for ln in figures.lines
                if ln.supplement_id is None],
            damage_form=given.pop('damage_form', None) or forms.DamageForm(formdata=None),
            supplement_form=given.pop('supplement_form', None) or forms.SupplementForm(formdata=None),
            supplement_rows=given.pop('supplement_rows', None) or [],
            answer_form=given.pop('answer_form', None), answering=given.pop('answering', None),
            payment_form=given.pop('payment_form', None) or forms.PayerPaymentForm(
                formdata=None, version=s.version if s else 0),
            insurer_paid=payer_paid(s, 'insurance') if statement.settled else None,
            due_on=payer_due_on(s.settled_at, shop.timezone) if statement.settled else None,
            waits=rules.waits_for_assessment(order))
    return render('insurance/claim.html', None, **ctx, **given), status


@bp.route('/orders/<int:order_id>/insurance')
@allow(*READERS)
def claim(order_id):
    """An order's insurance page (the claim form when it is not an insurance job yet)."""
    return _claim_page(_order(order_id))


def _claim_form():
    form = forms.ClaimForm()
    form.insurer.choices = [(0, '')] + [(i.id, i.name) for i in queries.insurers(current_shop(), True)]
    return form


@bp.route('/orders/<int:order_id>/insurance/claim', methods=['POST'])
@allow(*DESK)
@record_action(_order, _claim_page, 'insurance.claim', form=_claim_form, form_as='claim_form')
def claim_save(order, form):
    """Make the order an insurance job, or correct the claim's details."""
    rules.save_claim(order, current_user, insurer_id=form.insurer.data, policy_number=form.policy_number.data,
                     claim_number=form.claim_number.data, accident_date=form.accident_date.data,
                     insured_name=form.insured_name.data, driver_name=form.driver_name.data,
                     version=form.version.data)
    return _('Claim saved.')


def _claim_of(order):
    claim = rules.claim_of(order)
    if claim is None:
        raise Refused(_l('Enter the claim first.'))
    return claim


@bp.route('/orders/<int:order_id>/insurance/damage', methods=['POST'])
@allow(*DESK)
@record_action(_order, _claim_page, 'insurance.claim', form=forms.DamageForm, form_as='damage_form')
def damage_add(order, form):
    """Damage on one area of the car, with a photo from the tablet camera."""
    upload = form.photo.data
    data = upload.read() if upload is not None and getattr(upload, 'filename', '') else None
    rules.add_damage(_claim_of(order), current_user, area=form.area.data, note=form.note.data, photo=data)
    return _('Damage recorded.')


@bp.route('/orders/<int:order_id>/insurance/assessment', methods=['POST'])
@allow(*DESK)
@record_action(_order, _with_rows('assessment_rows'), 'insurance.claim', form=forms.AssessmentForm,
               form_as='assessment_form')
def assessment_save(order, form):
    """The insurer's assessment (定损): each line as the shop estimated it and as the assessor allowed it."""
    rules.save_assessment(_claim_of(order), current_user, assessor=form.assessor.data,
                          deductible=form.deductible.data, rows=_typed_rows(), version=form.version.data)
    return _('Assessment saved.')


@bp.route('/orders/<int:order_id>/insurance/supplements', methods=['POST'])
@allow(*DESK)
@record_action(_order, _with_rows('supplement_rows', insurer=False), 'insurance.claim', form=forms.SupplementForm,
               form_as='supplement_form')
def supplement_add(order, form):
    """More damage found under the work: ask the insurer for a supplementary assessment (追加定损)."""
    rules.request_supplement(_claim_of(order), current_user, description=form.description.data,
                             rows=_typed_rows(insurer=False))
    return _('Supplementary assessment asked of the insurer.')


def _supplement(supplement_id):
    return Supplement.get_for_shop_or_404(current_shop(), supplement_id)


def _answer_page(supplement, status=200, **given):
    return _claim_page(RepairOrder.get_by_id(supplement.claim.order_id), status, answering=supplement.id, **given)


def _allowed():
    out = {}
    for key, value in request.form.items():
        if key.startswith('allowed-') and key[8:].isdecimal() and value.strip():
            try:
                out[int(key[8:])] = Decimal(value.strip())
            except InvalidOperation:
                raise Refused(_l('Enter the amount as a number.'), 'note')
    return out


@bp.route('/insurance/supplements/<int:supplement_id>/answer', methods=['POST'])
@allow(*DESK)
@record_action(_supplement, _answer_page, 'insurance.claim', form=forms.AnswerForm, form_as='answer_form',
               back=lambda s: url_for('insurance.claim', order_id=s.claim.order_id))
def supplement_answer(supplement, form):
    """The insurer's answer to a supplementary assessment: approved or declined, who answered and how."""
    rules.answer_supplement(supplement, current_user, decision=form.decision.data, channel=form.channel.data,
                            spoke_with=form.spoke_with.data, note=form.note.data, allowed=_allowed(),
                            version=form.version.data)
    return _("The insurer's answer is recorded.")


@bp.route('/orders/<int:order_id>/insurance/payment', methods=['POST'])
@allow(*DESK)
@record_action(_order, _claim_page, 'insurance.claim', form=forms.PayerPaymentForm, form_as='payment_form')
def payment(order, form):
    """The insurer paid its share of the settled bill (or part of it)."""
    statement = order_money(order)
    if not statement.settled:
        raise Refused(_l('Settle the order first.'))
    record_payer_payment(statement.settlement, current_user, payer='insurance', amount=form.amount.data,
                         reference=form.reference.data, version=form.version.data)
    return _("The insurer's payment is recorded.")


@bp.route('/orders/<int:order_id>/insurance/print')
@allow(*READERS)
def print_claim(order_id):
    """What the insurer asks for on paper: the order and claim, the assessment against the bill, the photos."""
    order = _order(order_id)
    claim = rules.claim_of(order)
    if claim is None:
        flash(_('This order is not an insurance job.'), 'warn')
        return redirect(url_for('insurance.claim', order_id=order.id))
    areas, photos = queries.damage(claim)
    statement = order_money(order)
    return render('insurance/print_claim.html', None, ro=order, claim=claim, figures=rules.assessment(claim),
                  statement=statement, s=statement.settlement, areas=areas, photos=photos, **LABELS)
