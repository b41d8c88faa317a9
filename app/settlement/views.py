"""Settlement (结算) and delivery (交车) at the front desk: the bill, payments, prints, the hand-over."""
from functools import partial

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core import stages
from app.core.access import ADVISOR, CUSTOMER_SERVICE, MANAGER, WARRANTY, allow
from app.core.i18n import customer_language
from app.core.idempotency import idempotent
from app.core.photos import signature_png
from app.core.settings import get_setting
from app.core.stages import StaleRecord
from app.core.web import record_action, render
from app.reception.checkin import DOCUMENTS
from app.reception.models import Belonging, Recommendation, RepairOrder
from app.settlement import forms, queries, rules
from app.settlement.models import CATEGORIES, PAYERS, SettlementLine, VehicleDelivery
from app.settlement.totals import order_money

bp = Blueprint('settlement', __name__)

READERS = (ADVISOR, MANAGER, WARRANTY, CUSTOMER_SERVICE)

TILES = [
    ('settlement.index', _l('Settlement and delivery'), _l('Bills of finished cars, payments, the hand-over with the customer')),
    ('settlement.receivables', _l('Receivables'), _l('What customers, the maker and insurers still owe')),
    ('settlement.guarantee', _l('Quality guarantee terms'), _l('Days and km the shop guarantees for each job category')),
]

LABELS = dict(payer_labels=forms.PAYER_LABELS, method_labels=forms.METHOD_LABELS,
              category_labels=forms.CATEGORY_LABELS, status_labels=forms.STATUS_LABELS,
              old_parts_labels=forms.OLD_PARTS_LABELS, satisfaction_labels=forms.SATISFACTION_LABELS,
              documents=DOCUMENTS, pct=rules.percent)


@bp.app_context_processor
def _helpers():
    """`settlement_summary(order)` for the order page's settlement box (the figures come from order_money)."""
    return {'settlement_summary': _summary}


def _summary(ro):
    """None for a check-in and a cancelled order, unless it is a declined repair whose diagnosis fee was billed."""
    if ro.stage == stages.DRAFT or (ro.stage == stages.CANCELLED and ro.declined_at is None):
        return None
    st = order_money(ro)
    if ro.stage == stages.CANCELLED and not st.settled:
        return None          # declined with no fee: nothing to pay
    return dict(st=st, status_labels=forms.STATUS_LABELS,
                can_deliver=ro.stage == stages.READY_FOR_PICKUP and st.settled)


def _order(order_id):
    return RepairOrder.get_for_shop_or_404(current_shop(), order_id)


def _version():
    """The version the form was drawn with; a missing or garbled one is as stale as an old one."""
    raw = request.form.get('version', '')
    if not raw.isdigit():
        raise StaleRecord(None)
    return int(raw)


# --- lists ----------------------------------------------------------------------------------------------

@bp.route('/settlement')
@allow(ADVISOR, MANAGER)
def index():
    """The front desk's settlement list: finished cars to settle, settled cars to hand over, delivered to close."""
    shop = current_shop()
    return render('settlement/index.html', None, to_settle=queries.to_settle(shop),
                  awaiting=queries.awaiting_delivery(shop), delivered=queries.delivered_not_closed(shop),
                  recent=queries.recent_settlements(shop), days=get_setting(shop, 'maintenance_settlement_days'),
                  **LABELS)


@bp.route('/receivables')
@allow(ADVISOR, MANAGER, WARRANTY)
def receivables():
    """Customers' outstanding balances and what the maker and insurers owe, with their age."""
    shop = current_shop()
    owed = queries.customer_receivables(shop)
    payers = queries.payer_receivables(shop)
    return render('settlement/receivables.html', None, owed=owed, payers=payers,
                  owed_total=sum((r.balance for r in owed), queries.ZERO),
                  payers_total=sum((r.amount for r in payers), queries.ZERO), **LABELS)


@bp.route('/settings/guarantee', methods=['GET', 'POST'])
@allow(MANAGER)
@idempotent(replay=lambda: redirect(url_for('settlement.guarantee')))
def guarantee():
    """The quality guarantee per job category (days and km), printed on every settlement."""
    shop = current_shop()
    terms = rules.guarantee_terms(shop)
    errors = {}
    if request.method == 'POST':
        wanted = {}
        for category in CATEGORIES:
            days, km = request.form.get('days_' + category, '').strip(), request.form.get('km_' + category, '').strip()
            terms[category] = {'days': days, 'km': km}
            if not (days.isdigit() and km.isdigit()):
                errors[category] = _('Enter whole days and km.')
                continue
            wanted[category] = (int(days), int(km))
        if not errors:
            try:
                rules.save_guarantee_terms(shop, current_user, wanted, version=request.form.get('version', ''))
                flash(_('The guarantee terms are saved. New settlements print them.'), 'ok')
                return redirect(url_for('settlement.guarantee'))
            except rules.SettlementError as exc:
                errors['_'] = str(exc)
    resp = render('settlement/guarantee_terms.html', None, terms=terms, errors=errors, categories=CATEGORIES,
                  defaults=rules.default_terms(shop), version=rules.terms_version(shop), **LABELS)
    return (resp, 400) if errors else resp


# --- the settlement page ----------------------------------------------------------------------------------

def _panel_context(ro, **given):
    st = order_money(ro)
    s = st.settlement
    groups = []
    for it in st.items:
        if it.kind == SettlementLine.LABOUR or not groups:
            groups.append([])
        groups[-1].append(it)
    context = dict(
        ro=ro, st=st, t=st.totals, s=s, version=s.version if s else 0, groups=groups, payers=PAYERS,
        waiting=rules.discounts_waiting(st), settle_blockers=rules.settle_blockers(st),
        delivery_blockers=rules.delivery_blockers(ro, st), close_blockers=rules.close_blockers(ro, current_user, st),
        delivery=VehicleDelivery.get_or_none(VehicleDelivery.order == ro),
        limit=get_setting(ro.shop, 'discount_share_without_manager'),
        credited_lines=_credited_line_ids(st),
        consent_more=rules.consent_needed(st), internal_waiting=rules.internal_waiting(st),
        consent_form=forms.ConsentForm(formdata=None, spoke_with=ro.customer.name if ro.customer else ''),
        write_off_form=forms.WriteOffForm(formdata=None),
        discount_form=forms.DiscountForm(formdata=None), payment_form=forms.PaymentForm(formdata=None),
        credit_form=forms.CreditNoteForm(formdata=None), close_form=forms.CloseForm(formdata=None),
        settle_form=forms.SettleForm(formdata=None, expected_total=str(st.totals['customer_total'])),
        error=None, **LABELS)
    if st.settled and st.balance > 0 and not given.get('payment_form'):
        context['payment_form'] = forms.PaymentForm(formdata=None, amount=st.balance)
    context.update(given)
    return context


def _credited_line_ids(st):
    from app.settlement.models import CreditNoteLine
    if not st.credit_notes:
        return set()
    return {r.settlement_line_id for r in CreditNoteLine.select(CreditNoteLine.settlement_line)
            .where(CreditNoteLine.credit_note.in_([c.id for c in st.credit_notes]))}


def _panel(ro, status=200, **given):
    resp = render('settlement/order.html', 'settlement/_panel.html', **_panel_context(ro, **given))
    resp.status_code = status
    return resp


# An action on the settlement: the panel again (htmx) or the settlement page; a repeat is answered with it as it is.
_action = partial(record_action, _order, _panel, 'settlement.order')


@bp.route('/orders/<int:order_id>/settlement')
@allow(*READERS)
def order(order_id):
    """The order's settlement: items and who pays them, discounts, tax, totals, payments, credit notes."""
    return _panel(_order(order_id))


@bp.route('/orders/<int:order_id>/settlement/payers', methods=['POST'])
@allow(ADVISOR, MANAGER)
@_action()
def payers(ro, _form):
    """Who pays each item: customer, warranty (the maker), insurance or internal."""
    chosen = {k[len('payer_'):]: v for k, v in request.form.items() if k.startswith('payer_')}
    rules.set_payers(ro, current_user, payers=chosen, version=_version())
    return _('Payers saved.')


@bp.route('/orders/<int:order_id>/settlement/discounts', methods=['POST'])
@allow(ADVISOR, MANAGER)
@_action(form=forms.DiscountForm, form_as='discount_form')
def discount_add(ro, form):
    """A discount with its reason; over the advisor's limit it waits for the manager."""
    rules.add_discount(ro, current_user, kind=form.kind.data, value=form.rule_value(), reason=form.reason.data,
                       version=_version())
    return _('Discount added.')


def _discount_id():
    raw = request.form.get('discount_id', '')
    return int(raw) if raw.isdigit() else 0


@bp.route('/orders/<int:order_id>/settlement/discounts/approve', methods=['POST'])
@allow(MANAGER)
@_action()
def discount_approve(ro, _form):
    """The service manager approves a discount over the advisor's limit."""
    rules.approve_discount(ro, current_user, discount_id=_discount_id(), version=_version())
    return _('Discount approved.')


@bp.route('/orders/<int:order_id>/settlement/discounts/remove', methods=['POST'])
@allow(ADVISOR, MANAGER)
@_action()
def discount_remove(ro, _form):
    """Take a discount off the draft."""
    rules.remove_discount(ro, current_user, discount_id=_discount_id(), version=_version())
    return _('Discount removed.')


@bp.route('/orders/<int:order_id>/settlement/consent', methods=['POST'])
@allow(ADVISOR, MANAGER)
@_action(form=forms.ConsentForm, form_as='consent_form')
def consent(ro, form):
    """The customer agreed to pay the bill as it now stands, above what they signed for."""
    rules.record_consent(ro, current_user, channel=form.channel.data, spoke_with=form.spoke_with.data,
                         version=_version())
    return _('The customer\'s agreement is recorded.')


@bp.route('/orders/<int:order_id>/settlement/internal/approve', methods=['POST'])
@allow(MANAGER)
@_action()
def internal_approve(ro, _form):
    """The service manager approves the shop paying its share of the work (internal)."""
    rules.approve_internal(ro, current_user, version=_version())
    return _('The shop\'s share is approved.')


@bp.route('/orders/<int:order_id>/settlement/write-off', methods=['POST'])
@allow(MANAGER)
@_action(form=forms.WriteOffForm, form_as='write_off_form')
def write_off(ro, form):
    """The service manager writes off what the customer still owes on this bill."""
    rules.write_off(ro, current_user, reason=form.reason.data, version=_version())
    return _('The balance is written off.')


@bp.route('/orders/<int:order_id>/settlement/settle', methods=['POST'])
@allow(ADVISOR, MANAGER)
@_action(form=forms.SettleForm, form_as='settle_form')
def settle(ro, form):
    """Settle: the bill gets its number and is frozen."""
    settled = rules.settle(ro, current_user, version=_version(), expected_total=form.expected_total.data or None)
    return _('Settled as %(n)s. Take the payment and print the settlement.', n=settled.number)


@bp.route('/orders/<int:order_id>/settlement/payments', methods=['POST'])
@allow(ADVISOR, MANAGER)
@_action(form=forms.PaymentForm, form_as='payment_form')
def payment(ro, form):
    """A payment (cash, card, bank transfer, mobile); partial payments leave a balance."""
    rules.record_payment(ro, current_user, method=form.method.data, amount=form.amount.data,
                         reference=form.reference.data or '', version=_version())
    return _('Payment recorded.')


@bp.route('/orders/<int:order_id>/settlement/credit-notes', methods=['POST'])
@allow(ADVISOR, MANAGER)
@_action(form=forms.CreditNoteForm, form_as='credit_form')
def credit_note(ro, form):
    """Correct a settled order with a credit note; the settlement itself never changes."""
    lines = [i for i in request.form.getlist('line') if i.isdigit()]
    issued = rules.issue_credit_note(ro, current_user, reason=form.reason.data, line_ids=lines,
                                     amount=form.amount.data, version=_version())
    return _('Credit note %(n)s issued.', n=issued.number)


@bp.route('/orders/<int:order_id>/close', methods=['POST'])
@allow(ADVISOR, MANAGER)
@_action(form=forms.CloseForm, form_as='close_form')
def close(ro, form):
    """Close a delivered order: paid in full, or by the manager with a reason."""
    rules.close_order(ro, current_user, version=_version(), reason=form.reason.data or '')
    return _('Order closed.')


# --- print views (A4, in the customer's language) --------------------------------------------------------

def _print_context(ro):
    st = order_money(ro)
    delivery = VehicleDelivery.get_or_none(VehicleDelivery.order == ro)
    return dict(ro=ro, st=st, t=st.totals, s=st.settlement, delivery=delivery,
                guarantee=rules.guarantee_rows(st), declined=list(Recommendation.select().where(
                    Recommendation.order_id == ro.id).order_by(Recommendation.safety.desc(), Recommendation.id)),
                signature=delivery.signature if delivery and delivery.signature_id else None,
                **LABELS)


def _print(order_id, template, settled_only=True):
    """An A4 print in the customer's language; the papers that follow the bill wait until it is settled."""
    ro = _order(order_id)
    if settled_only and not order_money(ro).settled:
        flash(_('Settle the order first.'), 'warn')
        return redirect(url_for('settlement.order', order_id=ro.id))
    with force_locale(customer_language(ro.customer)):
        return render(template, None, **_print_context(ro))


@bp.route('/orders/<int:order_id>/settlement/print')
@allow(*READERS)
def print_settlement(order_id):
    """The settlement on A4: items, payers, discounts, tax, payments, balance, guarantee, declined work, signature."""
    return _print(order_id, 'settlement/print_settlement.html', settled_only=False)


@bp.route('/orders/<int:order_id>/exit-notice')
@allow(*READERS)
def print_exit_notice(order_id):
    """The exit notice (出厂通知单): the car may leave the premises (a declined repair has its own, with the fee)."""
    if _order(order_id).declined_at is not None:
        return redirect(url_for('reception.declined_exit_notice', order_id=order_id))
    return _print(order_id, 'settlement/print_exit_notice.html')


@bp.route('/orders/<int:order_id>/guarantee-card')
@allow(*READERS)
def print_guarantee_card(order_id):
    """The quality guarantee card for the customer: what is guaranteed, for how long and how far."""
    return _print(order_id, 'settlement/print_guarantee_card.html')


# --- delivery (交车) -----------------------------------------------------------------------------------------

def _delivery_page(ro, form=None, status=200, error=None, ticks=None):
    st = order_money(ro)
    delivery = VehicleDelivery.get_or_none(VehicleDelivery.order == ro)
    belongings = list(Belonging.select().where(Belonging.order == ro).order_by(Belonging.id))
    if form is None:
        form = forms.DeliveryForm(formdata=None, signer=ro.customer.name if ro.customer_id else '')
        date_due, km_due = rules.next_service_due(ro)
        form.next_service_date.data, form.next_service_km.data = date_due, km_due
    ticks = ticks if ticks is not None else {b.id: (False, '') for b in belongings}
    resp = render('settlement/delivery.html', None, ro=ro, st=st, form=form, belongings=belongings, ticks=ticks,
                  delivery=delivery, blockers=[] if delivery else rules.delivery_blockers(ro, st), error=error,
                  maintenance=rules.has_maintenance(ro),
                  returns=list(delivery.belongings) if delivery else [], **LABELS)
    return resp, status


@bp.route('/orders/<int:order_id>/delivery', methods=['GET', 'POST'])
@allow(ADVISOR, MANAGER)
@idempotent(replay=lambda order_id: redirect(url_for('settlement.delivery', order_id=order_id)))
def delivery(order_id):
    """The hand-over with the customer on the tablet: belongings, key, documents, old parts, signature,
    satisfaction and the next maintenance."""
    ro = _order(order_id)
    if request.method == 'GET':
        return _delivery_page(ro)
    form = forms.DeliveryForm()
    version = _version()
    ticks = {}
    for b in Belonging.select().where(Belonging.order == ro):
        ticks[b.id] = (request.form.get('ret_%d' % b.id) == 'y', request.form.get('note_%d' % b.id, '').strip()[:200])
    if not form.validate_on_submit():
        return _delivery_page(ro, form, 400, ticks=ticks)
    try:
        rules.deliver(ro, current_user, version=version, belongings=ticks, key_returned=form.key_returned.data,
                      documents_returned=form.documents_returned.data, documents_note=form.documents_note.data or '',
                      old_parts=form.old_parts.data, signature_png=signature_png(form.signature.data),
                      signer=form.signer.data, satisfaction=form.satisfaction.data, comment=form.comment.data or '',
                      next_service_date=form.next_service_date.data, next_service_km=form.next_service_km.data,
                      on_account_reason=form.on_account_reason.data or '')
    except rules.SettlementError as exc:
        return _delivery_page(ro, form, 400, error=str(exc), ticks=ticks)
    flash(_('Car handed over. Thank the customer; the follow-up call is scheduled.'), 'ok')
    return redirect(url_for('settlement.order', order_id=ro.id))
