"""Requests to the link space per client address and minute, counted in the database (shared by all workers)."""
import hashlib
import hmac
import random
import time

from flask import current_app

from app.core.db import transaction
from app.status.models import StatusHit

KEEP_MINUTES = 2        # rows older than this are pruned
PRUNE_CHANCE = 0.05     # besides on each address's first hit of a minute


def address_hash(address):
    """The address keyed with the server secret: the table is no list of visitors' IP addresses."""
    key = current_app.config['SECRET_KEY']
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, (address or '-').encode(), hashlib.sha256).hexdigest()[:32]


def current_minute(now=None):
    return int((now if now is not None else time.time()) // 60)


def hit(address, limit, now=None):
    """Count one request; False once this address has made more than `limit` in the current minute."""
    key, minute = address_hash(address), current_minute(now)
    with transaction():
        (StatusHit.insert(address_hash=key, minute=minute, hits=1)
         .on_conflict(conflict_target=[StatusHit.address_hash, StatusHit.minute],
                      update={StatusHit.hits: StatusHit.hits + 1})
         .execute())
        count = (StatusHit.select(StatusHit.hits)
                 .where((StatusHit.address_hash == key) & (StatusHit.minute == minute)).scalar())
        if count == 1 or random.random() < PRUNE_CHANCE:
            StatusHit.delete().where(StatusHit.minute < minute - KEEP_MINUTES).execute()
    return count <= limit
