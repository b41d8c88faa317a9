"""The staff side of status links: see an order's link and QR, send it to the customer, revoke it and issue a new one."""
from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from app.accounts.context import current_shop
from app.core.access import ADVISOR, MANAGER, allow
from app.core.web import render
from app.reception.models import Customer, RepairOrder, Vehicle
from app.status import rules
from app.status.models import StatusLink
from app.status.qr import qr_data_uri

bp = Blueprint('status_admin', __name__)

STAFF = (ADVISOR, MANAGER)


def _signed_order(order_id):
    order = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    if not order.is_signed:
        abort(404)
    return order


@bp.app_template_global('status_print_qr')
def status_print_qr(order, scale=4):
    """For the printed customer copy: {'url', 'qr'} of the order's link, or None for a check-in in progress."""
    url = rules.status_url(order)
    return {'url': url, 'qr': qr_data_uri(url, scale=scale)} if url else None


@bp.route('/status-links')
@allow(*STAFF)
def links():
    """Open orders with their status links: pick one to send or renew."""
    orders = list(RepairOrder.open_orders(current_shop())
                  .select(RepairOrder, Vehicle, Customer)
                  .join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER).join_from(RepairOrder, Customer, JOIN.LEFT_OUTER)
                  .order_by(RepairOrder.checked_in_at.desc()).limit(200))
    active = {link.order_id: link for link in StatusLink.select().where(
        StatusLink.active_order.in_([o.id for o in orders]))} if orders else {}
    sent = _last_sent([o.id for o in orders])
    return render('status/links.html', None, orders=orders, active=active, sent=sent)


def _last_sent(order_ids):
    from app.messages.models import Message
    if not order_ids:
        return {}
    rows = (Message.select().where(Message.order.in_(order_ids) & (Message.kind == 'status_link'))
            .order_by(Message.created_at))
    return {m.order_id: m for m in rows}


@bp.route('/orders/<int:order_id>/status-link')
@allow(*STAFF)
def link(order_id):
    """One order's status link: the address and QR to show the customer, what was sent, send or renew."""
    from app.messages.models import Message
    order = _signed_order(order_id)
    url = rules.status_url(order)
    found = rules.find(rules.ensure_link(order))
    messages = list(Message.select().where((Message.order == order) & (Message.kind == 'status_link'))
                    .order_by(Message.created_at.desc()).limit(20))
    return render('status/link.html', None, ro=order, url=url, qr=qr_data_uri(url, scale=5), lookup=found,
                  messages=messages, links=list(order.status_links.order_by(StatusLink.created_at.desc())))


@bp.route('/orders/<int:order_id>/status-link/send', methods=['POST'])
@allow(*STAFF)
def send_link(order_id):
    """Queue and send the status link to the customer; the message lands in the outbox and on the timeline."""
    from app.messages.rules import send
    order = _signed_order(order_id)
    message = send('status_link', order=order, customer=order.customer, by=current_user)
    if message.status == message.SENT:
        flash(_('The status link was sent to the customer.'), 'ok')
    else:
        flash(_('The message could not be sent: %(error)s', error=message.error), 'error')
    return redirect(url_for('status_admin.link', order_id=order.id))


@bp.route('/orders/<int:order_id>/status-link/revoke', methods=['POST'])
@allow(*STAFF)
def revoke(order_id):
    """Stop the current link at once and issue a new one (send it again to the customer)."""
    order = _signed_order(order_id)
    rules.revoke_and_reissue(order, current_user)
    flash(_('The old link no longer works. A new link was issued; send it to the customer.'), 'ok')
    return redirect(url_for('status_admin.link', order_id=order.id))
