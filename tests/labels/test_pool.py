"""The key tag pool and the key cabinet: adding, retiring, who may, and what each tag is on."""
import pytest

from app.core.models import Event
from app.labels import rules
from app.labels.models import KeyHook, KeyTag
from tests import factories
from tests.labels.helpers import put_key_on


def test_new_tags_continue_the_numbers_even_after_retiring(shop, manager):
    """A retired number is never given again: its old label may still be lying around."""
    first = rules.add_key_tags(shop, manager, 3)
    assert [t.number for t in first] == [1, 2, 3]
    rules.retire_key_tag(first[2], manager)
    more = rules.add_key_tags(shop, manager, 2)
    assert [t.number for t in more] == [4, 5]
    assert len({t.token for t in first + more}) == 5


def test_numbers_are_per_shop(shop, manager, other_shop):
    """Each shop's tags start at 1."""
    assert rules.add_key_tags(shop, manager, 1)[0].number == 1
    assert other_shop['tag'].number == 1


def test_each_action_leaves_one_audit_event(shop, manager):
    """The audit trail says who added or retired tags and hooks."""
    before = Event.select().count()
    tags = rules.add_key_tags(shop, manager, 4)
    rules.add_key_hooks(shop, manager, 2)
    rules.retire_key_tag(tags[0], manager)
    events = list(Event.select().order_by(Event.id))[before:]
    assert [e.action for e in events] == ['key_tags.added', 'key_hooks.added', 'key_tag.retired']
    assert events[0].after_data == {'from': 1, 'to': 4, 'count': 4}
    assert all(e.actor == manager.id and e.shop_id == shop.id for e in events)


def test_a_tag_on_a_car_cannot_be_retired(shop, manager, order, tags):
    """Retiring the tag on a car's key would leave the key without its label in the system."""
    put_key_on(order, tags[0])
    with pytest.raises(rules.PoolError, match='on a repair order'):
        rules.retire_key_tag(tags[0], manager)
    assert KeyTag.get_by_id(tags[0].id).active
    rules.retire_key_tag(tags[1], manager)
    with pytest.raises(rules.PoolError, match='already retired'):
        rules.retire_key_tag(tags[1], manager)


def test_hooks_continue_their_numbers(shop, manager):
    """The key cabinet grows with new hooks numbered on."""
    rules.add_key_hooks(shop, manager, 60)
    assert [h.number for h in rules.add_key_hooks(shop, manager, 2)] == [61, 62]
    assert KeyHook.for_shop(shop).count() == 62


@pytest.mark.parametrize('count', [0, -1, rules.MAX_ADD + 1])
def test_silly_counts_are_refused(shop, manager, count):
    """A typo of 1000 must not fill the pool with tags nobody will print."""
    with pytest.raises(rules.PoolError):
        rules.add_key_tags(shop, manager, count)
    assert not KeyTag.for_shop(shop).exists()


def test_pool_page_shows_state_and_hook(signed_in, order, tags, hooks):
    """The advisor sees which tags are free and which car (and hook) the others are on."""
    put_key_on(order, tags[1], hooks[2])
    body = signed_in.get('/labels/keys').get_data(as_text=True)
    assert order.number in body and '粤B12345' in body
    assert '2 free of 3' in body
    assert 'Add key tags' not in body and 'Retire' not in body   # the advisor reads, does not manage


def test_manager_adds_tags_with_a_plain_form(as_manager, shop):
    """Without JavaScript the form posts, the page comes back with the new tags and a message."""
    resp = as_manager.post('/labels/keys/tags', data={'tags-count': '5'})
    assert resp.status_code == 302
    page = as_manager.get(resp.headers['Location']).get_data(as_text=True)
    assert 'Key tags 1 to 5 added' in page
    assert KeyTag.for_shop(shop).count() == 5


def test_manager_adds_hooks_with_htmx(as_manager, shop):
    """With htmx the pool is swapped in place and says what happened."""
    resp = as_manager.post('/labels/keys/hooks', data={'hooks-count': '4'}, headers={'HX-Request': 'true'})
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert '<html' not in body
    assert 'id="key-pool"' in body and 'Hooks 1 to 4 added' in body
    assert KeyHook.for_shop(shop).count() == 4


def test_bad_count_keeps_what_was_typed(as_manager, shop):
    """A wrong number is explained beside the field, with the number still there to correct."""
    resp = as_manager.post('/labels/keys/tags', data={'tags-count': '500'})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert 'Add between 1 and 100 at a time.' in body and 'value="500"' in body
    assert not KeyTag.for_shop(shop).exists()


def test_manager_retires_a_free_tag_but_not_one_on_a_car(as_manager, order, tags):
    """Retiring a free tag works; the tag on a car is refused with the reason."""
    put_key_on(order, tags[0])
    refused = as_manager.post('/labels/keys/tags/%d/retire' % tags[0].id, headers={'HX-Request': 'true'})
    assert refused.status_code == 400 and 'on a repair order' in refused.get_data(as_text=True)
    done = as_manager.post('/labels/keys/tags/%d/retire' % tags[1].id)
    assert done.status_code == 302
    assert not KeyTag.get_by_id(tags[1].id).active and KeyTag.get_by_id(tags[0].id).active


def test_another_shops_tag_cannot_be_retired(as_manager, other_shop):
    """A crafted form cannot touch another shop's pool."""
    assert as_manager.post('/labels/keys/tags/%d/retire' % other_shop['tag'].id).status_code == 404
    assert KeyTag.get_by_id(other_shop['tag'].id).active


@pytest.mark.parametrize('role', ['advisor', 'technician', 'foreman'])
def test_only_managers_change_the_pool(client, make_user, shop, tags, role):
    """Others may look (the advisor) or not even that, and never add or retire."""
    make_user('someone', [role])
    client.post('/login', data={'username': 'someone', 'password': factories.PASSWORD})
    assert client.get('/labels/keys').status_code == (200 if role == 'advisor' else 403)
    for url in ('/labels/keys/tags', '/labels/keys/hooks', '/labels/keys/tags/%d/retire' % tags[0].id):
        assert client.post(url, data={'tags-count': '1', 'hooks-count': '1'}).status_code == 403
    assert KeyTag.for_shop(shop).count() == 3 and all(t.active for t in KeyTag.select())


def test_admin_manages_too(client, make_user, shop):
    """The administrator can set up the pool for a new shop."""
    make_user('ada', ['admin'])
    client.post('/login', data={'username': 'ada', 'password': factories.PASSWORD})
    assert client.post('/labels/keys/tags', data={'tags-count': '2'}).status_code == 302
    assert KeyTag.for_shop(shop).count() == 2
