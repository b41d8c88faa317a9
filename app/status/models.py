"""The customer's status link and the counters that rate-limit the link space."""
import peewee as pw

from app.core.db import BaseModel, ShopScoped, utcnow
from app.core.models import Shop
from app.reception.models import RepairOrder


class StatusLink(ShopScoped):
    """One status link of an order. Only the token's SHA-256 is stored (see app.status.rules).

    `nonce` is the random input the token is derived from with the server's key: without that key a copy
    of the database cannot rebuild a link. `active_order` is the order's id while the link is in use and
    NULL once revoked; being unique, it lets one link per order be active at a time even when two
    requests ensure a link at once.
    """
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, backref='status_links', on_delete='CASCADE')
    nonce = pw.CharField(max_length=32)
    token_hash = pw.CharField(max_length=64, unique=True)
    active_order = pw.IntegerField(null=True, unique=True)
    created_at = pw.DateTimeField(default=utcnow)
    created_by = pw.IntegerField(null=True)
    revoked_at = pw.DateTimeField(null=True)
    revoked_by = pw.IntegerField(null=True)
    expires_at = pw.DateTimeField(null=True)          # set by hand; else worked out from the delivery

    @property
    def is_revoked(self):
        return self.revoked_at is not None


class StatusHit(BaseModel):
    """Requests to the link space per client address (hashed with the server key) and minute.

    In the database, so every worker process counts against the same limit; old minutes are pruned.
    """
    address_hash = pw.CharField(max_length=32)
    minute = pw.IntegerField()                        # minutes since the epoch
    hits = pw.IntegerField(default=0)

    class Meta:
        indexes = ((('address_hash', 'minute'), True),)
