"""Security defaults, page-or-fragment rendering and friendly error pages."""
import pytest

from app import create_app
from tests.helpers import TEST_CONFIG
from tests.core.world import build_world, url_for_rule

HEADERS = {
    'Content-Security-Policy': "script-src 'self'",
    'Referrer-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
}


def test_security_headers_on_every_page(app):
    """Without these a page could be framed, sniffed or leak its address to another site."""
    world = build_world()
    client = app.test_client()
    with client.session_transaction() as s:
        s['_user_id'] = world.users['admin'].get_id()
    urls = [url_for_rule(r, world.records) for r in app.url_map.iter_rules() if 'GET' in r.methods and r.endpoint != 'static']
    urls += ['/static/app.js', '/no-such-page']
    for url in urls:
        resp = client.get(url)
        for name, part in HEADERS.items():
            assert part in resp.headers.get(name, ''), (url, name)
        assert "frame-ancestors 'none'" in resp.headers['Content-Security-Policy']
        assert 'unsafe-inline' not in resp.headers['Content-Security-Policy']


def test_no_inline_script_in_pages(client, make_user):
    """The CSP forbids inline scripts; one in a template would silently not run."""
    make_user('boss', ['manager'])
    client.post('/login', data={'username': 'boss', 'password': 'correct horse'})
    for url in ('/login', '/', '/admin/users', '/orders', '/account'):
        body = client.get(url).get_data(as_text=True)
        assert '<script>' not in body and ' onclick=' not in body and ' style="' not in body, url


def test_csrf_refuses_a_post_without_token(database_url, tmp_path, monkeypatch):
    """A form on another site must not be able to act with a signed-in user's cookies."""
    monkeypatch.setenv('INSTANCE_PATH', str(tmp_path / 'inst'))
    app = create_app(dict(TEST_CONFIG, DATABASE_URL=database_url, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    resp = client.post('/login', data={'username': 'x', 'password': 'y'})
    assert resp.status_code == 400
    # htmx sends the token as a header; a page's token keeps working without a time limit
    page = client.get('/login').get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    resp = client.post('/language', data={'lang': 'en'}, headers={'X-CSRFToken': token})
    assert resp.status_code == 302
    assert app.config['WTF_CSRF_TIME_LIMIT'] is None


def test_cookies_are_secure_over_https(monkeypatch, database_url, tmp_path):
    """Behind HTTPS the session cookie must never travel in clear text."""
    monkeypatch.setenv('INSTANCE_PATH', str(tmp_path / 'inst'))
    app = create_app(dict(TEST_CONFIG, DATABASE_URL=database_url, SESSION_COOKIE_SECURE=True))
    resp = app.test_client().post('/language', data={'lang': 'en'})
    cookie = resp.headers['Set-Cookie']
    assert 'Secure' in cookie and 'HttpOnly' in cookie and 'SameSite=Lax' in cookie


def test_fragment_only_for_real_htmx_requests(client, make_user):
    """Boosted links, the back button and history restore must get whole pages."""
    make_user('boss', ['manager'])
    client.post('/login', data={'username': 'boss', 'password': 'correct horse'})
    frag = client.get('/orders', headers={'HX-Request': 'true'})
    assert frag.get_data(as_text=True).startswith('<div id="order-panel"')
    assert 'HX-Request' in frag.headers['Vary']
    for extra in ({'HX-Boosted': 'true'}, {'HX-History-Restore-Request': 'true'}):
        full = client.get('/orders', headers=dict({'HX-Request': 'true'}, **extra))
        assert '<html' in full.get_data(as_text=True), extra
    assert 'HX-Request' in client.get('/orders').headers['Vary']


@pytest.mark.parametrize('lang,text', [('en', 'Not found'), ('zh', '未找到')])
def test_friendly_404_in_both_languages(client, lang, text):
    """A mistyped address shows a helpful page in the reader's language, not a bare error."""
    resp = client.get('/nothing-here', headers={'Accept-Language': lang})
    assert resp.status_code == 404 and text in resp.get_data(as_text=True)
    assert '<html' in resp.get_data(as_text=True)


def test_errors_as_htmx_fragments_go_to_the_message_area(client, make_user):
    """A tap that fails shows the reason in place instead of doing nothing."""
    make_user('tech1', ['technician'])
    client.post('/login', data={'username': 'tech1', 'password': 'correct horse'})
    resp = client.get('/admin/users', headers={'HX-Request': 'true'})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 403 and '<html' not in body and 'Not allowed' in body
    assert resp.headers['HX-Retarget'] == '#flash'


def test_server_error_page_hides_the_traceback(database_url, tmp_path, monkeypatch):
    """A crash must show a calm 'try again' page, never a stack trace."""
    monkeypatch.setenv('INSTANCE_PATH', str(tmp_path / 'inst'))
    app = create_app(dict(TEST_CONFIG, DATABASE_URL=database_url, FRIENDLY_ERRORS_IN_TESTS=True))

    @app.route('/boom')
    def boom():
        raise RuntimeError('secret detail')
    boom.access_rule = frozenset({'public'})
    resp = app.test_client().get('/boom')
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500 and 'secret detail' not in body and 'Traceback' not in body
    assert 'Nothing was half-saved' in body


def test_database_down_gives_try_again(database_url, tmp_path, monkeypatch):
    """With the database unreachable, a signed-in user must get 'busy, try again', not a crash."""
    monkeypatch.setenv('INSTANCE_PATH', str(tmp_path / 'inst'))
    down = create_app(dict(TEST_CONFIG, DATABASE_URL='postgresql://postgres@127.0.0.1:1/nothing',
                           FRIENDLY_ERRORS_IN_TESTS=True))
    client = down.test_client()
    with client.session_transaction() as s:
        s['_user_id'] = '1:whatever'
    for headers in ({}, {'HX-Request': 'true'}):
        resp = client.get('/orders', headers=headers)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 503 and 'try again' in body and 'Traceback' not in body, headers


def test_conflicts_and_illegal_moves_get_clear_pages(app, make_user, shop):
    """A stale write shows 'changed by someone else' (409), an illegal move says why (400)."""
    from app.core import stages

    @app.route('/stale')
    def stale():
        raise stages.StaleRecord(1)
    stale.access_rule = frozenset({'public'})

    @app.route('/illegal')
    def illegal():
        raise stages.IllegalMove('An order cannot go there.')
    illegal.access_rule = frozenset({'public'})
    client = app.test_client()
    resp = client.get('/stale')
    assert resp.status_code == 409 and 'Changed by someone else' in resp.get_data(as_text=True)
    resp = client.get('/illegal', headers={'HX-Request': 'true'})
    assert resp.status_code == 400 and 'An order cannot go there.' in resp.get_data(as_text=True)


def test_expired_csrf_token_on_htmx_reloads_the_page(database_url, tmp_path, monkeypatch):
    """A tap with a stale token must reload the page (fresh token), not fail silently."""
    monkeypatch.setenv('INSTANCE_PATH', str(tmp_path / 'inst'))
    app = create_app(dict(TEST_CONFIG, DATABASE_URL=database_url, WTF_CSRF_ENABLED=True))
    resp = app.test_client().post('/language', data={'lang': 'en'},
                                  headers={'HX-Request': 'true', 'X-CSRFToken': 'stale'})
    assert resp.status_code == 400 and resp.headers.get('HX-Refresh') == 'true'
    assert 'Reload the page' in resp.get_data(as_text=True)
