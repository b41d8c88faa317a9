"""Fixtures for the labels area: a shop with an advisor and a manager, an order, a few key tags."""
import pytest

from app.labels import rules
from tests import factories


@pytest.fixture
def advisor(make_user):
    return make_user('amy', ['advisor'], display_name='Amy')


@pytest.fixture
def manager(make_user):
    return make_user('max', ['manager'], display_name='Max')


@pytest.fixture
def signed_in(client, advisor):
    """The test client signed in as the advisor."""
    client.post('/login', data={'username': 'amy', 'password': factories.PASSWORD})
    return client


@pytest.fixture
def as_manager(client, manager):
    client.post('/login', data={'username': 'max', 'password': factories.PASSWORD})
    return client


@pytest.fixture
def car(shop):
    owner = factories.make_customer(shop, name='王芳')
    return factories.make_vehicle(shop, owner, plate='粤B12345', model='凯美瑞 Camry')


@pytest.fixture
def order(shop, advisor, car):
    return factories.make_order(shop, advisor, vehicle=car)


@pytest.fixture
def tags(shop, manager):
    return rules.add_key_tags(shop, manager, 3)


@pytest.fixture
def hooks(shop, manager):
    return rules.add_key_hooks(shop, manager, 3)


@pytest.fixture
def other_shop():
    """Shop B with its own order and key tag."""
    b = factories.make_shop('B1', name='二号店 Shop B')
    boss = factories.make_user('b_boss', ['manager'], [b])
    car = factories.make_vehicle(b, factories.make_customer(b, name='赵六'), plate='粤Z99999')
    return {'shop': b, 'order': factories.make_order(b, boss, vehicle=car),
            'tag': rules.add_key_tags(b, boss, 1)[0]}
