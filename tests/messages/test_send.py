"""Messages: rendered per kind and language, sent through the configured sender, every outcome recorded."""
import email
import email.policy
import os
from datetime import date, timedelta

import pytest

from app.core.db import utcnow
from app.core.models import Event
from app.messages import senders
from app.messages.models import Message
from app.messages.rules import KINDS, render_message, send
from app.reception import links as status_rules


def _outbox_log(app):
    path = os.path.join(app.instance_path, 'outbox.log')
    with open(path, encoding='utf-8') as fh:
        return fh.read()


def test_log_sender_writes_the_outbox_and_marks_sent(app, order, staff):
    """With nothing configured the demo still 'sends': the message is in the outbox log and marked sent."""
    message = send('status_link', order=order, by=staff['advisor'])
    assert message.status == Message.SENT and message.sent_at is not None and message.error == ''
    assert message.channel == 'log' and message.to_address == '+8613912345678' and message.language == 'zh'
    assert message.customer_id == order.customer_id and message.created_by == staff['advisor'].id
    assert '王先生' in message.body and '维修进度' in message.subject
    token = status_rules.ensure_link(order)
    log = _outbox_log(app)
    assert '王先生' in log and token not in log and '/s/' + status_rules.short_hash(token) in log
    stored = Message.get_by_id(message.id)
    assert token not in stored.body                       # the database keeps no working link
    event = Event.for_record('repair_order', order.id).where(Event.action == 'message.sent').get()
    assert event.after_data['kind'] == 'status_link' and event.after_data['message'] == message.id


def test_message_in_the_customers_language(app, en_order, staff):
    """An English-speaking customer gets English, whatever the advisor's screen shows."""
    message = send('pickup_notice', order=en_order, by=staff['advisor'], context={'ready_now': True})
    assert message.language == 'en'
    assert message.subject.endswith('your car is ready for pickup')
    assert 'Dear Ms Lee' in message.body and 'Opening hours' in message.body


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('lang', ['zh', 'en'])
def test_every_kind_renders_in_both_languages(app, order, kind, lang):
    """A kind without its text (or a broken template) would send an empty or half message."""
    from app.messages.rules import message_context
    ctx = message_context(order.shop, order, order.customer, lang, {
        'ready_at': utcnow(), 'original_at': utcnow() - timedelta(hours=2), 'reason': 'parts late',
        'start_at': utcnow() + timedelta(days=1), 'work': 'maintenance', 'due_on': date(2026, 5, 1),
        'due_km': 15000, 'event_title': 'Free check day', 'event_day': date(2026, 5, 2),
        'event_description': 'Brakes and tyres checked for free'})
    subject, body = render_message(kind, lang, ctx)
    assert subject and len(body) > 40
    assert '{{' not in body and 'None' not in body and 'None' not in subject
    assert '王先生' in body
    if kind == 'late_notice':
        assert 'parts late' in body
    if kind == 'maintenance_reminder':
        assert '15,000' in body and '2026' in body
    if kind == 'event_notice':
        assert 'Free check day' in body and 'Brakes and tyres' in body
    text = body.replace(order.shop.name, '').replace('王先生', '').replace(order.vehicle.plate, '')
    text = text.replace(order.vehicle.make, '').replace(order.vehicle.model, '')
    chinese = any('\u4e00' <= ch <= '\u9fff' for ch in text)
    assert chinese == (lang == 'zh'), body


def test_smtp_sender_delivers_to_the_given_address(app, order, staff, use_smtp):
    """With SMTP configured the customer gets an e-mail carrying the working link."""
    message = send('status_link', order=order, by=staff['advisor'], to='wang@example.com')
    assert message.status == Message.SENT, message.error
    assert message.channel == 'email' and message.to_address == 'wang@example.com'
    assert len(use_smtp.received) == 1
    got = use_smtp.received[0]
    assert got['rcpt'] == ['wang@example.com'] and 'service@xinghe.example' in got['from']
    mail = email.message_from_bytes(got['data'], policy=email.policy.default)
    assert '维修进度' in mail['Subject']
    token = status_rules.ensure_link(order)
    assert '/s/' + token in mail.get_content()            # the e-mail itself has the working link
    assert token not in Message.get_by_id(message.id).body  # the outbox keeps it redacted


def test_smtp_login_and_refusing_clear_text_passwords(app, order, staff, use_smtp):
    """Credentials go to the server only over TLS, unless the shop says its relay is local."""
    app.config.update(SMTP_USER='shop', SMTP_PASSWORD='s3cret', SMTP_TLS='starttls')
    refused = send('status_link', order=order, by=staff['advisor'], to='wang@example.com')
    assert refused.status == Message.FAILED and 'STARTTLS' in refused.error
    assert use_smtp.auths == [] and use_smtp.received == []
    app.config['SMTP_TLS'] = 'none'
    sent = send('status_link', order=order, by=staff['advisor'], to='wang@example.com')
    assert sent.status == Message.SENT and use_smtp.auths == [[b'shop', b's3cret']]


def test_smtp_failures_are_recorded(app, order, staff, use_smtp):
    """A refused address, a missing address or a dead server leaves a failed message with the reason."""
    no_address = send('status_link', order=order, by=staff['advisor'])
    assert no_address.status == Message.FAILED and 'address' in no_address.error
    use_smtp.refuse = True
    refused = send('status_link', order=order, by=staff['advisor'], to='nobody@example.com')
    assert refused.status == Message.FAILED and refused.error
    app.config['SMTP_PORT'] = 1          # nothing listens there
    dead = send('status_link', order=order, by=staff['advisor'], to='wang@example.com')
    assert dead.status == Message.FAILED and dead.error
    failed = Event.for_record('repair_order', order.id).where(Event.action == 'message.failed')
    assert failed.count() == 3
    assert Message.select().where(Message.status == Message.FAILED).count() == 3


def test_a_broken_sender_is_recorded_not_raised(app, order, staff, monkeypatch):
    """A gateway error must not crash the advisor's page; the outbox shows it failed and why."""
    class Broken:
        channel = 'sms'

        def __init__(self, app):
            pass

        def send(self, message):
            raise RuntimeError('gateway down')
    monkeypatch.setitem(senders.SENDERS, 'broken', Broken)
    app.config['MESSAGE_SENDER'] = 'broken'
    message = send('pickup_notice', order=order, by=staff['advisor'], context={'ready_now': True})
    assert message.status == Message.FAILED and message.error == 'gateway down' and message.channel == 'sms'
    app.config['MESSAGE_SENDER'] = 'nonsense'
    unknown = send('pickup_notice', order=order, by=staff['advisor'], context={'ready_now': True})
    assert unknown.status == Message.FAILED and 'MESSAGE_SENDER' in unknown.error


def test_reminders_respect_the_customers_wish_not_to_be_contacted(app, order, staff):
    """A customer who said no to marketing gets no maintenance reminder; the outbox says why."""
    customer = order.customer
    customer.consent_contact = False
    customer.save()
    message = send('maintenance_reminder', customer=customer, by=staff['service'], context={'due_km': 15000})
    assert message.status == Message.FAILED and 'contacted' in message.error
    assert Event.for_record('customer', customer.id).where(Event.action == 'message.failed').exists()
    # a notice about their own car in the shop still goes out
    assert send('pickup_notice', order=order, context={'ready_now': True}).status == Message.SENT


def test_unknown_kind_is_a_programming_error(app, order):
    """A typo in a kind name must fail loudly in development, not send nothing."""
    with pytest.raises(ValueError):
        send('birthday', order=order)
