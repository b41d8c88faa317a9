"""The key tag pool and the key cabinet: adding and retiring tags, adding hooks (which order each is on is the
order's side: app.reception.keys).

Each write is one user action: one transaction with its audit event. Putting a tag on an order
(and taking it off at delivery) belongs to check-in and delivery, not here.
"""
import peewee as pw
from flask_babel import gettext as _

from app.core.errors import Refused
from app.core import audit
from app.core.db import transaction
from app.core.settings import get_setting, set_setting
from app.labels import brother
from app.labels.models import KeyHook, KeyTag
from app.labels.printing import PrinterError, parse_address

MAX_ADD = 100   # tags or hooks added in one go: a typo of 1000 should not fill the pool


class PoolError(Refused):
    """A pool action that cannot be done, with a message for the person who tried."""


# --- writes -----------------------------------------------------------------------

def _next_number(model, shop):
    """Numbers continue after the highest ever given (retired ones too: their labels still exist)."""
    top = model.select(pw.fn.MAX(model.number)).where(model.shop == shop).scalar()
    return (top or 0) + 1


def _check_count(count):
    if not 1 <= int(count) <= MAX_ADD:
        raise PoolError(_('Add between 1 and %(max)d at a time.', max=MAX_ADD))
    return int(count)


def _add_numbered(model, shop, by, count, action, record_type):
    count = _check_count(count)
    with transaction():
        first = _next_number(model, shop)
        made = [model.create(shop=shop, number=n) for n in range(first, first + count)]
        audit.record(action, record_type, made[0].id, shop=shop, actor=by,
                     after={'from': first, 'to': first + count - 1, 'count': count})
    return made


def add_key_tags(shop, by, count):
    """Add `count` key tags numbered on from the highest; each gets its own random token."""
    return _add_numbered(KeyTag, shop, by, count, 'key_tags.added', 'key_tag')


def add_key_hooks(shop, by, count):
    """Add `count` hooks to the key cabinet, numbered on from the highest."""
    return _add_numbered(KeyHook, shop, by, count, 'key_hooks.added', 'key_hook')


def retire_key_tag(tag, by):
    """Take a lost or broken tag out of the pool; only a free tag, so no car loses its key's label."""
    with transaction():
        # One conditional update: a check-in putting this tag on a car at the same moment wins or loses whole.
        changed = (KeyTag.update(active=False)
                   .where((KeyTag.id == tag.id) & (KeyTag.active == True) & KeyTag.order_id.is_null())  # noqa: E712
                   .execute())
        if not changed:
            current = KeyTag.get_by_id(tag.id)
            if not current.active:
                raise PoolError(_('Key tag %(n)d is already retired.', n=current.number))
            raise PoolError(_('Key tag %(n)d is on a repair order. Retire it when the car has gone.',
                              n=current.number))
        audit.record('key_tag.retired', 'key_tag', tag.id, shop=tag.shop, actor=by,
                     before={'number': tag.number, 'active': True}, after={'active': False})
    tag.active = False
    return tag


PRINTER_KEYS = {'address': 'label_printer_address', 'model': 'label_printer_model', 'media': 'label_printer_media'}


def set_printer(shop, by, address, model, media):
    """Set (or, with an empty address, remove) the shop's network label printer; the check-in's print buttons use it."""
    address = (address or '').strip()
    if address:
        parse_address(address)
    if model not in brother.MODELS:
        raise PrinterError(_('Choose the printer model from the list.'), field='model')
    if media not in brother.MEDIA:
        raise PrinterError(_('Choose the roll from the list.'), field='media')
    after = {'address': address, 'model': model, 'media': media}
    with transaction():
        before = {name: get_setting(shop, key) for name, key in PRINTER_KEYS.items()}
        for name, key in PRINTER_KEYS.items():
            set_setting(shop, key, after[name])
        audit.record('label_printer.set', 'shop', shop.id, shop=shop, actor=by, before=before, after=after)
    return after


# --- reads ------------------------------------------------------------------------

def tags_to_print(shop, first=None, last=None):
    """Active tags by number, optionally from `first` to `last`."""
    query = KeyTag.for_shop(shop).where(KeyTag.active == True).order_by(KeyTag.number)  # noqa: E712
    if first:
        query = query.where(KeyTag.number >= first)
    if last:
        query = query.where(KeyTag.number <= last)
    return list(query)
