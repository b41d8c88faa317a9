"""The dashboard and drill-down pages, a dealer group across time zones, and who may see them."""
from datetime import date, datetime
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest

from app.kpi import engine, specs, views
from app.reception.models import RepairOrder
from tests import factories
from tests.helpers import sign_in
from tests.kpi import known_month as km


@pytest.fixture
def month(app):
    return km.build()


def _manager(month, client, shops=None):
    sign_in(client, factories.make_user('mona', ['manager'], shops or [month.shop]))


def _berlin(month):
    """A second shop one time zone over: 23:30 and 00:30 local at the turn of the month."""
    shop = factories.make_shop('BE', name='Berlin', timezone='Europe/Berlin')
    for number, delivered in (('BE-1', datetime(2026, 3, 31, 21, 30)), ('BE-2', datetime(2026, 3, 31, 22, 30))):
        v = factories.make_vehicle(shop, factories.make_customer(shop))
        RepairOrder.create(shop=shop, customer=v.owner, vehicle=v, stage='closed', number=number,
                           checkin_step='done', checked_in_at=delivered.replace(hour=8),
                           promised_at=delivered.replace(hour=20), delivered_at=delivered)
    return shop


def test_a_group_counts_each_shop_on_its_own_calendar(month):
    """A dealer group's figures would put an order in the wrong month for a shop in another time zone."""
    berlin = _berlin(month)
    ids = [month.shop.id, berlin.id]
    f = engine.compute(ids, km.START, km.END, ['car_count', 'timeliness'], now=km.NOW)
    assert f['car_count'].value == 5 and (f['timeliness'].numerator, f['timeliness'].denominator) == (2, 5)
    weeks = engine.trend(ids, 'car_count', km.START, km.END, 'week', now=km.NOW)
    assert [f.value for _d, f in weeks] == [0, 1, 1, 1, 0, 2]
    april = engine.compute([berlin.id], date(2026, 4, 1), date(2026, 5, 1), ['car_count'], now=km.NOW)
    assert april['car_count'].value == 1


def test_dashboard_shows_every_figure_with_its_target_and_chart(month, client):
    """The manager would open an empty or broken dashboard."""
    _manager(month, client)
    resp = client.get('/kpi/?start=2026-03-01&last=2026-03-31&scope=shop')
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    for name in specs.DASHBOARD:
        assert 'id="kpi-%s"' % name in html, name
    assert html.count('<svg class="kpi-chart"') == len(specs.DASHBOARD)
    assert '50.0%' in html                       # timeliness 2 / 4
    assert '¥1,104.00' in html                    # receivables at the end of March
    assert 'name=compliance_acceptance' in html and 'status=late' in html
    # each bar of a weekly trend opens that week's rows: the week of 30 March is cut at the month's end
    assert 'start=2026-03-30&amp;last=2026-03-31' in html or 'last=2026-03-31&amp;start=2026-03-30' in html
    assert 'Vary' in resp.headers and 'HX-Request' in resp.headers['Vary']


def test_dashboard_wall_layout_and_trend_by_month(month, client):
    """The wall screen would show the desk layout, or the trend would ignore the chosen grouping."""
    _manager(month, client)
    resp = client.get('/kpi/?start=2026-01-01&last=2026-12-31&by=month&view=wall')
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'kpi-wall' in html and 'by month' in html


def test_a_bad_period_is_refused_in_place(month, client):
    """A reversed period would crash or silently show another period instead of saying what is wrong."""
    _manager(month, client)
    resp = client.get('/kpi/?start=2026-03-31&last=2026-03-01')
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'before its start' in html and 'value="2026-03-31"' in html and 'value="2026-03-01"' in html
    assert client.get('/kpi/?start=not-a-date').status_code == 400


def test_drill_down_page_lists_the_orders(month, client):
    """A number's link would open a list without the orders it counts."""
    _manager(month, client)
    resp = client.get('/kpi/drill?name=compliance_acceptance&start=2026-03-01&last=2026-03-31&status=late')
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'RO-2' in html and 'RO-1' not in html
    assert '/orders/%d' % month.o2.id in html
    assert client.get('/kpi/drill?name=nope').status_code == 404
    assert client.get('/kpi/drill').status_code == 302


def test_group_scope_needs_the_shops_of_the_manager(month, client):
    """A manager would see a shop they do not belong to in the group figures."""
    berlin = _berlin(month)
    _manager(month, client)                         # only in the known-month shop
    html = client.get('/kpi/drill?name=car_count&start=2026-03-01&last=2026-03-31&scope=group').get_data(True)
    assert 'BE-1' not in html and 'RO-1' in html
    sign_in(client, factories.make_user('gina', ['manager'], [month.shop, berlin]))
    html = client.get('/kpi/drill?name=car_count&start=2026-03-01&last=2026-03-31&scope=group').get_data(True)
    assert 'BE-1' in html and 'BE-2' not in html


def test_only_managers_see_the_dashboard(month, client):
    """An advisor would read the whole shop's figures and everyone's compliance."""
    sign_in(client, 'amy')
    assert client.get('/kpi/').status_code == 403
    assert client.get('/kpi/drill?name=timeliness').status_code == 403


def test_drill_links_are_the_arguments_urlencoded(app):
    """A drill-down link quoted by hand would lose or garble the period, scope or a value with spaces or 中文."""
    form = SimpleNamespace(scope=SimpleNamespace(data='group'), view=SimpleNamespace(data=None))
    start, end = date(2026, 1, 1), date(2027, 1, 1)
    with app.test_request_context('/kpi/'):
        url = views._drill_url(form, start, end)
        for extra in ({}, {'name': 'receivables'}, {'name': 'tech_efficiency', 'status': 'good'},
                      {'name': 'x', 'start': '2026-03-01', 'last': '2026-03-31'}, {'name': 'a b&c=d/中文'}):
            assert url(**extra) == '/kpi/drill?' + urlencode(views._args(form, start, end, **extra)), extra
            assert url(**extra) == url(**extra)
