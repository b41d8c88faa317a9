"""How a message leaves the shop: one sender per channel, chosen by the MESSAGE_SENDER setting.

A sender has a `channel` (the Message.channel it fills in) and `send(message)`, which returns
nothing and raises on failure (the outbox records the error). `message.to_address`, `.subject` and
`.body` are what to send; the body holds the full status link only while it is being sent.

    MESSAGE_SENDER=log    (default) write to the outbox log, instance/outbox.log: the demo needs nothing outside
    MESSAGE_SENDER=smtp   e-mail through SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM, SMTP_TLS

An SMS or WeChat gateway is one more class with channel 'sms' or 'wechat', added with register_sender().
Settings are read from the app config, else the environment.
"""
import logging
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from flask import current_app

from app.reception.links import redact

log = logging.getLogger('servicebay.outbox')


class SendError(Exception):
    """The message could not be handed over; the text says why (shown in the outbox)."""


class Sender(Protocol):
    channel: str

    def send(self, message) -> None:
        """Hand the message over, or raise."""


def setting(app, name, default=''):
    value = app.config.get(name)
    if value in (None, ''):
        value = os.environ.get(name, default)
    return value


class LogSender:
    """Writes each message to the outbox log (status links redacted) and counts it as sent."""
    channel = 'log'

    def __init__(self, app):
        self.path = setting(app, 'OUTBOX_LOG') or os.path.join(app.instance_path, 'outbox.log')

    def send(self, message) -> None:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        head = '--- message %s · %s · to %s · %s\n' % (message.id, message.kind, message.to_address or '-',
                                                     message.language)
        text = head + redact('%s\n\n%s' % (message.subject, message.body)).rstrip('\n') + '\n'
        with open(self.path, 'a', encoding='utf-8') as fh:
            fh.write(text)
        log.info('message %s (%s) written to the outbox log', message.id, message.kind)


class SmtpSender:
    """E-mail through an SMTP server. SMTP_TLS: 'starttls' (default), 'ssl' (port 465) or 'none' (a local relay)."""
    channel = 'email'

    def __init__(self, app):
        self.host = setting(app, 'SMTP_HOST', 'localhost')
        self.port = int(setting(app, 'SMTP_PORT', '25') or 25)
        self.user = setting(app, 'SMTP_USER')
        self.password = setting(app, 'SMTP_PASSWORD')
        self.sender = setting(app, 'SMTP_FROM') or self.user or 'servicebay@localhost'
        self.tls = (setting(app, 'SMTP_TLS', 'starttls') or 'starttls').lower()
        self.timeout = float(setting(app, 'SMTP_TIMEOUT', '15') or 15)

    def _email(self, message):
        email = EmailMessage()
        email['Subject'] = message.subject
        email['From'] = self.sender
        email['To'] = message.to_address
        email['Date'] = formatdate(localtime=False)
        email['Message-ID'] = make_msgid(domain=self.sender.rpartition('@')[2] or None)
        email.set_content(message.body)
        return email

    def send(self, message) -> None:
        if not message.to_address or '@' not in message.to_address:
            raise SendError('no e-mail address for this customer')
        email = self._email(message)
        if self.tls == 'ssl':
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            smtp.ehlo()
            if self.tls == 'starttls':
                if smtp.has_extn('starttls'):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                elif self.user:
                    raise SendError('the mail server offers no STARTTLS; the password is not sent in clear text')
            if self.user:
                smtp.login(self.user, self.password)
            refused = smtp.send_message(email)
            if refused:
                raise SendError('the mail server refused %s' % ', '.join(refused))


# name in MESSAGE_SENDER -> factory(app) giving a Sender
SENDERS = {'log': LogSender, 'smtp': SmtpSender}


def register_sender(name, factory):
    """Make a sender available as MESSAGE_SENDER=name (an SMS or WeChat gateway, a test double)."""
    SENDERS[name] = factory


def get_sender(app=None):
    app = app or current_app._get_current_object()
    name = (setting(app, 'MESSAGE_SENDER', 'log') or 'log').lower()
    if name not in SENDERS:
        raise SendError('unknown MESSAGE_SENDER %r (known: %s)' % (name, ', '.join(sorted(SENDERS))))
    return SENDERS[name](app)
