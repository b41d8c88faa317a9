"""At the door: guessing a known user's password, timing the answer, weak passwords, an over-long user name."""
from datetime import datetime, timedelta, timezone

import argon2
import pytest
import time_machine

from app.accounts.demo import DEMO_PASSWORD
from app.accounts.models import LoginFailure, User
from app.accounts.passwords import password_problem
from tests import factories
from tests.security import harness


@pytest.fixture(scope='module')
def people(sec_app):
    shop = factories.make_shop('S1')
    return {name: factories.make_user(name, roles, [shop])
            for name, roles in (('manager', ['manager']), ('amy', ['advisor']), ('bob', ['advisor']),
                                ('cal', ['technician']))}


@pytest.fixture(autouse=True)
def _fresh_throttle(sec_app):
    LoginFailure.delete().execute()


def _login(client, username, password=factories.PASSWORD, **headers):
    return client.post('/login', data={'username': username, 'password': password}, headers=headers)


def _signed_in(client):
    return client.get('/').status_code == 200


# --- lock-out of a known user ------------------------------------------------------------------

def test_guessing_from_one_address_does_not_lock_out_the_real_user(sec_app, people):
    """Five wrong passwords for `manager` from any machine used to lock the real manager out for 15 minutes."""
    attacker = harness.client_for(sec_app, address='10.20.0.66')
    limit = sec_app.config['LOGIN_MAX_FAILURES']
    for i in range(limit):
        assert _login(attacker, 'manager', 'guess-%d' % i).status_code == 200
    refused = _login(attacker, 'manager')
    assert refused.status_code == 429 and not _signed_in(attacker)
    assert 'Try again in 1 minute' in refused.get_data(as_text=True)
    assert 0 < int(refused.headers['Retry-After']) <= 60
    # The real manager at the front desk still gets in.
    desk = harness.client_for(sec_app, address='10.20.0.7')
    assert _login(desk, 'manager').status_code == 302 and _signed_in(desk)
    # ...and the manager signing in did not reset the guesser's count.
    assert _login(attacker, 'manager', 'guess-again').status_code == 429


def test_each_further_guess_waits_twice_as_long(sec_app, people):
    """A guesser waiting out the lock must not get another five tries: the wait doubles, up to a cap."""
    attacker = harness.client_for(sec_app, address='10.20.1.66')
    limit = sec_app.config['LOGIN_MAX_FAILURES']
    for i in range(limit):
        _login(attacker, 'amy', 'guess-%d' % i)
    waits = []
    with time_machine.travel(datetime.now(timezone.utc), tick=False) as clock:
        for _ in range(8):
            wait = LoginFailure.wait_for('amy', '10.20.1.66')
            waits.append(round(wait / 60))
            assert _login(attacker, 'amy', 'guess').status_code == 429
            clock.shift(timedelta(seconds=wait + 1))
            assert _login(attacker, 'amy', 'guess').status_code == 200        # one try, wrong
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]


def test_waiting_message_is_in_the_users_language(sec_app, people):
    """A Chinese-speaking technician must read how long to wait in Chinese."""
    client = harness.client_for(sec_app, address='10.20.2.66')
    for i in range(sec_app.config['LOGIN_MAX_FAILURES']):
        _login(client, 'cal', 'guess-%d' % i)
    body = _login(client, 'cal', **{'Accept-Language': 'zh-CN'}).get_data(as_text=True)
    assert '1 分钟' in body and '<html lang="zh-Hans">' in body


def test_guesses_running_in_parallel_count_each_other(sec_app, people):
    """Guesses sent at once (several workers) must not all pass the check before any of them is counted."""
    admitted = [LoginFailure.admit('bob', '10.20.3.66') for _ in range(sec_app.config['LOGIN_MAX_FAILURES'] + 3)]
    assert [row is not None for _wait, row in admitted] == [True] * 5 + [False] * 3
    # A right password forgives its own attempt and the earlier ones from that address.
    admitted[0][1].forgive()
    assert LoginFailure.wait_for('bob', '10.20.3.66') == 0


def test_password_spraying_from_one_address_is_stopped(sec_app, people):
    """One machine trying a common password on many names is stopped, whatever names it tries, and told how long."""
    client = harness.client_for(sec_app, address='10.20.4.66')
    for i in range(sec_app.config['LOGIN_ADDRESS_MAX_FAILURES']):
        assert _login(client, 'nobody%d' % i, 'Password1').status_code == 200
    resp = _login(client, 'bob')
    assert resp.status_code == 429 and 'Try again in 15 minutes' in resp.get_data(as_text=True)
    assert not _signed_in(client)
    # Control: bob himself, from his own tablet, still gets in.
    assert _login(harness.client_for(sec_app, address='10.20.4.67'), 'bob').status_code == 302


# --- login time: one Argon2 operation per sign-in ---------------------------------------------------

@pytest.fixture
def argon2_calls(monkeypatch):
    """Counts every Argon2 hash and verify (whatever PasswordHasher instance makes them)."""
    calls = {'hash': 0, 'verify': 0}

    def counting(name):
        real = getattr(argon2.PasswordHasher, name)

        def wrapper(self, *args, **kwargs):
            calls[name] += 1
            return real(self, *args, **kwargs)
        return wrapper
    for name in calls:
        monkeypatch.setattr(argon2.PasswordHasher, name, counting(name))
    return calls


@pytest.mark.parametrize('username, password, status', [
    ('amy', factories.PASSWORD, 302),            # a plain successful sign-in: no second hash
    ('amy', 'wrong password', 200),
    ('no-such-person', 'wrong password', 200),   # an unknown name: no throw-away hash made per try
])
def test_a_sign_in_costs_one_argon2_verify(sec_app, people, argon2_calls, username, password, status):
    """An unknown name answered twice as slowly tells a guesser which names exist, and every sign-in took twice as long."""
    client = harness.client_for(sec_app, address='10.20.5.1')
    assert _login(client, username, password).status_code == status
    assert argon2_calls == {'hash': 0, 'verify': 1}


def test_a_hash_of_old_costs_is_renewed_once(sec_app, people, argon2_calls):
    """After the Argon2 costs are raised, each person's hash is renewed at their next sign-in, and only then."""
    old = argon2.PasswordHasher(time_cost=1, memory_cost=512).hash(factories.PASSWORD)
    User.update(password_hash=old).where(User.username == 'cal').execute()
    argon2_calls.update(hash=0, verify=0)
    client = harness.client_for(sec_app, address='10.20.6.1')
    assert _login(client, 'cal').status_code == 302
    assert argon2_calls == {'hash': 1, 'verify': 1}
    assert User.get(User.username == 'cal').password_hash != old
    assert _login(harness.client_for(sec_app, address='10.20.6.2'), 'cal').status_code == 302
    assert argon2_calls == {'hash': 1, 'verify': 2}


# --- passwords --------------------------------------------------------------------------------

@pytest.mark.parametrize('password, message', [
    ('short pw', 'A password needs at least 10 characters.'),
    ('1234567890', 'one of the most common ones'),
    ('qwertyuiop', 'one of the most common ones'),
    ('password123', 'one of the most common ones'),
    ('iloveyou12', 'one of the most common ones'),
    ('aaaaaaaaaaaa', 'one of the most common ones'),
    ('Newtech-2026', 'must not contain the user name'),
])
def test_weak_passwords_are_refused_in_place(sec_app, people, password, message):
    """A new account with a password guessed in the first hundred tries would be the next takeover."""
    client = harness.client_for(sec_app, people['manager'], address='10.20.7.1')
    shop = User.get_by_id(people['manager'].id).shops().get()
    resp = client.post('/admin/users/new', data={
        'username': 'newtech', 'display_name': '新技师', 'roles': ['technician'], 'shops': [shop.id], 'language': '',
        'phone': '138 0013 8000', 'password': password, 'confirm': password})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in body
    assert 'value="newtech"' in body and 'value="新技师"' in body and '138' in body
    assert not User.select().where(User.username == 'newtech').exists()


def test_weak_password_message_is_in_the_users_language(sec_app, people):
    """A Chinese-speaking technician changing a password must be told why in Chinese."""
    client = harness.client_for(sec_app, people['cal'], address='10.20.8.1')
    resp = client.post('/account/password', headers={'Accept-Language': 'zh-CN'},
                       data={'pw-current': factories.PASSWORD, 'pw-password': 'password123', 'pw-confirm': 'password123'})
    assert resp.status_code == 400 and '常见' in resp.get_data(as_text=True)
    resp = client.post('/account/password', headers={'Accept-Language': 'zh-CN'},
                       data={'pw-current': factories.PASSWORD, 'pw-password': 'cal-the-tech', 'pw-confirm': 'cal-the-tech'})
    assert resp.status_code == 400 and '用户名' in resp.get_data(as_text=True)


def test_an_accepted_password_and_the_demo_password_still_work(sec_app, people):
    """The demo's `servicebay` accounts and the tests' 'correct horse' must still sign in; a good new one is taken."""
    client = harness.client_for(sec_app, people['manager'], address='10.20.9.1')
    shop = User.get_by_id(people['manager'].id).shops().get()
    resp = client.post('/admin/users/new', data={
        'username': 'demoish', 'display_name': 'Demo', 'roles': ['technician'], 'shops': [shop.id], 'language': '',
        'password': 'Brake pads 48', 'confirm': 'Brake pads 48'})
    assert resp.status_code == 302
    assert password_problem(DEMO_PASSWORD, 'manager') is None
    factories.make_user('demo1', ['advisor'], [shop], password=DEMO_PASSWORD)
    assert _login(harness.client_for(sec_app, address='10.20.9.2'), 'demo1', DEMO_PASSWORD).status_code == 302
    assert _login(harness.client_for(sec_app, address='10.20.9.3'), 'demoish', 'Brake pads 48').status_code == 302


# --- an over-long user name at the door -------------------------------------------------------

def test_a_huge_user_name_is_refused_not_stored_or_echoed(sec_app, people):
    """A 240 KB user name was stored in the failure log and sent back in the page; now a short 400 in words."""
    client = harness.client_for(sec_app, address='10.20.10.1')
    name = 'a' * 240 * 1024
    resp = _login(client, name, **{'Accept-Language': 'zh-CN'})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert len(body) < 20000 and 'a' * 51 not in body
    assert '用户名最多 50 个字符' in body
    assert not LoginFailure.select().exists()
