"""The counters that rate-limit the public link space (the links themselves are the order's: reception)."""
import peewee as pw

from app.core.db import BaseModel


class StatusHit(BaseModel):
    """Failed requests to the link space (unknown, revoked, expired tokens) per client address (hashed with the
    server key) and minute; a valid link's views are not counted (app.status.ratelimit).

    In the database, so every worker process counts against the same limit; old minutes are pruned.
    """
    address_hash = pw.CharField(max_length=32)
    minute = pw.IntegerField()                        # minutes since the epoch
    hits = pw.IntegerField(default=0)

    class Meta:
        indexes = ((('address_hash', 'minute'), True),)
