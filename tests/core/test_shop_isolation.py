"""A user sees only the shops they belong to: no page or query leaks another shop's data."""
from app.core.access import ROLES
from tests import factories
from tests.core.world import build_world, url_for_rule


def _everyone_client(app, world):
    boss = factories.make_user('all_roles', ROLES, [world.shop_a])
    client = app.test_client()
    with client.session_transaction() as s:
        s['_user_id'] = boss.get_id()
    return client


def test_no_page_shows_another_shops_data(app):
    """Shop A's staff must never see shop B's customers, cars, orders or staff."""
    world = build_world()
    client = _everyone_client(app, world)
    pages = 0
    for rule in app.url_map.iter_rules():
        if 'GET' not in rule.methods or rule.endpoint == 'static':
            continue
        url = url_for_rule(rule, world.records)
        for variant in ({}, {'HX-Request': 'true'}):
            body = client.get(url, headers=variant).get_data()   # bytes: images and pages alike
            for marker in world.markers:
                assert marker.encode() not in body, (url, marker)
        pages += 1
    assert pages >= 10


def test_another_shops_records_do_not_exist_by_id(app):
    """Changing the id in the address must not open shop B's order, car or user."""
    world = build_world()
    client = _everyone_client(app, world)
    for rule in app.url_map.iter_rules():
        if 'GET' not in rule.methods or not rule.arguments or rule.endpoint == 'static':
            continue
        url = url_for_rule(rule, world.foreign)
        assert client.get(url).status_code == 404, url
        if 'POST' in rule.methods:
            assert client.post(url).status_code == 404, url


def test_switching_to_a_shop_one_does_not_belong_to_is_refused(app):
    """A crafted form must not put someone into another shop."""
    world = build_world()
    client = _everyone_client(app, world)
    assert client.post('/shop', data={'shop_id': world.shop_b.id}).status_code == 404


def test_member_of_two_shops_switches_between_them(app):
    """A dealer group's manager moves between shops and sees each one's orders."""
    world = build_world()
    boss = factories.make_user('group_mgr', ['manager'], [world.shop_a, world.shop_b])
    client = app.test_client()
    with client.session_transaction() as s:
        s['_user_id'] = boss.get_id()
    assert 'LeakComplaintB' not in client.get('/orders').get_data(as_text=True)
    client.post('/shop', data={'shop_id': world.shop_b.id})
    body = client.get('/orders').get_data(as_text=True)
    assert '粤Z99999' in body
