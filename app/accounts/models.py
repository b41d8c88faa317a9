"""Staff accounts: users, the roles they hold, the shops they belong to, and login throttling."""
import hashlib
import re
import secrets
from datetime import timedelta

import peewee as pw
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from app.core import audit
from app.core.access import ROLES
from app.core.db import BaseModel, transaction, utcnow
from app.core.models import Shop


def _hasher():
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg['ARGON2_TIME_COST'], memory_cost=cfg['ARGON2_MEMORY_COST'])


MIN_PASSWORD_LENGTH = 8


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
        if not key:
            user = cls.get_or_none(cls.id == int(user_id))
            device = None
        else:
            device = (UserSession.select(UserSession, cls).join(cls)
                      .where(UserSession.key_hash == UserSession.hash_key(key)).get_or_none())
            user = device.user if device is not None else None
            if user is not None and (user.id != int(user_id) or not device.usable()):
                return None
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

    def shops(self):
        return (Shop.select().join(Membership).where(Membership.user == self).order_by(Shop.id))

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
    def spend_hash_time(password):
        """Verify against a throw-away hash, for a user name that does not exist."""
        try:
            _hasher().verify(_hasher().hash('not-a-password'), password)
        except VerificationError:
            pass

    def check_password(self, password):
        try:
            ok = _hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if ok and _hasher().check_needs_rehash(self.password_hash):
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
            user.set_password(password)
            user.save()
            user._replace_roles(roles)
            user._replace_shops(shops)
            user._audit_all_shops('user.created', by, after=user.snapshot())
        return user

    def update_account(self, *, display_name, roles, shops, language, phone, skills, by):
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
        with transaction():
            self.set_password(password)
            self._end_all_sessions(UserSession.PASSWORD, keep=keep)
            self.save()
            self._audit_all_shops('user.password_reset', by)

    def set_active(self, active, by):
        with transaction():
            before = {'active': self.active}
            self.active = active
            self._end_all_sessions(UserSession.DISABLED)
            self.save()
            self._audit_all_shops('user.enabled' if active else 'user.disabled', by,
                                  before=before, after={'active': active})

    def sign_out_everywhere(self, by):
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
        cfg = current_app.config
        # The idle window gets TOUCH_EVERY of slack: last_seen_at may lag the cookie's rolling renewal by that.
        return cfg['PERMANENT_SESSION_LIFETIME'] + UserSession.TOUCH_EVERY, cfg['REMEMBER_COOKIE_DURATION']

    @classmethod
    def open_for(cls, user):
        """Not ended and not expired: used within the idle window, or remembered and within the remember window
        (the same rules as the cookies: the session cookie rolls, the remember cookie lasts from sign-in)."""
        idle, remember = cls._windows()
        now = utcnow()
        return cls.select().where(
            (cls.user == user) & cls.ended_at.is_null()
            & ((cls.last_seen_at > now - idle) | ((cls.remember == True) & (cls.created_at > now - remember))))  # noqa: E712

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
        _idle, remember = cls._windows()
        cls.delete().where((cls.ended_at < cutoff) | (cls.last_seen_at < cutoff - remember)).execute()

    def usable(self):
        """Still signed in; a session found expired is marked ended."""
        if self.ended_at is not None:
            return False
        idle, remember = self._windows()
        now = utcnow()
        if self.last_seen_at > now - idle or (self.remember and self.created_at > now - remember):
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
    """A failed sign-in; recent ones throttle further tries by user name and by address."""
    username = pw.CharField(max_length=50, index=True)
    address = pw.CharField(max_length=64, index=True)
    at = pw.DateTimeField(default=utcnow, index=True)

    @classmethod
    def too_many(cls, username, address):
        cfg = current_app.config
        since = utcnow() - cfg['LOGIN_FAILURE_WINDOW']
        recent = cls.select().where(cls.at > since)
        by_name = recent.where(cls.username == username.lower()).count()
        by_addr = recent.where(cls.address == address).count()
        # An address may mistype across several names, but not hammer the door.
        return by_name >= cfg['LOGIN_MAX_FAILURES'] or by_addr >= cfg['LOGIN_MAX_FAILURES'] * 4

    @classmethod
    def note(cls, username, address):
        with transaction():
            cls.create(username=username.lower(), address=address)
            # Old rows are no use to the throttle; keep the table small.
            cls.delete().where(cls.at < utcnow() - timedelta(days=1)).execute()

    @classmethod
    def clear(cls, username):
        cls.delete().where(cls.username == username.lower()).execute()
