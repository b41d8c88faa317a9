"""Exactly-once actions on flaky Wi-Fi: a repeated submit (double tap, retry) is answered, not done twice.

Every action form carries a fresh key (`idem_key()` in templates, field `idem`; or the
`Idempotency-Key` header). The key is stored in the same transaction as the action: if the action
fails, the key goes with it and a retry runs; if it succeeded, a repeat gets `replay()` — the
current state — instead of a second entry. The answer is rendered after the commit.
"""
import uuid
from functools import wraps

import peewee as pw
from flask import current_app, g, request
from flask_login import current_user

from app.core.db import db, utcnow
from app.core.models import IdempotencyKey


def idem_key():
    return uuid.uuid4().hex


def submitted_key():
    key = request.headers.get('Idempotency-Key') or request.form.get('idem') or ''
    return key.strip()[:64]


class DuplicateAction(Exception):
    """The same key was stored by a concurrent request between our check and our transaction."""


def _claim(key, steps):
    """Store the key as the first write of the action's transaction (see app.core.db.transaction)."""
    endpoint, user_id = request.endpoint, current_user.id

    def claim():
        if g.get('idempotency_claimed'):
            # A second write transaction in one action: a crash between the two would leave the first
            # done and the key spent. Tests fail loudly on it unless the view declares its steps (an
            # outbox send: queue, send outside any lock, record the result); in production it goes on.
            if current_app.testing and not steps:
                raise AssertionError('%s writes in more than one transaction' % endpoint)
            return
        try:
            with db.atomic():   # a savepoint, so the duplicate's error does not poison the transaction
                IdempotencyKey.create(key=key, user_id=user_id, endpoint=endpoint, created_at=utcnow())
        except pw.IntegrityError:
            raise DuplicateAction(key)
        g.idempotency_claimed = True
    return claim


def idempotent(replay, steps=False):
    """Decorate a POST view; `replay(**view_args)` answers a repeat with the current state.

    The key is stored in the action's own write transaction (so it commits or rolls back with it);
    the view renders its answer after that commit, so the write lock is not held while rendering.
    A refused action (a rule raising inside its transaction) leaves the key unspent for a corrected retry.
    `steps=True`: the action commits in several steps on purpose; the key goes with the first.
    """
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            key = submitted_key()
            if not key:
                return view(*args, **kwargs)
            if IdempotencyKey.select().where((IdempotencyKey.user_id == current_user.id)
                                             & (IdempotencyKey.key == key)).exists():
                return replay(*args, **kwargs)
            g.on_first_transaction, g.idempotency_claimed = _claim(key, steps), False
            try:
                return current_app.make_response(view(*args, **kwargs))
            except DuplicateAction:
                return replay(*args, **kwargs)
            finally:
                g.on_first_transaction = None
        return wrapper
    return decorate
