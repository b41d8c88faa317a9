"""Every route declares who may use it; walk them all for every role and anonymous."""
import pytest

from app.core.access import ANY_STAFF, PUBLIC, ROLES
from app.core.db import all_models
from app.core.models import Event
from tests.core.world import build_world, url_for_rule

ANON = 'anonymous'


def _routes(app, method):
    return [r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint != 'static']


def _sign_in(client, user):
    with client.session_transaction() as s:
        s['_user_id'] = user.get_id()
        s['_fresh'] = True


def test_every_route_declares_a_rule(app):
    """A new page without an access rule would be open to anyone (or broken for everyone)."""
    missing = [r.endpoint for r in app.url_map.iter_rules()
               if r.endpoint != 'static' and getattr(app.view_functions[r.endpoint], 'access_rule', None) is None]
    assert not missing, 'routes without @allow(...): %s' % missing


@pytest.mark.parametrize('who', (ANON,) + ROLES)
def test_get_routes_for_every_role(app, who):
    """Each person sees the pages of their role, and gets 'not allowed' (not a crash) everywhere else."""
    world = build_world()
    client = app.test_client()
    if who != ANON:
        _sign_in(client, world.users[who])
    checked = 0
    for rule in _routes(app, 'GET'):
        audience = app.view_functions[rule.endpoint].access_rule
        url = url_for_rule(rule, world.records)
        resp = client.get(url)
        if PUBLIC in audience:
            assert resp.status_code in (200, 302), (url, resp.status_code)
        elif who == ANON:
            assert resp.status_code == 302 and '/login' in resp.headers['Location'], (url, resp.status_code)
        elif ANY_STAFF in audience or who in audience:
            assert resp.status_code == 200 or (resp.status_code == 302 and '/login' not in resp.headers['Location']), \
                (who, url, resp.status_code)
        else:
            assert resp.status_code == 403, (who, url, resp.status_code)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize('who', (ANON,) + ROLES)
def test_post_routes_refuse_the_wrong_roles(app, who):
    """A role that may not use an action must be refused before anything is changed."""
    world = build_world()
    client = app.test_client()
    if who != ANON:
        _sign_in(client, world.users[who])
    before = Event.select().count()
    for rule in _routes(app, 'POST'):
        audience = app.view_functions[rule.endpoint].access_rule
        if PUBLIC in audience or ANY_STAFF in audience and who != ANON or who in audience:
            continue
        url = url_for_rule(rule, world.records)
        resp = client.post(url, data={'active': '0', 'password': 'x' * 12, 'confirm': 'x' * 12})
        expected = 302 if who == ANON else 403
        assert resp.status_code == expected, (who, url, resp.status_code)
    assert Event.select().count() == before


def test_htmx_request_by_anonymous_gets_a_full_page_redirect(app):
    """A board left open after its session ended must jump to the login page, not show it inside a box."""
    resp = app.test_client().get('/orders', headers={'HX-Request': 'true'})
    assert resp.status_code == 401
    assert resp.headers['HX-Redirect'].startswith('/login')


def _row_counts():
    """Rows per table, except derived caches (Meta `derived = True`, e.g. KPI facts rebuilt from the records)."""
    return {m.__name__: m.select().count() for m in all_models() if not getattr(m._meta, 'derived', False)}


def test_get_requests_change_nothing(app):
    """Following a link or a prefetch must never change data (no state change on GET)."""
    world = build_world()
    client = app.test_client()
    before = _row_counts()
    for who in ('admin', 'manager', 'advisor', 'technician'):
        _sign_in(client, world.users[who])
        for rule in _routes(app, 'GET'):
            client.get(url_for_rule(rule, world.records))
    assert _row_counts() == before
