"""Staff accounts: users, the roles they hold, the shops they belong to, and login throttling."""
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

    def get_id(self):
        return '%d:%s' % (self.id, self.session_token)

    @classmethod
    def from_session_id(cls, value):
        """The user for a cookie's id, or None when the session was ended."""
        user_id, _, token = (value or '').partition(':')
        if not user_id.isdigit() or not token:
            return None
        user = cls.get_or_none(cls.id == int(user_id))
        if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
            return None
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

    def reset_password(self, password, by):
        """A new password also ends every existing session of this user."""
        with transaction():
            self.set_password(password)
            self.session_token = secrets.token_hex(16)
            self.save()
            self._audit_all_shops('user.password_reset', by)

    def set_active(self, active, by):
        with transaction():
            before = {'active': self.active}
            self.active = active
            self.session_token = secrets.token_hex(16)
            self.save()
            self._audit_all_shops('user.enabled' if active else 'user.disabled', by,
                                  before=before, after={'active': active})

    def sign_out_everywhere(self, by):
        with transaction():
            self.session_token = secrets.token_hex(16)
            self.save()
            self._audit_all_shops('user.signed_out_everywhere', by)

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
