"""Fixtures for the appointment tests: a signed-in advisor, a customer with a car."""
import pytest

from tests import factories
from tests.helpers import sign_in


@pytest.fixture
def advisor(client, make_user):
    """An advisor, signed in on `client`."""
    user = make_user('amy', ['advisor'], display_name='Amy Advisor', language='en')
    sign_in(client, 'amy')
    return user


@pytest.fixture
def customer(shop):
    return factories.make_customer(shop, name='张伟', language='en')


@pytest.fixture
def car(shop, customer):
    return factories.make_vehicle(shop, customer, plate='粤B12345')
