"""Cross-site request forgery: with CSRF protection on (as in production), no action runs without the page's token."""
import pytest

from app.core.access import ROLES
from tests.security import harness

REFUSED = (400, 403)


@pytest.fixture(scope='module')
def csrf_app(database_template, tmp_path_factory):
    """The app as deployed: CSRF protection on."""
    yield from harness.module_app(database_template, tmp_path_factory.mktemp('csrf'), WTF_CSRF_ENABLED=True)


@pytest.fixture(scope='module')
def csrf_world(csrf_app):
    return harness.attack_world()


@pytest.fixture(scope='module')
def csrf_catalog(csrf_app, csrf_world):
    client = harness.client_for(csrf_app, csrf_world.users['all'])
    return harness.form_catalog(csrf_app, client, csrf_world.records, ROLES)


def _forged(app, world, catalog, client, extra_headers=None, token=None):
    """Every write route, sent with the real form's fields but without (or with a wrong) token."""
    wrong = []
    for rule in harness.rules(app, *harness.WRITE_METHODS, values=world.records):
        url = harness.build(rule, world.records)
        forms = catalog.get(rule.endpoint) or [None]
        data = forms[0].data(drop=('csrf_token',)) if forms[0] else {'active': '0', 'version': '0'}
        if token is not None:
            data['csrf_token'] = token
        for method in (m for m in harness.WRITE_METHODS if m in rule.methods):
            resp = client.open(url, method=method, data=data, headers=extra_headers or {})
            if resp.status_code not in REFUSED:
                wrong.append((method, url, resp.status_code))
            elif extra_headers and resp.headers.get('HX-Refresh') != 'true':
                wrong.append((method, url, 'no HX-Refresh for htmx'))
    return wrong


def test_every_write_route_refuses_a_request_without_token(csrf_app, csrf_world, csrf_catalog):
    """A page on another site must not be able to make a signed-in advisor's browser change an order."""
    client = harness.client_for(csrf_app, csrf_world.users['all'])
    client.get('/')   # the session holds a real token: only the request lacks it
    before = harness.snapshot()
    wrong = _forged(csrf_app, csrf_world, csrf_catalog, client)
    assert not wrong, 'accepted without a CSRF token: %s' % wrong
    assert harness.snapshot() == before
    assert len(harness.rules(csrf_app, *harness.WRITE_METHODS)) >= 10


def test_wrong_or_foreign_token_is_refused(csrf_app, csrf_world, csrf_catalog):
    """A token made up, or stolen from another person's session, must not pass either."""
    other = harness.client_for(csrf_app, csrf_world.users['advisor'])
    page = other.get('/account').get_data(as_text=True)
    stolen = next(f.value for form in harness.forms_on('/account', page) for f in form.fields
                  if f.name == 'csrf_token')
    client = harness.client_for(csrf_app, csrf_world.users['all'])
    client.get('/')
    before = harness.snapshot()
    assert not _forged(csrf_app, csrf_world, csrf_catalog, client, token=stolen)
    made_up = client.post('/account/language', data={'csrf_token': 'x' * 40, 'acc-language': 'en'})
    assert made_up.status_code == 400
    assert harness.snapshot() == before


def test_htmx_request_without_token_gets_the_reload_answer(csrf_app, csrf_world, csrf_catalog):
    """A tablet whose token went stale must reload the page (HX-Refresh), and nothing is done."""
    client = harness.client_for(csrf_app, csrf_world.users['all'])
    client.get('/')
    before = harness.snapshot()
    wrong = _forged(csrf_app, csrf_world, csrf_catalog, client, extra_headers={'HX-Request': 'true'})
    assert not wrong, wrong
    assert harness.snapshot() == before


def test_anonymous_writes_refused_without_token(csrf_app, csrf_world, csrf_catalog):
    """Login, language and logout forms forged from another site must be refused too (login CSRF)."""
    client = harness.client_for(csrf_app)
    client.get('/login')
    wrong = _forged(csrf_app, csrf_world, csrf_catalog, client)
    assert not wrong, wrong
    resp = client.post('/login', data={'username': 'u_all', 'password': 'correct horse'})
    assert resp.status_code == 400
    with client.session_transaction() as s:
        assert '_user_id' not in s


def test_the_real_token_is_accepted(csrf_app, csrf_world):
    """Control: the same forms with the page's own token work, so the refusals above are about the token."""
    client = harness.client_for(csrf_app)
    page = client.get('/login').get_data(as_text=True)
    form = next(f for f in harness.forms_on('/login', page) if f.method == 'POST')
    resp = client.post('/login', data=form.data({'username': 'u_advisor', 'password': 'correct horse'}))
    assert resp.status_code == 302
    assert client.get('/').status_code == 200
