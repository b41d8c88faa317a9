"""Changing the id in the address: staff of shop A try every route with shop B's records."""
import pytest

from app.core.access import ROLES
from tests.security import harness

REFUSED = (403, 404, 410)
# Who attacks: the person with every role (reaches every route) and the two the brief names.
ATTACKERS = ('all', 'technician', 'advisor')


def _variants(rule, world):
    """All ids foreign, then (for a route with several) one foreign id at a time among shop A's own."""
    args = sorted(harness.id_args(rule))
    if not args:
        return []
    own, foreign = world.records, world.foreign
    out = [dict(own, **{a: foreign[a] for a in args})]
    if len(args) > 1:
        out += [dict(own, **{a: foreign[a]}) for a in args]
    return out


def _leaks(body, world):
    return [m for m in world.markers if m in body]


@pytest.fixture(scope='module')
def catalog(sec_app, world):
    """The write forms on shop A's pages, so a forged POST carries what the real form sends."""
    client = harness.client_for(sec_app, world.users['all'])
    return harness.form_catalog(sec_app, client, world.records, ROLES)


@pytest.mark.parametrize('who', ATTACKERS)
def test_foreign_ids_on_pages_show_nothing(sec_app, world, who):
    """A technician or advisor typing another shop's order number into the address must see 'not found'."""
    user = world.users[who]
    client = harness.client_for(sec_app, user)
    wrong, checked = [], 0
    for rule in harness.rules(sec_app, 'GET', values=world.foreign):
        if not harness.may(sec_app, rule, user.role_names) or harness.audience(sec_app, rule) & {'public'}:
            continue
        for values in _variants(rule, world):
            url = harness.build(rule, values)
            resp = client.get(url)
            checked += 1
            body = resp.get_data(as_text=True) if resp.mimetype.startswith(('text/', 'image/svg')) else ''
            if resp.status_code not in REFUSED or _leaks(body, world):
                wrong.append((url, resp.status_code, _leaks(body, world)))
    assert checked >= 10 if who == 'all' else checked >= 1
    assert not wrong, 'shop B records opened from shop A: %s' % wrong


@pytest.mark.parametrize('who', ATTACKERS)
def test_foreign_ids_in_actions_change_nothing(sec_app, world, catalog, who):
    """Posting the real form of a shop-A page at shop B's record must be refused and change nothing there."""
    user = world.users[who]
    client = harness.client_for(sec_app, user)
    before = harness.snapshot()
    wrong, checked = [], 0
    for rule in harness.rules(sec_app, *harness.WRITE_METHODS, values=world.foreign):
        if not harness.may(sec_app, rule, user.role_names) or 'public' in harness.audience(sec_app, rule):
            continue
        forms = catalog.get(rule.endpoint) or [None]
        for values in _variants(rule, world):
            url = harness.build(rule, values)
            method = next(m for m in harness.WRITE_METHODS if m in rule.methods)
            for form in forms[:2]:
                data = form.data() if form else {'active': '0', 'version': '0', 'note': 'x', 'reason': 'x'}
                resp = client.open(url, method=method, data=data)
                checked += 1
                if resp.status_code not in REFUSED:
                    wrong.append((method, url, resp.status_code))
    after = harness.snapshot()
    assert checked >= 10 if who == 'all' else checked >= 1
    assert not wrong, 'actions on shop B records accepted from shop A: %s' % wrong
    assert not harness.changed_tables(before, after), 'tables changed: %s' % harness.changed_tables(before, after)


def test_status_token_opens_only_its_own_order(sec_app, world):
    """A customer's link must show their car only, and no photo of anyone else's repair."""
    from app.reception.models import RepairOrder
    from app.reception import links as status_rules
    anon = harness.client_for(sec_app, address='10.9.0.1')
    a_page = anon.get('/s/%s' % world.records['status_token'])
    assert a_page.status_code == 200
    body = a_page.get_data(as_text=True)
    assert not _leaks(body, world)
    # A live link of shop B's order: its own order only; shop A's photo is not reachable through it.
    b_order = RepairOrder.get_by_id(world.foreign['order_id'])
    b_token = status_rules.ensure_link(b_order)
    b_page = anon.get('/s/%s' % b_token)
    assert b_page.status_code == 200
    photo = anon.get('/s/%s/p/%d' % (b_token, world.records['finding_photo_id']))
    assert photo.status_code == 404
    own = '/s/%s/p/%d' % (world.records['status_token'], world.records['finding_photo_id'])
    assert anon.get(own).status_code == 200
    # A token changed by one character opens nothing.
    token = world.records['status_token']
    forged = token[:-1] + ('A' if token[-1] != 'A' else 'B')
    assert anon.get('/s/%s' % forged).status_code == 404


def test_every_route_is_walked(sec_app, world):
    """A new page whose URL argument has no sample (shop A and shop B) would escape every attack in this suite."""
    assert not harness.unsampled(sec_app, world.records, world.foreign)


ALIASES = {'technician': 'user_id', 'advisor': 'user_id', 'to_user': 'user_id', 'user': 'user_id',
           'assignee': 'user_id', 'shop': 'shop_id'}


def _foreign_value(name, world):
    """Shop B's id for a form field that names a record (customer_id, bay, technician, r1-line...), else None."""
    stem = name.rsplit('-', 1)[-1].lower()
    foreign = dict(world.foreign, shop_id=world.shop_b.id)
    for key in sorted(foreign, key=len, reverse=True):
        if key.endswith('_id') and stem in (key, key[:-3]):
            return foreign[key]
    if stem in ALIASES:
        return foreign[ALIASES[stem]]
    return None


def cross_shop_links():
    """Rows of one shop pointing at a record of another shop, or at staff who do not work there."""
    import peewee as pw

    from app.accounts.models import Membership, User
    from app.core import db as core_db
    bad = []
    for model in core_db.all_models():
        if 'shop' not in model._meta.fields:
            continue
        for fk in model._meta.refs:
            target = fk.rel_model
            if fk.name == 'shop':
                continue
            if 'shop' in target._meta.fields:
                other = target.alias()
                q = model.select(pw.SQL('1')).join(other, on=(fk == other.id)).where(other.shop != model.shop)
            elif target is User:
                works_there = Membership.select().where((Membership.user == fk) & (Membership.shop == model.shop))
                q = model.select(pw.SQL('1')).where(fk.is_null(False) & ~pw.fn.EXISTS(works_there))
            else:
                continue
            if q.exists():
                bad.append('%s.%s' % (model.__name__, fk.name))
    return bad


def test_ids_of_another_shop_in_form_fields_are_refused(sec_app, world, catalog):
    """Swapping a hidden customer, a bay or a technician in a form for shop B's must not link shop A's records to B."""
    assert not cross_shop_links(), 'the world itself links shops: %s' % cross_shop_links()
    client = harness.client_for(sec_app, world.users['all'])
    tampered = 0
    for endpoint, forms in sorted(catalog.items()):
        if endpoint in ('accounts.logout', 'accounts.account_sign_out_everywhere'):
            continue
        for form in forms[:1]:
            swap = {f.name: str(_foreign_value(f.name, world)) for f in form.fields
                    if f.kind in ('hidden', 'select', 'radio', 'text') and _foreign_value(f.name, world) is not None}
            if not swap:
                continue
            tampered += 1
            harness.fetch(client, form.action, method=form.method, data=form.data(swap))
    assert tampered >= 3
    assert not cross_shop_links(), 'records of shop A now point into shop B: %s' % cross_shop_links()
