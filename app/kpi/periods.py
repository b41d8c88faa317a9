"""Periods in the shop's calendar, as UTC instants, and the SQL that buckets a stored time into them.

A period is half-open by local date: [start, end). Its buckets (weeks from Monday, months from the
1st, clipped to the period) are turned into naive UTC boundaries per time zone in Python, and a
stored time is put into its bucket with a CASE over those boundaries: the same SQL on SQLite and
PostgreSQL, no date truncation in the database.

The only dialect difference is `epoch()`: seconds since 1970 of a stored time, for durations
(accepted within 10 minutes, settled within 3 days…).
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import peewee as pw
from peewee import Case, fn

from app.core.db import is_sqlite
from app.core.timeutil import to_local, to_utc

BY = ('week', 'month')


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def week_start(day):
    return day - timedelta(days=day.weekday())


def bucket_starts(start, end, by=None):
    """Local dates where the buckets of [start, end) begin: one bucket when `by` is None."""
    if end <= start:
        raise ValueError('empty period')
    if by is None:
        return [start]
    if by not in BY:
        raise ValueError('by must be week or month')
    starts, day = [start], start
    while True:
        day = next_month(day) if by == 'month' else week_start(day) + timedelta(days=7)
        if day >= end:
            return starts
        starts.append(day)


def local_midnight_utc(day, tz_name):
    return to_utc(datetime.combine(day, time()), tz_name)


@dataclass
class Buckets:
    """The local-date buckets of a period and, per time zone, their UTC boundaries."""
    starts: list                 # local dates, first is the period start
    end: date                    # local date, exclusive
    zones: dict                  # tz name -> [shop ids]
    bounds: dict = field(default_factory=dict)   # tz name -> [utc instants], len(starts) + 1

    @classmethod
    def make(cls, shops, start, end, by=None):
        zones = {}
        for s in shops:
            zones.setdefault(s.timezone, []).append(s.id)
        b = cls(bucket_starts(start, end, by), end, zones)
        for tz in zones:
            b.bounds[tz] = [local_midnight_utc(d, tz) for d in b.starts + [end]]
        return b

    def __len__(self):
        return len(self.starts)

    @property
    def shop_ids(self):
        return [i for ids in self.zones.values() for i in ids]

    def period(self, k):
        """(start, end) local dates of bucket k."""
        return self.starts[k], (self.starts[k + 1] if k + 1 < len(self.starts) else self.end)

    def bound(self, shop_id, k):
        """The UTC instant bucket k starts at in a shop's zone (k = len(self): the period's end)."""
        tz = next(tz for tz, ids in self.zones.items() if shop_id in ids)
        return self.bounds[tz][k]

    def utc_range(self, tz, k=None):
        """[start, end) UTC instants of bucket k (or the whole period) for a time zone."""
        b = self.bounds[tz]
        return (b[0], b[-1]) if k is None else (b[k], b[k + 1])

    # --- SQL ----------------------------------------------------------------------------------

    def within(self, shop_field, at):
        """The stored UTC time `at` falls in the period (in its shop's zone), for the period's shops."""
        cond = None
        for tz, ids in self.zones.items():
            lo, hi = self.utc_range(tz)
            c = shop_field.in_(ids) & (at >= lo) & (at < hi)
            cond = c if cond is None else (cond | c)
        return cond

    def before_end(self, shop_field, at):
        """The stored time is before the period's end (for running balances)."""
        cond = None
        for tz, ids in self.zones.items():
            c = shop_field.in_(ids) & (at < self.bounds[tz][-1])
            cond = c if cond is None else (cond | c)
        return cond

    def _case_for(self, tz, at, before=None):
        b = self.bounds[tz]
        whens = [(at < b[k + 1], k) for k in range(len(self.starts) - 1)]
        if before is not None:
            whens.insert(0, (at < b[0], before))
        if not whens:
            return pw.Value(len(self.starts) - 1)
        return Case(None, whens, len(self.starts) - 1)

    def bucket(self, shop_field, at, before=None):
        """SQL: the bucket number of a stored UTC time (use with within()); `before` numbers earlier times."""
        if len(self.zones) == 1:
            return self._case_for(next(iter(self.zones)), at, before)
        return Case(None, [(shop_field.in_(ids), self._case_for(tz, at, before))
                           for tz, ids in self.zones.items()], None)

    def date_within(self, day_field):
        """A local calendar day (DateField) in the period."""
        return (day_field >= self.starts[0]) & (day_field < self.end)

    def date_bucket(self, day_field):
        whens = [(day_field < self.starts[k + 1], k) for k in range(len(self.starts) - 1)]
        return Case(None, whens, len(self.starts) - 1) if whens else pw.Value(0)

    def utc_offset_seconds(self, tz):
        """The zone's offset at the middle of the period (seconds east of UTC)."""
        lo, hi = self.utc_range(tz)
        mid = lo + (hi - lo) / 2
        return int(to_local(mid, tz).utcoffset().total_seconds())

    def offset(self, shop_field):
        """SQL: the offset of each row's shop zone, in seconds."""
        if len(self.zones) == 1:
            return pw.Value(self.utc_offset_seconds(next(iter(self.zones))))
        return Case(None, [(shop_field.in_(ids), self.utc_offset_seconds(tz)) for tz, ids in self.zones.items()], 0)


def epoch(at):
    """SQL: whole seconds since 1970 of a stored naive-UTC time (or a date: its midnight)."""
    if is_sqlite():
        return pw.Cast(fn.strftime('%s', at), 'INTEGER')
    return pw.Cast(fn.FLOOR(fn.date_part('epoch', at)), 'BIGINT')


def seconds_between(start, end):
    """SQL: whole seconds from one stored time to another."""
    return epoch(end) - epoch(start)


def local_day_number(at, offset):
    """SQL: the local day of a stored time as days since 1970 (offset in seconds east of UTC)."""
    return (epoch(at) + offset) / 86400
