"""The live progress board: columns from the stage declaration, cards, no customer data, cheap polling."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app.board import queries
from app.board.views import time_left_text
from app.core import audit, stages
from app.core import db as core_db
from app.core.db import transaction, utcnow
from app.core.models import Event
from app.dispatch import rules
from app.reception.models import OrderLine
from app.workshop.models import AddedWork, PartsRequest, TimeEntry
from tests import factories
from tests.dispatch.helpers import build_floor, make_waiting_order
from tests.helpers import HX, TEST_DB, mid_minute, sign_in


@pytest.fixture
def floor(app, shop, monkeypatch):
    # The board's version also carries the minute (so "time left" refreshes); hold it still in tests.
    monkeypatch.setattr(queries, 'clock_bucket', lambda: 1000)
    app.config['BOARD_VERSION_TTL'] = 0       # the fast path reads the database on every poll here
    return build_floor(shop)


def _order_in(floor, stage_path, i, **kw):
    """An order dispatched to Tom and moved along `stage_path`."""
    order = make_waiting_order(floor, i, **kw)
    rules.assign_order(order, floor.foreman, floor.techs[0], floor.bays[0])
    with transaction():
        for to in stage_path:
            stages.move(order, to, by=floor.foreman)
    return order


def _columns(body):
    return re.findall(r'class="board-col col-([a-z_]+)', body)


def _token(body):
    return re.search(r'data-version="([^"]+)"', body).group(1)


# --- what is on it -------------------------------------------------------------------------------

def test_columns_are_the_open_stages_in_declared_order(client, floor):
    """A stage added to the declaration appears on the board with no second list to forget."""
    body = sign_in(client, floor.foreman).get('/board').get_data(as_text=True)
    expected = [s for s, *_ in stages.STAGES if s in stages.OPEN]
    assert _columns(body) == expected
    assert stages.DRAFT not in _columns(body) and stages.CLOSED not in _columns(body)


def test_columns_follow_a_changed_declaration(client, floor, monkeypatch):
    """The board reads stages.STAGES when it draws: reorder the declaration and the columns follow."""
    declared = [s for s, *_ in stages.STAGES if s in stages.OPEN]
    monkeypatch.setattr(stages, 'STAGES', list(reversed(stages.STAGES)))
    body = sign_in(client, floor.foreman).get('/board/tablet').get_data(as_text=True)
    assert _columns(body) == declared[::-1]


def test_card_shows_plate_model_technician_times_and_badges(client, floor):
    """From across the workshop: which car, who is on it, when it is promised, how long is left, what holds it."""
    late = _order_in(floor, [stages.IN_PROGRESS], 1, promised_at=utcnow() - timedelta(minutes=30))
    with transaction():
        AddedWork.create(shop=floor.shop, order=late, requested_by=floor.techs[0], description='Brake pads')
        PartsRequest.create(shop=floor.shop, order=late, requested_by=floor.techs[0], name='Pads',
                            status=PartsRequest.BACKORDERED)
    on_time = _order_in(floor, [], 2, promised_at=utcnow() + timedelta(hours=9, minutes=30))
    body = sign_in(client, floor.foreman).get('/board').get_data(as_text=True)
    card = body[body.index('id="card-%d"' % late.id):]
    card = card[:card.index('</li>')]
    assert late.vehicle.plate in card and '凯美瑞 Camry' in card and 'Tom Body' in card
    assert 'flag-late' in card and 'flag-approval' in card and 'flag-parts' in card
    assert '-30m' in card or '-31m' in card
    card = body[body.index('id="card-%d"' % on_time.id):]
    card = card[:card.index('</li>')]
    assert 'flag-late' not in card and 'flag-approval' not in card and 'flag-parts' not in card
    assert re.search(r'9h(29|30)m', card)
    assert '1 late' in body


def test_no_customer_names_phones_or_complaints_on_the_board(client, floor):
    """The board hangs where customers walk past: nothing about them may be on it, in any view or update."""
    order = floor.orders[0]
    _order_in(floor, [stages.IN_PROGRESS], 1)
    sign_in(client, floor.foreman)
    secrets = []
    for o in (order,) + tuple(floor.orders):
        secrets += [o.customer.name, o.customer.phone, o.customer.phone[-8:], o.complaint]
    secrets += ['王秘密1', '秘密投诉内容']
    for url in ('/board', '/board/tablet', '/board/poll?since=0&view=wall', '/board/poll?since=0&view=tablet'):
        for headers in ({}, HX):
            body = client.get(url, headers=headers).get_data(as_text=True)
            for secret in secrets:
                assert secret not in body, (url, secret)


def test_other_shops_orders_stay_off(client, floor):
    """A dealer group's second shop has its own board."""
    other = factories.make_shop('S2')
    advisor_b = factories.make_user('bob', ['advisor'], [other])
    car = factories.make_vehicle(other, factories.make_customer(other), plate='粤Z11111')
    factories.make_order(other, advisor_b, vehicle=car)
    assert '粤Z11111' not in sign_in(client, floor.foreman).get('/board').get_data(as_text=True)


def test_wall_shows_every_car_of_a_full_column_most_urgent_first(client, floor):
    """A column fuller than five big cards still shows every car (small cards), the late and soonest first."""
    for i in range(1, 9):
        make_waiting_order(floor, i, promised_at=utcnow() + timedelta(hours=i))
    overdue = make_waiting_order(floor, 20, promised_at=utcnow() - timedelta(hours=1))
    body = sign_in(client, floor.foreman).get('/board').get_data(as_text=True)
    column = body[body.index('col-checked_in'):body.index('col-dispatched')]
    assert column.count('class="bcard') == 10 and '>10<' in column
    assert 'col-more' not in body and 'fit-dense' in body and ' hidden' not in column     # one page: all shown
    assert re.search(r'id="card-(\d+)"', column).group(1) == str(overdue.id)      # the late car first
    tablet = sign_in(client, floor.foreman).get('/board/tablet').get_data(as_text=True)
    assert tablet.count('class="bcard') == 10


def test_a_quiet_day_keeps_the_big_cards(client, floor):
    """Five cars or fewer in every stage: the wall keeps its big cards, one lane per stage, no pages."""
    for i in range(1, 4):
        make_waiting_order(floor, i)
    body = sign_in(client, floor.foreman).get('/board').get_data(as_text=True)
    assert 'fit-normal' in body and 'data-pages="1"' in body and 'board-pager' not in body


@pytest.mark.parametrize('totals', [[30, 36, 120, 24, 24, 21, 9, 15, 21], [0, 0, 300, 0, 0, 0, 0, 0, 0],
                                    [6, 0, 0, 0, 0, 0, 0, 0, 0], [2] * 9, [60] * 9, [400, 1, 0, 0, 0, 0, 0, 0, 0]])
def test_the_wall_layout_places_every_card_on_a_page_that_fits(totals):
    """However full the shop, each card lands on one of the pages, no lane holds more than fits, lanes fill the screen."""
    from app.board.layout import DENSE, fit
    lay = fit(totals)
    assert len(lay.lanes) == len(totals) and all(n >= 1 for n in lay.lanes)
    if lay.mode == 'dense':
        assert sum(lay.lanes) == DENSE[1]
    for i, t in enumerate(totals):
        on_page = {}
        for pos in range(t):
            on_page[lay.page_of(i, pos)] = on_page.get(lay.page_of(i, pos), 0) + 1
        assert set(on_page) <= set(range(lay.pages))
        assert all(n <= lay.lanes[i] * lay.rows for n in on_page.values())
    assert lay.pages == max(1, max(-(-t // (n * lay.rows)) for t, n in zip(totals, lay.lanes)))


def test_any_staff_sees_the_board_and_visitors_are_sent_to_sign_in(client, floor, make_user):
    """Everyone in the shop may look at the board; a board whose session ended goes to the login page."""
    for role in ('technician', 'qc', 'parts', 'customer_service'):
        sign_in(client, make_user('u_' + role, [role]))
        assert client.get('/board').status_code == 200
    anon = client.application.test_client()
    assert anon.get('/board').status_code == 302
    resp = anon.get('/board/poll?since=1', headers=HX)
    assert resp.status_code == 401 and resp.headers['HX-Redirect'].startswith('/login')


# --- live updates -------------------------------------------------------------------------------

def test_poll_is_204_while_nothing_changed_and_the_board_after_a_change(client, floor):
    """Every board must pick up a change within seconds, and cost almost nothing while there is none."""
    with mid_minute():   # the version counts clock minutes: a new minute must not start half-way
        sign_in(client, floor.foreman)
        page = client.get('/board').get_data(as_text=True)
        token = _token(page)
        assert 'hx-get="/board/poll?view=wall&amp;since=%s"' % token in page
        assert 'hx-trigger="every 3s"' in page
        idle = client.get('/board/poll?view=wall&since=%s' % token, headers=HX)
        assert idle.status_code == 204 and idle.get_data() == b''
        order = floor.orders[0]
        rules.assign_order(order, floor.foreman, floor.techs[1])   # checked in -> dispatched: one stage move
        changed = client.get('/board/poll?view=wall&since=%s' % token, headers=HX)
        assert changed.status_code == 200
        body = changed.get_data(as_text=True)
        assert '<html' not in body and 'id="board"' in body
        assert _token(body) != token
        column = body[body.index('col-dispatched'):body.index('col-in_progress')]
        assert 'card-%d' % order.id in column and 'Tia Engine' in column
        assert client.get('/board/poll?view=wall&since=%s' % _token(body), headers=HX).status_code == 204


def test_version_is_the_shops_newest_event(app, floor):
    """The version lives in the database, so every worker and server computes the same one."""
    other = factories.make_shop('S2')
    newest = Event.select(Event.id).where(Event.shop == floor.shop).order_by(Event.id.desc()).first().id
    assert queries.board_version(floor.shop) == (newest, 1000)
    with transaction():
        audit.record('something', 'x', 1, shop=other)
    assert queries.board_version(floor.shop) == (newest, 1000)   # another shop's change is not ours


def test_unchanged_poll_is_answered_before_the_app(client, floor, monkeypatch):
    """The idle poll of every screen, every 3 s, must not load the user, the shop or open a session."""
    with mid_minute():   # the version counts clock minutes: a new minute must not start half-way
        sign_in(client, floor.foreman)
        token = _token(client.get('/board').get_data(as_text=True))
        calls = []
        monkeypatch.setattr(client.application, 'full_dispatch_request', lambda: calls.append(1))
        resp = client.get('/board/poll?view=wall&since=%s' % token, headers=HX)
        assert resp.status_code == 204 and not calls
        assert resp.headers['Cache-Control'] == 'private, no-store' and 'Set-Cookie' not in resp.headers


def test_fast_path_answers_only_the_screen_it_signed_for(client, floor, make_user):
    """A version copied to another session, forged, or shown without a session goes through the full checks."""
    with mid_minute():   # the version counts clock minutes: a new minute must not start half-way
        olga = make_user('olga', ['advisor'])
        sign_in(client, floor.foreman)
        token = _token(client.get('/board').get_data(as_text=True))
        newest, minute, shop_id, sig = token.split('.')
        other = client.application.test_client()
        sign_in(other, olga)
        resp = other.get('/board/poll?since=%s' % token, headers=HX)
        assert resp.status_code == 200 and 'id="board"' in resp.get_data(as_text=True)   # her own board, re-signed
        forged = '.'.join([newest, minute, shop_id, '0' * 16])
        assert client.get('/board/poll?since=%s' % forged, headers=HX).status_code == 200
        anon = client.application.test_client()
        assert anon.get('/board/poll?since=%s' % token, headers=HX).status_code == 401
        assert client.get('/board/poll?since=%s' % token, headers=HX).status_code == 204


def test_minute_passing_refreshes_time_left(client, floor, monkeypatch):
    """With no change at all, "time left" still has to count down: a new minute is a new version."""
    sign_in(client, floor.foreman)
    token = _token(client.get('/board').get_data(as_text=True))
    monkeypatch.setattr(queries, 'clock_bucket', lambda: 1001)
    assert client.get('/board/poll?view=wall&since=%s' % token, headers=HX).status_code == 200


def test_fragment_for_htmx_and_full_page_otherwise(client, floor):
    """A reload or a boosted link must get the whole page; only htmx's own requests get the fragment."""
    sign_in(client, floor.foreman)
    for url in ('/board', '/board/tablet'):
        full = client.get(url)
        frag = client.get(url, headers=HX)
        boosted = client.get(url, headers=dict(HX, **{'HX-Boosted': 'true'}))
        assert '<html' in full.get_data(as_text=True) and '<html' in boosted.get_data(as_text=True)
        assert '<html' not in frag.get_data(as_text=True) and 'id="board"' in frag.get_data(as_text=True)
        for resp in (full, frag, boosted):
            assert 'HX-Request' in resp.headers['Vary']
            assert resp.headers['Cache-Control'] == 'private, no-store'
    poll = client.get('/board/poll?since=stale&view=tablet', headers=HX)
    assert 'board-tablet' in poll.get_data(as_text=True) and 'HX-Request' in poll.headers['Vary']


# --- cost ---------------------------------------------------------------------------------------

def _count_queries(monkeypatch, fn):
    database = core_db.db.obj
    seen = []
    original = database.execute_sql

    def counting(sql, *args, **kwargs):
        seen.append(sql)
        return original(sql, *args, **kwargs)

    monkeypatch.setattr(database, 'execute_sql', counting)
    try:
        fn()
    finally:
        monkeypatch.setattr(database, 'execute_sql', original)
    return seen


def _busy_floor(floor, start, n):
    """n more orders in every open stage, with assigned jobs, clocks, approvals and parts waiting."""
    path = [[], [stages.IN_PROGRESS], [stages.IN_PROGRESS, stages.WAITING_APPROVAL],
            [stages.IN_PROGRESS, stages.WAITING_PARTS], [stages.IN_PROGRESS, stages.READY_FOR_QC],
            [stages.IN_PROGRESS, stages.READY_FOR_QC, stages.QC_FAILED]]
    for i in range(start, start + n):
        if i % 7 == 6:
            make_waiting_order(floor, i)
            continue
        order = _order_in(floor, path[i % len(path)], i)
        with transaction():
            line = OrderLine.select().where(OrderLine.order == order.id).first()
            TimeEntry.create(shop=floor.shop, technician=floor.techs[0], order=order.id, line=line.id,
                             started_at=utcnow() - timedelta(minutes=20), ended_at=utcnow())
            AddedWork.create(shop=floor.shop, order=order, requested_by=floor.techs[0], description='x',
                             hours=Decimal('1'))
            PartsRequest.create(shop=floor.shop, order=order, requested_by=floor.techs[0], name='y')


def test_query_count_does_not_grow_with_the_number_of_orders(client, floor, monkeypatch):
    """300 cars on the board must cost the same number of queries as 10 (no query per card)."""
    sign_in(client, floor.foreman)
    _busy_floor(floor, 1, 9)
    urls = ('/board', '/board/tablet', '/board/poll?since=0&view=wall')
    small = {u: _count_queries(monkeypatch, lambda u=u: client.get(u)) for u in urls}
    _busy_floor(floor, 10, 50)
    assert sum(c.total for c in queries.board(floor.shop)) == 60
    big = {u: _count_queries(monkeypatch, lambda u=u: client.get(u)) for u in urls}
    for u in urls:
        assert len(big[u]) == len(small[u]), (u, len(small[u]), len(big[u]))
        assert len(big[u]) <= 11, big[u]     # signing in (3), the version, the cards and what holds them
    token = _token(client.get('/board').get_data(as_text=True))
    idle = _count_queries(monkeypatch, lambda: client.get('/board/poll?since=%s' % token, headers=HX))
    assert len(idle) == 1, idle     # the version, and nothing else while nothing changed


def test_an_index_covers_the_version_query(app, floor):
    """Hundreds of screens ask for the version every few seconds: it must be one index lookup."""
    indexes = {tuple(i.columns) for i in core_db.db.obj.get_indexes('event')}
    assert ('shop_id', 'id') in indexes
    if TEST_DB != 'postgres':
        plan = core_db.db.obj.execute_sql('EXPLAIN QUERY PLAN SELECT MAX(id) FROM event WHERE shop_id = ?',
                                          (floor.shop.id,)).fetchall()
        assert 'INDEX' in str(plan)


def test_time_left_text():
    """Short enough for a wall card, with a minus once the promise has passed."""
    assert time_left_text(None) == ''
    assert time_left_text(timedelta(minutes=45)) == '45m'
    assert time_left_text(timedelta(hours=3, minutes=5)) == '3h05m'
    assert time_left_text(timedelta(hours=19, minutes=59)) == '19h'
    assert time_left_text(-timedelta(minutes=30)) == '-30m'
    assert time_left_text(-timedelta(hours=2, minutes=1)) == '-2h01m'
