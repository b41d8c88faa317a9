"""Fixtures for the advisor's desk: staff, a car in the workshop and the technician's added-work requests."""
from datetime import timedelta

import pytest

from app.core import stages
from app.core.db import utcnow
from tests import factories
from tests.helpers import at_stage, sign_in


@pytest.fixture
def staff(make_user):
    return {'advisor': make_user('amy', ['advisor'], display_name='Amy Advisor'),
            'technician': make_user('tom', ['technician'], display_name='Tom Tech'),
            'parts': make_user('pat', ['parts'], display_name='Pat Parts'),
            'manager': make_user('mia', ['manager'], display_name='Mia Manager')}


@pytest.fixture
def advisor_client(client, staff):
    return sign_in(client, 'amy')


@pytest.fixture
def order(shop, staff):
    car = factories.make_vehicle(shop, factories.make_customer(shop, name='王芳'), plate='粤B12345')
    ro = factories.make_order(shop, staff['advisor'], vehicle=car, promised_at=utcnow() + timedelta(hours=4))
    return at_stage(ro, stages.WAITING_APPROVAL)
