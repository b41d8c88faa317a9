"""Times are stored in naive UTC and shown in the shop's time zone; calendar arithmetic on local days."""
from calendar import monthrange
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


def to_local(dt, tz_name):
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name))


def to_utc(local_dt, tz_name):
    """A naive local wall-clock time (from a form) to naive UTC for storage."""
    aware = local_dt.replace(tzinfo=ZoneInfo(tz_name))
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


def local_now(tz_name):
    return datetime.now(ZoneInfo(tz_name))


def shop_today(shop):
    """The shop's calendar day now: at 00:05 in Shanghai it is already tomorrow in UTC's terms."""
    return local_now(shop.timezone).date()


def add_months(day, months):
    """The same calendar day `months` later (or earlier); the month's last day when it has none
    (31 Jan + 1 month = 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


# The zones on China Standard Time that people call Beijing time (北京时间).
BEIJING_ZONES = {'Asia/Shanghai', 'Asia/Chongqing', 'Asia/Chungking', 'Asia/Harbin', 'PRC'}


def zone_name(tz_name, locale):
    """A time zone in the reader's words ("北京时间", "Central European Time"), never its database code."""
    from babel.dates import get_timezone, get_timezone_name
    from flask_babel import gettext
    if tz_name in BEIJING_ZONES:
        return gettext('Beijing time')
    return get_timezone_name(get_timezone(tz_name), locale=locale)
