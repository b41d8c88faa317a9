"""Exactly-once actions on flaky Wi-Fi: a repeated submit (double tap, retry) is answered, not done twice.

Every action form carries a fresh key (`idem_key()` in templates, field `idem`; or the
`Idempotency-Key` header). The key is stored in the same transaction as the action: if the action
fails, the key goes with it and a retry runs; if it succeeded, a repeat gets `replay()` — the
current state — instead of a second entry.
"""
import uuid
from functools import wraps

import peewee as pw
from flask import current_app, request
from flask_login import current_user

from app.core.db import db, transaction, utcnow
from app.core.models import IdempotencyKey


def idem_key():
    return uuid.uuid4().hex


def submitted_key():
    key = request.headers.get('Idempotency-Key') or request.form.get('idem') or ''
    return key.strip()[:64]


def idempotent(replay):
    """Decorate a POST view; `replay(**view_args)` answers a repeat with the current state."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            key = submitted_key()
            if not key:
                return view(*args, **kwargs)
            with transaction() as txn:
                try:
                    with db.atomic():   # a savepoint, so a duplicate leaves the outer transaction usable
                        IdempotencyKey.create(key=key, user_id=current_user.id, endpoint=request.endpoint,
                                              created_at=utcnow())
                except pw.IntegrityError:
                    pass
                else:
                    resp = current_app.make_response(view(*args, **kwargs))
                    if resp.status_code >= 400:
                        txn.rollback()   # refused: the key is not spent, a corrected retry may use it
                    return resp
            return replay(*args, **kwargs)
        return wrapper
    return decorate
