"""The shop's list of vehicle makes and models: typed makes matched to it, the manager's page, reports, migration."""

import peewee as pw
import pytest

from app.core import db as core_db
from app.core import periods
from app.core.db import utcnow
from app.core.models import Event
from app.core.timeutil import shop_today
from app.customers import makes, rules
from app.customers.models import Vehicle, VehicleMake
from app.reports.business import business_report
from tests import factories
from tests.customers.helpers import vin


@pytest.fixture
def listed(shop):
    """The shop keeps the common makes and models."""
    makes.add_common(shop)
    return shop


@pytest.fixture
def boss(make_user):
    return make_user('boss', ['manager'])


def _car(shop, by, serial, make, model='凯美瑞'):
    owner = factories.make_customer(shop)
    return rules.create_vehicle(shop, by, owner, vin=vin(serial), plate='粤B%s' % serial[-5:], make=make, model=model)


@pytest.mark.parametrize('typed', ['丰田', '丰田 Toyota', 'TOYOTA', 'toyota', '一汽丰田', 'Ｔｏｙｏｔａ'])
def test_every_spelling_of_a_make_is_one_entry(listed, boss, typed):
    """"丰田" and "丰田 Toyota" would count as two makes in every report."""
    car = _car(listed, boss, '100001', typed, model='凯美瑞 Camry')
    toyota = VehicleMake.get((VehicleMake.shop == listed) & (VehicleMake.name == '丰田'))
    assert car.make_entry_id == toyota.id and car.make == '丰田'
    assert car.model_entry.name == '凯美瑞' and car.model == '凯美瑞'
    assert VehicleMake.for_shop(listed).count() == len(makes.COMMON)


def test_a_make_not_on_the_list_is_added_once(listed, boss):
    """A new brand would be refused at the counter, or typed twice make two entries."""
    first = _car(listed, boss, '100002', '理想', model='L7')
    second = _car(listed, boss, '100003', ' 理想 ', model='l7')
    assert first.make_entry_id == second.make_entry_id and first.model_entry_id == second.model_entry_id
    assert VehicleMake.for_shop(listed).count() == len(makes.COMMON) + 1
    assert Event.select().where(Event.action == 'vehicle_make.added').count() == 1


def test_changing_a_vehicle_make_keeps_the_list(listed, boss):
    """Correcting a vehicle's make would leave it counted under the old one."""
    car = _car(listed, boss, '100004', '本田', model='雅阁')
    rules.update_vehicle(car, boss, make='Honda', model='Civic')
    car = Vehicle.get_by_id(car.id)
    assert (car.make, car.model) == ('本田', '思域') and car.model_entry.make.name == '本田'


def test_the_vehicle_form_offers_the_list(client, auth, listed, boss):
    """The advisor would have to type the make from memory (and type it differently every time)."""
    owner = factories.make_customer(listed)
    auth.login('boss')
    body = client.get('/customers/%d/vehicles/new' % owner.id).get_data(as_text=True)
    assert 'list="make-list"' in body and '<datalist id="make-list">' in body and '<option value="丰田">' in body
    assert 'list="model-list"' in body and '<option value="凯美瑞">丰田</option>' in body


def test_reports_count_by_the_list(listed, boss):
    """The business report would list 丰田 and 丰田 Toyota as two vehicle types."""
    today = shop_today(listed)
    for serial, typed in (('100005', '丰田'), ('100006', '丰田 Toyota'), ('100007', 'BYD')):
        car = _car(listed, boss, serial, typed, model='汉 Han EV' if typed == 'BYD' else 'Camry')
        factories.make_order(listed, boss, vehicle=car)
    report = business_report(listed, periods.period_of('day', today, listed.timezone))
    assert report.vehicles_in.by_type == [('丰田', '凯美瑞', 2), ('比亚迪', '汉', 1)]


def test_manager_adds_renames_and_merges(client, auth, listed, boss):
    """The manager could not tidy the list: a make typed two ways would stay two makes forever."""
    auth.login('boss')
    assert client.get('/vehicle-makes').status_code == 200
    assert client.post('/vehicle-makes', data={'name': '丰田汽车', 'aliases': 'Toyota Motor'}).status_code == 302
    dup = VehicleMake.get((VehicleMake.shop == listed) & (VehicleMake.name == '丰田汽车'))
    car = _car(listed, boss, '100008', '丰田汽车', model='普拉多')
    assert car.make_entry_id == dup.id
    toyota = makes.find_make(listed, '丰田')
    assert client.post('/vehicle-makes/%d/merge' % dup.id, data={'into': toyota.id}).status_code == 302
    car = Vehicle.get_by_id(car.id)
    assert car.make_entry_id == toyota.id and car.make == '丰田' and car.model_entry.make_id == toyota.id
    assert makes.find_make(listed, '丰田汽车').id == toyota.id      # the merged name is now a spelling of 丰田
    resp = client.post('/vehicle-makes/%d' % toyota.id, data={'name': '丰田 TOYOTA', 'aliases': 'Toyota'})
    assert resp.status_code == 302 and Vehicle.get_by_id(car.id).make == '丰田 TOYOTA'
    resp = client.post('/vehicle-makes/%d/models' % toyota.id, data={'model_name': '威兰达', 'model_aliases': 'Wildlander'})
    assert resp.status_code == 302 and makes.find_model(toyota, 'Wildlander').name == '威兰达'


def test_a_duplicate_make_is_refused_with_what_was_typed(client, auth, listed, boss):
    """Adding a make already on the list would make two, or lose what the manager typed."""
    auth.login('boss')
    resp = client.post('/vehicle-makes', data={'name': ' 丰田', 'aliases': 'Toyota'})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and '丰田 is already on the list.' in body and 'value="Toyota"' in body
    assert VehicleMake.for_shop(listed).count() == len(makes.COMMON)


def test_only_the_manager_keeps_the_list(client, auth, listed, make_user):
    """An advisor could rename or merge the shop's makes."""
    make_user('amy', ['advisor'])
    auth.login('amy')
    assert client.get('/vehicle-makes').status_code == 403
    toyota = makes.find_make(listed, '丰田')
    assert client.post('/vehicle-makes/%d' % toyota.id, data={'name': 'x'}).status_code == 403


def test_migration_maps_typed_makes_to_the_list(tmp_path):
    """Vehicles on file before the list would stay counted under every spelling typed."""
    database = core_db.open_database('sqlite:///%s' % (tmp_path / 'old.db'))
    database.connect()
    try:
        runner = core_db.migration_runner(database)
        runner.up(target='0016_money_and_promises')
        from app.core.models import Shop
        from app.customers.models import Customer
        now = utcnow()
        with database.bind_ctx([Shop, Customer, Vehicle]):
            shop = Shop.create(code='S9', name='九号店', timezone='Asia/Shanghai')
            owner = pw.Table('customer').bind(database).insert(      # 0016's columns, as the old form wrote them
                shop_id=shop.id, kind='person', name='王', phone='+8613800000000', phone2='', language='zh',
                consent_contact=True, note='', created_at=now).execute()
            typed = [('丰田', '凯美瑞'), ('丰田 Toyota', '凯美瑞 Camry'), ('TOYOTA', 'CAMRY'), ('五菱', '宏光MINI')]
            for i, (make, model) in enumerate(typed):   # the columns of 0016, written as the old form did
                Vehicle.insert(shop=shop, owner=owner, vin='VIN%014d' % i, vin_tail='%06d' % i, plate='粤B1000%d' % i,
                               plate_key='B1000%d' % i, make=make, model=model, created_at=now).execute()
        assert runner.up(target='0017_vehicle_makes') == ['0017_vehicle_makes']
        rows = database.execute_sql(
            "SELECT v.make, v.model, m.name, mo.name FROM vehicle v JOIN vehicle_make m ON m.id = v.make_entry_id "
            "JOIN vehicle_model mo ON mo.id = v.model_entry_id ORDER BY v.id").fetchall()
        assert rows == [('丰田', '凯美瑞', '丰田', '凯美瑞')] * 3 + [('五菱', '宏光MINI', '五菱', '宏光MINI')]
        names = {r[0] for r in database.execute_sql("SELECT name FROM vehicle_make").fetchall()}
        assert {'丰田', '本田', '大众', '日产', '别克', '宝马', '奔驰', '奥迪', '比亚迪', '吉利', '五菱'} == names
    finally:
        database.close()
