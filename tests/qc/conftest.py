"""Fixtures for QC: the inspector, two technicians and a car handed over for inspection."""
import pytest

from tests.helpers import sign_in
from tests.qc.helpers import make_ready


@pytest.fixture
def staff(make_user):
    return {'qc': make_user('quinn', ['qc'], display_name='Quinn QC'),
            'foreman': make_user('fred', ['foreman'], display_name='Fred Foreman'),
            'advisor': make_user('amy', ['advisor'], display_name='Amy Advisor'),
            'tom': make_user('tom', ['technician'], display_name='Tom Tech'),
            'tina': make_user('tina', ['technician'], display_name='Tina Tech')}


@pytest.fixture
def qc_client(client, staff):
    return sign_in(client, 'quinn')


@pytest.fixture
def ready(shop, staff):
    return make_ready(shop, staff)
