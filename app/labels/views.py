"""QR labels (key tags, belongings bags), the short scan URLs they carry, and the key tag pool."""
import peewee as pw
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core.access import ADMIN, ADVISOR, ANY_STAFF, MANAGER, allow, may_use
from app.core.web import CSP, public_url, render, wants_fragment
from app.labels import forms, render as draw, rules
from app.reception.models import KeyTag, RepairOrder

bp = Blueprint('labels', __name__)

TILES = [
    ('labels.pool', _l('Key tags and hooks'), _l('The key tag pool, the key cabinet, QR labels to print')),
]

PRINTERS = (ADVISOR, MANAGER, ADMIN)
SHEET_ROWS, SHEET_COLS = 8, 3          # an A4 sheet of 70 x 37 mm labels
MAX_COPIES = 5
TOKEN_MAX = 64                          # longer than any token we make: not worth a query


# --- where a scan leads -------------------------------------------------------------

def order_url_for_scan(order, user):
    """Where a scanned label takes a signed-in person: a technician to the job card of an open order,
    everyone else to the repair order.

    None for an order already handed back or cancelled: the scan page says so instead.
    """
    from app.core.access import TECHNICIAN
    from app.core.stages import OPEN
    if rules.is_finished(order):
        return None
    if order.stage in OPEN and TECHNICIAN in user.role_names:
        return url_for('workshop.job_card', order_id=order.id)
    return url_for('reception.order', order_id=order.id)


def tag_scan_url(tag):
    return public_url('labels.scan_tag', tag_token=tag.token)


def bag_scan_url(order):
    return public_url('labels.scan_bag', bag_token=order.label_token)


def _by_token(query, column, token):
    """The record with this token in the current shop: another shop's token is as unknown as a made-up one."""
    if not token or len(token) > TOKEN_MAX:
        abort(404)
    found = query.where(column == token).first()
    if found is None:
        abort(404)
    return found


def _open_or_explain(order, **ctx):
    target = order_url_for_scan(order, current_user)
    if target:
        return redirect(target)
    return render('labels/scan.html', None, state='finished', order=order, **ctx)


@bp.route('/k/<tag_token>')
@allow(ANY_STAFF)
def scan_tag(tag_token):
    """A scanned key tag: opens the order the tag is on now, or says the tag is free."""
    tag = _by_token(KeyTag.for_shop(current_shop()), KeyTag.token, tag_token)
    order = rules.order_of_tag(tag)
    if order is None:
        return render('labels/scan.html', None, state='free' if tag.active else 'retired', tag=tag)
    return _open_or_explain(order, tag=tag)


@bp.route('/b/<bag_token>')
@allow(ANY_STAFF)
def scan_bag(bag_token):
    """A scanned belongings bag: opens its repair order."""
    order = _by_token(RepairOrder.for_shop(current_shop()), RepairOrder.label_token, bag_token)
    return _open_or_explain(order, tag=None)


# --- label images ---------------------------------------------------------------------

def tag_label(tag, shop):
    return draw.keytag_label(tag.number, shop.name, tag_scan_url(tag))


def bag_label(order):
    car = order.vehicle
    return draw.bag_label(order.number, car.plate if car else '', car.model if car else '', bag_scan_url(order))


def _image(label, label_fmt, name):
    if label_fmt == 'svg':
        resp = current_app.response_class(str(draw.to_svg(label)), mimetype='image/svg+xml')
    else:
        resp = current_app.response_class(draw.to_png(label), mimetype='image/png')
    resp.headers['Content-Disposition'] = 'inline; filename="%s.%s"' % (name, label_fmt)
    # The usual policy, sandboxed: a label opened on its own runs nothing, whatever text it carries.
    resp.headers['Content-Security-Policy'] = CSP + '; sandbox'
    resp.headers['Cache-Control'] = 'private, no-store'
    return resp


@bp.route('/labels/keytag/<int:tag_id>.<any(svg, png):label_fmt>')
@allow(*PRINTERS)
def keytag_image(tag_id, label_fmt):
    """A key tag's label as SVG or PNG."""
    shop = current_shop()
    tag = KeyTag.get_for_shop_or_404(shop, tag_id)
    return _image(tag_label(tag, shop), label_fmt, 'keytag-%d' % tag.number)


@bp.route('/labels/order/<int:order_id>/bag.<any(svg, png):label_fmt>')
@allow(*PRINTERS)
def bag_image(order_id, label_fmt):
    """An order's belongings-bag label as SVG or PNG."""
    order = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    return _image(bag_label(order), label_fmt, 'bag-%s' % (order.number or 'draft-%d' % order.id))


# --- print layouts ------------------------------------------------------------------

def _roll(labels, back):
    return render('labels/roll.html', None, labels=[draw.to_svg(lb, standalone=False) for lb in labels], back=back)


@bp.route('/labels/keytag/<int:tag_id>/print')
@allow(*PRINTERS)
def keytag_roll(tag_id):
    """One key tag's label on the 62 mm roll (a lost label reprinted)."""
    shop = current_shop()
    tag = KeyTag.get_for_shop_or_404(shop, tag_id)
    return _roll([tag_label(tag, shop)], url_for('labels.pool'))


@bp.route('/labels/order/<int:order_id>/bag/print')
@allow(*PRINTERS)
def bag_roll(order_id):
    """An order's bag labels on the 62 mm roll, one per bag (?copies=2 for two bags)."""
    order = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    copies = min(max(request.args.get('copies', 1, type=int), 1), MAX_COPIES)
    return _roll([bag_label(order)] * copies, url_for('reception.order', order_id=order.id))


@bp.route('/labels/keys/print')
@allow(*PRINTERS)
def pool_print():
    """The pool's labels, on an A4 sheet (3 x 8) or on the roll; ?first=&last= for some numbers only."""
    shop = current_shop()
    first = request.args.get('first', type=int)
    last = request.args.get('last', type=int)
    labels = [tag_label(t, shop) for t in rules.tags_to_print(shop, first, last)]
    if request.args.get('layout') == 'roll':
        return _roll(labels, url_for('labels.pool'))
    per_page = SHEET_ROWS * SHEET_COLS
    svgs = [draw.to_svg(lb, standalone=False) for lb in labels]
    sheets = [svgs[i:i + per_page] for i in range(0, len(svgs), per_page)]
    return render('labels/sheet.html', None, sheets=sheets, back=url_for('labels.pool'))


# --- the pool ---------------------------------------------------------------------------

def _pool(tag_form=None, hook_form=None, message=None, kind='ok', status=200):
    shop = current_shop()
    resp = render('labels/pool.html', 'labels/_pool.html',
                  tags=rules.tag_rows(shop), retired=rules.tag_rows(shop, active=False),
                  hooks=rules.hook_rows(shop),
                  tag_form=tag_form or forms.AddForm(prefix='tags'),
                  hook_form=hook_form or forms.AddForm(prefix='hooks'),
                  may_manage=may_use('labels.add_tags'), message=message, kind=kind)
    resp.status_code = status
    return resp


def _done(message, kind='ok', status=200):
    """After an action: the pool itself to htmx, a redirect (and a flash) to a plain form."""
    if wants_fragment():
        return _pool(message=message, kind=kind, status=status)
    flash(message, kind)
    return redirect(url_for('labels.pool'))


@bp.route('/labels/keys')
@allow(*PRINTERS)
def pool():
    """The key tag pool and the key cabinet: what is free, what is on which car."""
    return _pool()


@bp.route('/labels/keys/tags', methods=['POST'])
@allow(MANAGER, ADMIN)
def add_tags():
    """Add key tags to the pool; their numbers follow on."""
    form = forms.AddForm(prefix='tags')
    if not form.validate_on_submit():
        return _pool(tag_form=form, status=400)
    try:
        tags = rules.add_key_tags(current_shop(), current_user, form.count.data)
    except pw.IntegrityError:
        return _done(_('Someone else added tags at the same moment. Try again.'), 'error', 409)
    return _done(_('Key tags %(first)d to %(last)d added. Print their labels below.',
                   first=tags[0].number, last=tags[-1].number))


@bp.route('/labels/keys/hooks', methods=['POST'])
@allow(MANAGER, ADMIN)
def add_hooks():
    """Add hooks to the key cabinet; their numbers follow on."""
    form = forms.AddForm(prefix='hooks')
    if not form.validate_on_submit():
        return _pool(hook_form=form, status=400)
    try:
        hooks = rules.add_key_hooks(current_shop(), current_user, form.count.data)
    except pw.IntegrityError:
        return _done(_('Someone else added hooks at the same moment. Try again.'), 'error', 409)
    return _done(_('Hooks %(first)d to %(last)d added.', first=hooks[0].number, last=hooks[-1].number))


@bp.route('/labels/keys/tags/<int:tag_id>/retire', methods=['POST'])
@allow(MANAGER, ADMIN)
def retire_tag(tag_id):
    """Take a lost or broken key tag out of the pool (only while it is free)."""
    tag = KeyTag.get_for_shop_or_404(current_shop(), tag_id)
    try:
        rules.retire_key_tag(tag, current_user)
    except rules.PoolError as exc:
        return _done(str(exc), 'error', 400)
    return _done(_('Key tag %(n)d retired. Its number will not be given again.', n=tag.number))
