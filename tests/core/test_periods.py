"""Buckets in SQL (app.core.periods): the bucket number a stored time falls in, on both databases."""
import random

import peewee as pw

from app.core import db as core_db
from app.core.periods import first_below


def _run(expr):
    return core_db.db.execute(pw.Select(columns=[expr.alias('n')])).fetchone()[0]


def test_first_below_numbers_a_value_as_a_case_of_one_when_per_bound_would(app):
    """The KPI queries bucket every row by a balanced tree of comparisons: each value gets the number of the first
    bound it is below (the last number past every bound, and for NULL), whatever the number of bounds."""
    rng = random.Random(7)
    with core_db.connection():
        for n in (0, 1, 2, 3, 7, 12, 13):
            bounds = sorted(rng.sample(range(10, 200), n))
            numbers = [-1] + list(range(n))           # -1: before the first bound, as Buckets.bucket(before=-1)
            for value in [5, 10, 199, 250] + bounds + [b - 1 for b in bounds] + [None]:
                want = next((numbers[k] for k, b in enumerate(bounds) if value is not None and value < b), numbers[-1])
                got = _run(first_below(pw.Value(value), bounds, numbers))
                assert got == want, (bounds, value, got, want)
