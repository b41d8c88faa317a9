"""The outbox (every message with its text and how sending went) and the advisor's pickup notices due."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core.access import ADVISOR, CUSTOMER_SERVICE, MANAGER, allow
from app.core.idempotency import idempotent
from app.core.settings import get_setting
from app.core.web import render, wants_fragment
from app.messages import pickup
from app.messages.models import Message
from app.reception.models import RepairOrder

bp = Blueprint('messages', __name__)

READERS = (ADVISOR, MANAGER, CUSTOMER_SERVICE)
NOTIFIERS = (ADVISOR, MANAGER)
PAGE_SIZE = 100

TILES = [
    ('messages.pickup_notices', _l('Pickup notices due'),
     _l('Tell customers their car is ready (or late, with the reason): the message is prepared')),
    ('messages.outbox', _l('Outbox'), _l('Every message sent to customers, with its text and status')),
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
