"""Fixtures for settlement and delivery: staff, a finished order with jobs, parts, belongings and a key tag
(tests/settlement/helpers.py builds it)."""
import pytest

from tests.helpers import signed_in
from tests.settlement.helpers import build_order


@pytest.fixture
def advisor(make_user):
    return make_user('amy', ['advisor'], display_name='Amy Advisor')


@pytest.fixture
def manager(make_user):
    return make_user('max', ['manager'], display_name='Max Manager')


@pytest.fixture
def desk(app, advisor):
    """The advisor's tablet, signed in."""
    return signed_in(app, 'amy')


@pytest.fixture
def boss(app, manager):
    return signed_in(app, 'max')


@pytest.fixture
def order(shop, advisor):
    return build_order(shop, advisor)[0]
