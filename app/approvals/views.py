"""The advisor's desk: the added-work approval queue (updating itself) and the progress-check list."""
from contextlib import contextmanager
from functools import partial

from flask import Blueprint, abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_htmx import make_response as htmx_response
from flask_login import current_user

from app.accounts.context import current_shop
from app.approvals import forms, rules
from app.core.access import ADVISOR, MANAGER, allow
from app.core.db import utcnow
from app.core.errors import Refused
from app.core.idempotency import idempotent
from app.core.timeutil import to_local, to_utc
from app.core.web import act, render, replays_piece, vary, wants_fragment
from app.reception.models import RepairOrder
from app.workshop.models import AddedWork

bp = Blueprint('approvals', __name__)

TILES = [
    ('approvals.queue', _l('Added work approvals'), _l("Call the customer about added work and record the answer")),
    ('approvals.progress', _l('Progress checks'), _l('Orders half way to their promised time, and late orders')),
]

# What the action says once done, by the answer given.
DECIDED = {rules.APPROVED: _l('Approved: the job is on the order and the promised time moved.'),
           rules.DECLINED: _l('Declined: kept on the vehicle as a recommendation.'),
           rules.UNREACHABLE: _l('Call attempt recorded; the item stays in the queue.')}


def _local_now():
    return to_local(utcnow(), current_shop().timezone).replace(tzinfo=None, second=0, microsecond=0)


def _to_utc(value):
    return to_utc(value, current_shop().timezone) if value else None


# --- the approval queue --------------------------------------------------------------------

def _decision_form(item, formdata=None):
    """The answer form, filled with what the advisor usually says: the customer's name, now, price and delay."""
    if formdata is not None:
        return forms.DecisionForm(formdata=formdata)
    customer = item.customer
    return forms.DecisionForm(formdata=None, version=str(item.work.version),
                              spoke_with=customer.name if customer else '', at=_local_now(),
                              price_told=item.quote.total, delay_told_minutes=item.quote.delay_minutes)


def _desk(item=None, form=None, error=None, status=200, done=None, items=None):
    """The queue page with its decision panel; for htmx only the panel."""
    shop = current_shop()
    page = not wants_fragment()          # the panel alone needs neither the list nor its token
    if items is None:
        items = rules.queue(shop) if page else []
    if item is not None and form is None and item.work.status == AddedWork.PENDING:
        form = _decision_form(item)
    return render('approvals/queue.html', 'approvals/_decision.html', items=items,
                  token=rules.queue_token(shop) if page else '', item=item, form=form, error=error, done=done,
                  decisions=rules.DECISIONS, channels=rules.CHANNELS,
                  progress_due=lambda: len(rules.progress_list(shop))), status


def _item_or_404(added_work_id):
    found = rules.item(current_shop(), added_work_id)
    if found is None:
        abort(404)
    return found


@bp.route('/approvals')
@allow(ADVISOR, MANAGER)
def queue():
    """Added work waiting for the customer's answer, with photos, price and delay; it updates itself.

    The longest-waiting item is open beside the list, ready for the call."""
    waiting = rules.queue(current_shop())
    return _desk(waiting[0] if waiting else None, items=waiting)


@bp.route('/approvals/queue')
@allow(ADVISOR, MANAGER)
def queue_poll():
    """The queue's poll: 204 while nothing changed (one small query), else the fresh list."""
    shop = current_shop()
    token = rules.queue_token(shop)
    if wants_fragment() and request.args.get('v') == token:
        return unchanged()
    resp = render('approvals/queue.html', 'approvals/_queue.html', items=rules.queue(shop), token=token,
                  item=None, form=None, error=None, done=None, decisions=rules.DECISIONS, channels=rules.CHANNELS,
                  progress_due=lambda: len(rules.progress_list(shop)))
    resp.headers['Cache-Control'] = 'no-store'
    return resp


def unchanged():
    """The poll's answer when nothing changed: no body, nothing swapped."""
    resp = current_app.make_response(('', 204))
    resp.headers['Cache-Control'] = 'no-store'
    return vary(resp)


@bp.route('/approvals/<int:added_work_id>')
@allow(ADVISOR, MANAGER)
def item(added_work_id):
    """One item: the finding's photos, hours, parts, price and delay; the form for the customer's answer."""
    return _desk(_item_or_404(added_work_id))


@contextmanager
def _on_fields(form):
    """A refusal that names a field of the form is shown under that field, and not again above the form."""
    try:
        yield
    except Refused as exc:
        target = getattr(form, exc.field or '', None)
        if target is None:
            raise
        target.errors = list(target.errors) + [exc.message]
        raise Refused('', status=exc.status) from exc


def _decision(added_work_id, status=200, error=None, done=None, form=None):
    """The item's panel as it stands (app.core.web.act); once answered, the queue is told to refresh."""
    answer = _desk(_item_or_404(added_work_id), form, error=error or None, status=status, done=done)
    return htmx_response(*answer, trigger='approvals-changed') if status == 200 else answer



@bp.route('/approvals/<int:added_work_id>/decide', methods=['POST'])
@allow(ADVISOR, MANAGER)
@idempotent(replay=replays_piece(_decision, 'approvals.queue'))
def decide(added_work_id):
    """Record the customer's answer: approved, declined or could not reach, with channel, who, when, price, delay."""
    found = _item_or_404(added_work_id)
    form = _decision_form(found, request.form)

    def run():
        with _on_fields(form):
            rules.decide(found.work, current_user, decision=form.decision.data, channel=form.channel.data,
                         expected_version=int(form.version.data), spoke_with=form.spoke_with.data or '',
                         at=_to_utc(form.at.data), price_told=form.price_told.data,
                         delay_told_minutes=form.delay_told_minutes.data, note=form.note.data or '')
    return act(partial(_decision, added_work_id), run, done=str(DECIDED.get(form.decision.data, '')),
               back=url_for('approvals.queue'), form=form)


# --- progress checks ------------------------------------------------------------------------

def _progress_form(order, formdata=None, late=False):
    prefix = 'o%d' % order.id    # one form per row: field ids stay unique on the page
    if formdata is not None:
        return forms.ProgressForm(formdata=formdata, prefix=prefix)
    return forms.ProgressForm(formdata=None, prefix=prefix, version=str(order.version), told_at=_local_now(),
                              on_track='no' if late else 'yes')


def _row_piece(row, form=None, error=None, status=200, done=None):
    return render('approvals/progress.html', 'approvals/_progress_row.html', rows=[row], row=row,
                  forms={row.order.id: form or _progress_form(row.order, late=row.late)}, errors={row.order.id: error},
                  channels=rules.CHANNELS, done={row.order.id: done}), status


@bp.route('/approvals/progress')
@allow(ADVISOR, MANAGER)
def progress():
    """Orders to check on (50-80% of the promised time gone) and late orders needing a new time."""
    rows = rules.progress_list(current_shop())
    return render('approvals/progress.html', None, rows=rows,
                  forms={r.order.id: _progress_form(r.order, late=r.late) for r in rows},
                  channels=rules.CHANNELS, errors={}, done={})


def _checked(order_id, status=200, error=None, done=None, form=None):
    """The order's row as it stands (app.core.web.act), with what was typed when it was refused."""
    order = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    return _row_piece(rules.progress_row(order), form, error=error or None, status=status, done=done)


@bp.route('/approvals/progress/<int:order_id>', methods=['POST'])
@allow(ADVISOR, MANAGER)
@idempotent(replay=replays_piece(_checked, 'approvals.progress'))
def progress_check(order_id):
    """Record a progress check; for a late order the new promised time and that the customer was told."""
    order = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    form = _progress_form(order, request.form)

    def run():
        with _on_fields(form):
            rules.record_progress_check(
                order, current_user, on_track=form.on_track.data == 'yes', expected_version=int(form.version.data),
                note=form.note.data or '', new_promised_at=_to_utc(form.new_promised_at.data),
                reason=form.reason.data or '', told_at=_to_utc(form.told_at.data),
                told_channel=form.told_channel.data or '')
    return act(partial(_checked, order_id), run, done=_('Progress check recorded.'),
               back=url_for('approvals.progress'), form=form)
