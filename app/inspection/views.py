"""The health check on the technician's phone (few taps: all green by default, exceptions one by one) and the
printed diagnosis report (检测诊断单). The advisor presents the recommendations from the added-work queue."""
from functools import partial

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.context import current_shop
from app.catalogue.models import CannedJob
from app.core.access import ADVISOR, FOREMAN, MANAGER, QC, TECHNICIAN, allow
from app.core.idempotency import idempotent
from app.core.photos import PhotoRejected
from app.core.web import act, render, replays_piece
from app.inspection import checks, forms, rules
from app.workshop import queries as floor_queries
from app.workshop import rules as floor

bp = Blueprint('inspection', __name__)

READERS = (TECHNICIAN, FOREMAN, MANAGER, QC, ADVISOR)
WORKERS = (TECHNICIAN, FOREMAN)


def _order(order_id):
    return floor_queries.card_order(current_shop(), order_id)


def _jobs():
    return list(CannedJob.for_shop(current_shop()).where(CannedJob.active == True)  # noqa: E712
                .order_by(CannedJob.code))


def _may_work(order):
    return order.stage in floor.WORKING and (floor.is_foreman(current_user) or floor.has_line_on(order, current_user))


@bp.context_processor
def _helpers():
    return dict(colours=rules.COLOURS, colour_short=rules.COLOUR_SHORT, aw_labels=floor.ADDED_WORK_LABELS)


def _page(order_id, status=200, error=None, form=None, done=None):
    """The check's page (its piece `#health-check` for htmx), with an item's form as typed when it was refused."""
    order = _order(order_id)
    jobs = _jobs()
    found = rules.report(order)
    groups = found.groups if found else [(k, label, [rules.Row(it) for it in items])
                                         for k, label, items in checks.items_of(rules.groups_of(order.id))]
    suggested = {it.key: getattr(rules.suggested_job(order.shop_id, it), 'id', 0) for it in checks.ITEMS.values()}
    resp = render('inspection/check.html', 'inspection/_check.html', order=order, report=found, groups=groups,
                  form=form, fresh=lambda: forms.ItemForm(formdata=None).fill(jobs), suggested=suggested,
                  can_work=_may_work(order), error=error, done=done, status=status)
    resp.status_code = status
    return resp


def _back(order_id, anchor=None):
    return url_for('inspection.check', order_id=order_id, _anchor=anchor)


@bp.route('/jobs/<int:order_id>/health-check')
@allow(*READERS)
def check(order_id):
    """The health check of one car: every item green unless marked, amber and red with reading and photo."""
    return _page(order_id)


@bp.route('/jobs/<int:order_id>/health-check/items', methods=['POST'])
@allow(*WORKERS)
@idempotent(replay=replays_piece(_page, _back))
def record_item(order_id):
    """One item marked: green with a reading, or amber / red (a recommendation for the advisor)."""
    order = _order(order_id)
    form = forms.ItemForm().fill(_jobs())

    def run():
        canned = None
        if form.canned_job.data:
            canned = CannedJob.get_or_none((CannedJob.id == form.canned_job.data)
                                           & (CannedJob.shop == current_shop()))
            if canned is None:
                raise rules.CheckRefused(_('Pick a job from the list.'), 'canned_job')
        uploads = [f for f in request.files.getlist(form.photo.name) if f and f.filename]
        try:
            rules.record_item(order, current_user, key=form.key.data, colour=form.colour.data,
                              measurement=form.measurement.data, note=form.note.data, canned_job=canned,
                              photos=[f.read() for f in uploads], version=form.version.data or None)
        except PhotoRejected as exc:
            raise rules.CheckRefused(str(exc), 'photo') from exc
    return act(partial(_page, order_id), run, done=_('Item recorded.'), back=_back(order_id), form=form)


@bp.route('/jobs/<int:order_id>/health-check/finish', methods=['POST'])
@allow(*WORKERS)
@idempotent(replay=replays_piece(_page, _back))
def finish(order_id):
    """The rest is green: the check is done and the diagnosis report can be printed."""
    order = _order(order_id)
    return act(partial(_page, order_id),
               lambda: rules.finish(order, current_user, version=request.form.get('version') or None),
               done=_('Health check finished.'), back=_back(order_id))


@bp.route('/orders/<int:order_id>/diagnosis-report')
@allow(*READERS)
def print_report(order_id):
    """The printed diagnosis report (检测诊断单, form 6): every item, its colour and reading, the recommendations
    with their price, for the customer."""
    order = _order(order_id)
    return render('inspection/print.html', None, order=order, report=rules.report(order))
