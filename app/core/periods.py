"""Periods of a shop's calendar and their UTC bounds: the one engine the KPIs and the reports count by.

Records are stored in naive UTC; a period is local calendar days of the shop, half-open [start, end), so an order
delivered at 23:30 local time counts on that local day. Its bounds are turned into naive UTC instants per time
zone in Python (daylight saving included), and a stored time is put into its bucket with a CASE over those
instants: the same SQL on SQLite and PostgreSQL, no date truncation in the database.

- `Period`: a named period (a day, an ISO week, a month, a year) as the reports show it and write it in a URL.
- `Buckets`: a run of local days cut into buckets (days, weeks from Monday, months from the 1st, clipped to the
  period) for shops in one or several time zones, with the SQL that narrows a stored time to the period and
  numbers its bucket (the KPI engine, the reports' charts, app.settlement.receivables.owed_by_bucket).
- `epoch()`: the only dialect difference, seconds since 1970 of a stored time, for durations (accepted within
  10 minutes, settled within 3 days…).
"""
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import peewee as pw
from peewee import Case, fn

from app.core import params
from app.core.db import is_sqlite
from app.core.timeutil import add_months, to_local, to_utc

DAY, WEEK, MONTH, YEAR = 'day', 'week', 'month', 'year'
KINDS = (DAY, WEEK, MONTH, YEAR)


# --- local calendar days -------------------------------------------------------------------------------

def week_start(day):
    return day - timedelta(days=day.weekday())


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    return add_months(month_start(day), 1)


def starts_of(kind, day):
    """The first local day of the period of a kind that contains `day`."""
    return {DAY: day, WEEK: week_start(day), MONTH: month_start(day), YEAR: date(day.year, 1, 1)}[kind]


def next_start(kind, day):
    """The first local day of the next period of a kind after the one that contains `day`."""
    if kind == DAY:
        return day + timedelta(days=1)
    if kind == WEEK:
        return week_start(day) + timedelta(days=7)
    return add_months(starts_of(kind, day), 12 if kind == YEAR else 1)


def bucket_starts(start, end, by=None):
    """Local dates where the buckets of [start, end) begin: one bucket when `by` is None."""
    if end <= start:
        raise ValueError('empty period')
    if by is None:
        return [start]
    if by not in KINDS:
        raise ValueError('by must be one of %s' % ', '.join(KINDS))
    starts, day = [start], start
    while True:
        day = next_start(by, day)
        if day >= end:
            return starts
        starts.append(day)


def local_midnight_utc(day, tz_name):
    """The naive UTC instant a local day begins at in a time zone."""
    return to_utc(datetime.combine(day, time()), tz_name)


# --- a named period: a day, an ISO week, a month or a year -------------------------------------------------

@dataclass(frozen=True)
class Period:
    kind: str
    start: date          # first local day
    end: date            # the local day after the last one
    tz: str
    start_utc: datetime  # the naive UTC instants the period starts and ends at in its zone
    end_utc: datetime

    @property
    def days(self):
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]

    @property
    def last(self):
        return self.end - timedelta(days=1)

    @property
    def key(self):
        """The period as it is written in a URL: 2026-11-23, 2026-W48, 2026-11 or 2026 (see `parse`)."""
        if self.kind == DAY:
            return self.start.isoformat()
        if self.kind == WEEK:
            year, week, _ = self.start.isocalendar()
            return '%d-W%02d' % (year, week)
        if self.kind == MONTH:
            return '%d-%02d' % (self.start.year, self.start.month)
        return str(self.start.year)

    def shifted(self, step):
        """The previous (-1) or next (+1) period of the same kind."""
        if self.kind in (DAY, WEEK):
            return period_of(self.kind, self.start + timedelta(days=step * (7 if self.kind == WEEK else 1)), self.tz)
        return period_of(self.kind, add_months(self.start, step * (12 if self.kind == YEAR else 1)), self.tz)

    @property
    def sub_kind(self):
        """What a chart of the period shows a bar for: the months of a year, the days of anything shorter."""
        return MONTH if self.kind == YEAR else DAY

    def buckets(self):
        """The sub-periods a chart shows: days of a week or month, months of a year."""
        return [period_of(self.sub_kind, d, self.tz) for d in bucket_starts(self.start, self.end, self.sub_kind)]


def period_of(kind, day, tz):
    """The period of a kind that contains a local day."""
    if kind not in KINDS:
        raise ValueError(kind)
    start = starts_of(kind, day)
    end = next_start(kind, start)
    return Period(kind, start, end, tz, local_midnight_utc(start, tz), local_midnight_utc(end, tz))


def parse(kind, text, tz, default_day):
    """A period from its URL form (`Period.key`); anything unreadable gives the period of `default_day`; a period
    outside the dates a shop can mean (the year 9999, 0001) is a 400 that says so (app.core.params)."""
    kind = kind if kind in KINDS else DAY
    text = (text or '').strip()
    day = None
    try:
        if kind == WEEK and '-W' in text:
            year, week = text.split('-W')
            day = date.fromisocalendar(int(year), int(week), 1)
        elif kind == MONTH and len(text) == 7:
            day = date(int(text[:4]), int(text[5:7]), 1)
        elif kind == YEAR and len(text) == 4:
            day = date(int(text), 1, 1)
        elif text:
            day = date.fromisoformat(text[:10])
    except ValueError:
        day = None
    period = period_of(kind, params.check_date(day) if day is not None else default_day, tz)
    params.check_period(period.start, period.end)
    return period


# --- buckets of a period for shops in several time zones, and their SQL ------------------------------------

@dataclass
class Buckets:
    """The local-date buckets of a period and, per time zone, their UTC boundaries."""
    starts: list                 # local dates, first is the period start
    end: date                    # local date, exclusive
    zones: dict                  # tz name -> [shop ids]
    bounds: dict = field(default_factory=dict)   # tz name -> [utc instants], len(starts) + 1

    @classmethod
    def make(cls, shops, start, end, by=None):
        """The buckets of [start, end) (one when `by` is None; else by day, week, month or year) for these shops."""
        return cls.at(shops, bucket_starts(start, end, by), end)

    @classmethod
    def at(cls, shops, starts, end):
        """Buckets starting on the given local dates (the first is the period start), up to `end` (exclusive)."""
        zones = {}
        for s in shops:
            zones.setdefault(s.timezone, []).append(s.id)
        b = cls(list(starts), end, zones)
        for tz in zones:
            b.bounds[tz] = [local_midnight_utc(d, tz) for d in b.starts + [end]]
        return b

    @classmethod
    def of(cls, shop, period):
        """A report period of one shop in the buckets its chart shows (`Period.buckets`)."""
        return cls.make([shop], period.start, period.end, period.sub_kind)

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

    def bucket_at(self, shop_id, at):
        """The bucket number of a UTC time in its shop's zone, as bucket(..., before=-1) numbers it in SQL (-1:
        before the period); None from the period's end on."""
        b = self.bounds[next(tz for tz, ids in self.zones.items() if shop_id in ids)]
        return None if at >= b[-1] else bisect_right(b, at, 0, len(self.starts)) - 1

    def utc_range(self, tz, k=None):
        """[start, end) UTC instants of bucket k (or the whole period) for a time zone."""
        b = self.bounds[tz]
        return (b[0], b[-1]) if k is None else (b[k], b[k + 1])

    # --- SQL ----------------------------------------------------------------------------------

    def _any_zone(self, cond):
        """SQL: cond(tz, shop ids) for the shops of any zone of the period."""
        out = None
        for tz, ids in self.zones.items():
            c = cond(tz, ids)
            out = c if out is None else (out | c)
        return out

    def within(self, shop_field, at):
        """The stored UTC time `at` falls in the period (in its shop's zone), for the period's shops."""
        return self._any_zone(lambda tz, ids: shop_field.in_(ids) & (at >= self.bounds[tz][0])
                              & (at < self.bounds[tz][-1]))

    def before_end(self, shop_field, at):
        """The stored time is before the period's end (for running balances)."""
        return self._any_zone(lambda tz, ids: shop_field.in_(ids) & (at < self.bounds[tz][-1]))

    def _case_for(self, tz, at, before=None):
        b = self.bounds[tz]
        bounds, numbers = b[1:len(self.starts)], list(range(len(self.starts)))
        if before is not None:
            bounds, numbers = [b[0]] + bounds, [before] + numbers
        return first_below(at, bounds, numbers)

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
        return first_below(day_field, self.starts[1:], list(range(len(self.starts))))

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


def first_below(value, bounds, numbers):
    """SQL: numbers[k] for the first of the ascending `bounds` the value is below, else the last number (one more
    number than bounds; a NULL value gives the last too). A balanced tree of comparisons, not a CASE of one WHEN per
    bound: a year by month is four comparisons a row instead of seven on average, and the year's KPI queries
    bucket every row they read."""
    if len(bounds) <= 2:
        whens = [(value < b, n) for b, n in zip(bounds, numbers)]
        return Case(None, whens, numbers[-1]) if whens else pw.Value(numbers[-1])
    mid = len(bounds) // 2
    return Case(None, [(value < bounds[mid], first_below(value, bounds[:mid], numbers[:mid + 1]))],
                first_below(value, bounds[mid + 1:], numbers[mid + 1:]))


# --- durations in SQL ------------------------------------------------------------------------------------

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
