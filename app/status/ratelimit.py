"""Failed requests to the link space (unknown, revoked, expired tokens) per client address and minute.

Someone guessing tokens fails; a customer opening or refreshing a valid link does not, and writes nothing.
So only failures are counted, in the database (every worker counts against the same limit). A failure over the
limit answers 429 and the worker process that saw it remembers the address until the minute ends: from then on
it answers that address 429 for every link, valid or not, without asking the database, so a guesser learns
nothing from a lucky token. (Another worker learns it from the address's next failure there.)
"""
import hashlib
import hmac
import random
import time

from flask import current_app

from app.core.db import transaction
from app.status.models import StatusHit

KEEP_MINUTES = 2        # rows older than this are pruned
PRUNE_CHANCE = 0.05     # besides on each address's first failure of a minute


def address_hash(address):
    """The address keyed with the server secret: the table is no list of visitors' IP addresses."""
    key = current_app.config['SECRET_KEY']
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, (address or '-').encode(), hashlib.sha256).hexdigest()[:32]


def current_minute(now=None):
    return int((now if now is not None else time.time()) // 60)


def _blocked_here():
    """{address hash: minute} of the addresses this process has refused (per app)."""
    return current_app.extensions.setdefault('status_link_blocked', {})


def blocked(address, now=None):
    """True while this process knows the address went over the limit in the current minute (no database)."""
    return _blocked_here().get(address_hash(address)) == current_minute(now)


def count_failure(address, limit, now=None):
    """Count one failed request; False once this address has made more than `limit` in the current minute."""
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
    if count <= limit:
        return True
    seen = _blocked_here()
    for old in [k for k, m in seen.items() if m != minute]:
        seen.pop(old, None)
    seen[key] = minute
    return False
