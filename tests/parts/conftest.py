"""Fixtures for the parts tests: the clerk, a technician, a car in the workshop and its job line. The builders they
share (requests, parts, ledger rows, answers) are in tests/parts/helpers.py."""
import pytest

from app.core import stages
from app.reception.models import OrderLine
from tests import factories
from tests.helpers import at_stage, sign_in


@pytest.fixture
def staff(make_user):
    return {'parts': make_user('pat', ['parts'], display_name='Pat Parts'),
            'technician': make_user('tom', ['technician'], display_name='Tom Tech'),
            'foreman': make_user('fred', ['foreman'], display_name='Fred Foreman'),
            'advisor': make_user('amy', ['advisor'], display_name='Amy Advisor')}


@pytest.fixture
def clerk_client(client, staff):
    return sign_in(client, 'pat')


@pytest.fixture
def order(shop, staff):
    car = factories.make_vehicle(shop, factories.make_customer(shop), plate='粤B22222')
    ro = factories.make_order(shop, staff['advisor'], vehicle=car)
    return at_stage(ro, stages.IN_PROGRESS)


@pytest.fixture
def line(order):
    return OrderLine.get(OrderLine.order == order)
