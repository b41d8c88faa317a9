"""Sign-in sessions per device: one phone signing out leaves the wall board signed in."""
import hashlib
from datetime import timedelta

from app.accounts.models import User, UserSession
from app.core.db import utcnow
from app.core.models import Event

PHONE = 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36'
BOARD = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0'


def _device(app, username, agent=PHONE, address='10.0.0.1', remember=False):
    """A browser of its own (own cookies, user agent and address), signed in as username."""
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    data = {'username': username, 'password': 'correct horse'}
    if remember:
        data['remember'] = 'y'
    assert client.post('/login', data=data).status_code == 302
    return client


def _copy(app, client, *names):
    """A stranger's browser holding copies of the client's cookies."""
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def _signed_in(client):
    return client.get('/').status_code == 200


def _row(client):
    """The device session behind a client's cookie."""
    with client.session_transaction() as s:
        key = s['_user_id'].split(':')[2]
    return UserSession.get(UserSession.key_hash == hashlib.sha256(key.encode()).hexdigest())


def test_logout_kills_a_copied_cookie_but_not_the_other_device(app, make_user):
    """A foreman signing out on his phone must not sign out the wall board, yet a copy of the phone's cookie dies."""
    make_user('fm', ['foreman'])
    phone = _device(app, 'fm', remember=True)
    board = _device(app, 'fm', agent=BOARD, address='10.0.0.2')
    stolen = _copy(app, phone, 'session', 'remember_token')
    assert _signed_in(stolen)
    assert phone.post('/logout').status_code == 302
    assert not _signed_in(phone)
    assert not _signed_in(stolen)
    assert not _signed_in(_copy(app, stolen, 'remember_token'))
    assert _signed_in(board)
    assert phone.get_cookie('remember_token') is None  # the remember-me cookie is deleted too
    assert _row(board).ended_at is None


def test_sign_out_everywhere_kills_every_device(app, make_user):
    """After 'sign out everywhere' (a lost phone) neither the phone nor the board is signed in."""
    make_user('fm', ['foreman'])
    phone = _device(app, 'fm', remember=True)
    board = _device(app, 'fm', agent=BOARD, address='10.0.0.2')
    lost = _copy(app, phone, 'remember_token')
    assert board.post('/account/sign-out-everywhere').status_code == 302
    assert not _signed_in(phone) and not _signed_in(board) and not _signed_in(lost)
    assert UserSession.select().where(UserSession.ended_at.is_null()).count() == 0


def test_account_page_lists_devices_and_ends_one(app, make_user):
    """The account page shows each signed-in device, and 'sign out this device' ends that one only."""
    make_user('fm', ['foreman'])
    phone = _device(app, 'fm')
    board = _device(app, 'fm', agent=BOARD, address='10.0.0.2')
    body = board.get('/account').get_data(as_text=True)
    assert 'Chrome / Android' in body and '10.0.0.1' in body
    assert 'Edge / Windows' in body and '10.0.0.2' in body
    target = _row(phone)
    resp = board.post('/account/sessions/%d/end' % target.id)
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/account')
    assert not _signed_in(phone)
    assert _signed_in(board)
    assert UserSession.get_by_id(target.id).end_reason == UserSession.DEVICE
    assert Event.select().where(Event.action == 'user.session_ended').count() == 1
    assert '10.0.0.1' not in board.get('/account').get_data(as_text=True)


def test_ending_this_device_from_the_list_signs_it_out(app, make_user):
    """Choosing 'sign out this device' on the device itself lands on the login page."""
    make_user('fm', ['foreman'])
    phone = _device(app, 'fm')
    resp = phone.post('/account/sessions/%d/end' % _row(phone).id)
    assert resp.status_code == 302 and '/login' in resp.headers['Location']
    assert not _signed_in(phone)


def test_someone_elses_device_cannot_be_ended(app, make_user):
    """A colleague must not be able to sign out another person's tablet by guessing its number."""
    make_user('fm', ['foreman'])
    make_user('amy', ['advisor'])
    tablet = _device(app, 'amy')
    fm = _device(app, 'fm', agent=BOARD)
    assert fm.post('/account/sessions/%d/end' % _row(tablet).id).status_code == 404
    assert _signed_in(tablet)
    assert 'Chrome / Android' not in fm.get('/account').get_data(as_text=True)


def test_remember_cookie_restores_the_same_device_session(app, make_user):
    """A phone reopened next morning continues its own device session, not a new one that logout would miss."""
    make_user('tech1', ['technician'])
    phone = _device(app, 'tech1', remember=True)
    row = _row(phone)
    reopened = _copy(app, phone, 'remember_token')
    assert _signed_in(reopened)
    assert _row(reopened).id == row.id
    assert UserSession.select().count() == 1
    reopened.post('/logout')
    assert not _signed_in(phone)


def test_idle_and_remember_windows_are_enforced_on_the_server(app, make_user):
    """A device idle past 14 h is signed out unless remembered, and a remembered one only for 14 days."""
    make_user('tech1', ['technician'])
    desk = _device(app, 'tech1', agent=BOARD)
    phone = _device(app, 'tech1', remember=True)
    idle = utcnow() - app.config['PERMANENT_SESSION_LIFETIME'] - timedelta(hours=1)
    UserSession.update(last_seen_at=idle).execute()
    assert not _signed_in(desk)
    assert _row(desk).end_reason == UserSession.EXPIRED
    assert _signed_in(phone)
    old = utcnow() - app.config['REMEMBER_COOKIE_DURATION'] - timedelta(hours=1)
    UserSession.update(last_seen_at=idle, created_at=old).where(UserSession.id == _row(phone).id).execute()
    assert not _signed_in(phone)


def test_last_seen_is_not_written_on_every_request(app, make_user):
    """A board polling every few seconds must not write to the database each time, yet 'last seen' moves on."""
    make_user('fm', ['foreman'])
    board = _device(app, 'fm', agent=BOARD)
    seen = _row(board).last_seen_at
    board.get('/')
    assert _row(board).last_seen_at == seen
    earlier = utcnow() - UserSession.TOUCH_EVERY - timedelta(seconds=1)
    UserSession.update(last_seen_at=earlier).execute()
    board.get('/')
    assert _row(board).last_seen_at > earlier


def test_only_a_hash_of_the_device_key_is_stored(app, make_user):
    """A copy of the database must not hand out working cookies."""
    make_user('fm', ['foreman'])
    board = _device(app, 'fm', agent=BOARD)
    with board.session_transaction() as s:
        key = s['_user_id'].split(':')[2]
    assert len(key) >= 32  # 192 random bits, url-safe
    row = _row(board)
    assert key not in (row.key_hash, row.user_agent, row.ip)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()


def test_old_ended_sessions_are_pruned_at_sign_in(app, make_user):
    """The session table must not grow forever: rows ended over 30 days ago go at the next sign-in."""
    fm = make_user('fm', ['foreman'])
    long_ago = utcnow() - timedelta(days=31)
    old = UserSession.start(fm, user_agent='', ip='', remember=False)[0]
    UserSession.update(ended_at=long_ago, end_reason='logout').where(UserSession.id == old.id).execute()
    recent = UserSession.start(fm, user_agent='', ip='', remember=False)[0]
    recent.end(UserSession.LOGOUT)
    _device(app, 'fm')
    assert UserSession.get_or_none(UserSession.id == old.id) is None
    assert UserSession.get_or_none(UserSession.id == recent.id) is not None


def test_password_change_keeps_this_device_and_ends_the_others(app, make_user):
    """Changing one's password on the phone keeps the phone signed in and signs the other devices out."""
    make_user('fm', ['foreman'])
    phone = _device(app, 'fm', remember=True)
    board = _device(app, 'fm', agent=BOARD)
    row = _row(phone)
    resp = phone.post('/account/password', data={'pw-current': 'correct horse', 'pw-password': 'new horse 123',
                                                  'pw-confirm': 'new horse 123'})
    assert resp.status_code == 302
    assert _signed_in(phone) and _row(phone).id == row.id
    assert _signed_in(_copy(app, phone, 'remember_token'))
    assert not _signed_in(board)


def test_admin_user_page_shows_how_many_devices(app, make_user):
    """A manager checking a person who left sees how many devices are still signed in."""
    make_user('boss', ['manager'])
    fm = make_user('fm', ['foreman'])
    _device(app, 'fm')
    _device(app, 'fm', agent=BOARD)
    boss = _device(app, 'boss', agent=BOARD)
    body = boss.get('/admin/users/%d' % fm.id).get_data(as_text=True)
    assert 'Signed in on 2 devices.' in body
    User.get_by_id(fm.id).sign_out_everywhere(by=None)
    assert 'Signed in on 0 devices.' in boss.get('/admin/users/%d' % fm.id).get_data(as_text=True)
