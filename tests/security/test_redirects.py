"""Open redirects: a crafted `next` must never send a person from ServiceBay to another site."""
from urllib.parse import quote, urlsplit

import pytest

from app.core.access import ROLES
from tests.security import harness

EVIL = ('//evil.example/x', '/\\evil.example/x', '\\\\evil.example/x', 'https://evil.example/x',
        '/\t/evil.example/x', 'javascript:alert(1)')


def off_site(location):
    """Where a browser would really go: it reads a backslash as a slash and drops tabs and newlines."""
    if not location:
        return False
    seen = ''.join(ch for ch in location if ch not in '\t\r\n').replace('\\', '/').strip()
    parts = urlsplit(seen)
    if parts.scheme and parts.scheme not in ('http', 'https'):
        return True
    return bool(parts.netloc) and parts.netloc not in ('localhost', 'localhost:80')


def test_off_site_detector():
    """Control: the detector itself sees the tricks browsers fall for."""
    assert all(off_site(e) for e in EVIL)
    assert not off_site('/orders/1?x=//y') and not off_site('http://localhost/login')


@pytest.fixture(scope='module')
def catalog(sec_app, world):
    client = harness.client_for(sec_app, world.users['all'])
    return harness.form_catalog(sec_app, client, world.records, ROLES)


def test_login_and_language_never_bounce_off_site(sec_app, world):
    """A phishing link to the real login page must not land the person on the attacker's copy after sign-in."""
    wrong = []
    for evil in EVIL:
        client = harness.client_for(sec_app, address='10.9.1.1')
        resp = client.post('/login?next=%s' % quote(evil), data={'username': 'u_advisor', 'password': 'correct horse',
                                                                 'next': evil})
        if resp.status_code != 302 or off_site(resp.headers.get('Location')):
            wrong.append(('login', evil, resp.status_code, resp.headers.get('Location')))
        resp = client.post('/language', data={'lang': 'en', 'next': evil})
        if off_site(resp.headers.get('Location')):
            wrong.append(('language', evil, resp.headers.get('Location')))
    assert not wrong, wrong


def test_no_route_redirects_off_site(sec_app, world, catalog):
    """Every page and every form, given next=<another site> in the address or the form, stays on this site."""
    client = harness.client_for(sec_app, world.users['all'])
    wrong, checked = [], 0
    for evil in EVIL[1:2]:     # the backslash trick: a route that lets one next= through lets them all
        suffix = '?next=%s' % quote(evil)
        for rule in harness.rules(sec_app, 'GET', values=world.records):
            url = harness.build(rule, world.records) + suffix
            resp = harness.fetch(client, url)
            checked += 1
            if off_site(resp.headers.get('Location')):
                wrong.append((url, resp.headers.get('Location')))
        for endpoint, forms in catalog.items():
            if endpoint in ('accounts.logout', 'accounts.account_sign_out_everywhere'):
                continue
            form = forms[0]
            resp = harness.fetch(client, form.action + suffix, method=form.method,
                                 data=form.data({'next': evil} if any(f.name == 'next' for f in form.fields) else {}))
            checked += 1
            if off_site(resp.headers.get('Location')):
                wrong.append((form.action, resp.headers.get('Location')))
    assert checked >= 20
    assert not wrong, wrong
