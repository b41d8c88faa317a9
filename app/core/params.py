"""Values read from the query string (?date=, ?at=, ?month=, ?page=, an id): one place that checks their bounds.

A value nobody could have meant (the year 9999 or 0001, a page number of 20 digits, a period of fifty years) is
answered with a 400 that says in the user's language what to change, instead of crashing date arithmetic or the
database. A value that cannot be read at all keeps each page's old behaviour (its default), so a stale bookmark
still opens. `refuse_oversized` (a before_request hook) is the net under every other view: no query value longer
than MAX_VALUE_LENGTH, and no whole number beyond what a database id can hold.
"""
import re
from datetime import date, timedelta

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

# Dates a workshop can mean in an address: its history and its bookings, not the edges of the calendar.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
# Report and KPI periods: at most three years (the longest comparison a manager makes), in days.
MAX_PERIOD_YEARS = 3
MAX_PERIOD_DAYS = MAX_PERIOD_YEARS * 366
MAX_PAGE = 100000
MAX_ID = 2 ** 63 - 1                      # a BIGINT, the widest id either database stores
MAX_VALUE_LENGTH = 2000                   # one query-string value (a search, a `next` path)

_WHOLE_NUMBER = re.compile(r'^\s*[+-]?\d+\s*$')

# What a refused value is told, in the user's language.
DATE_OUT_OF_BOUNDS = _l('Choose a date between %(first)d and %(last)d.', first=FIRST_DAY.year, last=LAST_DAY.year)
PERIOD_TOO_LONG = _l('Choose a period of at most %(years)d years.', years=MAX_PERIOD_YEARS)
NO_SUCH_PAGE = _l('There is no such page: page numbers go up to %(last)d.', last=MAX_PAGE)
NUMBER_TOO_LARGE = _l('A number in the address is too large.')
ADDRESS_TOO_LONG = _l('The address is too long. Go back and try again.')
MESSAGES = (DATE_OUT_OF_BOUNDS, PERIOD_TOO_LONG, NO_SUCH_PAGE, NUMBER_TOO_LARGE, ADDRESS_TOO_LONG)


class BadParameter(BadRequest):
    """A 400 whose page says what was wrong with the address (app.core.web shows description_override)."""

    def __init__(self, message):
        super().__init__()
        self.description_override = message


def date_problem(day):
    """None when a date is one a shop can mean, else the message to show."""
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        return DATE_OUT_OF_BOUNDS
    return None


def period_problem(start, end):
    """None when [start, end) is a period a report or KPI may cover, else the message to show."""
    problem = date_problem(start) or date_problem(end - timedelta(days=1))
    if problem:
        return problem
    if (end - start).days > MAX_PERIOD_DAYS:
        return PERIOD_TOO_LONG
    return None


def check_date(day):
    """The date, or a 400 when it is out of bounds."""
    problem = date_problem(day)
    if problem:
        raise BadParameter(problem)
    return day


def check_period(start, end):
    """The period [start, end), or a 400 when it is out of bounds or too long."""
    problem = period_problem(start, end)
    if problem:
        raise BadParameter(problem)
    return start, end


def date_arg(name, default=None):
    """?name=YYYY-MM-DD as a date; `default` when missing or unreadable; a 400 when out of bounds."""
    try:
        day = date.fromisoformat(request.args.get(name, '').strip()[:10])
    except ValueError:
        return default
    return check_date(day)


def month_arg(name, default=None):
    """?name=YYYY-MM as the month's first day; `default` when missing or unreadable; a 400 when out of bounds."""
    text = request.args.get(name, '').strip()
    if not re.fullmatch(r'\d{4}-\d{1,2}', text):
        return default
    year, month = (int(x) for x in text.split('-'))
    if not 1 <= month <= 12:
        return default
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise BadParameter(DATE_OUT_OF_BOUNDS)
    return date(year, month, 1)


def page_arg(name='page'):
    """?page=N for a list: 1 when missing or unreadable; a 400 beyond MAX_PAGE (no offset overflows the database)."""
    text = request.args.get(name, '').strip()
    if not text.isdecimal():
        return 1
    page = int(text)
    if page > MAX_PAGE:
        raise BadParameter(NO_SUCH_PAGE)
    return max(page, 1)


def id_value(text):
    """A record id typed in an address: an int, None when not a number, a 400 when no record could have it."""
    text = (text or '').strip()
    if not _WHOLE_NUMBER.match(text):
        return None
    value = int(text)
    if abs(value) > MAX_ID:
        raise BadParameter(NUMBER_TOO_LARGE)
    return value


def id_arg(name):
    """?name=<id> as an int (None when missing or not a number); a 400 for a number no record could have."""
    return id_value(request.args.get(name))


def refuse_oversized():
    """before_request: any query value too long to be meant, or a whole number no id could be, is a 400."""
    for values in request.args.listvalues():
        for value in values:
            if len(value) > MAX_VALUE_LENGTH:
                raise BadParameter(ADDRESS_TOO_LONG)
            if _WHOLE_NUMBER.match(value):
                id_value(value)
