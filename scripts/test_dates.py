"""Run the calendar-dependent tests with the whole process tree's clock moved to hard days (Debian's faketime).

    python scripts/test_dates.py                      # every day in DAYS, one after the other
    python scripts/test_dates.py month-start leap-day # some of them
    python scripts/test_dates.py --at '2027-07-01 00:05' --tz Asia/Shanghai [-- pytest args]

Each day is a local wall-clock time in a shop's time zone. The offset from the real clock is computed once
and given to libfaketime as a relative offset, so every process (pytest's workers, the browser tests'
server, Chromium) sees the same moving clock. The tests' shops and the demo's use that time zone
(TEST_SHOP_TZ). Only the SQLite pass: a PostgreSQL server keeps its own clock.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]

# name: (local time, shop time zone, why it is hard)
DAYS = {
    'year-start': ('2027-01-01 00:05', 'Asia/Shanghai', 'the first minutes of a year (and of a month)'),
    'month-start': ('2027-03-01 00:05', 'Asia/Shanghai', 'the first minutes of a month after a short February'),
    'leap-day': ('2028-02-29 23:40', 'Asia/Shanghai', 'the last day of February in a leap year, late at night'),
    'sunday-night': ('2026-12-13 23:40', 'Asia/Shanghai', 'a Sunday night: the week ends in twenty minutes'),
    'berlin-spring': ('2027-03-28 03:10', 'Europe/Berlin', 'the night a Berlin shop puts its clocks forward'),
}

# The tests whose answers depend on the calendar: appointments and their reminders, pickup notices, follow-up
# windows, maintenance reminders and complaint deadlines, warranty periods, settlement and receivable ages, the
# progress-check window, shift ends, status-link expiry, KPI periods, reports and scorecards, sale dates, the demo,
# and the browser tests of the reports, the dashboard and the board.
TESTS = [
    'tests/appointments', 'tests/aftercare', 'tests/messages', 'tests/warranty', 'tests/kpi', 'tests/reports',
    'tests/settlement', 'tests/approvals/test_progress.py', 'tests/workshop/test_clock.py', 'tests/status/test_page.py',
    'tests/customers/test_files.py', 'tests/approvals/test_demo.py',
    # the demo at the moved clock (its other cases pin their own hard days, the same on every day of this run)
    'tests/core/test_demo.py::test_demo_is_realistic_and_idempotent',
    'tests/core/test_demo.py::test_demo_shows_a_working_shop_whatever_the_date[now]',
    'tests/browser/test_reports.py', 'tests/browser/test_board.py', 'tests/browser/test_kpi.py',
]
# The dashboard's fit on eight screen and layout pairs is the same check on any day: one pair (the narrowest screen)
# is enough here; the main run checks all eight.
ONLY = ['-k', 'not fits_every_screen or tablet-phone']


def offset_to(local, tz):
    """Seconds from now to a wall-clock time in a time zone."""
    target = datetime.strptime(local, '%Y-%m-%d %H:%M').replace(tzinfo=ZoneInfo(tz))
    return int(target.timestamp() - time.time())


def run(name, local, tz, pytest_args):
    # the monotonic clock moves by the same offset: libfaketime's sleeps go wrong when only the wall clock does
    env = dict(os.environ, TEST_SHOP_TZ=tz, FAKETIME_NO_CACHE='1')
    offset = offset_to(local, tz)
    command = ['faketime', '-m', '-f', '%+d' % offset, sys.executable, '-m', 'pytest', '-q',
               '-n', os.environ.get('TEST_WORKERS', 'auto'), '--dist', 'loadfile'] + (pytest_args or ONLY + TESTS)
    print('== %s: %s %s (%s)' % (name, local, tz, DAYS.get(name, ('', '', 'as asked'))[2]), flush=True)
    started = time.monotonic()
    done = subprocess.run(command, cwd=str(ROOT), env=env)
    print('== %s: %s in %.0f s' % (name, 'passed' if done.returncode == 0 else 'FAILED', time.monotonic() - started),
          flush=True)
    return done.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('days', nargs='*', help='names from DAYS (default: all)')
    parser.add_argument('--at', help="a local time 'YYYY-MM-DD HH:MM' instead of the named days")
    parser.add_argument('--tz', default='Asia/Shanghai', help='the shop time zone of --at')
    argv = sys.argv[1:]
    rest = argv[argv.index('--') + 1:] if '--' in argv else []
    args = parser.parse_args(argv[:argv.index('--')] if '--' in argv else argv)
    if shutil.which('faketime') is None:
        sys.exit('faketime is not installed (apt-get install faketime)')
    if args.at:
        runs = [('at', args.at, args.tz)]
    else:
        unknown = [d for d in args.days if d not in DAYS]
        if unknown:
            sys.exit('unknown day(s) %s; choose from %s' % (', '.join(unknown), ', '.join(DAYS)))
        runs = [(d, DAYS[d][0], DAYS[d][1]) for d in (args.days or DAYS)]
    failed = [name for name, local, tz in runs if not run(name, local, tz, rest)]
    if failed:
        sys.exit('date run failed on: %s' % ', '.join(failed))


if __name__ == '__main__':
    main()
