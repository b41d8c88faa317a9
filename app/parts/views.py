"""Parts: the counter (technicians' parts requests, answered in one step; the queue updates itself). The stock
pages register on the same blueprint from the area's other view modules (app.parts.blueprint)."""
from decimal import Decimal
from functools import partial

from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core.access import MANAGER, PARTS, allow
from app.core.idempotency import idempotent
from app.core.web import act, render, replays_piece, vary, wants_fragment
from app.parts import forms, issuing, rules, stock
from app.parts.blueprint import READERS, bp

TILES = [
    ('parts.queue', _l('Parts counter'), _l("Technicians' parts requests: issue, substitute or backorder")),
    ('parts.catalogue', _l('Parts catalogue'), _l('Find a part by number or name; its stock and ledger')),
    ('parts.stock', _l('Stock on hand'), _l('Stock by bin with value; receive, adjust, count')),
    ('parts.purchase_orders', _l('Purchasing'), _l('Purchase orders, receiving with inspection, replenishment')),
    ('parts.reports', _l('Parts reports'), _l('Slow-moving parts, turnover, fill rate, stock accuracy')),
]


@bp.app_template_filter('qty')
def qty_filter(value):
    """A quantity without trailing zeros (2, 1.5), '—' for none: a filter, cheap on long lists."""
    if value is None:
        return '—'
    return stock.plain(value)


# The units the catalogue uses, in the reader's language; any other unit shows as typed.
UNIT_LABELS = {'pc': _l('pc'), 'set': _l('set'), 'L': _l('L'), 'bottle': _l('bottle'), 'pair': _l('pair'),
               'kg': _l('kg'), 'm': _l('m')}


@bp.app_template_filter('unit')
def unit_filter(value):
    return UNIT_LABELS.get(value, value or '')


# --- the counter ----------------------------------------------------------------------------

def _form(req, formdata=None):
    prefix = 'r%d' % req.id    # one form per row: field ids stay unique on the page
    if formdata is not None:
        return forms.AnswerForm(formdata=formdata, prefix=prefix)
    qty = req.quantity
    qty = qty.quantize(Decimal(1)) if qty == qty.to_integral_value() else qty.normalize()   # 2, not 2.00
    return forms.AnswerForm(formdata=None, prefix=prefix, version=str(req.version), quantity=qty)


# What the action says once done, by the answer given.
ANSWERED = {rules.ISSUED: _l('Issued: the part is on the job.'),
            rules.SUBSTITUTED: _l('Substitute issued: the part is on the job.'),
            rules.BACKORDERED: _l('Backordered: the order waits for parts.'),
            rules.CANCELLED: _l('Request cancelled.')}


def _context(shop, **extra):
    requests = list(rules.counter_queue(shop))
    ctx = dict(requests=requests, token=rules.queue_token(shop), forms={r.id: _form(r) for r in requests},
               errors={}, done={}, outcomes=rules.OUTCOMES, status_labels=rules.STATUS_LABELS,
               shelf=issuing.on_the_shelf(shop, [r.part_number for r in requests]))
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
        resp = vary(current_app.make_response(('', 204)))
    else:
        resp = render('parts/queue.html', 'parts/_queue.html', **_context(shop))
    resp.headers['Cache-Control'] = 'no-store'
    return resp


def _request_or_404(parts_request_id):
    return rules.request_row(current_shop(), parts_request_id) or abort(404)


def _row(parts_request_id, status=200, form=None, error=None, done=None):
    """The request's row as it stands now (the queue page around it without htmx), with the form as typed."""
    req = _request_or_404(parts_request_id)
    if done is None and status == 200:
        done = rules.STATUS_LABELS.get(req.status)
    return render(
        'parts/queue.html', 'parts/_request.html', r=req, requests=[req], token='', forms={req.id: form or _form(req)},
        errors={req.id: error}, done={req.id: done}, shelf=issuing.on_the_shelf(req.shop_id, [req.part_number]),
        outcomes=rules.OUTCOMES, status_labels=rules.STATUS_LABELS, failed=status >= 400), status



@bp.route('/parts/requests/<int:parts_request_id>/answer', methods=['POST'])
@allow(PARTS, MANAGER)
@idempotent(replay=replays_piece(_row, 'parts.queue'))
def answer(parts_request_id):
    """Answer a request in one step: issued (qty), substituted (part number, qty), backordered (date), cancelled."""
    req = _request_or_404(parts_request_id)
    form = _form(req, request.form)
    return act(partial(_row, req.id),
               lambda: rules.answer(req, current_user, outcome=form.outcome.data,
                                    expected_version=int(form.version.data), quantity=form.quantity.data,
                                    substitute=form.substitute.data or '', expected_on=form.expected_on.data,
                                    note=form.note.data or '',
                                    allow_negative=bool(form.override.data) and current_user.has_role(MANAGER)),
               done=str(ANSWERED.get(form.outcome.data, _('Saved.'))), back=url_for('parts.queue'), form=form)


# The area's other pages register their routes on the same blueprint.
from app.parts import catalogue_views, count_views, issuing_views, purchasing_views, report_views  # noqa: E402,F401
