"""Staff accounts: users, the roles they hold, the shops they belong to, and login throttling."""
import hashlib
import re
import secrets
from datetime import timedelta

import peewee as pw
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from werkzeug.exceptions import Forbidden

from app.core import audit
from app.core.access import ADMIN, MANAGER, ROLES
from app.core.db import BaseModel, Prepared, transaction, utcnow
from app.core.models import Shop


def _hasher(config=None):
    cfg = config or current_app.config
    return PasswordHasher(time_cost=cfg['ARGON2_TIME_COST'], memory_cost=cfg['ARGON2_MEMORY_COST'])


_DUMMY_HASHES = {}


def dummy_hash(config=None):
    """A hash of a random secret, made once per process (per cost): an unknown user name is verified against it,
    so a sign-in costs one Argon2 verify whether the name exists or not (the answer's time tells nothing)."""
    hasher = _hasher(config)
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.salt_len)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash(secrets.token_urlsafe(24))
    return _DUMMY_HASHES[key]


USERNAME_MAX = 50


class User(BaseModel):
    username = pw.CharField(max_length=50, unique=True)
    display_name = pw.CharField(max_length=100)
    password_hash = pw.CharField(max_length=200)
    language = pw.CharField(max_length=5, null=True)  # None: follow the browser
    active = pw.BooleanField(default=True)
    # Part of the login cookie: bumping it ends every session and "remember me" cookie of this user.
    session_token = pw.CharField(max_length=64, default=lambda: secrets.token_hex(16))
    phone = pw.CharField(max_length=30, default='')
    skills = pw.CharField(max_length=200, default='')
    created_at = pw.DateTimeField(default=utcnow)
    last_login_at = pw.DateTimeField(null=True)

    # --- Flask-Login -------------------------------------------------------
    is_anonymous = False

    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return self.active

    # The device session (UserSession) this request came with, and its secret key while signing in.
    device = None
    _device_key = None

    def get_id(self):
        """The login cookie's id: "user:token:device key". Without a device (tests and tools that write the
        cookie themselves) just "user:token"; the app mints only the long form, and cookies are signed."""
        if self._device_key:
            return '%d:%s:%s' % (self.id, self.session_token, self._device_key)
        return '%d:%s' % (self.id, self.session_token)

    def attach_device(self, device, key):
        self.device, self._device_key = device, key

    @classmethod
    def from_session_id(cls, value):
        """The user for a cookie's id, or None when the session (the user's or this device's) was ended."""
        user_id, token, key = ((value or '').split(':') + ['', ''])[:3]
        if not user_id.isdigit() or not token:
            return None
        # the user (and device) with the user's roles and shops, one row per role and shop: one query for every
        # signed-in request instead of three
        if not key:
            rows = list(_user_rows(int(user_id)))
            user, device = (rows[0] if rows else None), None
        else:
            rows = list(_device_rows(UserSession.hash_key(key)))
            device = rows[0] if rows else None
            user = device.user if device is not None else None
            if user is not None and (user.id != int(user_id) or not device.usable()):
                return None
            rows = [r.user for r in rows]
        if user is not None:
            user._roles = frozenset(r.held.role for r in rows if r.held is not None and r.held.role)
            shops = {r.member_shop.id: r.member_shop for r in rows if r.member_shop is not None and r.member_shop.id}
            user._shops = [shops[k] for k in sorted(shops)]
            user._shop_ids = frozenset(shops)
        if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
            return None
        if device is not None:
            device.touch()
            user.attach_device(device, key)
        return user

    # --- roles and shops -------------------------------------------------------
    @property
    def role_names(self):
        if not hasattr(self, '_roles'):
            self._roles = frozenset(r.role for r in UserRole.select(UserRole.role).where(UserRole.user == self))
        return self._roles

    def has_role(self, *roles):
        return bool(self.role_names & set(roles))

    @classmethod
    def _with_roles_and_shops(cls, query):
        return (query.join_from(cls, UserRole, pw.JOIN.LEFT_OUTER, on=(UserRole.user == cls.id), attr='held')
                .join_from(cls, Membership, pw.JOIN.LEFT_OUTER, on=(Membership.user == cls.id))
                .join_from(cls, Shop, pw.JOIN.LEFT_OUTER, on=(Shop.id == Membership.shop), attr='member_shop'))

    def shops(self):
        return (Shop.select().join(Membership).where(Membership.user == self).order_by(Shop.id))

    def member_shops(self):
        """The shops this user belongs to, by id: read along with the user when a request signs in."""
        if not hasattr(self, '_shops'):
            self._shops = list(self.shops())
        return self._shops

    def shop_ids(self):
        if not hasattr(self, '_shop_ids'):
            self._shop_ids = frozenset(m.shop_id for m in Membership.select(Membership.shop)
                                       .where(Membership.user == self))
        return self._shop_ids

    # --- who may manage whom: the one rule every admin page and every account change asks ----------------
    def may_manage(self, other):
        """Whether this person may change `other`'s account (edit, roles, shops, password, disable, enable,
        sign out everywhere). An administrator: anyone. A manager: a person who is not an administrator and
        every one of whose shops is one of the manager's, so a manager of one shop cannot take over the group
        manager or a technician shared with another shop (only an administrator touches those)."""
        if other is None or not self.has_role(ADMIN, MANAGER):
            return False
        if self.has_role(ADMIN):
            return True
        if other.has_role(ADMIN):
            return False
        theirs = other.shop_ids()
        return bool(theirs) and theirs <= self.shop_ids()

    def grantable_roles(self):
        """The roles this person may give: every role for an administrator; a manager every role but
        administrator (a manager may appoint a manager: within his own shops that reaches no further)."""
        if self.has_role(ADMIN):
            return ROLES
        if self.has_role(MANAGER):
            return tuple(r for r in ROLES if r != ADMIN)
        return ()

    def grantable_shops(self):
        """The shops this person may put someone in: their own (an administrator's or a manager's)."""
        return list(self.shops()) if self.has_role(ADMIN, MANAGER) else []

    def _check_actor(self, by, roles=None, shops=None):
        """The model's own guard under the views: refuse a change `by` may not make (None: the system itself;
        oneself: one's own password and sessions)."""
        if by is None or (by.id == self.id and roles is None):
            return
        if self.id is not None and not by.may_manage(self):
            raise Forbidden()
        if roles is not None and set(roles) - set(by.grantable_roles()) - (set(self.role_names) if self.id else set()):
            raise Forbidden()
        if shops is not None and not by.has_role(ADMIN):
            if {s.id for s in shops} - {s.id for s in by.grantable_shops()}:
                raise Forbidden()

    def belongs_to(self, shop):
        return Membership.select().where((Membership.user == self) & (Membership.shop == shop)).exists()

    @classmethod
    def in_shop(cls, shop):
        return cls.select().join(Membership).where(Membership.shop == shop)

    @classmethod
    def with_role(cls, shop, role):
        return (cls.in_shop(shop).switch(cls).join(UserRole)
                .where((UserRole.role == role) & (cls.active == True)))  # noqa: E712

    # --- passwords ---------------------------------------------------------------
    def set_password(self, password):
        self.password_hash = _hasher().hash(password)

    @staticmethod
    def check_nobody(password):
        """For a user name that does not exist: one Argon2 verify against the process's dummy hash, the same
        work as checking a real user's password (no hash is made here)."""
        try:
            _hasher().verify(dummy_hash(), password)
        except VerificationError:
            pass
        return False

    def check_password(self, password):
        """One Argon2 verify; a second operation (a new hash) only when the stored hash was made with other
        costs than the configured ones."""
        hasher = _hasher()
        try:
            ok = hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if ok and hasher.check_needs_rehash(self.password_hash):
            self.set_password(password)
            self.save(only=[User.password_hash])
        return ok

    # --- state changes, each one transaction with its audit event ----------------
    def snapshot(self):
        return {'username': self.username, 'display_name': self.display_name, 'active': self.active,
                'language': self.language, 'phone': self.phone, 'skills': self.skills,
                'roles': sorted(self.role_names), 'shops': sorted(s.code for s in self.shops())}

    @classmethod
    def create_account(cls, *, username, display_name, password, roles, shops, by, language=None,
                       phone='', skills=''):
        with transaction():
            user = cls(username=username, display_name=display_name, language=language or None,
                       phone=phone, skills=skills)
            user._check_actor(by, roles=roles, shops=shops)
            user.set_password(password)
            user.save()
            user._replace_roles(roles)
            user._replace_shops(shops)
            user._audit_all_shops('user.created', by, after=user.snapshot())
        return user

    def update_account(self, *, display_name, roles, shops, language, phone, skills, by):
        self._check_actor(by, roles=roles, shops=[s for s in shops if s.id not in self.shop_ids()])
        with transaction():
            before = self.snapshot()
            self.display_name = display_name
            self.language = language or None
            self.phone = phone
            self.skills = skills
            self.save()
            self._replace_roles(roles)
            self._replace_shops(shops)
            b, a = audit.diff(before, self.snapshot())
            self._audit_all_shops('user.updated', by, before=b, after=a)

    def reset_password(self, password, by, keep=None):
        """A new password also ends every existing session of this user (but `keep`: the device that changed it)."""
        self._check_actor(by)
        with transaction():
            self.set_password(password)
            self._end_all_sessions(UserSession.PASSWORD, keep=keep)
            self.save()
            self._audit_all_shops('user.password_reset', by)

    def set_active(self, active, by):
        self._check_actor(by)
        with transaction():
            before = {'active': self.active}
            self.active = active
            self._end_all_sessions(UserSession.DISABLED)
            self.save()
            self._audit_all_shops('user.enabled' if active else 'user.disabled', by,
                                  before=before, after={'active': active})

    def sign_out_everywhere(self, by):
        self._check_actor(by)
        with transaction():
            self._end_all_sessions(UserSession.EVERYWHERE)
            self.save()
            self._audit_all_shops('user.signed_out_everywhere', by)

    def _end_all_sessions(self, reason, keep=None):
        """End every device session; a new token also kills any cookie without a device part."""
        self.session_token = secrets.token_hex(16)
        q = UserSession.update(ended_at=utcnow(), end_reason=reason).where(
            (UserSession.user == self) & UserSession.ended_at.is_null())
        if keep is not None:
            q = q.where(UserSession.id != keep.id)
        q.execute()

    def open_sessions(self):
        """This user's device sessions still signed in, most recently used first."""
        return UserSession.open_for(self).order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())

    def set_language(self, language):
        self.language = language
        self.save(only=[User.language])

    def _audit_all_shops(self, action, by, before=None, after=None):
        # One event in each shop the user belongs to, so each shop's trail is complete.
        for shop in list(self.shops()) or [None]:
            audit.record(action, 'user', self.id, shop=shop, actor=by, before=before, after=after)

    def _replace_roles(self, roles):
        roles = [r for r in roles if r in ROLES]
        UserRole.delete().where(UserRole.user == self).execute()
        if roles:
            UserRole.insert_many([(self.id, r) for r in sorted(set(roles))],
                                 fields=[UserRole.user, UserRole.role]).execute()
        self.__dict__.pop('_roles', None)

    def _replace_shops(self, shops):
        Membership.delete().where(Membership.user == self).execute()
        for shop in shops:
            Membership.create(user=self, shop=shop)
        self.__dict__.pop('_shop_ids', None)

    def __str__(self):
        return self.display_name


class UserSession(BaseModel):
    """One signed-in device (phone, wall board, intake tablet). Its random key is in the login cookie and the
    remember-me cookie; only the key's SHA-256 is stored. Signing out on one device ends only its row."""
    user = pw.ForeignKeyField(User, backref='device_sessions', on_delete='CASCADE')
    key_hash = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=utcnow)
    last_seen_at = pw.DateTimeField(default=utcnow)
    user_agent = pw.CharField(max_length=200, default='')
    ip = pw.CharField(max_length=64, default='')
    remember = pw.BooleanField(default=False)
    ended_at = pw.DateTimeField(null=True)
    end_reason = pw.CharField(max_length=20, default='')

    class Meta:
        indexes = ((('user', 'ended_at'), False),)

    LOGOUT, DEVICE, EVERYWHERE, DISABLED, PASSWORD, EXPIRED = (
        'logout', 'ended_on_account', 'everywhere', 'disabled', 'password_reset', 'expired')
    # last_seen_at is written at most this often, not on every request.
    TOUCH_EVERY = timedelta(minutes=5)
    # Ended (or long unused) rows are kept this long for the record, then pruned at a sign-in.
    KEEP_ENDED = timedelta(days=30)

    @staticmethod
    def hash_key(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def _windows():
        """(idle, absolute, remembered): an ordinary sign-in ends after `idle` unused or `absolute` after it began,
        whichever comes first; a "keep me signed in" one lasts `remembered` from sign-in (REMEMBER_DAYS)."""
        cfg = current_app.config
        # The idle window gets TOUCH_EVERY of slack: last_seen_at may lag the cookie's rolling renewal by that.
        return (cfg['PERMANENT_SESSION_LIFETIME'] + UserSession.TOUCH_EVERY, cfg['SESSION_ABSOLUTE_LIFETIME'],
                cfg['REMEMBER_COOKIE_DURATION'])

    @classmethod
    def _alive(cls, now):
        """SQL: the rows still signed in at `now` (usable() says the same for one row)."""
        idle, absolute, remembered = cls._windows()
        return cls.ended_at.is_null() & (
            ((cls.remember == False) & (cls.last_seen_at > now - idle) & (cls.created_at > now - absolute))  # noqa: E712
            | ((cls.remember == True) & (cls.created_at > now - remembered)))  # noqa: E712

    @classmethod
    def open_for(cls, user):
        """Not ended and not expired: an ordinary sign-in used within the idle window and younger than the absolute
        lifetime (SESSION_ABSOLUTE_HOURS), however busy; a remembered one within REMEMBER_DAYS of sign-in."""
        return cls.select().where((cls.user == user) & cls._alive(utcnow()))

    @classmethod
    def start(cls, user, *, user_agent, ip, remember):
        """A new device session (call inside the sign-in's transaction). Returns (row, secret key)."""
        key = secrets.token_urlsafe(24)  # 192 bits
        device = cls.create(user=user, key_hash=cls.hash_key(key), user_agent=(user_agent or '')[:200],
                            ip=(ip or '')[:64], remember=bool(remember))
        cls.prune()
        return device, key

    @classmethod
    def prune(cls):
        cutoff = utcnow() - cls.KEEP_ENDED
        _idle, _absolute, remembered = cls._windows()
        cls.delete().where((cls.ended_at < cutoff) | (cls.last_seen_at < cutoff - remembered)).execute()

    def usable(self):
        """Still signed in (the rule of _alive); a session found expired is marked ended."""
        if self.ended_at is not None:
            return False
        idle, absolute, remembered = self._windows()
        now = utcnow()
        if self.remember:
            alive = self.created_at > now - remembered
        else:
            alive = self.last_seen_at > now - idle and self.created_at > now - absolute
        if alive:
            return True
        self.end(self.EXPIRED)
        return False

    def touch(self):
        """Note the device was used; at most once per TOUCH_EVERY, so not a write per request."""
        now = utcnow()
        if now - self.last_seen_at >= self.TOUCH_EVERY:
            UserSession.update(last_seen_at=now).where(UserSession.id == self.id).execute()
            self.last_seen_at = now

    def end(self, reason):
        """Sign this device out; its cookies (and any copy of them) stop working."""
        if self.ended_at is None:
            self.ended_at = utcnow()
            self.end_reason = reason
            UserSession.update(ended_at=self.ended_at, end_reason=reason).where(
                (UserSession.id == self.id) & UserSession.ended_at.is_null()).execute()

    def end_from_account(self, by):
        """"Sign out this device" on the account page: one transaction with its audit event."""
        with transaction():
            self.end(self.DEVICE)
            self.user._audit_all_shops('user.session_ended', by, after={'device': self.device_name(),
                                                                        'ip': self.ip})

    def device_name(self):
        return describe_agent(self.user_agent)


_SYSTEMS = (('iPhone', 'iPhone'), ('iPad', 'iPad'), ('Android', 'Android'), ('Windows', 'Windows'),
            ('Mac OS X', 'Mac'), ('Macintosh', 'Mac'), ('CrOS', 'ChromeOS'), ('Linux', 'Linux'))
_BROWSERS = (('MicroMessenger', 'WeChat'), ('Edg/', 'Edge'), ('OPR/', 'Opera'), ('Firefox/', 'Firefox'),
             ('Chrome/', 'Chrome'), ('CriOS/', 'Chrome'), ('Safari/', 'Safari'))


def describe_agent(user_agent):
    """A short "browser on system" for a User-Agent header, e.g. "Chrome on Android"; '' when unknown."""
    ua = user_agent or ''
    system = next((name for needle, name in _SYSTEMS if needle in ua), '')
    browser = next((name for needle, name in _BROWSERS if needle in ua), '')
    if browser and system:
        return '%s / %s' % (browser, system)
    return browser or system or re.sub(r'\s+', ' ', ua)[:40]


class UserRole(BaseModel):
    user = pw.ForeignKeyField(User, backref='role_rows', on_delete='CASCADE')
    role = pw.CharField(max_length=30)

    class Meta:
        indexes = ((('user', 'role'), True),)


class Membership(BaseModel):
    """A user belongs to a shop; they see only the shops they belong to."""
    user = pw.ForeignKeyField(User, backref='memberships', on_delete='CASCADE')
    shop = pw.ForeignKeyField(Shop, on_delete='CASCADE')

    class Meta:
        indexes = ((('user', 'shop'), True),)


class LoginFailure(BaseModel):
    """A sign-in attempt not (yet) proved right: the throttle counts these rows.

    Each attempt is written *before* its password is checked, in one transaction with the throttle's decision,
    and deleted again when the password proves right; so parallel guesses from several gunicorn workers count
    each other while their Argon2 checks run. Per user name *and* address: after LOGIN_MAX_FAILURES the next
    try waits LOGIN_FIRST_DELAY, doubled per further failure up to LOGIN_MAX_DELAY; someone guessing `manager`
    from one machine cannot lock out the real manager on another. Per address: at most
    LOGIN_ADDRESS_MAX_FAILURES failures (any names) in LOGIN_FAILURE_WINDOW.
    """
    username = pw.CharField(max_length=50, index=True)
    address = pw.CharField(max_length=64, index=True)
    at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((('username', 'address', 'at'), False), (('address', 'at'), False))

    @staticmethod
    def _key(username, address):
        return (username or '').strip().lower()[:USERNAME_MAX], (address or '')[:64]

    @classmethod
    def wait_for(cls, username, address, now=None):
        """Seconds this name from this address must still wait before its next try (0: it may try now)."""
        cfg = current_app.config
        username, address = cls._key(username, address)
        now = now or utcnow()
        waits = [0.0]
        ours = list(cls.select(cls.at).where((cls.username == username) & (cls.address == address)
                                             & (cls.at > now - cfg['LOGIN_FAILURE_MEMORY']))
                    .order_by(cls.at.desc()).limit(64).tuples())
        if len(ours) >= cfg['LOGIN_MAX_FAILURES']:
            doublings = min(len(ours) - cfg['LOGIN_MAX_FAILURES'], 30)
            delay = min(cfg['LOGIN_FIRST_DELAY'] * (2 ** doublings), cfg['LOGIN_MAX_DELAY'])
            waits.append((ours[0][0] + delay - now).total_seconds())
        limit = cfg['LOGIN_ADDRESS_MAX_FAILURES']
        recent = [at for (at,) in cls.select(cls.at).where((cls.address == address)
                                                          & (cls.at > now - cfg['LOGIN_FAILURE_WINDOW']))
                  .order_by(cls.at.desc()).limit(limit).tuples()]
        if len(recent) >= limit:
            # the oldest of the last `limit` failures leaves the window: one more try is then allowed
            waits.append((recent[-1] + cfg['LOGIN_FAILURE_WINDOW'] - now).total_seconds())
        return max(waits)

    @classmethod
    def admit(cls, username, address):
        """One transaction per attempt: (0, the attempt's row, counted as a failure until forgiven) when it may go
        on to the password check, or (seconds to wait, None) when it is throttled."""
        username, address = cls._key(username, address)
        with transaction():
            _serialise_attempts(address)
            now = utcnow()
            wait = cls.wait_for(username, address, now)
            if wait > 0:
                return wait, None
            row = cls.create(username=username, address=address, at=now)
            # Old rows are no use to the throttle; keep the table small.
            cls.delete().where(cls.at < now - current_app.config['LOGIN_FAILURE_MEMORY']).execute()
        return 0, row

    def forgive(self):
        """The password was right: this attempt and this name's earlier failures from this address are forgotten
        (failures elsewhere, a guesser's, still count against the guesser)."""
        LoginFailure.delete().where((LoginFailure.username == self.username)
                                    & (LoginFailure.address == self.address)).execute()


def _serialise_attempts(address):
    """Inside the attempt's transaction: attempts from one address take turns deciding, so two workers cannot
    both read "4 failures" and both go on. SQLite: the transaction already holds the write lock (BEGIN
    IMMEDIATE); PostgreSQL: a transaction-scoped advisory lock on the address."""
    from app.core.db import db, is_sqlite
    if not is_sqlite():
        key = int.from_bytes(hashlib.sha256(('login:' + address).encode()).digest()[:8], 'big', signed=True)
        db.execute_sql('SELECT pg_advisory_xact_lock(%s)', (key,))


# Every signed-in request reads these: compiled once, and prepared on PostgreSQL (app.core.db.Prepared).
_user_rows = Prepared(lambda user_id: User._with_roles_and_shops(User.select(User, UserRole.role, Shop))
                      .where(User.id == user_id), int)
_device_rows = Prepared(lambda key_hash: User._with_roles_and_shops(
    UserSession.select(UserSession, User, UserRole.role, Shop).join(User)).where(UserSession.key_hash == key_hash), str)
