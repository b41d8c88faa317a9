"""Eligibility: the maker's warranty (3 years / 60,000 km) and the three-guarantee period (2 years / 50,000 km)."""
from datetime import date

import pytest

from app.core.models import Setting
from app.warranty.eligibility import eligibility, is_early
from tests.warranty.helpers import car

SOLD = date(2024, 3, 10)


@pytest.fixture
def sold(shop):
    return car(shop, sold=SOLD)


@pytest.mark.parametrize('day, km, expected', [
    (date(2024, 3, 10), 0, (True, True)),              # the sale day itself
    (date(2026, 3, 10), 12000, (True, True)),          # exactly 2 years: still inside
    (date(2026, 3, 11), 12000, (True, False)),         # one day over 2 years
    (date(2025, 6, 1), 50000, (True, True)),           # exactly 50,000 km
    (date(2025, 6, 1), 50001, (True, False)),          # one km over
    (date(2027, 3, 10), 59000, (True, False)),         # exactly 3 years
    (date(2027, 3, 11), 59000, (False, False)),        # one day over 3 years
    (date(2025, 6, 1), 60000, (True, False)),          # exactly 60,000 km
    (date(2025, 6, 1), 60001, (False, False)),         # one km over
])
def test_eligibility_edges(shop, sold, day, km, expected):
    """A car one day or one km past a period must not be waved through (nor refused on the last day)."""
    within_w, within_tg, text = eligibility(sold, day, km, shop)
    assert (within_w, within_tg) == expected
    assert '2024-03-10' in text


def test_explanation_says_which_limit_ended(shop, sold):
    """The clerk's reason shows why: the date or the distance."""
    _w, _tg, by_date = eligibility(sold, date(2026, 3, 11), 100, shop)
    assert 'ended on 2026-03-10' in by_date
    _w, _tg, by_km = eligibility(sold, date(2025, 1, 1), 50001, shop)
    assert 'ended at 50,000 km' in by_km and 'covered, until 2027-03-10' in by_km


def test_leap_day_sale_ends_on_28_february(shop):
    """A car sold on 29 February has its anniversary on the 28th in common years."""
    leap = car(shop, sold=date(2024, 2, 29))
    assert eligibility(leap, date(2026, 2, 28), 0, shop)[1] is True
    assert eligibility(leap, date(2026, 3, 1), 0, shop)[1] is False


def test_no_sale_date_is_never_covered(shop):
    """Without a sale date the clerk must be told to enter it, not given a guess."""
    unknown = car(shop, sold=None)
    within_w, within_tg, text = eligibility(unknown, date(2025, 1, 1), 100, shop)
    assert (within_w, within_tg) == (False, False) and 'No sale date' in text


def test_periods_are_settings(shop, sold):
    """A maker with a 4-year warranty: the shop changes the setting, the rule follows."""
    Setting.create(shop=shop, key='warranty_years', value='4')
    Setting.create(shop=shop, key='three_guarantee_km', value='40000')
    assert eligibility(sold, date(2028, 3, 10), 100, shop)[0] is True
    assert eligibility(sold, date(2025, 1, 1), 40001, shop)[1] is False


@pytest.mark.parametrize('day, km, early', [
    (date(2024, 5, 9), 3000, True),        # day 60 (sale day not counted), exactly 3,000 km
    (date(2024, 5, 10), 100, False),       # day 61
    (date(2024, 4, 1), 3001, False),       # one km over
])
def test_early_failure_window(shop, sold, day, km, early):
    """The 60-day / 3,000 km window is inclusive on both limits."""
    assert is_early(sold, day, km, shop) is early
