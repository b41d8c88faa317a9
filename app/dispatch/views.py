"""The foreman's dispatch screen (派工) and the bays page."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.accounts.models import User
from app.core.access import ADVISOR, FOREMAN, MANAGER, allow
from app.core.idempotency import idempotent
from app.core import stages
from app.core.stages import StaleRecord
from app.core.web import render, wants_fragment
from app.dispatch import forms, rules
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import Bay

bp = Blueprint('dispatch', __name__)

DISPATCHERS = (FOREMAN, MANAGER)

TILES = [
    ('dispatch.index', _l('Dispatch'), _l('Sign cars into the workshop; give jobs to technicians and bays')),
    ('dispatch.bays', _l('Workshop bays'), _l('Add, rename and take bays out of use')),
]


def _screen(shop, order_ids=None):
    """Everything the foreman's screen shows, in a fixed number of queries."""
    techs = rules.technicians(shop)
    bays = rules.bay_states(shop)
    waiting = rules.waiting_orders(shop, techs, bays, order_ids=order_ids)
    return dict(waiting=waiting, techs=techs, bays=bays, tech_by_id={t.user.id: t for t in techs},
                bay_by_id={b.bay.id: b for b in bays}, kinds=rules.BAY_KINDS, needed_skill=rules.needed_skill,
                line_labels=stages.LINE_LABELS, assignable=rules.ASSIGNABLE_LINE_STATES)


@bp.route('/dispatch')
@allow(ADVISOR, *DISPATCHERS)
def index():
    """Orders waiting for dispatch with the skills they need; technicians' loads; bays free or busy."""
    return render('dispatch/index.html', None, **_screen(current_shop()))


# --- actions: htmx swaps the order's card and the loads it changed --------------------------------

def _answer(order_id, tech_ids=(), bay_ids=(), status=200, message=None, form=None, line_id=None):
    """The order's card (with the technicians' loads and bays it touched, out of band), or back to the screen."""
    if not wants_fragment():
        if message:
            flash(message, 'error' if status >= 400 else 'ok')
        if status >= 400:
            return current_app.make_response((render('dispatch/index.html', None, **_screen(current_shop())), status))
        return redirect(url_for('dispatch.index', _anchor='order-%d' % order_id))
    ctx = _screen(current_shop(), order_ids=[order_id])
    resp = current_app.make_response(render_template(
        'dispatch/_answer.html', w=ctx['waiting'][0] if ctx['waiting'] else None, message=message,
        status=status, form=form, line_id=line_id,
        oob_techs=[ctx['tech_by_id'][t] for t in dict.fromkeys(tech_ids) if t in ctx['tech_by_id']],
        oob_bays=[ctx['bay_by_id'][b] for b in dict.fromkeys(bay_ids) if b in ctx['bay_by_id']], **ctx))
    resp.vary.add('HX-Request')
    resp.status_code = status
    return resp


def _replay_order(order_id):
    RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    return _answer(order_id)


def _replay_line(line_id):
    line = OrderLine.get_for_shop_or_404(current_shop(), line_id)
    return _answer(line.order_id)


def _assign_form(shop):
    """The form with the shop's technicians and active bays as its only valid choices."""
    return forms.AssignForm().fill(rules.technicians(shop), rules.bay_states(shop))


def _picked(shop, form):
    technician = User.get_by_id(form.technician.data)
    bay = Bay.get_for_shop_or_404(shop, form.bay.data) if form.bay.data else None
    return technician, bay


def _form_errors(form):
    return ' '.join(str(e) for errors in form.errors.values() for e in errors)


@bp.route('/dispatch/orders/<int:order_id>/assign', methods=['POST'])
@allow(*DISPATCHERS)
@idempotent(_replay_order)
def assign_order(order_id):
    """Give the whole order to a technician and bay (one tap on a suggestion); accepts a checked-in car."""
    shop = current_shop()
    order = RepairOrder.get_for_shop_or_404(shop, order_id)
    form = _assign_form(shop)
    if not form.validate_on_submit():
        return _answer(order.id, status=400, message=_form_errors(form), form=form)
    technician, bay = _picked(shop, form)
    before = [l.technician_id for l in OrderLine.select(OrderLine.technician).where(OrderLine.order == order)]
    try:
        rules.assign_order(order, current_user, technician, bay, expected_version=form.version.data or None)
    except StaleRecord:
        return _answer(order.id, status=409, message=_('Someone else changed this order a moment ago; '
                                                       'here it is as it stands now.'))
    except rules.DispatchRefused as exc:
        return _answer(order.id, status=400, message=str(exc))
    return _answer(order.id, tech_ids=[t for t in before if t] + [technician.id], bay_ids=[bay.id] if bay else [],
                   message=_('%(plate)s is with %(who)s.', plate=order.vehicle.plate if order.vehicle else order.number,
                             who=technician.display_name))


@bp.route('/dispatch/lines/<int:line_id>/assign', methods=['POST'])
@allow(*DISPATCHERS)
@idempotent(_replay_line)
def assign_line(line_id):
    """Give one job to a technician and bay (splitting an order between teams)."""
    shop = current_shop()
    line = OrderLine.get_for_shop_or_404(shop, line_id)
    form = _assign_form(shop)
    if not form.validate_on_submit():
        return _answer(line.order_id, status=400, message=_form_errors(form), form=form, line_id=line.id)
    technician, bay = _picked(shop, form)
    old_tech, old_bay = line.technician_id, line.bay_id
    try:
        rules.assign_line(line, current_user, technician, bay, expected_version=form.version.data or None)
    except StaleRecord:
        return _answer(line.order_id, status=409, message=_('Someone else changed this job a moment ago; '
                                                           'here it is as it stands now.'))
    except rules.DispatchRefused as exc:
        return _answer(line.order_id, status=400, message=str(exc))
    return _answer(line.order_id, tech_ids=[t for t in (old_tech, technician.id) if t],
                   bay_ids=[b for b in (old_bay, bay.id if bay else None) if b],
                   message=_('"%(job)s" is with %(who)s.', job=line.description, who=technician.display_name))


@bp.route('/dispatch/lines/<int:line_id>/unassign', methods=['POST'])
@allow(*DISPATCHERS)
@idempotent(_replay_line)
def unassign_line(line_id):
    """Take a job back from its technician before it is started."""
    shop = current_shop()
    line = OrderLine.get_for_shop_or_404(shop, line_id)
    form = forms.UnassignForm()
    if not form.validate_on_submit():
        return _answer(line.order_id, status=400, message=_form_errors(form))
    old_tech, old_bay = line.technician_id, line.bay_id
    try:
        rules.unassign_line(line, current_user, expected_version=form.version.data or None)
    except StaleRecord:
        return _answer(line.order_id, status=409, message=_('Someone else changed this job a moment ago; '
                                                           'here it is as it stands now.'))
    return _answer(line.order_id, tech_ids=[old_tech] if old_tech else [], bay_ids=[old_bay] if old_bay else [],
                   message=_('"%(job)s" is waiting for a technician again.', job=line.description))


# --- bays ---------------------------------------------------------------------------------------

def _bays_page(add_form=None, status=200, edit_forms=None):
    shop = current_shop()
    states = rules.bay_states(shop, include_inactive=True)
    edit_forms = edit_forms or {}
    for state in states:
        if state.bay.id not in edit_forms:
            f = forms.BayEditForm(formdata=None, obj=state.bay, prefix='bay%d' % state.bay.id)
            f.version.data = rules.bay_version(state.bay)
            edit_forms[state.bay.id] = f
    return render('dispatch/bays.html', None, states=states, add_form=add_form or forms.BayForm(),
                  edit_forms=edit_forms, kinds=rules.BAY_KINDS), status


def _replay_bays(**_kw):
    return redirect(url_for('dispatch.bays'))


@bp.route('/dispatch/bays')
@allow(MANAGER)
def bays():
    """The workshop's bays: number, name, kind, in use or not."""
    return _bays_page()


@bp.route('/dispatch/bays', methods=['POST'])
@allow(MANAGER)
@idempotent(_replay_bays)
def bay_add():
    """Add a bay (a new lift, a body bay…)."""
    form = forms.BayForm()
    if form.validate_on_submit():
        try:
            bay = rules.add_bay(current_shop(), current_user, name=form.name.data, kind=form.kind.data,
                                number=form.number.data)
        except rules.DispatchRefused as exc:
            form.number.errors.append(str(exc))
        else:
            flash(_('Bay %(n)s added.', n=bay.number), 'ok')
            return redirect(url_for('dispatch.bays'))
    return _bays_page(add_form=form, status=400)


@bp.route('/dispatch/bays/<int:bay_id>', methods=['POST'])
@allow(MANAGER)
@idempotent(_replay_bays)
def bay_edit(bay_id):
    """Rename a bay, change its kind, or take it out of use (and back)."""
    bay = Bay.get_for_shop_or_404(current_shop(), bay_id)
    form = forms.BayEditForm(prefix='bay%d' % bay.id)
    if form.validate_on_submit():
        rules.update_bay(bay, current_user, name=form.name.data, kind=form.kind.data, active=form.active.data,
                         expected_version=form.version.data or None)
        flash(_('Bay %(n)s saved.', n=bay.number), 'ok')
        return redirect(url_for('dispatch.bays'))
    return _bays_page(status=400, edit_forms={bay.id: form})
