"""Key tags and bags on repair orders: the short scan URLs their QR labels carry, the bags' labels, and the key
tag pool with the order each tag and hook is on. Registered on the reception blueprint (app.reception.views)."""
import peewee as pw
from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.context import current_shop
from app.core.access import ADMIN, ANY_STAFF, MANAGER, allow, may_use
from app.core.errors import StaleRecord
from app.core.web import act, public_url, render
from app.labels import forms
from app.labels import render as draw
from app.labels import rules as pool_rules
from app.labels.models import KeyTag
from app.labels.printing import MAX_COPIES, PRINTERS, image_response, roll, send_labels, sent_piece
from app.reception import keys
from app.reception.models import RepairOrder
from app.reception.blueprint import bp

TOKEN_MAX = 64                          # longer than any token we make: not worth a query


def bag_scan_url(order):
    return public_url('reception.scan_bag', bag_token=order.label_token)


# --- where a scan leads -------------------------------------------------------------

def _by_token(query, column, token):
    """The record with this token in the current shop: another shop's token is as unknown as a made-up one."""
    if not token or len(token) > TOKEN_MAX:
        abort(404)
    found = query.where(column == token).first()
    if found is None:
        abort(404)
    return found


def _open_or_explain(order, **ctx):
    target = keys.order_url_for_scan(order, current_user)
    if target:
        return redirect(target)
    return render('reception/scan.html', None, state='finished', order=order, **ctx)


@bp.route('/k/<tag_token>')
@allow(ANY_STAFF)
def scan_tag(tag_token):
    """A scanned key tag: opens the order the tag is on now, or says the tag is free."""
    tag = _by_token(KeyTag.for_shop(current_shop()), KeyTag.token, tag_token)
    order = keys.order_of_tag(tag)
    if order is None:
        return render('reception/scan.html', None, state='free' if tag.active else 'retired', tag=tag)
    return _open_or_explain(order, tag=tag)


@bp.route('/b/<bag_token>')
@allow(ANY_STAFF)
def scan_bag(bag_token):
    """A scanned belongings bag: opens its repair order."""
    order = _by_token(RepairOrder.for_shop(current_shop()), RepairOrder.label_token, bag_token)
    return _open_or_explain(order, tag=None)


# --- the bags' labels -----------------------------------------------------------------

def bag_label(order):
    car = order.vehicle
    return draw.bag_label(order.number, car.plate if car else '', car.model if car else '', bag_scan_url(order))


@bp.route('/labels/order/<int:order_id>/bag.<any(svg, png):label_fmt>')
@allow(*PRINTERS)
def bag_image(order_id, label_fmt):
    """An order's belongings-bag label as SVG or PNG."""
    order = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    return image_response(bag_label(order), label_fmt, 'bag-%s' % (order.number or 'draft-%d' % order.id))


@bp.route('/labels/order/<int:order_id>/bag/print')
@allow(*PRINTERS)
def bag_roll(order_id):
    """An order's bag labels on the 62 mm roll, one per bag (?copies=2 for two bags)."""
    order = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    copies = min(max(request.args.get('copies', 1, type=int), 1), MAX_COPIES)
    return roll([bag_label(order)] * copies, url_for('reception.order', order_id=order.id))


@bp.route('/labels/order/<int:order_id>/bag/send', methods=['POST'])
@allow(*PRINTERS)
def bag_send(order_id):
    """Print an order's bag labels on the shop's label printer now, one per bag."""
    shop = current_shop()
    order = RepairOrder.get_for_shop_or_404(shop, order_id)
    form = forms.PrintForm()
    back = url_for('reception.order', order_id=order.id)
    return act(sent_piece(back), lambda: send_labels(shop, [bag_label(order)] * form.copies.data),
               done=lambda: _('Bag labels sent to the printer: %(n)d.', n=form.copies.data), back=back, form=form)


# --- the pool ---------------------------------------------------------------------------

def _pool(status=200, *, tag_form=None, hook_form=None, done=None, error=None, **_given):
    shop = current_shop()
    resp = render('reception/key_pool.html', 'reception/_key_pool.html',
                  tags=keys.tag_rows(shop), retired=keys.tag_rows(shop, active=False),
                  hooks=keys.hook_rows(shop),
                  tag_form=tag_form or forms.AddForm(prefix='tags'),
                  hook_form=hook_form or forms.AddForm(prefix='hooks'),
                  may_manage=may_use('reception.add_key_tags'), message=error or done,
                  kind='error' if error else 'ok')
    resp.status_code = status
    return resp


def _act(run, done, **form):
    """An action on the pool: the pool again (htmx) or its page (app.core.web.act)."""
    return act(_pool, run, done=done, back=url_for('reception.key_pool'), **form)


def _numbered(add, what):
    """Add tags or hooks; two managers adding at the same moment collide on a number: one of them tries again."""
    try:
        return add()
    except pw.IntegrityError:
        raise StaleRecord(None, _('Someone else added %(what)s at the same moment. Try again.', what=what))


@bp.route('/labels/keys')
@allow(*PRINTERS)
def key_pool():
    """The key tag pool and the key cabinet: what is free, what is on which car."""
    return _pool()


def _add(prefix, add, what, said):
    """Add tags or hooks from the form named `prefix`; `said` names the numbers added."""
    form, made = forms.AddForm(prefix=prefix), []
    run = lambda: made.extend(_numbered(  # noqa: E731
        lambda: add(current_shop(), current_user, form.count.data), what))
    return _act(run, lambda: said(made[0].number, made[-1].number), form=form, form_as=prefix[:-1] + '_form')


@bp.route('/labels/keys/tags', methods=['POST'])
@allow(MANAGER, ADMIN)
def add_key_tags():
    """Add key tags to the pool; their numbers follow on."""
    return _add('tags', pool_rules.add_key_tags, _('tags'), lambda first, last: _(
        'Key tags %(first)d to %(last)d added. Print their labels below.', first=first, last=last))


@bp.route('/labels/keys/hooks', methods=['POST'])
@allow(MANAGER, ADMIN)
def add_key_hooks():
    """Add hooks to the key cabinet; their numbers follow on."""
    return _add('hooks', pool_rules.add_key_hooks, _('hooks'),
                lambda first, last: _('Hooks %(first)d to %(last)d added.', first=first, last=last))


@bp.route('/labels/keys/tags/<int:tag_id>/retire', methods=['POST'])
@allow(MANAGER, ADMIN)
def retire_key_tag(tag_id):
    """Take a lost or broken key tag out of the pool (only while it is free)."""
    tag = KeyTag.get_for_shop_or_404(current_shop(), tag_id)
    return _act(lambda: pool_rules.retire_key_tag(tag, current_user),
                _('Key tag %(n)d retired. Its number will not be given again.', n=tag.number))
