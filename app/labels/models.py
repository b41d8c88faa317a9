"""The key-tag pool: numbered reusable key tags with a permanent QR label, and the key cabinet's hooks."""
import peewee as pw

from app.core.db import Numbered
from app.core.models import Shop, new_token


class KeyTag(Numbered):
    """A numbered, reusable key tag with a permanent QR label; `order` is the open order it is on."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    number = pw.IntegerField()
    token = pw.CharField(max_length=32, unique=True, default=new_token)
    order_id = pw.IntegerField(null=True, index=True)
    active = pw.BooleanField(default=True)


class KeyHook(Numbered):
    """A numbered hook in the key cabinet."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    number = pw.IntegerField()
    order_id = pw.IntegerField(null=True, index=True)
