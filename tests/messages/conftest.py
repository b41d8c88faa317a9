"""Fixtures for the messages tests: staff, a customer's signed order, and a local fake SMTP server."""
import base64
import socketserver
import threading

import pytest

from tests import factories


@pytest.fixture
def staff(shop, make_user):
    return {'advisor': make_user('amy', ['advisor']), 'service': make_user('cs', ['customer_service']),
            'tech': make_user('tom', ['technician'])}


@pytest.fixture
def order(shop, staff):
    customer = factories.make_customer(shop, name='王先生', phone='+8613912345678', language='zh')
    car = factories.make_vehicle(shop, customer, plate='粤B12345')
    return factories.make_order(shop, staff['advisor'], vehicle=car)


@pytest.fixture
def en_order(shop, staff):
    customer = factories.make_customer(shop, name='Ms Lee', phone='+8613812345678', language='en')
    car = factories.make_vehicle(shop, customer, plate='粤B54321')
    return factories.make_order(shop, staff['advisor'], vehicle=car)


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT (no TLS)."""

    def _say(self, text):
        self.wfile.write(text.encode() + b'\r\n')

    def handle(self):
        server = self.server
        envelope = {'rcpt': [], 'auth': None}
        self._say('220 fake.local ESMTP')
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode('utf-8', 'replace').strip()
            upper = command.upper()
            if upper.startswith('EHLO'):
                self._say('250-fake.local')
                self._say('250-AUTH PLAIN')
                self._say('250 8BITMIME')
            elif upper.startswith('HELO'):
                self._say('250 fake.local')
            elif upper.startswith('AUTH PLAIN'):
                raw = command.split(' ', 2)[2] if command.count(' ') >= 2 else ''
                envelope['auth'] = base64.b64decode(raw).split(b'\0')[1:]
                server.auths.append(envelope['auth'])
                self._say('235 ok')
            elif upper.startswith('MAIL FROM'):
                envelope['from'] = command[10:].strip()
                self._say('250 ok')
            elif upper.startswith('RCPT TO'):
                if server.refuse:
                    self._say('550 no such user')
                else:
                    envelope['rcpt'].append(command[8:].strip().strip('<>'))
                    self._say('250 ok')
            elif upper == 'DATA':
                self._say('354 end with .')
                chunks = []
                while True:
                    data = self.rfile.readline()
                    if data in (b'.\r\n', b''):
                        break
                    chunks.append(data[1:] if data.startswith(b'..') else data)
                server.received.append(dict(envelope, data=b''.join(chunks)))
                envelope = {'rcpt': [], 'auth': envelope['auth']}
                self._say('250 queued')
            elif upper == 'QUIT':
                self._say('221 bye')
                return
            else:
                self._say('250 ok')


class FakeSMTP(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), _SMTPHandler)
        self.received, self.auths, self.refuse = [], [], False

    @property
    def port(self):
        return self.server_address[1]


@pytest.fixture
def smtp_server():
    server = FakeSMTP()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def use_smtp(app, smtp_server):
    app.config.update(MESSAGE_SENDER='smtp', SMTP_HOST='127.0.0.1', SMTP_PORT=smtp_server.port, SMTP_TLS='none',
                      SMTP_FROM='service@xinghe.example', SMTP_USER='', SMTP_PASSWORD='', SMTP_TIMEOUT=5)
    return smtp_server
