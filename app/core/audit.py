"""Writing the audit trail. State-changing functions call record() inside their transaction."""
import json
from datetime import date, datetime
from decimal import Decimal

from app.core.models import Event


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(repr(value))


def _dump(data):
    return None if data is None else json.dumps(data, default=_jsonable, ensure_ascii=False, sort_keys=True)


def record(action, record_type, record_id=None, *, shop=None, actor=None, before=None, after=None, note=''):
    """Append one event. `actor` is a user (or None for the system)."""
    return Event.create(
        shop=shop,
        actor=getattr(actor, 'id', None),
        actor_name=getattr(actor, 'display_name', '') or '',
        action=action,
        record_type=record_type,
        record_id=record_id,
        before=_dump(before),
        after=_dump(after),
        note=note or '',
    )


def diff(before, after):
    """Keep only the keys that changed, so an event says what moved."""
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}
