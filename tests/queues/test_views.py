"""Each role's home opens on its queue; the counts on the navigation follow the shop without a reload, an unchanged
queue costing a 204 answered before the app."""
import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from app.core.db import utcnow
from app.dispatch.rules import assign_order
from app.queues.views import waited_words
from app.workshop.models import AddedWork
from tests import factories
from tests.helpers import HX, at_local, count_queries, mid_minute, reload, sign_in

pytestmark = pytest.mark.shop_tz('Asia/Shanghai')


def _version(body):
    return re.search(r'id="queue-nav"[^>]*data-version="([^"]+)"', body).group(1)


def _count(body, role):
    return int(re.search(r'data-testid="queue-count-%s" data-count="(\d+)"' % role, body).group(1))


def _keys(body):
    return re.findall(r'data-testid="queue-item" data-key="([^"]+)"', body)


@pytest.fixture(autouse=True)
def _after_hours():
    """While the workshop is open a technician without a job is one of the foreman's items too (app.queues.floor):
    these tests count the cars, so they run on a weekday evening, whatever time of day the suite runs."""
    with at_local('2026-12-02 20:00', tz='Asia/Shanghai', tick=True):
        yield


@pytest.fixture
def floor(shop, make_user):
    class Floor:
        advisor = make_user('ava', ['advisor'])
        foreman = make_user('fred', ['foreman'])
        tech = make_user('tia', ['technician'])
        boss = make_user('mia', ['manager'])
        both = make_user('bea', ['advisor', 'foreman'])
    f = Floor()
    f.order = factories.make_order(shop, f.advisor)
    return f


def test_home_opens_on_the_queue_with_the_menu_one_tap_away(client, floor):
    """The foreman would land on a grid of tiles with nothing telling him a car waits to be signed in."""
    body = sign_in(client, floor.foreman).get('/').get_data(as_text=True)
    assert body.index('data-testid="work-queue"') < body.index('id="menu"')
    assert 'acceptance:%d' % floor.order.id in _keys(body)
    assert 'href="#menu"' in body and 'class="tile"' in body and 'href="/dispatch"' in body
    assert _count(body, 'foreman') == 1


def test_each_item_says_its_deadline_and_links_where_it_is_done(client, floor):
    """An item without its deadline or its one tap to the place it is done would leave the person guessing."""
    body = sign_in(client, floor.foreman).get('/').get_data(as_text=True)
    item = body[body.index('data-key="acceptance:%d"' % floor.order.id):]
    item = item[:item.index('</li>')]
    assert 'href="/dispatch"' in item and 'min left' in item and 'within 10 min of check-in' in item
    assert floor.order.vehicle.plate in item


def test_several_roles_see_their_roles_items_and_a_count_each(client, floor):
    """Someone who is advisor and foreman would see only one of the two queues."""
    AddedWork.create(shop=floor.order.shop, order=floor.order, requested_by=floor.tech, description='x',
                     hours=Decimal('1'))
    body = sign_in(client, floor.both).get('/').get_data(as_text=True)
    keys = _keys(body)
    assert any(k.startswith('acceptance:') for k in keys) and any(k.startswith('added_work:') for k in keys)
    assert _count(body, 'advisor') == 1 and _count(body, 'foreman') == 1
    only = client.get('/?role=advisor').get_data(as_text=True)
    assert [k.split(':')[0] for k in _keys(only)] == ['added_work']


def test_manager_sees_what_is_late_across_the_shop(client, floor, shop):
    """The manager would not see a car the foreman left waiting past the acceptance deadline."""
    sign_in(client, floor.boss)
    assert 'acceptance:%d' % floor.order.id not in _keys(client.get('/').get_data(as_text=True))
    late = factories.make_order(shop, floor.advisor)
    from app.reception.models import RepairOrder
    RepairOrder.update(checked_in_at=late.checked_in_at - timedelta(minutes=30)).where(
        RepairOrder.id == late.id).execute()
    body = client.get('/').get_data(as_text=True)
    assert 'acceptance:%d' % late.id in _keys(body) and _count(body, 'manager') == 1


def test_a_technician_sees_his_own_jobs_only(client, floor, shop, make_user):
    """A technician's phone would list another technician's cars."""
    other = make_user('tom', ['technician'])
    assign_order(reload(floor.order), floor.foreman, other)
    body = sign_in(client, floor.tech).get('/').get_data(as_text=True)
    assert _keys(body) == [] and _count(body, 'technician') == 0 and 'data-testid="queue-empty"' in body
    body = sign_in(client, other).get('/').get_data(as_text=True)
    assert _keys(body) == ['job:%d' % floor.order.id]


def test_poll_is_204_while_unchanged_and_the_new_counts_after_a_change(client, floor):
    """The counts would go stale until a reload, or cost a full queue for every idle screen every few seconds."""
    with mid_minute():
        sign_in(client, floor.foreman)
        home = client.get('/').get_data(as_text=True)
        version = _version(home)
        assert 'hx-get="/queues/poll?since=%s&amp;list=1"' % version in home
        calls = []
        app = client.application
        real = app.full_dispatch_request
        app.full_dispatch_request = lambda: calls.append(1)
        try:
            idle = client.get('/queues/poll?since=%s&list=1' % version, headers=HX)
        finally:
            app.full_dispatch_request = real
        assert idle.status_code == 204 and not calls and idle.get_data() == b''
        assign_order(reload(floor.order), floor.foreman, floor.tech)
        app.config['BOARD_VERSION_TTL'] = 0        # the fast path reads the version at most this often
        changed = client.get('/queues/poll?since=%s&list=1' % version, headers=HX)
        body = changed.get_data(as_text=True)
        assert changed.status_code == 200 and '<html' not in body
        assert _count(body, 'foreman') == 0 and 'hx-swap-oob="true"' in body and _keys(body) == []
        assert client.get('/queues/poll?since=%s' % _version(body), headers=HX).status_code == 204


def test_other_pages_show_the_counts_seen_last_and_fetch_them_when_unknown(client, floor):
    """Another page's navigation would lose the count, or read the whole queue while drawing every page."""
    with mid_minute():
        sign_in(client, floor.foreman)
        first = client.get('/orders').get_data(as_text=True)
        assert 'id="queue-nav"' in first and 'hx-trigger="load"' in first and 'data-testid="queue-count' not in first
        client.get('/')
        again = client.get('/orders').get_data(as_text=True)
        assert _count(again, 'foreman') == 1 and 'hx-trigger="every 10s"' in again


def test_a_person_without_a_queue_has_no_counts(client, shop, make_user):
    """Someone with no role would get an empty counter on every page."""
    nobody = make_user('nora', [])
    body = sign_in(client, nobody).get('/').get_data(as_text=True)
    assert 'id="queue-nav"' not in body and 'data-testid="work-queue"' not in body and 'id="menu"' in body


def test_qc_sees_the_cars_waiting_for_inspection_and_for_how_long(client, floor, make_user):
    """The inspector would not see a car handed over for inspection, how long it has waited, or open it in one tap."""
    from app.core import audit, stages
    from tests.helpers import at_stage
    order = at_stage(floor.order, stages.READY_FOR_QC)
    audit.record('order.stage', 'repair_order', order.id, shop=order.shop_id, actor=None,
                 before={'stage': stages.IN_PROGRESS}, after={'stage': stages.READY_FOR_QC})
    body = sign_in(client, make_user('quinn', ['qc'])).get('/').get_data(as_text=True)
    assert _keys(body) == ['inspect:%d' % order.id]
    item = body[body.index('data-key="inspect:%d"' % order.id):]
    assert 'waiting 0 min' in item[:item.index('</li>')] and 'href="/qc/orders/%d"' % order.id in item
    assert client.get('/qc/orders/%d' % order.id).status_code == 200     # the tap opens the inspection, not a 405


@pytest.mark.parametrize('minutes, en, zh', [(40, 'waiting 40 min', '已等 40 分钟'),
                                             (185, 'waiting 3 h 05 min', '已等 3 小时 05 分钟'),
                                             (2606 * 60, 'waiting 108 days', '已等 108 天')])
def test_a_long_wait_reads_in_days(app, minutes, en, zh):
    """A warranty file waiting since summer read "waiting 2606 h", which nobody can picture."""
    with app.test_request_context():
        with force_locale('en'):
            assert waited_words(SimpleNamespace(waited=minutes)) == en
        with force_locale('zh'):
            assert waited_words(SimpleNamespace(waited=minutes)) == zh


def test_the_managers_home_reads_each_setting_once_and_does_not_grow_with_the_orders(client, floor, shop):
    """The manager's home, the heaviest queue, would slow down with every car on the floor (a query per setting
    asked, per car)."""
    def cost():
        with count_queries() as seen:
            assert client.get('/').status_code == 200
        return seen
    sign_in(client, floor.boss)
    for _ in range(2):
        factories.make_order(shop, floor.advisor, promised_at=utcnow() - timedelta(hours=1))
    few = cost()
    for _ in range(8):
        factories.make_order(shop, floor.advisor, promised_at=utcnow() - timedelta(hours=1))
    many = cost()
    assert len(many) == len(few)
    assert sum(1 for q in many if 'FROM "setting"' in q) == 1
    assert len(many) <= 55
