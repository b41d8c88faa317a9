"""Report periods in the shop's calendar: a day, an ISO week, a month or a year, turned into UTC bounds.

Records are stored in naive UTC; a period is days of the shop's local calendar, so an order delivered
at 23:30 local time counts on that local day. Grouping by local day happens in SQL with a CASE over
the UTC edges of each day, which is right in any time zone (daylight saving included) on SQLite and
PostgreSQL alike.
"""
import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import peewee as pw

from app.core import params
from app.core.timeutil import local_now, to_utc

DAY, WEEK, MONTH, YEAR = 'day', 'week', 'month', 'year'
KINDS = (DAY, WEEK, MONTH, YEAR)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date          # first local day
    end: date            # the local day after the last one
    tz: str

    @property
    def days(self):
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]

    @property
    def last(self):
        return self.end - timedelta(days=1)

    @property
    def start_utc(self):
        return to_utc(datetime.combine(self.start, time()), self.tz)

    @property
    def end_utc(self):
        return to_utc(datetime.combine(self.end, time()), self.tz)

    @property
    def key(self):
        """The period as it is written in a URL: 2026-11-23, 2026-W48, 2026-11 or 2026."""
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
        if self.kind == DAY:
            return period_of(DAY, self.start + timedelta(days=step), self.tz)
        if self.kind == WEEK:
            return period_of(WEEK, self.start + timedelta(days=7 * step), self.tz)
        if self.kind == MONTH:
            month = self.start.month - 1 + step
            return period_of(MONTH, date(self.start.year + month // 12, month % 12 + 1, 1), self.tz)
        return period_of(YEAR, date(self.start.year + step, 1, 1), self.tz)

    def buckets(self):
        """The sub-periods a chart shows: days of a week or month, months of a year."""
        if self.kind == YEAR:
            return [period_of(MONTH, date(self.start.year, m, 1), self.tz) for m in range(1, 13)]
        return [period_of(DAY, d, self.tz) for d in self.days]


def period_of(kind, day, tz):
    """The period of a kind that contains a local day."""
    if kind == DAY:
        return Period(DAY, day, day + timedelta(days=1), tz)
    if kind == WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(WEEK, start, start + timedelta(days=7), tz)
    if kind == MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(MONTH, day.replace(day=1), day.replace(day=last) + timedelta(days=1), tz)
    if kind == YEAR:
        return Period(YEAR, date(day.year, 1, 1), date(day.year + 1, 1, 1), tz)
    raise ValueError(kind)


def parse(kind, text, tz, default_day):
    """A period from its URL form; anything unreadable gives the period of `default_day`; a period outside the
    dates a shop can mean (the year 9999, 0001) is a 400 that says so (app.core.params)."""
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


def last_closed_day(shop, closing):
    """The day a daily report is for by default: today once the shop has closed, else yesterday."""
    now = local_now(shop.timezone)
    hour, minute = (int(x) for x in closing.split(':'))
    today = now.date()
    return today if (now.hour, now.minute) >= (hour, minute) else today - timedelta(days=1)


def bucket(column, edges):
    """SQL: the index of the [edges[i], edges[i+1]) interval a UTC time falls in (None outside)."""
    return pw.Case(None, [((column >= edges[i]) & (column < edges[i + 1]), i) for i in range(len(edges) - 1)],
                   None)

