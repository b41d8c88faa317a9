"""Account takeover across shops: a manager of one shop acting on accounts that reach another shop.

The account routes are found from the url_map (every POST route with a `user_id`), so a new per-person action
is attacked as soon as it exists. The one rule is User.may_manage (app/accounts/models.py).
"""
import pytest
from werkzeug.exceptions import Forbidden

from app.accounts.models import User
from tests import factories
from tests.security import harness

NEW_PASSWORD = 'Taken-over 2026!'
# What any of the account forms could carry: a new password, "disable", roles and shops.
PAYLOAD = {'password': NEW_PASSWORD, 'confirm': NEW_PASSWORD, 'active': '0', 'display_name': 'Mine now',
           'roles': ['technician'], 'language': ''}


@pytest.fixture(scope='module')
def people(sec_app):
    a, b = factories.make_shop('T1', name='Shop T1'), factories.make_shop('T2', name='Shop T2')
    made = {'a': a, 'b': b}
    for name, roles, shops in (('ma', ['manager'], [a]),                 # the manager of shop A only
                               ('gm', ['manager'], [a, b]),              # the group manager
                               ('roam', ['technician'], [a, b]),         # a technician shared by both shops
                               ('tech', ['technician'], [a]),            # shop A's own technician
                               ('tech2', ['technician'], [a]),
                               ('root', ['admin'], [a, b])):
        made[name] = factories.make_user(name, roles, shops)
    return made


def _account_routes(app):
    """Every POST route that acts on one person's account (/admin/users/<user_id>...)."""
    found = [r for r in harness.rules(app, 'POST') if 'user_id' in r.arguments and r.endpoint.startswith('accounts.')]
    assert len(found) >= 4, found      # edit (roles, shops), password, enable/disable, sign out everywhere
    return found


def _signs_in(app, username, password=factories.PASSWORD):
    client = harness.client_for(app, address='10.13.0.%d' % (len(username) + 10))
    return client.post('/login', data={'username': username, 'password': password}).status_code == 302


def test_manager_of_one_shop_cannot_take_over_accounts_that_reach_another_shop(sec_app, people):
    """A shop manager resetting the group manager's or a shared technician's password would own the other shop."""
    client = harness.client_for(sec_app, people['ma'], address='10.13.1.1')
    before = harness.snapshot()
    wrong = []
    for target in ('gm', 'roam'):
        user_id = people[target].id
        if client.get('/admin/users/%d' % user_id).status_code != 403:
            wrong.append(('GET', target))
        for rule in _account_routes(sec_app):
            url = harness.build(rule, {'user_id': user_id})
            for active in ('0', '1'):
                data = dict(PAYLOAD, active=active, shops=[people['a'].id])
                resp = client.post(url, data=data)
                if resp.status_code != 403:
                    wrong.append((url, active, resp.status_code))
    assert not wrong, wrong
    assert harness.changed_tables(before, harness.snapshot()) == []
    assert _signs_in(sec_app, 'gm') and _signs_in(sec_app, 'roam')
    assert not _signs_in(sec_app, 'gm', NEW_PASSWORD)


def test_manager_still_manages_his_own_shops_staff(sec_app, people):
    """The manager of a shop must still be able to reset and disable his own technician (the rule is not "no")."""
    client = harness.client_for(sec_app, people['ma'], address='10.13.2.1')
    tech = people['tech']
    assert client.post('/admin/users/%d/password' % tech.id,
                       data={'password': 'Fresh start 42', 'confirm': 'Fresh start 42'}).status_code == 302
    assert client.post('/admin/users/%d/active' % tech.id, data={'active': '0'}).status_code == 302
    assert not User.get_by_id(tech.id).active
    # An administrator reaches the shared technician the manager could not.
    admin = harness.client_for(sec_app, people['root'], address='10.13.2.2')
    assert admin.post('/admin/users/%d/sign-out' % people['roam'].id).status_code == 302


def test_staff_list_offers_no_action_on_accounts_beyond_the_manager(sec_app, people):
    """The staff list must not offer the manager a link into the group manager's or a shared colleague's account."""
    client = harness.client_for(sec_app, people['ma'], address='10.13.3.1')
    body = client.get('/admin/users').get_data(as_text=True)
    assert '/admin/users/%d"' % people['tech2'].id in body
    for target in ('gm', 'roam', 'root'):
        assert '/admin/users/%d"' % people[target].id not in body, target
    assert 'only an administrator can change this account' in body


def test_manager_grants_only_his_own_shops_and_never_administrator(sec_app, people):
    """A manager adding shop B to his technician, or making someone administrator, would reach past his shops."""
    client = harness.client_for(sec_app, people['ma'], address='10.13.4.1')
    page = client.get('/admin/users/new').get_data(as_text=True)
    shop_boxes = [f.value for form in harness.forms_on('/admin/users/new', page) for f in form.fields
                  if f.name == 'shops']
    role_boxes = [f.value for form in harness.forms_on('/admin/users/new', page) for f in form.fields
                  if f.name == 'roles']
    assert shop_boxes == [str(people['a'].id)] and 'admin' not in role_boxes and 'technician' in role_boxes

    resp = client.post('/admin/users/new', data={
        'username': 'crony', 'display_name': 'Crony', 'roles': ['technician'],
        'shops': [people['a'].id, people['b'].id], 'language': '', 'password': 'Quiet gearbox 9',
        'confirm': 'Quiet gearbox 9'})
    assert resp.status_code == 400 and not User.select().where(User.username == 'crony').exists()
    resp = client.post('/admin/users/new', data={
        'username': 'crony', 'display_name': 'Crony', 'roles': ['admin'], 'shops': [people['a'].id], 'language': '',
        'password': 'Quiet gearbox 9', 'confirm': 'Quiet gearbox 9'})
    assert resp.status_code == 400 and 'Only an administrator can make someone an administrator.' in resp.get_data(
        as_text=True)
    tech2 = people['tech2']
    resp = client.post('/admin/users/%d' % tech2.id, data={
        'display_name': 'Tech2', 'roles': ['technician'], 'shops': [people['a'].id, people['b'].id], 'language': ''})
    assert resp.status_code == 400
    assert User.get_by_id(tech2.id).shop_ids() == {people['a'].id}
    # Control: the same new person in the manager's own shop is accepted.
    resp = client.post('/admin/users/new', data={
        'username': 'crony', 'display_name': 'Crony', 'roles': ['technician'], 'shops': [people['a'].id],
        'language': '', 'password': 'Quiet gearbox 9', 'confirm': 'Quiet gearbox 9'})
    assert resp.status_code == 302


def test_the_rule_holds_below_the_views(sec_app, people):
    """A future page or script calling the account methods directly must meet the same rule as the admin pages."""
    ma = User.get_by_id(people['ma'].id)
    roam, gm = User.get_by_id(people['roam'].id), User.get_by_id(people['gm'].id)
    with pytest.raises(Forbidden):
        roam.reset_password(NEW_PASSWORD, by=ma)
    with pytest.raises(Forbidden):
        gm.set_active(False, by=ma)
    with pytest.raises(Forbidden):
        gm.update_account(display_name='x', roles=['technician'], shops=[people['a']], language=None, phone='',
                          skills='', by=ma)
    with pytest.raises(Forbidden):
        User.create_account(username='crony2', display_name='Crony', password=NEW_PASSWORD, roles=['technician'],
                            shops=[people['b']], by=ma)
    assert ma.may_manage(User.get_by_id(people['tech2'].id))
    assert not ma.may_manage(roam) and not ma.may_manage(gm) and gm.may_manage(roam)
    assert User.get_by_id(people['root'].id).may_manage(gm)
