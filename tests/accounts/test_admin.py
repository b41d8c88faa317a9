"""Admin pages: add users, set roles, reset passwords, disable, sign out everywhere."""
from app.accounts.models import User
from app.core.models import Event


def _login(client, username):
    client.post('/login', data={'username': username, 'password': 'correct horse'})


def test_manager_adds_a_technician(client, make_user, shop):
    """The manager must be able to give a new technician a login in one form."""
    make_user('boss', ['manager'])
    _login(client, 'boss')
    resp = client.post('/admin/users/new', data={
        'username': 'newtech', 'display_name': '新技师', 'phone': '138 0013 8000', 'skills': 'engine',
        'language': 'zh', 'roles': ['technician'], 'shops': [shop.id],
        'password': 'long enough', 'confirm': 'long enough'})
    assert resp.status_code == 302
    user = User.get(User.username == 'newtech')
    assert user.role_names == {'technician'} and user.phone == '+8613800138000'
    assert user.belongs_to(shop)
    ev = Event.get((Event.action == 'user.created') & (Event.record_id == user.id))
    assert ev.after_data['roles'] == ['technician'] and ev.actor_name == 'Boss'


def test_bad_input_is_explained_in_place_and_kept(client, make_user, shop):
    """A wrong field must be named with what to fix, and nothing typed is lost."""
    make_user('boss', ['manager'])
    _login(client, 'boss')
    resp = client.post('/admin/users/new', data={
        'username': 'bad name!', 'display_name': '王五', 'phone': '12345', 'roles': [], 'shops': [shop.id],
        'password': 'short', 'confirm': 'other'})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'Use letters, digits, dot, dash or underscore only.' in body
    assert 'Choose at least one role.' in body
    assert 'A password needs at least 10 characters.' in body
    assert 'value="王五"' in body and 'value="bad name!"' in body
    assert not User.select().where(User.display_name == '王五').exists()


def test_duplicate_user_name_is_refused(client, make_user, shop):
    """Two people with one login would be impossible to tell apart in the audit trail."""
    make_user('boss', ['manager'])
    make_user('amy', ['advisor'])
    _login(client, 'boss')
    resp = client.post('/admin/users/new', data={
        'username': 'AMY', 'display_name': 'Amy 2', 'roles': ['advisor'], 'shops': [shop.id],
        'password': 'long enough', 'confirm': 'long enough'})
    assert 'This user name is taken' in resp.get_data(as_text=True)


def test_only_an_admin_can_make_an_admin(client, make_user, shop):
    """A manager must not be able to hand out administrator rights."""
    make_user('boss', ['manager'])
    tech = make_user('tech1', ['technician'])
    _login(client, 'boss')
    resp = client.post('/admin/users/%d' % tech.id, data={
        'display_name': 'Tech', 'roles': ['technician', 'admin'], 'shops': [shop.id], 'language': ''})
    assert 'Only an administrator can make someone an administrator.' in resp.get_data(as_text=True)
    assert 'admin' not in User.get_by_id(tech.id).role_names


def test_roles_change_with_audit_before_and_after(client, make_user, shop):
    """Who gave whom which role must be on record."""
    make_user('root', ['admin'])
    tech = make_user('tech1', ['technician'])
    _login(client, 'root')
    resp = client.post('/admin/users/%d' % tech.id, data={
        'display_name': 'Tech One', 'roles': ['technician', 'qc'], 'shops': [shop.id], 'language': 'en'})
    assert resp.status_code == 302
    assert User.get_by_id(tech.id).role_names == {'technician', 'qc'}
    ev = Event.get(Event.action == 'user.updated')
    assert ev.before_data['roles'] == ['technician'] and ev.after_data['roles'] == ['qc', 'technician']


def test_reset_password_and_disable(app, client, make_user):
    """A forgotten password is replaced and the old one stops working; a disabled user cannot sign in."""
    make_user('boss', ['manager'])
    tech = make_user('tech1', ['technician'])
    _login(client, 'boss')
    resp = client.post('/admin/users/%d/password' % tech.id, data={'password': 'brand new pw', 'confirm': 'brand new pw'})
    assert resp.status_code == 302
    assert User.get_by_id(tech.id).check_password('brand new pw')
    resp = client.post('/admin/users/%d/password' % tech.id, data={'password': 'x', 'confirm': 'y'})
    assert resp.status_code == 400 and 'A password needs at least 10 characters.' in resp.get_data(as_text=True)
    client.post('/admin/users/%d/active' % tech.id, data={'active': '0'})
    assert not User.get_by_id(tech.id).active
    page = client.get('/admin/users/%d' % tech.id).get_data(as_text=True)
    assert 'User disabled' in page and 'Password reset' in page
    other = app.test_client()
    assert 'This account is disabled' in other.post('/login', data={
        'username': 'tech1', 'password': 'brand new pw'}).get_data(as_text=True)


def test_cannot_disable_oneself(client, make_user):
    """A manager must not lock themselves out by mistake."""
    boss = make_user('boss', ['manager'])
    _login(client, 'boss')
    client.post('/admin/users/%d/active' % boss.id, data={'active': '0'})
    assert User.get_by_id(boss.id).active


def test_user_list_search_as_htmx_fragment(client, make_user):
    """Typing in the staff search updates only the table."""
    make_user('boss', ['manager'])
    make_user('zhangsan', ['technician'], display_name='张三')
    _login(client, 'boss')
    resp = client.get('/admin/users?q=张', headers={'HX-Request': 'true'})
    body = resp.get_data(as_text=True)
    assert body.startswith('<div id="user-rows"') and '张三' in body and 'Boss' not in body
    assert 'HX-Request' in resp.headers['Vary']
    full = client.get('/admin/users?q=张').get_data(as_text=True)
    assert '<html' in full


def test_own_account_language_and_password(client, make_user):
    """Each person picks their language and changes their own password."""
    make_user('amy', ['advisor'])
    _login(client, 'amy')
    client.post('/account/language', data={'acc-language': 'en'})
    assert User.get(User.username == 'amy').language == 'en'
    resp = client.post('/account/password', data={'pw-current': 'nope', 'pw-password': 'blue gearbox 7',
                                                   'pw-confirm': 'blue gearbox 7'})
    assert 'The current password is wrong.' in resp.get_data(as_text=True)
    resp = client.post('/account/password', data={'pw-current': 'correct horse', 'pw-password': 'blue gearbox 7',
                                                   'pw-confirm': 'blue gearbox 7'})
    assert resp.status_code == 302
    assert client.get('/').status_code == 200  # this device stays signed in
    assert User.get(User.username == 'amy').check_password('blue gearbox 7')


def test_manager_cannot_touch_an_administrator(client, make_user):
    """A manager must not reset, disable or sign out the administrator (account takeover)."""
    make_user('boss', ['manager'])
    root = make_user('root', ['admin'])
    _login(client, 'boss')
    assert client.get('/admin/users/%d' % root.id).status_code == 403
    assert client.post('/admin/users/%d/password' % root.id,
                       data={'password': 'taken over!', 'confirm': 'taken over!'}).status_code == 403
    assert client.post('/admin/users/%d/active' % root.id, data={'active': '0'}).status_code == 403
    assert User.get_by_id(root.id).check_password('correct horse') and User.get_by_id(root.id).active


def test_editing_keeps_shops_the_editor_cannot_see(client, make_user, shop):
    """An administrator of one shop must not silently remove a colleague from the group's other shops."""
    from tests.factories import make_shop
    other = make_shop('S2', name='Other shop')
    make_user('root', ['admin'])
    both = make_user('roamer', ['technician'], shops=[shop, other])
    _login(client, 'root')
    resp = client.post('/admin/users/%d' % both.id, data={
        'display_name': 'Roamer', 'roles': ['technician'], 'shops': [shop.id], 'language': ''})
    assert resp.status_code == 302
    assert {s.code for s in User.get_by_id(both.id).shops()} == {'S1', 'S2'}
