"""Security headers on every response: pages, fragments, images, static files, error pages."""
import os

import pytest

from tests.security import harness


def _csp(resp):
    policy = {}
    for part in resp.headers.get('Content-Security-Policy', '').split(';'):
        words = part.split()
        if words:
            policy[words[0].lower()] = words[1:]
    return policy


def header_problems(resp):
    """What is missing or weak in one response's security headers (empty when all is well)."""
    problems = []
    csp = _csp(resp)
    scripts = csp.get('script-src', csp.get('default-src'))
    if scripts is None:
        problems.append('no CSP script-src/default-src')
    elif {"'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:'} & set(scripts):
        problems.append('CSP allows inline or foreign script: %s' % scripts)
    if csp.get('object-src') != ["'none'"]:
        problems.append('CSP object-src is not none')
    framing = csp.get('frame-ancestors')
    if framing not in (["'none'"], ["'self'"]) and resp.headers.get('X-Frame-Options') not in ('DENY', 'SAMEORIGIN'):
        problems.append('page may be framed')
    if resp.headers.get('X-Content-Type-Options') != 'nosniff':
        problems.append('no nosniff')
    referrer = resp.headers.get('Referrer-Policy', '')
    last = referrer.split(',')[-1].strip()   # a browser applies the last policy it knows
    if not referrer or 'unsafe-url' in referrer or last in ('', 'no-referrer-when-downgrade'):
        problems.append('weak Referrer-Policy %r' % referrer)
    return problems


def _check(found, label, resp):
    problems = header_problems(resp)
    if problems:
        found.append((label, resp.status_code, problems))


@pytest.mark.parametrize('who', ('anonymous', 'all'))
def test_every_page_and_fragment_carries_the_headers(sec_app, world, who):
    """A page missing its CSP or nosniff would let one injected script or sniffed file run in staff browsers."""
    user = world.users.get(who)
    client = harness.client_for(sec_app, user, address='10.6.0.%d' % (1 if user else 2))
    found, checked = [], 0
    for rule in harness.rules(sec_app, 'GET', values=world.records):
        for url, headers in ((u, h) for u in harness.urls(rule, world.records) for h in ({}, {'HX-Request': 'true'})):
            resp = client.get(url, headers=headers)
            _check(found, (url, headers), resp)
            checked += 1
    assert checked >= 20
    assert not found, found


def test_static_files_carry_the_headers(sec_app, world):
    """Scripts and styles are served with nosniff and the same policy."""
    client = harness.client_for(sec_app)
    found = []
    for folder, _dirs, files in os.walk(sec_app.static_folder):
        for name in files[:5]:
            rel = os.path.relpath(os.path.join(folder, name), sec_app.static_folder).replace(os.sep, '/')
            resp = client.get('/static/' + rel)
            assert resp.status_code == 200, rel
            _check(found, rel, resp)
    assert not found, found


def test_error_pages_carry_the_headers(sec_app, world):
    """'Not found', 'not allowed', 'too many' and crash pages are pages too, with the same protection."""
    found = []
    anon = harness.client_for(sec_app, address='10.6.0.3')
    tech = harness.client_for(sec_app, world.users['technician'], address='10.6.0.4')
    cases = [('404', anon.get('/no/such/page')),
             ('405', anon.put('/login')),
             ('403', tech.get('/admin/users')),
             ('404 record', tech.get(harness.build(next(r for r in harness.rules(sec_app, 'GET')
                                                        if r.endpoint == 'reception.order'), {'order_id': 999999}))),
             ('404 htmx', anon.get('/no/such/page', headers={'HX-Request': 'true'})),
             ('401 htmx', anon.get('/', headers={'HX-Request': 'true'})),
             ('302 login', anon.get('/'))]
    for label, resp in cases:
        _check(found, label, resp)
    # A crash page (500), rendered as in production.
    saved = sec_app.view_functions['accounts.home']

    def boom():
        raise RuntimeError('boom')
    boom.access_rule = saved.access_rule
    sec_app.view_functions['accounts.home'] = boom
    sec_app.config['FRIENDLY_ERRORS_IN_TESTS'] = True
    try:
        resp = tech.get('/')
        assert resp.status_code == 500
        _check(found, '500', resp)
    finally:
        sec_app.view_functions['accounts.home'] = saved
        sec_app.config['FRIENDLY_ERRORS_IN_TESTS'] = False
    assert not found, found


def test_rate_limited_and_csrf_refusals_carry_the_headers(sec_app, world, monkeypatch):
    """The 429 page of the status links and the stale-form page are protected too."""
    from app.status import ratelimit
    monkeypatch.setattr(ratelimit, 'current_minute', lambda now=None: 1)
    found = []
    client = harness.client_for(sec_app, address='10.6.0.9')
    resp = None
    for _ in range(200):
        resp = client.get('/s/%s' % ('x' * 22))
        if resp.status_code == 429:
            break
    assert resp.status_code == 429
    _check(found, '429', resp)
    sec_app.config['WTF_CSRF_ENABLED'] = True
    try:
        resp = harness.client_for(sec_app, world.users['all']).post('/account/language', data={})
        assert resp.status_code == 400
        _check(found, 'csrf', resp)
    finally:
        sec_app.config['WTF_CSRF_ENABLED'] = False
    assert not found, found
