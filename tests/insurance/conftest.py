"""Fixtures for insurance jobs: the desk staff, a shop's insurer and a finished order made an insurance job."""
import pytest

from tests.helpers import signed_in
from tests.insurance.helpers import insurance_order


@pytest.fixture
def advisor(make_user):
    return make_user('amy', ['advisor'], display_name='Amy Advisor')


@pytest.fixture
def manager(make_user):
    return make_user('max', ['manager'], display_name='Max Manager')


@pytest.fixture
def desk(app, advisor):
    return signed_in(app, 'amy')


@pytest.fixture
def boss(app, manager):
    return signed_in(app, 'max')


@pytest.fixture
def job(shop, advisor):
    """A finished order (labour 900 + a part 2,000 = 2,900 before tax) that is an insurance job not yet assessed."""
    return insurance_order(shop, advisor)
