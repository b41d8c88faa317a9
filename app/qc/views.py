"""QC on the inspector's phone: the queue, the inspection with its checklist per job type; then the wash and
the advisor's final check before the car is ready for pickup."""
import json
from functools import partial

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_htmx import make_response as htmx_response
from flask_login import current_user

from app.accounts.context import current_shop
from app.core import stages
from app.core.access import ADVISOR, FOREMAN, MANAGER, QC, allow
from app.core.idempotency import idempotent
from app.core.web import act, render, replay, vary, wants_fragment
from app.qc import checklist, rules
from app.reception.models import Belonging, PartLine, RepairOrder

bp = Blueprint('qc', __name__)

TILES = [
    ('qc.queue', _l('QC inspection'), _l('Final inspection of finished cars: pass, or fail back to rework')),
    ('qc.wash', _l('Wash and final check'), _l('Cars passed by QC: wash, check belongings and key, ready for pickup')),
]
READERS = (QC, FOREMAN, MANAGER)


def _order(order_id):
    return RepairOrder.get_for_shop_or_404(current_shop(), order_id)


def _go(endpoint, message=None, **values):
    """After an action whose answer is another page: a redirect, also for htmx (never swapped in), with a flash."""
    if message:
        flash(message, 'ok')
    url = url_for(endpoint, **values)
    return htmx_response('', redirect=url) if wants_fragment() else redirect(url)


def _unchanged():
    resp = current_app.make_response(('', 204))
    resp.headers['Cache-Control'] = 'no-store'
    return vary(resp)


def _version():
    """The version the form was drawn with; without one the page is too old to act on."""
    version = request.form.get('version', '')
    if not version.isdigit():
        raise rules.Refused({'form': _('Reload the page and try again.')})
    return int(version)


def _collect(errors, rule):
    """The rule run for app.core.web.act, its refusals kept field by field in `errors` for the piece."""
    def run():
        try:
            rule()
        except rules.Refused as exc:
            errors.update(getattr(exc, 'errors', None) or {})
            raise
    return run


# --- the QC queue ----------------------------------------------------------------------------

def _queue_context(shop):
    orders = list(rules.qc_queue(shop))
    return dict(orders=orders, lines=rules.lines_by_order(orders), token=rules.queue_token(shop),
                self_checks={o.id: rules.self_check(o) for o in orders})


@bp.route('/qc')
@allow(*READERS)
def queue():
    """Cars handed over for the final inspection, with the technician's self-check; it updates itself."""
    return render('qc/queue.html', None, **_queue_context(current_shop()))


@bp.route('/qc/queue')
@allow(*READERS)
def queue_poll():
    """The queue's poll: 204 while nothing changed, else the fresh list."""
    shop = current_shop()
    if wants_fragment() and request.args.get('v') == rules.queue_token(shop):
        return _unchanged()
    resp = render('qc/queue.html', 'qc/_queue.html', **_queue_context(shop))
    resp.headers['Cache-Control'] = 'no-store'
    return resp


# --- the inspection ----------------------------------------------------------------------------

def _typed_inspection(order):
    """What the inspector marked on the form: {key: (ok, note)} per answered checklist item, result, reasons and
    the jobs sent back."""
    form = request.form
    answers = {}
    all_ok = form.get('all_ok') == '1'      # the one "all OK" tap: every item not marked otherwise is OK
    for key in checklist.item_keys(rules.order_lines(order)):
        value = form.get('item-' + key) or ('ok' if all_ok else None)
        if value in ('ok', 'not_ok'):
            answers[key] = (value == 'ok', form.get('note-' + key, '').strip())
    result = form.get('result', '')
    if all_ok and not result and all(ok for ok, _note in answers.values()):
        result = rules.PASS         # all OK and nothing marked: the car passes; an exception still asks pass or fail
    return {'answers': answers, 'result': result, 'reasons': form.get('reasons', ''),
            'failed_lines': {int(v) for v in form.getlist('failed_lines') if v.isdigit()}}


def _inspection_page(order, errors=None, typed=None, status=200):
    """The inspection page; an htmx post that was refused gets only its form back, errors marked."""
    lines = rules.order_lines(order)
    history = rules.inspections(order)
    fragment = 'qc/_inspect_form.html' if request.method == 'POST' else None
    return render('qc/inspect.html', fragment, order=order, lines=lines,
                  groups=checklist.checklist_for(lines), self_check=rules.self_check(order), history=history,
                  history_photos=rules.inspection_photos([i.id for i in history]),
                  history_checklists={i.id: json.loads(i.checklist or '{}') for i in history},
                  history_failed={i.id: set(json.loads(i.failed_lines or '[]')) for i in history},
                  item_labels=checklist.item_labels(), results=rules.RESULTS, errors=errors or {},
                  typed=typed or {}, max_photos=rules.MAX_PHOTOS), status


@bp.route('/qc/orders/<int:order_id>')
@allow(*READERS)
def inspection(order_id):
    """One car's inspection: jobs and who did them, the self-check, the checklist for its kinds of job."""
    return _inspection_page(_order(order_id))


def _inspected(order_id, typed, errors, status=200, error=None, done=None):
    """The answer to an inspection (app.core.web.act): recorded, the queue; else the form again, what was typed
    kept and the refusals marked (a stale form: the order as it is now)."""
    if done is not None:
        return _go('qc.queue', done)
    return _inspection_page(_order(order_id), errors or ({'form': error} if error else {}), typed, status)


def _after_inspection(order_id):
    return _go('qc.queue', _('Inspection recorded: %(stage)s.', stage=_order(order_id).stage_label))


@bp.route('/qc/orders/<int:order_id>/inspect', methods=['POST'])
@allow(QC)
@idempotent(replay=_after_inspection)
def inspect(order_id):
    """Pass (on to the wash), or fail with reasons, the jobs sent back to their technician and photos."""
    order = _order(order_id)
    typed, errors = _typed_inspection(order), {}
    run = _collect(errors, lambda: rules.inspect(
        order, current_user, result=typed['result'], checklist=typed['answers'], expected_version=_version(),
        reasons=typed['reasons'], failed_line_ids=sorted(typed['failed_lines']),
        photos=[f.read() for f in request.files.getlist('photos') if f and f.filename]))
    after = stages.READY_FOR_WASH if typed['result'] == rules.PASS else stages.QC_FAILED
    return act(partial(_inspected, order_id, typed, errors), run,
               done=_('Inspection recorded: %(stage)s.', stage=stages.LABELS[after]), back=url_for('qc.queue'))


# --- wash and final check ------------------------------------------------------------------------

@bp.route('/qc/wash')
@allow(ADVISOR, FOREMAN, MANAGER)
def wash():
    """Cars that passed QC: record the wash, then the advisor's final check."""
    orders = list(rules.after_qc(current_shop()))
    return render('qc/wash.html', None, orders=orders, washes=rules.washes([o.id for o in orders]), errors={})


def _wash_row(order_id, status=200, error=None, done=None):
    """One car's row on the wash list (app.core.web.act); the wash page without htmx."""
    order = _order(order_id)
    return render('qc/wash.html', 'qc/_wash_row.html', o=order, orders=[order], washes=rules.washes([order.id]),
                  errors={order.id: error} if error else {}), status


def _after_wash_url(order_id):
    if request.form.get('back') == 'final' and current_user.has_role(ADVISOR):
        return url_for('qc.final_check', order_id=order_id)     # drawn afresh: washing bumps the version
    return url_for('qc.wash')


def _replay_wash(order_id):
    _order(order_id)
    return replay(partial(_wash_row, order_id), _after_wash_url(order_id))


@bp.route('/qc/orders/<int:order_id>/washed', methods=['POST'])
@allow(ADVISOR, FOREMAN)
@idempotent(replay=_replay_wash)
def washed(order_id):
    """The car is washed and ready for the advisor's final check."""
    order = _order(order_id)
    return act(partial(_wash_row, order_id), lambda: rules.mark_washed(order, current_user,
                                                                        expected_version=_version()),
               done=_('Wash recorded.'), back=_after_wash_url(order_id))


def _final_page(order_id, typed=None, errors=None, status=200, error=None, done=None):
    """The advisor's final check (also the answer to it, app.core.web.act: what was ticked kept, the refusals
    marked)."""
    order = _order(order_id)
    return render('qc/final_check.html', None, order=order, typed=typed, lines=rules.order_lines(order),
                  belongings=list(Belonging.select().where(Belonging.order == order).order_by(Belonging.id)),
                  parts=list(PartLine.select().where(PartLine.order == order).order_by(PartLine.id)),
                  wash=rules.washes([order.id]).get(order.id), status=status,
                  errors=errors or ({'form': error} if error else {})), status


@bp.route('/qc/orders/<int:order_id>/final-check')
@allow(ADVISOR)
def final_check(order_id):
    """The advisor's final check: the work, the replaced parts, tools, every belonging and the key."""
    return _final_page(order_id)


def _ready(order):
    return _('%(plate)s is ready for pickup.', plate=order.vehicle.plate if order.vehicle else order.number)


def _after_final(order_id):
    return _go('qc.wash', _ready(_order(order_id)))


def _typed_final():
    """What the advisor ticked: the belongings seen, the key, the work, the old parts and the tools."""
    form = request.form
    return dict({'belongings': {int(v) for v in form.getlist('belongings') if v.isdigit()}},
                **{name: form.get(name) == 'y'
                   for name in ('key_present', 'work_checked', 'parts_checked', 'tools_checked')})


@bp.route('/qc/orders/<int:order_id>/final-check', methods=['POST'])
@allow(ADVISOR)
@idempotent(replay=_after_final)
def final_check_save(order_id):
    """Record the final check; the car becomes ready for pickup."""
    order, typed, errors = _order(order_id), _typed_final(), {}
    run = _collect(errors, lambda: rules.final_check(
        order, current_user, belongings_ticked=typed['belongings'], key_present=typed['key_present'],
        work_checked=typed['work_checked'], parts_checked=typed['parts_checked'],
        tools_checked=typed['tools_checked'], expected_version=_version()))
    return act(partial(_final_page, order_id, typed, errors), run, done=_ready(order), back=url_for('qc.wash'))
