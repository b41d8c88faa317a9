"""QC on the inspector's phone: the queue, the inspection with its checklist per job type; then the wash and
the advisor's final check before the car is ready for pickup."""
import json

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core import stages
from app.core.access import ADVISOR, FOREMAN, MANAGER, QC, allow
from app.core.idempotency import idempotent
from app.core.web import render, wants_fragment
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


def _done(endpoint, message, **values):
    """After an action: a real redirect for a plain form, a full-page redirect for htmx (never swapped in)."""
    flash(message, 'ok')
    url = url_for(endpoint, **values)
    if wants_fragment():
        resp = current_app.make_response(('', 200))
        resp.headers['HX-Redirect'] = url
        return resp
    return redirect(url)


def _unchanged():
    resp = current_app.make_response(('', 204))
    resp.headers['Cache-Control'] = 'no-store'
    resp.vary.add('HX-Request')
    return resp


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

def _read_checklist(form, keys):
    """{key: (ok, note)} for the items answered on the form."""
    out = {}
    for key in keys:
        value = form.get('item-' + key)
        if value in ('ok', 'not_ok'):
            out[key] = (value == 'ok', form.get('note-' + key, '').strip())
    return out


def _inspection_page(order, errors=None, typed=None, status=200):
    """The inspection page; an htmx post that was refused gets only its form back, errors marked."""
    lines = rules.order_lines(order)
    history = rules.inspections(order)
    fragment = 'qc/_inspect_form.html' if request.method == 'POST' else None
    resp = render('qc/inspect.html', fragment, order=order, lines=lines,
                  groups=checklist.checklist_for(lines), self_check=rules.self_check(order), history=history,
                  history_photos=rules.inspection_photos([i.id for i in history]),
                  history_checklists={i.id: json.loads(i.checklist or '{}') for i in history},
                  history_failed={i.id: set(json.loads(i.failed_lines or '[]')) for i in history},
                  item_labels=checklist.item_labels(), results=rules.RESULTS, errors=errors or {},
                  typed=typed or {}, max_photos=rules.MAX_PHOTOS)
    resp.status_code = status
    return resp


@bp.route('/qc/orders/<int:order_id>')
@allow(*READERS)
def inspection(order_id):
    """One car's inspection: jobs and who did them, the self-check, the checklist for its kinds of job."""
    return _inspection_page(_order(order_id))


def _after_inspection(order_id):
    order = _order(order_id)
    message = _('Inspection recorded: %(stage)s.', stage=order.stage_label)
    return _done('qc.queue', message)


@bp.route('/qc/orders/<int:order_id>/inspect', methods=['POST'])
@allow(QC)
@idempotent(replay=_after_inspection)
def inspect(order_id):
    """Pass (on to the wash), or fail with reasons, the jobs sent back to their technician and photos."""
    order = _order(order_id)
    form = request.form
    lines = rules.order_lines(order)
    keys = checklist.item_keys(lines)
    answers = _read_checklist(form, keys)
    typed = {'answers': answers, 'result': form.get('result', ''), 'reasons': form.get('reasons', ''),
             'failed_lines': {int(v) for v in form.getlist('failed_lines') if v.isdigit()}}
    version = form.get('version', '')
    if not version.isdigit():
        return _inspection_page(order, {'form': _('Reload the page and try again.')}, typed, 400)
    uploads = [f.read() for f in request.files.getlist('photos') if f and f.filename]
    try:
        rules.inspect(order, current_user, result=typed['result'], checklist=answers,
                      expected_version=int(version), reasons=typed['reasons'],
                      failed_line_ids=sorted(typed['failed_lines']), photos=uploads)
    except rules.Refused as exc:
        return _inspection_page(order, exc.errors, typed, 400)
    return _after_inspection(order_id)


# --- wash and final check ------------------------------------------------------------------------

@bp.route('/qc/wash')
@allow(ADVISOR, FOREMAN, MANAGER)
def wash():
    """Cars that passed QC: record the wash, then the advisor's final check."""
    orders = list(rules.after_qc(current_shop()))
    return render('qc/wash.html', None, orders=orders, washes=rules.washes([o.id for o in orders]), errors={})


def _wash_row(order, errors=None, status=200):
    resp = render('qc/wash.html', 'qc/_wash_row.html', o=order, orders=[order],
                  washes=rules.washes([order.id]), errors={order.id: errors} if errors else {})
    resp.status_code = status
    return resp


def _after_wash(order_id):
    order = _order(order_id)
    if not wants_fragment():
        flash(_('Wash recorded.'), 'ok')
        if request.form.get('back') == 'final' and current_user.has_role(ADVISOR):
            return redirect(url_for('qc.final_check', order_id=order.id))   # drawn afresh: washing bumps the version
        return redirect(url_for('qc.wash'))
    return _wash_row(order)


@bp.route('/qc/orders/<int:order_id>/washed', methods=['POST'])
@allow(ADVISOR, FOREMAN)
@idempotent(replay=_after_wash)
def washed(order_id):
    """The car is washed and ready for the advisor's final check."""
    order = _order(order_id)
    version = request.form.get('version', '')
    if not version.isdigit():
        return _wash_row(order, _('Reload the page and try again.'), 400)
    try:
        rules.mark_washed(order, current_user, expected_version=int(version))
    except rules.Refused as exc:
        return _wash_row(order, str(exc), 400)
    return _after_wash(order_id)


def _final_page(order, errors=None, typed=None, status=200):
    belongings = list(Belonging.select().where(Belonging.order == order).order_by(Belonging.id))
    parts = list(PartLine.select().where(PartLine.order == order).order_by(PartLine.id))
    resp = render('qc/final_check.html', None, order=order, belongings=belongings, parts=parts,
                  lines=rules.order_lines(order), wash=rules.washes([order.id]).get(order.id),
                  errors=errors or {}, typed=typed)
    resp.status_code = status
    return resp


@bp.route('/qc/orders/<int:order_id>/final-check')
@allow(ADVISOR)
def final_check(order_id):
    """The advisor's final check: the work, the replaced parts, tools, every belonging and the key."""
    return _final_page(_order(order_id))


def _after_final(order_id):
    order = _order(order_id)
    return _done('qc.wash', _('%(plate)s is ready for pickup.', plate=order.vehicle.plate if order.vehicle else
                              order.number))


@bp.route('/qc/orders/<int:order_id>/final-check', methods=['POST'])
@allow(ADVISOR)
@idempotent(replay=_after_final)
def final_check_save(order_id):
    """Record the final check; the car becomes ready for pickup."""
    order = _order(order_id)
    form = request.form
    typed = {'belongings': {int(v) for v in form.getlist('belongings') if v.isdigit()},
             'key_present': form.get('key_present') == 'y', 'work_checked': form.get('work_checked') == 'y',
             'parts_checked': form.get('parts_checked') == 'y', 'tools_checked': form.get('tools_checked') == 'y'}
    version = form.get('version', '')
    if not version.isdigit():
        return _final_page(order, {'form': _('Reload the page and try again.')}, typed, 400)
    if order.stage != stages.READY_FOR_WASH:
        return _final_page(order, {'form': _('This car is not waiting for its final check.')}, typed, 400)
    try:
        rules.final_check(order, current_user, belongings_ticked=typed['belongings'],
                          key_present=typed['key_present'], work_checked=typed['work_checked'],
                          parts_checked=typed['parts_checked'], tools_checked=typed['tools_checked'],
                          expected_version=int(version))
    except rules.Refused as exc:
        return _final_page(order, exc.errors, typed, 400)
    return _after_final(order_id)
