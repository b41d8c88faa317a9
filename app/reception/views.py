"""Repair orders and vehicle files, as every member of staff sees them."""
from flask import current_app, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN

from app.accounts.context import current_shop
from app.accounts.models import User
from app.core.i18n import current_language, customer_language
from app.core import stages
from flask import flash
from flask_babel import gettext as _

from app.core.access import ADVISOR, ANY_STAFF, MANAGER, allow
from app.core.models import Event
from app.core.timeutil import to_local, to_utc
from app.core.web import render
from app.core.qr import qr_data_uri
from app.labels.printing import printer_of
from app.reception import checkin, links
from app.reception.blueprint import bp
from app.reception.forms import ESTIMATE_METHODS, AmendForm
from app.core.models import Photo, Signature
from app.customers.models import Customer, Vehicle
from app.reception.models import Belonging, OrderLine, PartLine, RepairOrder, WalkaroundMark
from app.reception.pricing import order_totals


TILES = [
    ('reception.checkins', _l('Reception'), _l('Check a car in: walk-around, belongings, key tag, estimate, signature')),
    ('reception.orders', _l('Repair orders'), _l('Every order in the shop by stage')),
    ('reception.key_pool', _l('Key tags and hooks'), _l('The key tag pool, the key cabinet, QR labels to print')),
]


@bp.app_template_global('status_print_qr')
def status_print_qr(order, scale=4):
    """For the printed customer copy: {'url', 'qr'} of the order's link, or None for a check-in in progress."""
    url = links.status_url(order)
    return {'url': url, 'qr': qr_data_uri(url, scale=scale)} if url else None


@bp.route('/orders')
@allow(ANY_STAFF)
def orders():
    """Repair orders of the current shop, open ones first, filtered by stage."""
    stage = request.args.get('stage', '')
    rows = (RepairOrder.for_shop(current_shop())
            .select(RepairOrder, Vehicle, Customer)
            .join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER).join_from(RepairOrder, Customer, JOIN.LEFT_OUTER)
            .order_by(RepairOrder.checked_in_at.desc()))
    if stage in stages.LABELS:
        rows = rows.where(RepairOrder.stage == stage)
    else:
        stage = ''
        rows = rows.where(RepairOrder.stage.in_(list(stages.OPEN)))
    return render('reception/orders.html', 'reception/_order_panel.html', orders=list(rows.limit(200)),
                  stage=stage, stage_list=stages.STAGES)


def _order_context(ro):
    """Everything the order page and its print views show, read once."""
    marks = list(ro.marks.order_by(WalkaroundMark.id))
    lines = list(OrderLine.select().where(OrderLine.order == ro).order_by(OrderLine.position, OrderLine.id))
    parts = {}
    for p in PartLine.select().where(PartLine.order == ro).order_by(PartLine.id):
        parts.setdefault(p.line_id, []).append(p)
    return dict(ro=ro, marks=marks, lines=lines, parts=parts, totals=order_totals(ro),
                photos={m.id: list(Photo.of('walkaround_mark', m.id)) for m in marks},
                belongings=list(ro.belongings.order_by(Belonging.id)),
                signature=ro.signatures.where(Signature.purpose == 'repair_order').first(),
                kinds=checkin.MARK_KINDS, checks=checkin.CHECKS, documents=checkin.DOCUMENTS,
                methods=ESTIMATE_METHODS, label_printer=printer_of(current_shop()),
                accepted_by=User.get_or_none(User.id == ro.accepted_by) if ro.accepted_by else None)


@bp.route('/orders/<int:order_id>')
@allow(ANY_STAFF)
def order(order_id):
    """One repair order: vehicle, complaint, walk-around, belongings, key, jobs, totals and its timeline."""
    ro = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    if ro.stage == stages.DRAFT and current_user.has_role(ADVISOR, MANAGER):
        return redirect(url_for('reception.checkin_resume', draft_id=ro.id))
    timeline = Event.for_record('repair_order', ro.id).order_by(Event.at, Event.id)
    amend_form = AmendForm()
    if ro.promised_at:
        amend_form.promised_at.data = to_local(ro.promised_at, current_shop().timezone).replace(tzinfo=None)
    amend_form.advisor_notes.data = ro.advisor_notes
    amend_form.version.data = str(ro.version)
    return render('reception/order.html', None, timeline=list(timeline), amend_form=amend_form, **_order_context(ro))


@bp.route('/orders/<int:order_id>/amend', methods=['POST'])
@allow(ADVISOR, MANAGER)
def order_amend(order_id):
    """Change the promised time or notes of a signed order, with the reason on record."""
    ro = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    form = AmendForm()
    error = None
    if form.validate_on_submit():
        if form.version.data != str(ro.version):
            raise stages.StaleRecord(ro.id)
        try:
            checkin.amend(ro, current_user, promised_at=to_utc(form.promised_at.data, current_shop().timezone),
                          advisor_notes=form.advisor_notes.data or '', reason=form.reason.data,
                          told_channel=form.told_channel.data or '')
        except checkin.CheckinError as exc:
            error = str(exc)
        else:
            flash(_('The change is recorded on the order.'), 'ok')
            return redirect(url_for('reception.order', order_id=ro.id))
    timeline = Event.for_record('repair_order', ro.id).order_by(Event.at, Event.id)
    return render('reception/order.html', None, timeline=list(timeline), amend_form=form, amend_error=error,
                  **_order_context(ro)), 400


@bp.route('/orders/<int:order_id>/outline.svg')
@allow(ANY_STAFF)
def order_outline(order_id):
    """The car outline with the order's walk-around marks drawn on it."""
    ro = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    # A printed order is in the customer's language: its picture names the sides in the same one.
    lang = request.args.get('lang')
    with force_locale(lang if lang in current_app.config['LANGUAGES'] else current_language()):
        resp = render('reception/outline.svg', None, marks=list(ro.marks.order_by(WalkaroundMark.id)),
                      w=checkin.OUTLINE_W, h=checkin.OUTLINE_H)
    resp.mimetype = 'image/svg+xml'
    resp.headers['Cache-Control'] = 'private, no-store'
    return resp


def _print(order_id, template):
    """An A4 print of the order, in the customer's language."""
    ro = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    with force_locale(customer_language(ro.customer)):
        return render(template, None, **_order_context(ro))


@bp.route('/orders/<int:order_id>/print')
@allow(ANY_STAFF)
def order_print(order_id):
    """The repair order on A4 with walk-around and terms."""
    return _print(order_id, 'reception/print_order.html')


@bp.route('/orders/<int:order_id>/belongings/print')
@allow(ANY_STAFF)
def belongings_print(order_id):
    """The belongings list with the customer's signature."""
    return _print(order_id, 'reception/print_belongings.html')


# The area's other pages register their routes on the same blueprint.
from app.reception import checkin_views, declined_views, key_views  # noqa: E402,F401
