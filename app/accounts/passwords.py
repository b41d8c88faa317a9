"""What a new password must be: long enough, not one of the passwords everybody tries, not the user name.

The common passwords are the 30,000 of the zxcvbn package (MIT; the "passwords" frequency list, lower case),
loaded the first time a password is set, never at sign-in: the policy applies when a password is chosen, so an
account made before it (the demo's `servicebay`) still signs in.
"""
import functools
import re

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 128
# Keyboard runs and counting that zxcvbn finds by pattern rather than listing them (1234567890, qwertyuiop…).
_RUNS = ('01234567890', '09876543210', 'abcdefghijklmnopqrstuvwxyz', 'zyxwvutsrqponmlkjihgfedcba',
         'qwertyuiop', 'poiuytrewq', 'asdfghjkl', 'lkjhgfdsa', 'zxcvbnm', 'mnbvcxz')


@functools.lru_cache(maxsize=1)
def common_passwords():
    """The common-password list as a frozenset of lower-case strings (loaded once per process)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS
    return frozenset(p.lower() for p in FREQUENCY_LISTS['passwords'])


def _too_simple(lowered):
    """One or two characters, a short piece repeated, or a run of the keyboard or the alphabet."""
    if len(set(lowered)) <= 2 or re.fullmatch(r'(.{1,5})\1+', lowered):
        return True
    return any(lowered in run for run in _RUNS)


def password_problem(password, username=None):
    """None when a new password is acceptable, else the message to show (in the user's language)."""
    password = password or ''
    if len(password) < MIN_LENGTH:
        return _l('A password needs at least %(n)d characters.', n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l('A password has at most %(n)d characters.', n=MAX_LENGTH)
    lowered = password.lower()
    name = (username or '').strip().lower()
    if name and name in lowered:
        return _l('A password must not contain the user name.')
    squeezed = re.sub(r'\s+', '', lowered)
    if lowered in common_passwords() or squeezed in common_passwords() or _too_simple(squeezed):
        return _l('This password is one of the most common ones and is guessed first. Choose another.')
    return None
