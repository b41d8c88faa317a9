"""Guessing passwords and links, replaying cookies, planting sessions: what an attacker tries at the door."""
import secrets

import pytest

from app.accounts.models import LoginFailure, User
from tests import factories
from tests.security import harness


@pytest.fixture(scope='module')
def people(sec_app):
    shop = factories.make_shop('S1')
    return {name: factories.make_user(name, roles, [shop])
            for name, roles in (('amy', ['advisor']), ('tom', ['technician']), ('max', ['manager']),
                                ('bea', ['advisor']), ('cal', ['advisor']), ('dan', ['advisor']))}


@pytest.fixture(autouse=True)
def _fresh_throttle(sec_app):
    LoginFailure.delete().execute()


def _login(client, username, password=factories.PASSWORD, **extra):
    return client.post('/login', data=dict(username=username, password=password, **extra))


def _signed_in(client):
    resp = client.get('/')
    return resp.status_code == 200


def _replay(app, cookies):
    """A stranger's browser holding copies of the cookies."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def _cookies(client, *names):
    return {n: client.get_cookie(n).value for n in names if client.get_cookie(n) is not None}


# --- guessing status links (sign-in guessing: test_login_guard.py) -------------------------------

def test_status_link_guessing_is_rate_limited(sec_app, people, monkeypatch):
    """A script trying random status links gets 429 after the per-minute limit, and no page."""
    from app.core.settings import get_setting
    from app.status import ratelimit
    monkeypatch.setattr(ratelimit, 'current_minute', lambda now=None: 1)   # all within one minute, however slow
    client = harness.client_for(sec_app, address='10.3.0.1')
    limit = get_setting(None, 'status_link_requests_per_minute')
    codes = [client.get('/s/%s' % secrets.token_urlsafe(16)).status_code for _ in range(limit + 2)]
    assert set(codes[:limit]) <= {404}
    assert codes[-1] == 429
    last = client.get('/s/%s' % secrets.token_urlsafe(16))
    assert last.status_code == 429 and last.headers.get('Retry-After')


# --- ended sessions cannot be replayed -------------------------------------------------------------

def test_cookie_copied_before_logout_is_dead_after_it(sec_app, people):
    """Signing out on a shared tablet must end that session even for someone who copied its cookie."""
    client = harness.client_for(sec_app, address='10.4.0.1')
    assert _login(client, 'cal', remember='y').status_code == 302
    stolen = _cookies(client, 'session', 'remember_token')
    assert _signed_in(_replay(sec_app, stolen))
    client.post('/logout')
    assert not _signed_in(client)
    assert not _signed_in(_replay(sec_app, stolen))
    assert not _signed_in(_replay(sec_app, {'remember_token': stolen['remember_token']}))


def test_cookie_of_a_disabled_user_is_dead(sec_app, people):
    """A person who left and was disabled cannot keep working with a session they still hold."""
    client = harness.client_for(sec_app, address='10.4.0.2')
    assert _login(client, 'tom', remember='y').status_code == 302
    stolen = _cookies(client, 'session', 'remember_token')
    manager = harness.client_for(sec_app, address='10.4.0.3')
    assert _login(manager, 'max').status_code == 302
    assert manager.post('/admin/users/%d/active' % people['tom'].id, data={'active': '0'}).status_code == 302
    assert not User.get_by_id(people['tom'].id).active
    assert not _signed_in(client)
    assert not _signed_in(_replay(sec_app, stolen))
    assert not _signed_in(_replay(sec_app, {'remember_token': stolen['remember_token']}))


def test_sign_out_everywhere_kills_every_copy(sec_app, people):
    """After 'sign out everywhere' (a lost phone) no copy of the old cookies works."""
    phone = harness.client_for(sec_app, address='10.4.0.4')
    desk = harness.client_for(sec_app, address='10.4.0.5')
    assert _login(phone, 'dan', remember='y').status_code == 302
    assert _login(desk, 'dan').status_code == 302
    stolen = _cookies(phone, 'session', 'remember_token')
    assert desk.post('/account/sign-out-everywhere').status_code == 302
    assert not _signed_in(phone) and not _signed_in(desk)
    assert not _signed_in(_replay(sec_app, stolen))


# --- session fixation and cookie flags -------------------------------------------------------

def test_session_planted_before_login_is_not_the_signed_in_one(sec_app, people):
    """A session cookie an attacker planted before sign-in must not become a signed-in session for them."""
    victim = harness.client_for(sec_app, address='10.5.0.1')
    victim.get('/login')
    with victim.session_transaction() as s:
        s['planted'] = 'attacker'
    planted = _cookies(victim, 'session')
    assert _login(victim, 'amy').status_code == 302
    after = _cookies(victim, 'session')
    assert after['session'] != planted['session']
    with victim.session_transaction() as s:
        assert 'planted' not in s
    assert not _signed_in(_replay(sec_app, planted))


def test_session_cookies_are_httponly_and_samesite(sec_app, people):
    """Scripts cannot read the login cookies, and other sites' forms do not carry them."""
    client = harness.client_for(sec_app, address='10.5.0.2')
    resp = _login(client, 'amy', remember='y')
    set_cookies = {c.split('=', 1)[0]: c for c in resp.headers.getlist('Set-Cookie')}
    for name in ('session', 'remember_token'):
        cookie = set_cookies[name]
        assert 'HttpOnly' in cookie, cookie
        assert 'SameSite=Lax' in cookie or 'SameSite=Strict' in cookie, cookie


def test_cookies_are_secure_when_configured(sec_app, people):
    """Behind HTTPS (SESSION_COOKIE_SECURE=1) the login cookies are never sent over plain HTTP."""
    import importlib
    import os

    from app import config
    os.environ['SESSION_COOKIE_SECURE'] = '1'
    try:
        secure = importlib.reload(config).Config
    finally:
        os.environ.pop('SESSION_COOKIE_SECURE')
        importlib.reload(config)
    assert secure.SESSION_COOKIE_SECURE and secure.REMEMBER_COOKIE_SECURE
    saved = {k: sec_app.config[k] for k in ('SESSION_COOKIE_SECURE', 'REMEMBER_COOKIE_SECURE')}
    sec_app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    try:
        client = harness.client_for(sec_app, address='10.5.0.3')
        resp = client.post('https://localhost/login', data={'username': 'amy', 'password': factories.PASSWORD,
                                                              'remember': 'y'})
        assert resp.status_code == 302
        cookies = [c for c in resp.headers.getlist('Set-Cookie') if c.startswith(('session=', 'remember_token='))]
        assert len(cookies) == 2 and all('Secure' in c for c in cookies), cookies
    finally:
        sec_app.config.update(saved)


def _set_cookies(resp):
    return {c.split('=', 1)[0]: c for c in resp.headers.getlist('Set-Cookie')}


def test_cookies_are_secure_over_https_without_configuration(sec_app, people):
    """Served over HTTPS, the login cookies must never be sent back over plain HTTP, with no setting to forget."""
    assert not sec_app.config['SESSION_COOKIE_SECURE']
    client = harness.client_for(sec_app, address='10.5.1.1')
    resp = client.post('https://localhost/login', data={'username': 'bea', 'password': factories.PASSWORD,
                                                        'remember': 'y'})
    assert resp.status_code == 302
    cookies = _set_cookies(resp)
    assert 'Secure' in cookies['session'] and 'Secure' in cookies['remember_token'], cookies
    assert resp.headers['Strict-Transport-Security'] == 'max-age=31536000'
    # Over plain HTTP (the shop's LAN address) the cookies must still work: not Secure, no HSTS.
    plain = harness.client_for(sec_app, address='10.5.1.2')
    resp = _login(plain, 'bea', remember='y')
    assert all('Secure' not in c for c in _set_cookies(resp).values())
    assert 'Strict-Transport-Security' not in resp.headers
    assert _signed_in(plain)


def test_cookies_are_secure_behind_a_trusted_proxy(sec_app, people):
    """Behind nginx (TRUST_PROXY=1) the request reaches the app as HTTP; X-Forwarded-Proto must still make it Secure."""
    from werkzeug.middleware.proxy_fix import ProxyFix
    plain_app = sec_app.wsgi_app
    sec_app.wsgi_app = ProxyFix(plain_app, x_for=1, x_proto=1, x_host=1)   # what create_app does for TRUST_PROXY=1
    try:
        client = harness.client_for(sec_app, address='127.0.0.1')
        resp = client.post('/login', data={'username': 'bea', 'password': factories.PASSWORD},
                           headers={'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '10.5.2.1'})
        assert resp.status_code == 302
        assert 'Secure' in _set_cookies(resp)['session']
        assert resp.headers.get('Strict-Transport-Security') == 'max-age=31536000'
        page = client.get('/', headers={'X-Forwarded-Proto': 'https'})
        assert page.headers.get('Strict-Transport-Security') == 'max-age=31536000'
    finally:
        sec_app.wsgi_app = plain_app


def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(sec_app, people):
    """A desk left signed in without "keep me signed in" must ask for the password again after 12 hours of use."""
    import time_machine
    from datetime import datetime, timedelta, timezone
    hours = sec_app.config['SESSION_ABSOLUTE_LIFETIME'] / timedelta(hours=1)
    assert hours == 12
    start = datetime.now(timezone.utc)
    with time_machine.travel(start, tick=False) as clock:
        desk = harness.client_for(sec_app, address='10.5.3.1')
        phone = harness.client_for(sec_app, address='10.5.3.2')
        assert _login(desk, 'dan').status_code == 302
        assert _login(phone, 'dan', remember='y').status_code == 302
        for _ in range(int(hours * 2) - 1):              # busy: a click every half hour
            clock.shift(timedelta(minutes=30))
            assert _signed_in(desk) and _signed_in(phone)
        clock.shift(timedelta(minutes=31))               # 12 h 1 min after signing in
        assert not _signed_in(desk)
        assert _signed_in(phone)                         # "keep me signed in" lasts REMEMBER_DAYS
        clock.shift(sec_app.config['REMEMBER_COOKIE_DURATION'])
        assert not _signed_in(phone)
