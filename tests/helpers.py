"""Helpers every area's tests share."""
from contextlib import contextmanager
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import time_machine


@contextmanager
def at_local(when, tz='Asia/Shanghai', tick=False):
    """The whole process's clock (Python, SQLite) at a shop's local wall-clock time 'YYYY-MM-DD HH:MM'.

    For the hard days the date run (`make test-dates`) found: a case fixed there is pinned here, so it is
    tested on every day of the calendar, not only on the day it breaks.
    """
    moment = datetime.strptime(when, '%Y-%m-%d %H:%M').replace(tzinfo=ZoneInfo(tz))
    # in UTC: given a ZoneInfo, time-machine would also move the process's own time zone (TZ), and the
    # server's zone is exactly what these cases are about
    with time_machine.travel(moment.astimezone(timezone.utc), tick=tick):
        yield moment


@contextmanager
def mid_minute():
    """The clock stopped half-way through the current minute: for what is counted per clock minute (the board's
    version, the status page's rate limit), so a test does not fail when a new minute starts half-way through it."""
    now = datetime.now(timezone.utc).replace(second=30, microsecond=0)
    with time_machine.travel(now, tick=False):
        yield now
