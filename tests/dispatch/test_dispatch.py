"""Dispatch (派工): the foreman's screen, assigning orders and jobs, acceptance, conflicts and repeats."""
import random
from datetime import timedelta

import pytest

from app.accounts import demo as accounts_demo
from app.accounts.models import User
from app.core import stages
from app.core.db import transaction, utcnow
from app.core.models import Event, Shop
from app.dispatch import demo as dispatch_demo
from app.dispatch import rules
from app.reception import demo as reception_demo
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import Bay, TimeEntry
from tests import factories
from tests.dispatch.helpers import build_floor, make_waiting_order
from tests.helpers import HX, sign_in


@pytest.fixture
def floor(app, shop):
    return build_floor(shop)


def _lines(order):
    return list(OrderLine.select().where(OrderLine.order == order.id).order_by(OrderLine.position))


def _fresh(order):
    return RepairOrder.get_by_id(order.id)


def _assign_order(client, order, tech, bay=None, version=None, idem=None, headers=None):
    data = {'technician': tech.id, 'bay': bay.id if bay else '',
            'version': _fresh(order).version if version is None else version}
    if idem:
        data['idem'] = idem
    return client.post('/dispatch/orders/%d/assign' % order.id, data=data, headers=headers or {})


def _assign_line(client, line, tech, bay=None, version=None, headers=None):
    data = {'technician': tech.id, 'bay': bay.id if bay else '',
            'version': OrderLine.get_by_id(line.id).version if version is None else version}
    return client.post('/dispatch/lines/%d/assign' % line.id, data=data, headers=headers or {})


# --- the screen ---------------------------------------------------------------------------------

def test_screen_shows_waiting_orders_technicians_and_bays(client, floor):
    """The foreman must see what waits (promised, hours, skills), who is free for it and which bays are free."""
    order = floor.orders[0]
    body = sign_in(client, floor.foreman).get('/dispatch').get_data(as_text=True)
    assert order.vehicle.plate in body and order.number in body
    assert '3.8 h' in body                      # booked hours of the two jobs
    assert 'paint' in body and 'engine' in body  # skills needed: the canned job's skill, the line's system
    assert 'Tom Body' in body and 'Tia Engine' in body
    assert '0 / 9.5 h' in body                  # booked vs the working day (08:30-18:00)
    assert 'Lift 1' in body and 'Body bay' in body and 'Free' in body


def test_suggestions_put_the_skilled_technician_and_the_right_bay_first(app, floor):
    """One tap should give a body job to the body technician in the body bay, not to whoever is first."""
    waiting = rules.waiting_orders(floor.shop, rules.technicians(floor.shop), rules.bay_states(floor.shop))
    assert waiting[0].skills == ['engine', 'paint']
    assert waiting[0].bay.kind == 'body'
    only_paint = rules.suggest_technicians(['paint'], rules.technicians(floor.shop))
    assert only_paint[0].user.id == floor.techs[0].id


def test_technician_load_and_what_they_are_on_now(client, floor):
    """The foreman balances work by each technician's booked hours and sees who is clocked on where."""
    order = floor.orders[0]
    tom = floor.techs[0]
    sign_in(client, floor.foreman)
    assert _assign_order(client, order, tom, floor.bays[1]).status_code == 302
    line = _lines(order)[0]
    with transaction():
        TimeEntry.create(shop=floor.shop, technician=tom, order=order.id, line=line.id, started_at=utcnow())
    loads = {t.user.id: t for t in rules.technicians(floor.shop)}
    assert str(loads[tom.id].booked_hours) == '3.80' and loads[tom.id].on_now.line_id == line.id
    body = client.get('/dispatch').get_data(as_text=True)
    assert '3.8 / 9.5 h' in body and 'On now' in body and 'Paint the door' in body
    busy = {b.bay.id: b for b in rules.bay_states(floor.shop)}
    assert busy[floor.bays[1].id].busy and not busy[floor.bays[0].id].busy


# --- assigning ----------------------------------------------------------------------------------

def test_assign_whole_order_accepts_and_dispatches(client, floor):
    """One tap gives every job to the technician and bay, signs the car in to the second and moves it on."""
    order = floor.orders[0]
    tom, bay = floor.techs[0], floor.bays[1]
    before = utcnow().replace(microsecond=0)
    resp = _assign_order(sign_in(client, floor.foreman), order, tom, bay)
    assert resp.status_code == 302
    fresh = _fresh(order)
    assert fresh.stage == stages.DISPATCHED
    assert fresh.accepted_by == floor.foreman.id
    assert fresh.accepted_at.microsecond == 0 and before <= fresh.accepted_at <= utcnow()
    assert fresh.version == order.version + 1
    for line in _lines(order):
        assert (line.status, line.technician_id, line.bay_id) == (stages.LINE_ASSIGNED, tom.id, bay.id)
    actions = [e.action for e in Event.for_record('repair_order', order.id).order_by(Event.id)]
    assert actions[-5:] == ['order.stage', 'order.accepted', 'line.status', 'line.status', 'dispatch.order_assigned']


def test_assign_single_lines_splits_the_order(client, floor):
    """A multi-team job is split: the first job signs the car in; the acceptance time stays the first one."""
    order = floor.orders[0]
    paint, oil = _lines(order)
    sign_in(client, floor.foreman)
    assert _assign_line(client, paint, floor.techs[0], floor.bays[1]).status_code == 302
    first = _fresh(order)
    assert first.stage == stages.DISPATCHED and first.accepted_at is not None
    assert _assign_line(client, oil, floor.techs[1], floor.bays[0]).status_code == 302
    assert _fresh(order).accepted_at == first.accepted_at
    paint, oil = _lines(order)
    assert (paint.technician_id, paint.bay_id) == (floor.techs[0].id, floor.bays[1].id)
    assert (oil.technician_id, oil.bay_id) == (floor.techs[1].id, floor.bays[0].id)


def test_unassign_takes_a_job_back_and_the_order_waits_again(client, floor):
    """A job given to the wrong person can be taken back; with nobody on it the order is back in the queue."""
    order = floor.orders[0]
    paint, _oil = _lines(order)
    sign_in(client, floor.foreman)
    _assign_line(client, paint, floor.techs[0])
    paint = OrderLine.get_by_id(paint.id)
    resp = client.post('/dispatch/lines/%d/unassign' % paint.id, data={'version': paint.version})
    assert resp.status_code == 302
    paint = OrderLine.get_by_id(paint.id)
    assert (paint.status, paint.technician_id, paint.bay_id) == (stages.LINE_PENDING, None, None)
    assert _fresh(order).stage == stages.CHECKED_IN
    assert order.vehicle.plate in client.get('/dispatch').get_data(as_text=True)


def test_reassign_and_in_workshop_orders_with_new_jobs_wait_for_dispatch(client, floor):
    """Approved added work on a car already in the workshop needs a technician too: it shows up again."""
    order = floor.orders[0]
    sign_in(client, floor.foreman)
    _assign_order(client, order, floor.techs[1])
    assert not [w for w in rules.waiting_orders(floor.shop) if w.order.id == order.id]
    with transaction():
        extra = OrderLine.create(shop=floor.shop, order=order, description='Wiper blades', labour_hours=1, position=2)
    waiting = [w for w in rules.waiting_orders(floor.shop) if w.order.id == order.id]
    assert waiting and waiting[0].in_workshop and [l.id for l in waiting[0].pending] == [extra.id]
    # the whole-order button on a dispatched order gives the new job (and reassigns the others not started)
    assert _assign_order(client, order, floor.techs[0]).status_code == 302
    assert {l.technician_id for l in _lines(order)} == {floor.techs[0].id}
    assert _fresh(order).stage == stages.DISPATCHED


def test_a_running_job_cannot_be_reassigned(client, floor):
    """Moving a job away while its technician's clock runs would leave a clock on someone else's job."""
    order = floor.orders[0]
    paint, _oil = _lines(order)
    sign_in(client, floor.foreman)
    _assign_line(client, paint, floor.techs[0])
    with transaction():
        stages.move_line(OrderLine.get_by_id(paint.id), stages.LINE_ACTIVE, by=floor.techs[0])
    resp = _assign_line(client, paint, floor.techs[1])
    assert resp.status_code == 400
    assert OrderLine.get_by_id(paint.id).technician_id == floor.techs[0].id


def test_technician_and_bay_must_be_of_this_shop(client, floor):
    """A crafted form must not give a job to another shop's technician or bay."""
    other = factories.make_shop('S2')
    stranger = factories.make_user('sam', ['technician'], [other])
    far_bay = Bay.create(shop=other, number=9, name='Far', kind='lift')
    order = floor.orders[0]
    sign_in(client, floor.foreman)
    assert _assign_order(client, order, stranger).status_code == 400
    assert _assign_order(client, order, floor.techs[0], far_bay).status_code == 400
    assert _fresh(order).stage == stages.CHECKED_IN
    with pytest.raises(rules.DispatchRefused):
        rules.assign_order(order, floor.foreman, stranger)
    Bay.update(active=False).where(Bay.id == floor.bays[0].id).execute()
    with pytest.raises(rules.DispatchRefused):
        rules.assign_order(order, floor.foreman, floor.techs[0], Bay.get_by_id(floor.bays[0].id))
    assert _fresh(order).stage == stages.CHECKED_IN


# --- two people, flaky Wi-Fi --------------------------------------------------------------------------

def test_stale_order_version_is_a_conflict(client, floor):
    """Two foremen dispatching the same car: the second, working from an old screen, gets a conflict."""
    order = floor.orders[0]
    sign_in(client, floor.foreman)
    seen = order.version
    assert _assign_order(client, order, floor.techs[0], version=seen).status_code == 302
    resp = _assign_order(client, order, floor.techs[1], version=seen)
    assert resp.status_code == 409
    assert {l.technician_id for l in _lines(order)} == {floor.techs[0].id}


def test_stale_line_version_is_a_conflict_with_the_fresh_card(client, floor):
    """htmx gets the card as it stands now with the message, in place, not a silent overwrite."""
    order = floor.orders[0]
    paint, _oil = _lines(order)
    sign_in(client, floor.foreman)
    seen = paint.version
    _assign_line(client, paint, floor.techs[0], version=seen)
    resp = _assign_line(client, paint, floor.techs[1], version=seen, headers=HX)
    assert resp.status_code == 409
    body = resp.get_data(as_text=True)
    assert 'id="order-%d"' % order.id in body and 'Someone else changed this a moment ago' in body
    assert 'Tom Body' in body
    assert OrderLine.get_by_id(paint.id).technician_id == floor.techs[0].id


def test_repeated_submit_is_done_once(client, floor):
    """A double tap on flaky Wi-Fi must not write the assignment twice; the repeat gets the current card."""
    order = floor.orders[0]
    sign_in(client, floor.foreman)
    version = order.version
    first = _assign_order(client, order, floor.techs[0], version=version, idem='k-1', headers=HX)
    count = Event.select().count()
    again = _assign_order(client, order, floor.techs[0], version=version, idem='k-1', headers=HX)
    assert first.status_code == 200 and again.status_code == 200
    assert Event.select().count() == count
    assert 'id="order-%d"' % order.id in again.get_data(as_text=True)
    assert _fresh(order).version == version + 1


def test_refused_submit_leaves_the_key_for_a_corrected_retry(client, floor):
    """A stale tap refused with 409 must not burn its key: the retry with fresh data goes through."""
    order = floor.orders[0]
    sign_in(client, floor.foreman)
    assert _assign_order(client, order, floor.techs[0], version=order.version + 5, idem='k-2').status_code == 409
    assert _assign_order(client, order, floor.techs[0], idem='k-2').status_code == 302
    assert _fresh(order).stage == stages.DISPATCHED


# --- htmx ----------------------------------------------------------------------------------------

def test_htmx_assign_swaps_only_the_card_and_the_technicians_load(client, floor):
    """The tablet must update in place: the order's card, and the technician's load out of band."""
    order = floor.orders[0]
    tom = floor.techs[0]
    resp = _assign_order(sign_in(client, floor.foreman), order, tom, floor.bays[1], headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'HX-Request' in resp.headers['Vary']
    assert '<html' not in body and 'id="order-%d"' % order.id in body
    assert 'id="tech-%d" class="tech" hx-swap-oob="true"' % tom.id in body
    assert 'id="bay-%d" class="bay busy" hx-swap-oob="true"' % floor.bays[1].id in body
    assert 'id="tech-%d"' % floor.techs[1].id not in body          # untouched technicians stay as they are
    assert 'Signed into the workshop at' in body and 'Fred Foreman' in body
    assert '3.8 / 9.5 h' in body


def test_without_javascript_the_form_redirects_back(client, floor):
    """The forms work without htmx: a plain post lands back on the screen at the order."""
    order = floor.orders[0]
    resp = _assign_order(sign_in(client, floor.foreman), order, floor.techs[0])
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/dispatch#order-%d' % order.id)


def test_invalid_form_is_refused_with_400(client, floor):
    """A tap with no technician must say so, not crash or assign someone at random."""
    order = floor.orders[0]
    sign_in(client, floor.foreman)
    resp = client.post('/dispatch/orders/%d/assign' % order.id, data={'technician': '', 'version': order.version},
                       headers=HX)
    assert resp.status_code == 400 and 'id="order-%d"' % order.id in resp.get_data(as_text=True)
    resp = client.post('/dispatch/orders/%d/assign' % order.id,
                       data={'technician': floor.techs[0].id, 'version': 'x1'})
    assert resp.status_code == 400
    assert _fresh(order).stage == stages.CHECKED_IN


# --- who may ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('role, can_see, can_assign', [
    ('foreman', True, True), ('manager', True, True), ('advisor', True, False),
    ('technician', False, False), ('qc', False, False), ('parts', False, False)])
def test_roles(client, floor, make_user, role, can_see, can_assign):
    """The foreman and manager dispatch; an advisor may look; the others are refused."""
    user = make_user('who_%s' % role, [role])
    sign_in(client, user)
    page = client.get('/dispatch')
    assert page.status_code == (200 if can_see else 403)
    if can_see:
        assert ('Another technician or bay' in page.get_data(as_text=True)) == can_assign
    order = floor.orders[0]
    resp = _assign_order(client, order, floor.techs[0])
    assert resp.status_code == (302 if can_assign else 403)
    assert (_fresh(order).stage == stages.DISPATCHED) == can_assign


def test_rules_refuse_other_roles(app, floor):
    """The rule itself refuses a technician dispatching work, whatever view calls it."""
    with pytest.raises(stages.IllegalMove):
        rules.assign_order(floor.orders[0], floor.techs[0], floor.techs[0])
    with pytest.raises(stages.IllegalMove):
        rules.assign_line(_lines(floor.orders[0])[0], floor.advisor, floor.techs[0])


def test_closed_orders_cannot_be_dispatched(client, floor):
    """A delivered car is out of the workshop: assigning it is refused."""
    order = floor.orders[0]
    RepairOrder.update(stage=stages.CANCELLED).where(RepairOrder.id == order.id).execute()
    resp = _assign_order(sign_in(client, floor.foreman), order, floor.techs[0])
    assert resp.status_code == 400


# --- bays -------------------------------------------------------------------------------------------

def test_manager_adds_renames_and_deactivates_bays(client, floor):
    """The manager keeps the list of bays true: a new lift, a renamed bay, one out of use."""
    sign_in(client, floor.manager)
    assert client.get('/dispatch/bays').status_code == 200
    resp = client.post('/dispatch/bays', data={'name': 'Lift 3', 'kind': 'lift', 'number': ''})
    assert resp.status_code == 302
    new = Bay.get((Bay.shop == floor.shop) & (Bay.name == 'Lift 3'))
    assert new.number == 3
    assert client.post('/dispatch/bays', data={'name': 'Again', 'kind': 'lift', 'number': '3'}).status_code == 400
    bay = floor.bays[0]
    prefix = 'bay%d-' % bay.id
    resp = client.post('/dispatch/bays/%d' % bay.id, data={prefix + 'name': 'Lift 1 (new)', prefix + 'kind': 'lift',
                                                            prefix + 'version': rules.bay_version(bay)})
    assert resp.status_code == 302
    bay = Bay.get_by_id(bay.id)
    assert bay.name == 'Lift 1 (new)' and not bay.active     # the "in use" box was left unticked
    assert bay.id not in {b.bay.id for b in rules.bay_states(floor.shop)}
    assert Event.select().where(Event.action == 'bay.updated').count() == 1


def test_stale_bay_form_is_a_conflict(client, floor):
    """Two managers editing the same bay: the second one's old form does not silently win."""
    sign_in(client, floor.manager)
    bay = floor.bays[0]
    old = rules.bay_version(bay)
    prefix = 'bay%d-' % bay.id
    rules.update_bay(bay, floor.manager, name='Renamed', kind='lift', active=True)
    resp = client.post('/dispatch/bays/%d' % bay.id, data={prefix + 'name': 'Mine', prefix + 'kind': 'lift',
                                                            prefix + 'active': 'y', prefix + 'version': old})
    assert resp.status_code == 409 and 'changed this a moment ago' in resp.get_data(as_text=True)
    assert 'value="Renamed"' in resp.get_data(as_text=True)              # the bays as they are now
    assert Bay.get_by_id(bay.id).name == 'Renamed'


def test_only_the_manager_edits_bays(client, floor):
    """The foreman uses the bays; changing the list is the manager's."""
    sign_in(client, floor.foreman)
    assert client.get('/dispatch/bays').status_code == 403
    assert client.post('/dispatch/bays', data={'name': 'X', 'kind': 'lift'}).status_code == 403


# --- the demo -----------------------------------------------------------------------------------------

def test_demo_has_bays_and_the_foremans_acceptance(app):
    """A newcomer's demo shows eight bays, cars in the workshop in a bay and signed in by the foreman."""
    rng = random.Random(2026)
    with app.test_request_context():
        for loader in (accounts_demo.load, reception_demo.load, dispatch_demo.load):
            loader(rng)
    shop = Shop.get(Shop.code == 'XH01')
    assert Bay.for_shop(shop).count() == 8
    assert {b.kind for b in Bay.for_shop(shop)} >= {'lift', 'alignment', 'body', 'wash'}
    foreman = User.get(User.username == 'foreman')
    past = RepairOrder.for_shop(shop).where(RepairOrder.stage.not_in([stages.DRAFT, stages.CHECKED_IN]))
    assert past.count() > 0
    for order in past:
        assert order.accepted_by == foreman.id
        assert order.checked_in_at < order.accepted_at <= order.checked_in_at + timedelta(minutes=10)
    in_bays = (OrderLine.select().join(RepairOrder)
               .where((RepairOrder.shop == shop) & (RepairOrder.stage == stages.IN_PROGRESS)
                      & OrderLine.bay_id.is_null(False)))
    assert in_bays.count() > 0
    waiting = rules.waiting_orders(shop)
    assert waiting and all(w.order.stage == stages.CHECKED_IN for w in waiting)
    before = [(l.id, l.bay_id, l.status) for l in OrderLine.select().order_by(OrderLine.id)]
    bays_before = Bay.select().count()
    with app.test_request_context():
        dispatch_demo.load(rng)
    assert Bay.select().count() == bays_before
    assert [(l.id, l.bay_id, l.status) for l in OrderLine.select().order_by(OrderLine.id)] == before


def test_many_waiting_orders_render(client, floor):
    """A busy morning (a dozen cars at once) still shows every card, soonest promised first."""
    for i in range(1, 12):
        make_waiting_order(floor, i, promised_at=utcnow() + timedelta(hours=20 - i))
    body = sign_in(client, floor.foreman).get('/dispatch').get_data(as_text=True)
    assert body.count('class="dispatch-card') == 12
    waiting = rules.waiting_orders(floor.shop)
    promised = [w.order.promised_at for w in waiting]
    assert promised == sorted(promised)


def test_screen_query_count_does_not_grow_with_the_queue(client, floor, monkeypatch):
    """A morning rush of check-ins must not slow the foreman's screen query by query."""
    from app.core import db as core_db
    database = core_db.db.obj
    original = database.execute_sql

    def count():
        seen = []
        monkeypatch.setattr(database, 'execute_sql', lambda sql, *a, **kw: seen.append(sql) or original(sql, *a, **kw))
        try:
            assert client.get('/dispatch').status_code == 200
        finally:
            monkeypatch.setattr(database, 'execute_sql', original)
        return len(seen)

    sign_in(client, floor.foreman)
    small = count()
    for i in range(1, 15):
        make_waiting_order(floor, i)
    _assign_order(client, floor.orders[0], floor.techs[0], floor.bays[0])
    assert count() == small
