"""The outbox (every message with its text and how sending went), the advisor's pickup notices due, and the staff
side of the customers' status links (see one, send it, revoke it)."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN

from app.accounts.context import current_shop
from app.core.access import ADVISOR, CUSTOMER_SERVICE, MANAGER, allow
from app.core.idempotency import idempotent
from app.core.settings import get_setting
from app.core.web import render, wants_fragment
from app.messages import pickup
from app.core.qr import qr_data_uri
from app.messages.models import Message
from app.messages.rules import send
from app.reception import links
from app.customers.models import Customer, Vehicle
from app.reception.models import RepairOrder, StatusLink

bp = Blueprint('messages', __name__)

READERS = (ADVISOR, MANAGER, CUSTOMER_SERVICE)
NOTIFIERS = (ADVISOR, MANAGER)
PAGE_SIZE = 100

TILES = [
    ('messages.pickup_notices', _l('Pickup notices due'),
     _l('Tell customers their car is ready (or late, with the reason): the message is prepared')),
    ('messages.outbox', _l('Outbox'), _l('Every message sent to customers, with its text and status')),
    ('messages.status_links', _l('Customer status links'),
     _l('Send a customer the link to follow the repair; revoke a link and issue a new one')),
]


@bp.route('/messages')
@allow(*READERS)
def outbox():
    """Messages of the shop, newest first, filtered by kind and status."""
    kind = request.args.get('kind', '')
    status = request.args.get('status', '')
    rows = Message.for_shop(current_shop()).order_by(Message.created_at.desc(), Message.id.desc())
    if kind in Message.KIND_LABELS:
        rows = rows.where(Message.kind == kind)
    else:
        kind = ''
    if status in Message.STATUS_LABELS:
        rows = rows.where(Message.status == status)
    else:
        status = ''
    return render('messages/outbox.html', 'messages/_outbox_list.html', messages=list(rows.limit(PAGE_SIZE)),
                  kind=kind, status=status, kinds=Message.KIND_LABELS, statuses=Message.STATUS_LABELS,
                  page_size=PAGE_SIZE)


def _notices_context():
    notices = pickup.notices_due(current_shop())
    return dict(notices=[(n, pickup.preview(n)) for n in notices])


@bp.route('/messages/pickup-notices')
@allow(*NOTIFIERS)
def pickup_notices():
    """Customers to tell now that their car is ready, or late: with the message prepared."""
    shop = current_shop()
    hours = {'short': get_setting(shop, 'pickup_notice_short_hours'), 'long': get_setting(shop, 'pickup_notice_long_hours'),
             'days': get_setting(shop, 'long_job_days')}
    return render('messages/pickup_notices.html', 'messages/_pickup_list.html', hours=hours, **_notices_context())


def _list_or_back():
    if wants_fragment():
        resp = current_app.make_response(render_template('messages/_pickup_list.html', oob_flash=True,
                                                         **_notices_context()))
        resp.vary.add('HX-Request')
        return resp
    return redirect(url_for('messages.pickup_notices'))


@bp.route('/messages/pickup-notices/<int:order_id>/send', methods=['POST'])
@allow(*NOTIFIERS)
@idempotent(replay=lambda order_id: _list_or_back(), steps=True)   # queue, send, record: the outbox pattern
def send_pickup_notice(order_id):
    """One tap: send the prepared notice; the order leaves the list once it is sent."""
    order = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    notice = pickup.due_notice(order)
    if notice is None:
        flash(_('Nothing to send for %(number)s: the notice was already sent or is not due.', number=order.number),
              'ok')
        return _list_or_back()
    message = pickup.send_notice(notice, current_user)
    if message.status == Message.SENT:
        flash(_('Notice sent for %(number)s.', number=order.number), 'ok')
    else:
        flash(_('The notice for %(number)s could not be sent: %(error)s', number=order.number, error=message.error),
              'error')
    return _list_or_back()


# --- the customers' status links: the staff side (issued and revoked with the order, app.reception.links) ---

def _signed_order(order_id):
    order = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    if not order.is_signed:
        abort(404)
    return order


@bp.route('/status-links')
@allow(*NOTIFIERS)
def status_links():
    """Open orders with their status links: pick one to send or renew."""
    orders = list(RepairOrder.open_orders(current_shop())
                  .select(RepairOrder, Vehicle, Customer)
                  .join_from(RepairOrder, Vehicle, JOIN.LEFT_OUTER).join_from(RepairOrder, Customer, JOIN.LEFT_OUTER)
                  .order_by(RepairOrder.checked_in_at.desc()).limit(200))
    active = {link.order_id: link for link in StatusLink.select().where(
        StatusLink.active_order.in_([o.id for o in orders]))} if orders else {}
    sent = _last_sent([o.id for o in orders])
    return render('messages/status_links.html', None, orders=orders, active=active, sent=sent)


def _last_sent(order_ids):
    if not order_ids:
        return {}
    rows = (Message.select().where(Message.order.in_(order_ids) & (Message.kind == 'status_link'))
            .order_by(Message.created_at))
    return {m.order_id: m for m in rows}


@bp.route('/orders/<int:order_id>/status-link')
@allow(*NOTIFIERS)
def status_link(order_id):
    """One order's status link: the address and QR to show the customer, what was sent, send or renew."""
    order = _signed_order(order_id)
    url = links.status_url(order)
    found = links.find(links.ensure_link(order))
    messages = list(Message.select().where((Message.order == order) & (Message.kind == 'status_link'))
                    .order_by(Message.created_at.desc()).limit(20))
    return render('messages/status_link.html', None, ro=order, url=url, qr=qr_data_uri(url, scale=5), lookup=found,
                  messages=messages, links=list(order.status_links.order_by(StatusLink.created_at.desc())))


@bp.route('/orders/<int:order_id>/status-link/send', methods=['POST'])
@allow(*NOTIFIERS)
def send_status_link(order_id):
    """Queue and send the status link to the customer; the message lands in the outbox and on the timeline."""
    order = _signed_order(order_id)
    message = send('status_link', order=order, customer=order.customer, by=current_user)
    if message.status == message.SENT:
        flash(_('The status link was sent to the customer.'), 'ok')
    else:
        flash(_('The message could not be sent: %(error)s', error=message.error), 'error')
    return redirect(url_for('messages.status_link', order_id=order.id))


@bp.route('/orders/<int:order_id>/status-link/revoke', methods=['POST'])
@allow(*NOTIFIERS)
def revoke_status_link(order_id):
    """Stop the current link at once and issue a new one (send it again to the customer)."""
    order = _signed_order(order_id)
    links.revoke_and_reissue(order, current_user)
    flash(_('The old link no longer works. A new link was issued; send it to the customer.'), 'ok')
    return redirect(url_for('messages.status_link', order_id=order.id))
