"""What the queue tests share: a clock they move on, a person's queue by item key, and a step's compliance mark."""
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import time_machine
from flask import current_app

from app.core.db import utcnow
from app.core.timeutil import to_local
from app.kpi import engine
from app.queues import rules

TZ = 'Asia/Shanghai'


@contextmanager
def clock(local, tz=TZ):
    """The process's clock stopped at a local wall-clock time 'YYYY-MM-DD HH:MM'; `.shift(timedelta)` moves it."""
    moment = datetime.strptime(local, '%Y-%m-%d %H:%M').replace(tzinfo=ZoneInfo(tz))
    with time_machine.travel(moment.astimezone(timezone.utc), tick=False) as traveller:
        yield traveller


def queue(role, shop, user):
    """{item key: item} of a person's queue in a role, now."""
    with current_app.test_request_context():
        return {item.key: item for item in rules.queue(role, shop, user, utcnow())}


def state(role, shop, user, key):
    """The item's state in the queue ('late', 'soon', 'open'), or None when it is not there."""
    item = queue(role, shop, user).get(key)
    return item.state if item else None


def step_mark(shop, figure, ref, at):
    """The compliance mark (on_time, late, skipped) the figure gives the record `ref`, counted on the local day of
    `at` (UTC), as the dashboard would read it now."""
    day = to_local(at, shop.timezone).date()
    rows = engine.drill([shop.id], figure, day, day + timedelta(days=1), now=utcnow())
    marks = [r.status for r in rows if r.ref == ref]
    assert len(marks) == 1, (figure, ref, [(r.ref, r.status) for r in rows])
    return marks[0]
