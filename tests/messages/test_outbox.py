"""The outbox page: every message with its text, filtered by kind and status, for advisors and customer service."""
from app.messages.models import Message
from app.messages.rules import send


def _sign_in(client, user):
    with client.session_transaction() as s:
        s['_user_id'] = user.get_id()
        s['_fresh'] = True


def test_outbox_lists_rendered_messages_per_language(client, app, order, en_order, staff):
    """Customer service reads exactly what each customer got, in the customer's language."""
    send('status_link', order=order, by=staff['advisor'])
    send('pickup_notice', order=en_order, by=staff['advisor'], context={'ready_now': True})
    app.config['MESSAGE_SENDER'] = 'smtp'
    send('status_link', order=en_order, by=staff['advisor'])          # no e-mail address: failed
    _sign_in(client, staff['service'])
    body = client.get('/messages').get_data(as_text=True)
    assert '尊敬的王先生' in body and 'Dear Ms Lee' in body and 'no address' in body
    pickup_only = client.get('/messages?kind=pickup_notice').get_data(as_text=True)
    assert 'Dear Ms Lee' in pickup_only and '尊敬的王先生' not in pickup_only
    failed = client.get('/messages?status=failed').get_data(as_text=True)
    assert 'no address' in failed and '尊敬的王先生' not in failed
    fragment = client.get('/messages?status=failed', headers={'HX-Request': 'true'}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="outbox">')


def test_outbox_is_for_the_people_who_talk_to_customers(client, staff):
    """A technician has no business reading customers' messages."""
    _sign_in(client, staff['tech'])
    assert client.get('/messages').status_code == 403


def test_outbox_never_shows_a_working_status_link(client, order, staff):
    """Whoever reads the outbox over a shoulder does not get the customer's link."""
    from app.reception.links import ensure_link
    send('status_link', order=order, by=staff['advisor'])
    _sign_in(client, staff['advisor'])
    assert ensure_link(order) not in client.get('/messages').get_data(as_text=True)
    assert Message.select().count() == 1
