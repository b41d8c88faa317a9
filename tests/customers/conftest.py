"""Customer-file fixtures: a signed-in advisor and a few customers with vehicles, made through the rules."""
import random

import pytest

from app.customers import rules
from tests import factories
from tests.customers.helpers import vin


@pytest.fixture
def advisor(make_user):
    return make_user('amy', ['advisor'])


@pytest.fixture
def desk(client, auth, advisor):
    """The advisor's tablet, signed in."""
    auth.login('amy')
    return client


@pytest.fixture
def files(shop, advisor):
    """Three customers: 王小明 with one car, 李娜 with two, a company with none; VINs end 100001…"""
    elsewhere = factories.make_shop('ZZ9')
    for i in range(7):   # customer ids then differ from vehicle ids: a mix-up of the two fails a test
        factories.make_customer(elsewhere, name='他店%d' % i)
    wang = rules.create_customer(shop, advisor, name='王小明', phone='138 1234 5678')
    li = rules.create_customer(shop, advisor, name='李娜', phone='+86 139 0000 1111', phone2='020 8888 1234')
    co = rules.create_customer(shop, advisor, kind='company', name='深圳市鹏程物流有限公司', phone='0755 2688 1234')
    cars = {
        'wang_car': rules.create_vehicle(shop, advisor, wang, vin=vin('100001'), plate='粤B3K9L2', make='丰田 Toyota',
                                     model='凯美瑞 Camry', year=2021, mileage=42000),
        'li_car': rules.create_vehicle(shop, advisor, li, vin=vin('100002'), plate='湘A77881', make='本田 Honda',
                                   model='雅阁 Accord', mileage=8000),
        'li_car2': rules.create_vehicle(shop, advisor, li, vin=vin('100003'), plate='粤BD12345', make='比亚迪 BYD',
                                    model='汉 Han EV', mileage=1200),
    }
    return {'wang': wang, 'li': li, 'co': co, **cars}


@pytest.fixture
def rng():
    return random.Random(5)
