"""Fixtures for the technician's phone: a dispatched order with two jobs for Tom, and the people around him."""
import pytest

from app.labels.models import KeyTag
from app.reception.models import RepairOrder
from tests import factories
from tests.helpers import sign_in
from tests.workshop.helpers import make_job


@pytest.fixture
def advisor(make_user):
    return make_user('amy', ['advisor'], display_name='Amy')


@pytest.fixture
def tech(make_user):
    return make_user('tom', ['technician'], display_name='Tom')


@pytest.fixture
def tech2(make_user):
    return make_user('tina', ['technician'], display_name='Tina')


@pytest.fixture
def foreman(make_user):
    return make_user('fred', ['foreman'], display_name='Fred')


@pytest.fixture
def as_tech(client, tech):
    return sign_in(client, tech)


@pytest.fixture
def order(shop, advisor, tech):
    car = factories.make_vehicle(shop, factories.make_customer(shop, name='王芳', phone='+8613800138000'),
                                 plate='粤B12345', model='凯美瑞 Camry', colour='白 White')
    ro = make_job(shop, advisor, tech, vehicle=car, complaint='刹车时有异响')
    tag = KeyTag.create(shop=shop, number=17, order_id=ro.id)
    RepairOrder.update(key_tag=tag.id, advisor_notes='Customer waits in the lounge').where(
        RepairOrder.id == ro.id).execute()
    return RepairOrder.get_by_id(ro.id)
