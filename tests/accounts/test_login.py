"""Signing in and out, throttling, remember-me and ending sessions."""
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from app.core.db import utcnow

from app.accounts.models import LoginFailure, User
from app.core.models import Event


def test_login_and_back_to_the_page_that_asked(client, auth, make_user):
    """A technician scanning a key tag signs in and lands on that page, not the start page."""
    make_user('tech1', ['technician'])
    resp = client.get('/orders')
    assert resp.status_code == 302 and '/login?next=/orders' in resp.headers['Location']
    resp = client.post('/login', data={'username': 'TECH1 ', 'password': 'correct horse', 'next': '/orders'})
    assert resp.status_code == 302 and resp.headers['Location'] == '/orders'
    assert client.get('/orders').status_code == 200


def test_next_cannot_leave_the_site(client, make_user):
    """A crafted login link must not send staff to another site after signing in."""
    make_user('tech1', ['technician'])
    for evil in ('https://evil.example/', '//evil.example/', 'javascript:alert(1)'):
        resp = client.post('/login', data={'username': 'tech1', 'password': 'correct horse', 'next': evil})
        assert resp.headers['Location'] == '/', evil
        client.post('/logout')


def test_wrong_password_says_so_and_keeps_the_user_name(client, make_user):
    """A typo must give a clear message with the name still filled in."""
    make_user('amy', ['advisor'])
    resp = client.post('/login', data={'username': 'amy', 'password': 'wrong'})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'User name or password is wrong.' in body and 'value="amy"' in body


def test_empty_fields_get_messages_in_chinese(client):
    """A Chinese-speaking advisor must see what is missing in Chinese."""
    resp = client.post('/login', data={}, headers={'Accept-Language': 'zh-CN,zh;q=0.9'})
    body = resp.get_data(as_text=True)
    assert '请输入' in body
    assert '<html lang="zh-Hans">' in body


def test_login_is_rate_limited(client, make_user):
    """Guessing passwords must be stopped after a few tries, even with the right one."""
    make_user('amy', ['advisor'])
    for _ in range(5):
        client.post('/login', data={'username': 'amy', 'password': 'guess'})
    resp = client.post('/login', data={'username': 'amy', 'password': 'correct horse'})
    assert resp.status_code == 429
    assert 'Too many failed attempts' in resp.get_data(as_text=True)
    assert client.get('/').status_code == 302


def test_old_failures_expire(app, client, make_user):
    """A person locked out yesterday must be able to sign in today."""
    make_user('amy', ['advisor'])
    for _ in range(5):
        client.post('/login', data={'username': 'amy', 'password': 'guess'})
    LoginFailure.update(at=utcnow() - timedelta(hours=1)).execute()
    resp = client.post('/login', data={'username': 'amy', 'password': 'correct horse'})
    assert resp.status_code == 302


def test_passwords_are_hashed_with_argon2id(make_user):
    """A leaked database must not reveal passwords."""
    user = make_user('amy', ['advisor'])
    assert user.password_hash.startswith('$argon2id$')
    assert 'correct horse' not in user.password_hash


def test_remember_me_lasts_two_weeks_not_forever(client, make_user):
    """A technician's phone stays signed in for the shift and more, but not forever."""
    make_user('tech1', ['technician'])
    resp = client.post('/login', data={'username': 'tech1', 'password': 'correct horse', 'remember': 'y'})
    cookie = next(c for c in resp.headers.getlist('Set-Cookie') if c.startswith('remember_token='))
    assert 'HttpOnly' in cookie and 'SameSite=Lax' in cookie
    expires = parsedate_to_datetime(cookie.split('Expires=')[1].split(';')[0])
    days = (expires - datetime.now(timezone.utc)).total_seconds() / 86400
    assert 13.9 < days <= 14.01
    session_cookie = next(c for c in resp.headers.getlist('Set-Cookie') if c.startswith('session='))
    assert 'HttpOnly' in session_cookie and 'SameSite=Lax' in session_cookie


def _remember_only_client(app, client):
    """A new client holding only the remember cookie (the phone after the browser was closed)."""
    token = client.get_cookie('remember_token').value
    other = app.test_client()
    other.set_cookie('remember_token', token)
    return other


def test_disabling_a_user_ends_existing_sessions(app, client, make_user):
    """A person who leaves must be locked out at once, not at their next login."""
    make_user('boss', ['manager'])
    tech = make_user('tech1', ['technician'])
    client.post('/login', data={'username': 'tech1', 'password': 'correct horse', 'remember': 'y'})
    phone = _remember_only_client(app, client)
    assert client.get('/').status_code == 200 and phone.get('/').status_code == 200
    tech.set_active(False, by=None)
    assert client.get('/').status_code == 302
    assert phone.get('/').status_code == 302
    assert Event.select().where(Event.action == 'user.disabled').count() == 1


def test_sign_out_everywhere_invalidates_remember_cookies(app, client, make_user):
    """A lost phone must be signed out when its owner signs out everywhere."""
    make_user('tech1', ['technician'])
    client.post('/login', data={'username': 'tech1', 'password': 'correct horse', 'remember': 'y'})
    phone = _remember_only_client(app, client)
    assert phone.get('/').status_code == 200
    resp = client.post('/account/sign-out-everywhere')
    assert resp.status_code == 302 and '/login' in resp.headers['Location']
    assert phone.get('/').status_code == 302
    assert client.get('/').status_code == 302


def test_logout_ends_the_session_cookie_for_good(app, client, make_user):
    """A copied session cookie must not work after its owner signed out everywhere."""
    make_user('amy', ['advisor'])
    client.post('/login', data={'username': 'amy', 'password': 'correct horse'})
    stolen = client.get_cookie('session').value
    User.get(User.username == 'amy').sign_out_everywhere(by=None)
    thief = app.test_client()
    thief.set_cookie('session', stolen)
    assert thief.get('/').status_code == 302


def test_session_is_fresh_after_login(client, make_user):
    """Whatever was in the session before sign-in (a planted value) must not survive it."""
    make_user('amy', ['advisor'])
    with client.session_transaction() as s:
        s['planted'] = 'x'
        s['lang'] = 'en'
    client.post('/login', data={'username': 'amy', 'password': 'correct horse'})
    with client.session_transaction() as s:
        assert 'planted' not in s
        assert s['lang'] == 'en'  # the language chosen on the login page is kept


def test_browser_preferring_english_gets_english(client):
    """An English browser that also lists Chinese must still get English first."""
    body = client.get('/login', headers={'Accept-Language': 'en-US,zh;q=0.9'}).get_data(as_text=True)
    assert '<html lang="en">' in body


def test_session_rolls_and_survives_a_long_open_page(client, make_user):
    """A wall screen open all day must keep working: the session is renewed by every request."""
    make_user('fm', ['foreman'])
    client.post('/login', data={'username': 'fm', 'password': 'correct horse'})
    with client.session_transaction() as s:
        assert s.permanent
    resp = client.get('/')
    assert any(c.startswith('session=') and 'Expires=' in c for c in resp.headers.getlist('Set-Cookie'))


def test_disabled_user_cannot_sign_in(client, make_user):
    """A disabled account is told so instead of getting in."""
    user = make_user('amy', ['advisor'])
    user.set_active(False, by=None)
    resp = client.post('/login', data={'username': 'amy', 'password': 'correct horse'})
    assert 'This account is disabled' in resp.get_data(as_text=True)
