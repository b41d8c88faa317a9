"""The staff side: the QR on the printed customer copy, the link page, sending and renewing the link."""
import base64
import re

from app.core.models import Event
from app.messages.models import Message
from app.reception import links as rules
from app.reception.models import StatusLink
from tests.status.helpers import decode_qr_png


def _sign_in(client, user):
    with client.session_transaction() as s:
        s['_user_id'] = user.get_id()
        s['_fresh'] = True


def test_printed_customer_copy_carries_the_status_qr(app, client, order, staff, tmp_path):
    """The customer scans the code on their copy of the order and lands on their car's status."""
    _sign_in(client, staff['advisor'])
    html = client.get('/orders/%d/print' % order.id).get_data(as_text=True)
    found = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert found, 'the printed order has the QR'
    url = decode_qr_png(base64.b64decode(found.group(1)), tmp_path)
    token = rules.ensure_link(order)
    assert url == 'http://localhost/s/' + token
    assert url in html                                    # also printed as text, for typing
    customer_phone = app.test_client()
    assert customer_phone.get(url.replace('http://localhost', '')).status_code == 200


def test_printing_again_shows_the_same_link(client, order, staff):
    """A reprint must carry the link the customer already has, not a new one."""
    _sign_in(client, staff['advisor'])
    first = client.get('/orders/%d/print' % order.id).get_data(as_text=True)
    second = client.get('/orders/%d/print' % order.id).get_data(as_text=True)
    pick = lambda html: re.search(r'/s/[A-Za-z0-9_-]{22}', html).group(0)  # noqa: E731
    assert pick(first) == pick(second)
    assert StatusLink.select().where(StatusLink.order == order).count() == 1


def test_link_page_send_and_revoke(client, order, token, staff):
    """The advisor sends the link (it lands in the outbox and on the timeline) or renews it."""
    _sign_in(client, staff['advisor'])
    page = client.get('/orders/%d/status-link' % order.id).get_data(as_text=True)
    assert '/s/' + token in page and 'data:image/png;base64,' in page
    resp = client.post('/orders/%d/status-link/send' % order.id)
    assert resp.status_code == 302
    message = Message.get(Message.order == order)
    assert message.kind == 'status_link' and message.status == Message.SENT
    assert token not in message.body and '/s/' + rules.short_hash(token) in message.body
    assert Event.for_record('repair_order', order.id).where(Event.action == 'message.sent').exists()
    client.post('/orders/%d/status-link/revoke' % order.id)
    assert rules.find(token).state == rules.REVOKED
    new = rules.ensure_link(order)
    assert '/s/' + new in client.get('/orders/%d/status-link' % order.id).get_data(as_text=True)


def test_technicians_cannot_send_or_revoke(client, order, token, staff):
    """Only the advisor or manager speaks to the customer about the link."""
    _sign_in(client, staff['tech'])
    assert client.post('/orders/%d/status-link/revoke' % order.id).status_code == 403
    assert client.get('/orders/%d/status-link' % order.id).status_code == 403
    assert rules.find(token).state == rules.OK


def test_staff_list_of_links(client, order, token, staff):
    """The advisor finds an order to send its link from one list."""
    _sign_in(client, staff['advisor'])
    body = client.get('/status-links').get_data(as_text=True)
    assert order.number in body and '/orders/%d/status-link' % order.id in body


def test_staff_preview_is_not_counted_by_the_rate_limit(client, order, token, staff):
    """Advisors on the shop's Wi-Fi opening links do not use up the customers' allowance on the same address."""
    from app.status.models import StatusHit
    _sign_in(client, staff['advisor'])
    client.get('/s/' + token)
    assert StatusHit.select().count() == 0


def test_order_page_piece_sends_the_link(app, order, staff):
    """The piece for the order page offers the advisor the send button and the link page."""
    from flask import render_template
    with app.test_request_context():
        from flask_login import login_user
        login_user(staff['advisor'])
        html = render_template('messages/_order_link.html', ro=order)
    assert '/orders/%d/status-link/send' % order.id in html and '/orders/%d/status-link"' % order.id in html
