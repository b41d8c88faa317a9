"""The one search box: plate, phone, VIN or its last 6, name; ranking; shops; a fixed number of queries."""
import pytest

from app.core import db as core_db
from app.customers import rules
from app.customers.search import EXACT, find_customers, search
from tests import factories
from tests.customers.helpers import vin


def plates(matches):
    return [m.vehicle.plate if m.vehicle else None for m in matches]


def names(matches):
    return [m.customer.name for m in matches]


@pytest.mark.parametrize('q', ['粤B3K9L2', 'B3K9L2', 'b3k9l2', '粤B 3K9L2', '粤b·3k9l2', 'Ｂ３Ｋ９Ｌ２'])
def test_whole_plate_with_or_without_province_and_in_any_typing(files, shop, q):
    """A returning car typed as the customer says it would not be found, or not as the best match."""
    found = search(shop, q)
    assert found[0].vehicle.id == files['wang_car'].id
    assert found[0].exact and found[0].kind == 'plate'
    assert found[0].customer.name == '王小明'


@pytest.mark.parametrize('q', ['B3K', '粤B3K', 'b3k', '粤B3'])
def test_plate_prefix_with_or_without_province(files, shop, q):
    """Typing the start of the plate would not bring the car up."""
    assert plates(search(shop, q)) == ['粤B3K9L2']


def test_province_typed_narrows_to_that_province(files, shop, advisor):
    """"湘A7" must not list a Guangdong car with the same letters, and "A7" lists both."""
    other = factories.make_customer(shop, name='赵六')
    rules.create_vehicle(shop, advisor, other, vin=vin('100009'), plate='粤A77123', make='丰田 Toyota',
                         model='雷凌 Levin')
    assert plates(search(shop, '湘A7')) == ['湘A77881']
    assert sorted(plates(search(shop, 'A77'))) == ['湘A77881', '粤A77123']


@pytest.mark.parametrize('q', ['138', '1381234', '138 1234 5678', '138-1234-5678', '+86 138 1234 5678',
                               '8613812345678', '(138) 1234-5678', '0086 138 1234 5678', '13812345678'])
def test_phone_in_any_format(files, shop, q):
    """The customer's mobile typed with spaces, dashes or the country code would not find them."""
    found = search(shop, q)
    assert found and found[0].customer.id == files['wang'].id
    assert found[0].kind == 'phone' and found[0].vehicle.id == files['wang_car'].id


def test_full_phone_is_an_exact_match_and_landlines_work(files, shop):
    """A whole number must rank as exact; a landline typed with its area code must be found."""
    assert search(shop, '13812345678')[0].exact
    assert not search(shop, '1381234')[0].exact
    assert names(search(shop, '0755 2688')) == ['深圳市鹏程物流有限公司']
    assert names(search(shop, '0755-2688-1234')) == ['深圳市鹏程物流有限公司']


def test_too_few_digits_find_nothing_by_phone(files, shop):
    """Two digits would list half the customer base."""
    assert search(shop, '13') == []


def test_vin_whole_and_last_six(files, shop):
    """The VIN read off the windscreen, or just its last 6, must find the car."""
    whole = search(shop, vin('100002').lower())
    assert whole[0].vehicle.id == files['li_car'].id and whole[0].exact and whole[0].kind == 'vin'
    tail = search(shop, '100003')
    assert tail[0].vehicle.id == files['li_car2'].id and tail[0].kind == 'vin_tail'


def test_name_prefix_and_part_of_a_name(files, shop):
    """A customer's surname, or a word inside a company's name, must find them."""
    assert plates(search(shop, '王')) == ['粤B3K9L2']
    li = search(shop, '李娜')
    assert sorted(plates(li)) == ['湘A77881', '粤BD12345']        # both of her cars
    company = search(shop, '鹏程')
    assert names(company) == ['深圳市鹏程物流有限公司'] and company[0].vehicle is None


def test_customer_without_vehicle_is_a_result(files, shop):
    """A customer on file without a car would look as if they were not on file at all."""
    (match,) = search(shop, '深圳市')
    assert match.vehicle is None and match.customer.id == files['co'].id
    assert not match.customer.has_vehicle


def test_three_keystrokes_find_a_returning_customer(files, shop, advisor):
    """With many customers, three characters of the plate or the name must bring the right one up."""
    for i in range(40):
        person = factories.make_customer(shop, name='陈%02d' % i)
        factories.make_vehicle(shop, person)
    assert files['wang_car'].id in [m.vehicle.id for m in search(shop, 'B3K')]
    assert files['wang_car'].id in [m.vehicle.id for m in search(shop, '王小明'[:3])]
    assert files['wang_car'].id in [m.vehicle.id for m in search(shop, '王小')]


def test_exact_matches_rank_first(files, shop, advisor):
    """The car whose whole plate was typed must come before cars whose plate only starts the same."""
    factories.make_customer(shop, name='B3K9L2 Trading')   # a name that starts the same: last
    owner = factories.make_customer(shop, name='赵六')
    rules.create_vehicle(shop, advisor, owner, vin=vin('100010'), plate='粤B3K9L2F', make='比亚迪 BYD', model='元 Yuan')
    found = search(shop, 'B3K9L2')
    assert plates(found) == ['粤B3K9L2', '粤B3K9L2F', None]
    assert [m.rank == EXACT for m in found] == [True, False, False]
    assert found[-1].kind == 'name'


def test_vin_tail_ranks_before_phone_prefix(shop, advisor):
    """Six digits that are a car's VIN tail must show that car before customers whose phone starts so."""
    caller = rules.create_customer(shop, advisor, name='周杰', phone='13900011112')
    rules.create_vehicle(shop, advisor, caller, vin=vin('555555'), plate='粤B55555', make='丰田 Toyota',
                         model='凯美瑞 Camry')
    other = rules.create_customer(shop, advisor, name='吴静', phone='13900012222')
    rules.create_vehicle(shop, advisor, other, vin=vin('139000'), plate='粤B66666', make='丰田 Toyota',
                         model='凯美瑞 Camry')
    found = search(shop, '139000')
    assert found[0].vehicle.plate == '粤B66666' and found[0].kind == 'vin_tail'
    assert names(found) == ['吴静', '周杰']            # 吴静's car once, at its best rank
    assert found[1].kind == 'phone'


def test_results_stay_in_the_shop(files, shop, advisor):
    """Staff of one shop must never find another shop's customers or cars."""
    other = factories.make_shop('S2')
    stranger = rules.create_customer(other, advisor, name='王大锤', phone='13812340000')
    rules.create_vehicle(other, advisor, stranger, vin=vin('100001'), plate='粤B3K9L3', make='丰田 Toyota',
                         model='卡罗拉 Corolla')
    for q in ('B3K', '王', '1381234', '100001', vin('100001'), '粤B3K9L3'):
        for m in search(shop, q):
            assert m.customer.shop_id == shop.id and (m.vehicle is None or m.vehicle.shop_id == shop.id), q
    assert search(shop, '粤B3K9L3') == []
    assert [m.customer.name for m in search(other, '王')] == ['王大锤']


def test_limit_is_respected(shop):
    """A one-letter query must not load thousands of rows into the page."""
    for i in range(30):
        factories.make_vehicle(shop, factories.make_customer(shop, name='黄%02d' % i), plate='粤B9%04d' % i)
    assert len(search(shop, 'B9', limit=20)) == 20
    assert len(search(shop, '黄', limit=5)) == 5


def test_find_customers_lists_each_customer_once(files, shop):
    """Picking a new owner must not list a two-car customer twice."""
    assert [c.name for c in find_customers(shop, '李')] == ['李娜']


def test_empty_query_finds_nothing(files, shop):
    """An empty box must show the hint, not the whole customer list."""
    assert search(shop, '') == [] and search(shop, '   ') == []


class QueryCounter:
    def __init__(self, monkeypatch):
        self.count = 0
        database = core_db.db.obj
        original = database.execute_sql

        def counting(sql, params=None, *args, **kwargs):
            self.count += 1
            return original(sql, params, *args, **kwargs)
        monkeypatch.setattr(database, 'execute_sql', counting)


@pytest.mark.parametrize('q, prefix', [('B8', '粤B8'), ('陈', None)])
def test_query_count_does_not_grow_with_matches(shop, monkeypatch, q, prefix):
    """Search must stay fast as the shop grows: one query per match would slow every keystroke."""
    def counted(n):
        counter = QueryCounter(monkeypatch)
        found = search(shop, q)
        monkeypatch.undo()
        return counter.count, len(found)

    def add(start, n):
        for i in range(start, start + n):
            owner = factories.make_customer(shop, name='陈%03d' % i)
            factories.make_vehicle(shop, owner, plate='粤B8%04d' % i)
            if i % 3 == 0:
                factories.make_customer(shop, name='陈无车%03d' % i)   # customers without a car, too

    add(0, 2)
    few_queries, few = counted(2)
    add(2, 16)
    many_queries, many = counted(18)
    assert many > few >= 2
    assert many_queries == few_queries <= 6
