"""Fixtures for the status-link tests: a shop with staff, a signed order and its link."""
import pytest

from tests import factories
from tests.status.helpers import token_of


@pytest.fixture
def staff(shop, make_user):
    return {'advisor': make_user('amy', ['advisor']), 'tech': make_user('tom', ['technician']),
            'manager': make_user('max', ['manager']),
            'boss': make_user('bob', ['advisor', 'foreman', 'technician', 'qc', 'manager'])}


@pytest.fixture
def order(shop, staff):
    customer = factories.make_customer(shop, name='王秘密', phone='+8613912345678', language='zh')
    car = factories.make_vehicle(shop, customer, plate='粤B12345', vin='LVGBE40K8GP123457')
    return factories.make_order(shop, staff['advisor'], vehicle=car)


@pytest.fixture
def token(order):
    return token_of(order)


