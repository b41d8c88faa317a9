"""The parts counter: technicians' parts requests, answered in one step; the queue updates itself."""
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core.access import FOREMAN, MANAGER, PARTS, allow
from app.core.idempotency import idempotent
from app.core.web import render, wants_fragment
from app.parts import forms, rules

bp = Blueprint('parts', __name__)

TILES = [
    ('parts.queue', _l('Parts counter'), _l("Technicians' parts requests: issue, substitute or backorder")),
]
READERS = (PARTS, FOREMAN, MANAGER)


def _form(req, formdata=None):
    prefix = 'r%d' % req.id    # one form per row: field ids stay unique on the page
    if formdata is not None:
        return forms.AnswerForm(formdata=formdata, prefix=prefix)
    qty = req.quantity
    qty = qty.quantize(Decimal(1)) if qty == qty.to_integral_value() else qty.normalize()   # 2, not 2.00
    return forms.AnswerForm(formdata=None, prefix=prefix, version=str(req.version), quantity=qty)


def _context(shop, **extra):
    requests = list(rules.counter_queue(shop))
    ctx = dict(requests=requests, token=rules.queue_token(shop), forms={r.id: _form(r) for r in requests},
               errors={}, done={}, outcomes=rules.OUTCOMES, status_labels=rules.STATUS_LABELS)
    ctx.update(extra)
    return ctx


@bp.route('/parts')
@allow(*READERS)
def queue():
    """Open parts requests: new ones first, oldest first; backordered ones below."""
    return render('parts/queue.html', None, **_context(current_shop()))


@bp.route('/parts/queue')
@allow(*READERS)
def queue_poll():
    """The queue's poll: 204 while nothing changed (one small query), else the fresh list."""
    shop = current_shop()
    if wants_fragment() and request.args.get('v') == rules.queue_token(shop):
        resp = current_app.make_response(('', 204))
        resp.headers['Cache-Control'] = 'no-store'
        resp.vary.add('HX-Request')
        return resp
    resp = render('parts/queue.html', 'parts/_queue.html', **_context(shop))
    resp.headers['Cache-Control'] = 'no-store'
    return resp


def _request_or_404(parts_request_id):
    found = rules.request_row(current_shop(), parts_request_id)
    if found is None:
        abort(404)
    return found


def _row(req, form=None, error=None, done=None, status=200):
    resp = render('parts/queue.html', 'parts/_request.html', r=req, requests=[req], token='',
                  forms={req.id: form or _form(req)}, errors={req.id: error}, done={req.id: done},
                  outcomes=rules.OUTCOMES, status_labels=rules.STATUS_LABELS, failed=status >= 400)
    resp.status_code = status
    return resp


def _after_answer(parts_request_id, message=None):
    """What an answer (or a repeat of it) returns: the request's row as it stands now."""
    req = _request_or_404(parts_request_id)
    if not wants_fragment():
        if message:
            flash(message, 'ok')
        return redirect(url_for('parts.queue'))
    return _row(req, done=message or rules.STATUS_LABELS.get(req.status))


@bp.route('/parts/requests/<int:parts_request_id>/answer', methods=['POST'])
@allow(PARTS)
@idempotent(replay=_after_answer)
def answer(parts_request_id):
    """Answer a request in one step: issued (qty), substituted (part number, qty), backordered (date), cancelled."""
    req = _request_or_404(parts_request_id)
    form = _form(req, request.form)
    if not form.validate_on_submit() or not form.version.data.isdigit():
        return _row(req, form, status=400)
    try:
        rules.answer(req, current_user, outcome=form.outcome.data, expected_version=int(form.version.data),
                     quantity=form.quantity.data, substitute=form.substitute.data or '',
                     expected_on=form.expected_on.data, note=form.note.data or '')
    except rules.Refused as exc:
        target = getattr(form, exc.field or '', None)
        if target is not None:
            target.errors = list(target.errors) + [exc.message]
        return _row(req, form, error=None if target is not None else exc.message, status=400)
    messages = {rules.ISSUED: _('Issued: the part is on the job.'),
                rules.SUBSTITUTED: _('Substitute issued: the part is on the job.'),
                rules.BACKORDERED: _('Backordered: the order waits for parts.'),
                rules.CANCELLED: _('Request cancelled.')}
    return _after_answer(parts_request_id, messages[form.outcome.data])
