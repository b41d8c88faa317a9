"""The foreman's dispatch screen (派工) and the bays page."""
from functools import partial

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.accounts.models import User
from app.core.access import ADVISOR, FOREMAN, MANAGER, allow
from app.core.idempotency import idempotent
from app.core import stages
from app.core.web import act, render, replay, vary, wants_fragment
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

def _card(order_id, tech_ids=(), bay_ids=(), status=200, error=None, done=None, form=None, line_id=None,
          unassign_form=None):
    """The answer to an action on an order (app.core.web.act): for htmx its card with the message, and once it is
    done, out of band the technicians' loads and bays it changed; else the screen with the message."""
    message = error or done or _form_errors(form or unassign_form)
    if not wants_fragment():
        if message:
            flash(message, 'error')
        return render('dispatch/index.html', None, **_screen(current_shop())), status
    ctx = _screen(current_shop(), order_ids=[order_id])
    if done is None:
        tech_ids = bay_ids = ()
    resp = current_app.make_response(render_template(
        'dispatch/_answer.html', w=ctx['waiting'][0] if ctx['waiting'] else None, message=message,
        status=status, form=form, line_id=line_id,
        oob_techs=[ctx['tech_by_id'][t] for t in dict.fromkeys(tech_ids) if t in ctx['tech_by_id']],
        oob_bays=[ctx['bay_by_id'][b] for b in dict.fromkeys(bay_ids) if b in ctx['bay_by_id']], **ctx))
    resp.status_code = status
    return vary(resp)


def _screen_url(order_id):
    return url_for('dispatch.index', _anchor='order-%d' % order_id)


def _act(order_id, run, done, tech_ids=(), bay_ids=(), **form):
    return act(partial(_card, order_id, tech_ids, bay_ids), run, done=done, back=_screen_url(order_id), **form)


def _replay_order(order_id):
    RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    return replay(partial(_card, order_id), _screen_url(order_id))


def _replay_line(line_id):
    return _replay_order(OrderLine.get_for_shop_or_404(current_shop(), line_id).order_id)


def _assign(order_id, rule, done, before=((), ()), line_id=None):
    """Give work to the technician and bay chosen on the form; the answer is the order's card (app.core.web.act).

    The form (the shop's technicians and active bays its only valid choices) is checked before the rule, not by act:
    the answer names who was chosen. `rule(technician, bay, version)` assigns, `done(technician)` words the answer;
    `before`: the technicians and bays the work had, whose loads change too."""
    shop = current_shop()
    form = forms.AssignForm().fill(rules.technicians(shop), rules.bay_states(shop))
    if not form.validate_on_submit():
        return _card(order_id, status=400, form=form, line_id=line_id)
    technician = User.get_by_id(form.technician.data)
    bay = Bay.get_for_shop_or_404(shop, form.bay.data) if form.bay.data else None
    tech_ids = [t for t in list(before[0]) + [technician.id] if t]
    bay_ids = [b for b in list(before[1]) + [bay.id if bay else None] if b]
    return _act(order_id, lambda: rule(technician, bay, form.version.data or None), done(technician),
                tech_ids, bay_ids)


def _form_errors(form):
    if form is None:
        return None
    return ' '.join(str(e) for errors in form.errors.values() for e in errors)


@bp.route('/dispatch/orders/<int:order_id>/assign', methods=['POST'])
@allow(*DISPATCHERS)
@idempotent(_replay_order)
def assign_order(order_id):
    """Give the whole order to a technician and bay (one tap on a suggestion); accepts a checked-in car."""
    order = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    plate = order.vehicle.plate if order.vehicle else order.number
    had = [l.technician_id for l in OrderLine.select(OrderLine.technician).where(OrderLine.order == order)]
    return _assign(order.id, lambda technician, bay, version: rules.assign_order(
        order, current_user, technician, bay, expected_version=version),
        lambda technician: _('%(plate)s is with %(who)s.', plate=plate, who=technician.display_name), (had, ()))


@bp.route('/dispatch/lines/<int:line_id>/assign', methods=['POST'])
@allow(*DISPATCHERS)
@idempotent(_replay_line)
def assign_line(line_id):
    """Give one job to a technician and bay (splitting an order between teams)."""
    line = OrderLine.get_for_shop_or_404(current_shop(), line_id)
    return _assign(line.order_id, lambda technician, bay, version: rules.assign_line(
        line, current_user, technician, bay, expected_version=version),
        lambda technician: _('"%(job)s" is with %(who)s.', job=line.description, who=technician.display_name),
        ([line.technician_id], [line.bay_id]), line_id=line.id)


@bp.route('/dispatch/lines/<int:line_id>/unassign', methods=['POST'])
@allow(*DISPATCHERS)
@idempotent(_replay_line)
def unassign_line(line_id):
    """Take a job back from its technician before it is started."""
    line = OrderLine.get_for_shop_or_404(current_shop(), line_id)
    form = forms.UnassignForm()
    return _act(line.order_id, lambda: rules.unassign_line(line, current_user,
                                                           expected_version=form.version.data or None),
                _('"%(job)s" is waiting for a technician again.', job=line.description),
                [line.technician_id] if line.technician_id else [], [line.bay_id] if line.bay_id else [],
                form=form, form_as='unassign_form')


# --- bays ---------------------------------------------------------------------------------------

def _bays_page(status=200, error=None, done=None, add_form=None, edit_forms=None):
    shop = current_shop()
    states = rules.bay_states(shop, include_inactive=True)
    edit_forms = edit_forms or {}
    for state in states:
        if state.bay.id not in edit_forms:
            f = forms.BayEditForm(formdata=None, obj=state.bay, prefix='bay%d' % state.bay.id)
            f.version.data = rules.bay_version(state.bay)
            edit_forms[state.bay.id] = f
    return render('dispatch/bays.html', None, states=states, add_form=add_form or forms.BayForm(formdata=None),
                  edit_forms=edit_forms, kinds=rules.BAY_KINDS, error=error), status


def _bay_edited(bay_id, status=200, form=None, **given):
    """The bays page after an edit, with the edited bay's form as typed when it was refused."""
    return _bays_page(status, edit_forms={bay_id: form} if form is not None else None, **given)


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

    def run():
        try:
            rules.add_bay(current_shop(), current_user, name=form.name.data, kind=form.kind.data,
                          number=form.number.data)
        except rules.DispatchRefused as exc:
            form.number.errors.append(str(exc))      # shown under the number, not again above the form
            raise rules.DispatchRefused('') from exc
    return act(_bays_page, run, done=_('Bay %(name)s added.', name=form.name.data), back=url_for('dispatch.bays'),
               form=form, form_as='add_form')


@bp.route('/dispatch/bays/<int:bay_id>', methods=['POST'])
@allow(MANAGER)
@idempotent(_replay_bays)
def bay_edit(bay_id):
    """Rename a bay, change its kind, or take it out of use (and back)."""
    bay = Bay.get_for_shop_or_404(current_shop(), bay_id)
    form = forms.BayEditForm(prefix='bay%d' % bay.id)
    return act(partial(_bay_edited, bay.id),
               lambda: rules.update_bay(bay, current_user, name=form.name.data, kind=form.kind.data,
                                        active=form.active.data, expected_version=form.version.data or None),
               done=_('Bay %(n)s saved.', n=bay.number), back=url_for('dispatch.bays'), form=form)
