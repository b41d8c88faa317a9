"""Search by what people read off the car or remember: any part of the plate, the phone's last 4."""
import pytest

from app.customers import rules
from app.customers.search import PLATE_PREFIX, search
from tests import factories
from tests.customers.helpers import vin


def plates(matches):
    return [m.vehicle.plate if m.vehicle else None for m in matches]


@pytest.fixture
def byd(files, shop, advisor):
    owner = rules.create_customer(shop, advisor, name='陈静', phone='137 2468 5737')
    return rules.create_vehicle(shop, advisor, owner, vin=vin('135737'), plate='粤BD35737', make='比亚迪 BYD',
                                model='汉 Han EV')


@pytest.mark.parametrize('q', ['5737', '35737', 'D357', 'd3573', '573'])
def test_any_part_of_the_plate_finds_the_car(byd, shop, q):
    """"5737" read off the back of a car did not find 粤BD35737: only the start of a plate was searched."""
    assert byd.plate in plates(search(shop, q))


def test_a_plate_part_ranks_after_a_plate_that_starts_with_it(files, byd, shop, advisor):
    """A plate starting with what was typed is the likelier car: it comes first."""
    other = factories.make_customer(shop, name='周强')
    rules.create_vehicle(shop, advisor, other, vin=vin('200001'), plate='粤D35700', make='丰田 Toyota', model='卡罗拉')
    found = search(shop, 'D357')
    assert plates(found)[:2] == ['粤D35700', '粤BD35737'] and found[0].rank == PLATE_PREFIX


def test_the_phones_last_four_find_the_customer(files, byd, shop):
    """A customer who gives "the last four of my number" must be found."""
    found = search(shop, '5678')
    assert [m.customer.name for m in found] == ['王小明'] and found[0].kind == 'phone'
    assert '陈静' in [m.customer.name for m in search(shop, '5737')]      # the phone's tail and the plate's


def test_vin_last_six_still_finds_the_car(files, byd, shop):
    """The VIN's last 6 keeps working beside the new plate parts."""
    assert search(shop, '135737')[0].vehicle.id == byd.id


def test_a_plate_part_with_a_province_or_too_short_scans_nothing(files, byd, shop):
    """"粤5737" is not a plate start, two digits would list half the cars: no plate part for either."""
    assert search(shop, '粤5737') == [] and search(shop, '37') == []


def test_parts_stay_in_the_shop(files, byd, shop, advisor):
    """Another shop's car with the same digits must not show."""
    other_shop = factories.make_shop('S2')
    factories.make_vehicle(other_shop, factories.make_customer(other_shop, name='外店'), plate='粤BX5737A')
    assert plates(search(shop, '5737')) == ['粤BD35737']
