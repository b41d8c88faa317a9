"""Sending a message: render it from its template in the customer's language, queue it, send it, record how it went.

    send('pickup_notice', order=ro, by=current_user, context={...}) -> Message

Templates are templates/messages/<kind>.<lang>.txt: the first line is the subject, the rest the body.
Every message ends up in the outbox with its status, and on the order's timeline (audit event
'message.sent' or 'message.failed' with the kind) - on the customer's when there is no order.
The stored text has the status link redacted: the database keeps no working link (app.reception.links).
"""
import logging

from flask import current_app, render_template
from flask_babel import force_locale, format_datetime
from jinja2 import TemplateNotFound

from app.core import audit
from app.core.db import transaction, utcnow
from app.core.money import format_money
from app.core.timeutil import to_local
from app.messages.models import Message
from app.messages.senders import SendError, get_sender
from app.reception.links import redact, status_url

log = logging.getLogger('servicebay.outbox')

KINDS = tuple(Message.KIND_LABELS)
# Not about a car in the shop: sent only to customers who agreed to be contacted.
NEEDS_CONSENT = {Message.MAINTENANCE_REMINDER, Message.EVENT_NOTICE, Message.FOLLOWUP}
TIME_FORMATS = {'zh': 'M月d日 EEE HH:mm', 'en': 'EEE d MMM HH:mm'}
DATE_FORMATS = {'zh': 'yyyy年M月d日', 'en': 'd MMM yyyy'}


def language_of(customer):
    supported = current_app.config['LANGUAGES']
    lang = getattr(customer, 'language', None)
    return lang if lang in supported else current_app.config.get('BABEL_DEFAULT_LOCALE', 'zh')


def _time_formatter(tz, lang):
    def when(dt):
        """A UTC time in the shop's time zone, as the customer reads it."""
        if dt is None:
            return ''
        return format_datetime(to_local(dt, tz).replace(tzinfo=None), TIME_FORMATS.get(lang, TIME_FORMATS['en']),
                               rebase=False)

    def day(d):
        from flask_babel import format_date
        return format_date(d, DATE_FORMATS.get(lang, DATE_FORMATS['en'])) if d else ''
    return when, day


def message_context(shop, order, customer, lang, extra=None, issue_link=True):
    """What every template may use; a caller's `context` adds to it (and wins).

    issue_link=False for a preview on a page (a GET writes nothing): an order without a link yet shows a placeholder.
    """
    when, day = _time_formatter(shop.timezone, lang)
    vehicle = order.vehicle if order is not None and order.vehicle_id else None
    ctx = {
        'lang': lang,
        'shop_name': shop.display_name(lang), 'shop_phone': shop.phone, 'shop_address': shop.address,
        'opening_hours': shop.opening_hours,
        'customer_name': customer.name if customer is not None else '',
        'order_number': order.number if order is not None else '',
        'plate': vehicle.plate if vehicle is not None else '',
        'vehicle': ' '.join(x for x in (vehicle.make, vehicle.model) if x) if vehicle is not None else '',
        'promised_at': order.promised_at if order is not None else None,
        'status_url': _status_url(order, issue_link),
        'when': when, 'day': day, 'money': format_money,
    }
    ctx.update(extra or {})
    return ctx


def _status_url(order, issue):
    if order is None or not order.is_signed:
        return ''
    return status_url(order, issue=issue) or '%s/s/…' % (current_app.config.get('PUBLIC_BASE_URL') or '').rstrip('/')


def render_message(kind, lang, context):
    """(subject, body) of a kind in a language; a language without its own template falls back to Chinese."""
    if kind not in KINDS:
        raise ValueError('unknown message kind %r' % kind)
    with force_locale(lang):
        try:
            text = render_template('messages/%s.%s.txt' % (kind, lang), **context)
        except TemplateNotFound:
            text = render_template('messages/%s.zh.txt' % kind, **context)
    subject, _sep, body = text.strip().partition('\n')
    return subject.strip()[:200], body.strip() + '\n'


def send(kind, *, order=None, customer=None, by=None, to=None, context=None, shop=None, sender=None):
    """Queue, render and send one message; a failure is recorded on it (status 'failed', error), not raised.

    `to` is the address for this channel (an e-mail address for SMTP); by default the customer's phone.
    Call it after your own transaction has committed when you can: a slow mail server then holds no locks.
    `sender` overrides the configured one (the demo always writes to the outbox log).
    """
    if kind not in KINDS:
        raise ValueError('unknown message kind %r' % kind)
    if customer is None and order is not None and order.customer_id:
        customer = order.customer
    shop = shop or (order.shop if order is not None else None) or (customer.shop if customer is not None else None)
    if shop is None:
        raise ValueError('a message needs a shop, an order or a customer')
    lang = language_of(customer)
    error = ''
    try:
        sender = sender or get_sender()
        channel = sender.channel
    except SendError as exc:
        sender, channel, error = None, Message.LOG, str(exc)
    if to:
        address = to
    elif channel == Message.EMAIL:
        address = ''          # customers have no e-mail address on file yet: the caller gives one
    else:
        address = customer.phone if customer is not None else ''
    subject, body = render_message(kind, lang, message_context(shop, order, customer, lang, context))
    with transaction():
        message = Message.create(shop=shop, order=order, customer=customer, kind=kind, channel=channel,
                                 to_address=address[:200], language=lang, subject=redact(subject),
                                 body=redact(body), status=Message.QUEUED, created_at=utcnow(),
                                 created_by=getattr(by, 'id', None))
    if not error:
        if kind in NEEDS_CONSENT and customer is not None and not customer.consent_contact:
            error = 'the customer does not want to be contacted'
        elif not address:
            error = 'no address to send to'
    if not error:
        stored = message.subject, message.body
        message.subject, message.body = subject, body     # the full text, links included, only while sending
        try:
            sender.send(message)
        except Exception as exc:  # noqa: BLE001 - any failure of any sender is recorded, not raised
            error = str(exc) or exc.__class__.__name__
            log.warning('message %s (%s) failed: %s', message.id, kind, exc.__class__.__name__)
        finally:
            message.subject, message.body = stored
    _finish(message, error, by)
    return message


def _finish(message, error, by):
    with transaction():
        if error:
            message.status, message.error, message.sent_at = Message.FAILED, redact_error(error), None
        else:
            message.status, message.error, message.sent_at = Message.SENT, '', utcnow()
        message.save(only=[Message.status, Message.error, Message.sent_at])
        if message.order_id:
            target = ('repair_order', message.order_id)
        elif message.customer_id:
            target = ('customer', message.customer_id)
        else:
            target = ('message', message.id)
        audit.record('message.failed' if error else 'message.sent', *target, shop=message.shop_id, actor=by,
                     after={'kind': message.kind, 'channel': message.channel, 'message': message.id,
                            'status': message.status},
                     note=str(message.kind_label) + (': ' + message.error if error else ''))


def redact_error(text):
    return redact(text)[:500]
