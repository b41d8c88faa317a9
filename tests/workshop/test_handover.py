"""The self-check (自检) and the hand-over to QC: only a finished, self-checked car goes to the inspector."""
from decimal import Decimal

from app.core import stages
from app.core.models import Event
from app.reception.models import RepairOrder
from app.workshop import rules
from app.workshop.models import AddedWork
from tests.helpers import HX, reload, sign_in
from tests.workshop.helpers import lines_of, tap

ALL_OK = {'sc_work_done': 'ok', 'sc_parts_fitted': 'ok', 'sc_no_warning_lights': 'ok', 'sc_no_tools_left': 'ok',
          'sc_old_parts_bagged': 'ok', 'sc_road_test': 'na'}


def _finish(client, order):
    for line in lines_of(order):
        tap(client, order, line, 'clock-on')
        tap(client, order, line, 'done')


def _self_check(client, order, **changes):
    data = dict(ALL_OK, version=reload(order).version, **changes)
    return client.post('/jobs/%d/self-check' % order.id, headers=HX, data=data)


def _handover(client, order, htmx=True):
    return client.post('/jobs/%d/handover' % order.id, data={'version': reload(order).version},
                       headers=HX if htmx else {})


def test_handover_moves_a_finished_self_checked_car_to_qc(as_tech, order):
    """All jobs done and the self-check complete: one tap hands the car to the QC inspector."""
    _finish(as_tech, order)
    resp = _self_check(as_tech, order)
    assert resp.status_code == 200
    assert 'Saved by Tom' in resp.get_data(as_text=True)
    saved = rules.self_check_of(reload(order))
    assert saved.passed and saved.items['road_test']['state'] == 'na'
    resp = _handover(as_tech, order)
    assert resp.status_code == 200
    assert 'Handed over to QC' in resp.get_data(as_text=True)
    assert reload(order).stage == stages.READY_FOR_QC
    stage_events = Event.for_record('repair_order', order.id).where(Event.action == 'order.stage')
    assert stage_events.order_by(Event.id.desc()).first().after_data == {'stage': stages.READY_FOR_QC}


def test_self_check_is_required_before_the_handover(as_tech, order):
    """A car whose self-check is not done stays in the workshop, and the phone says what is missing."""
    _finish(as_tech, order)
    resp = _handover(as_tech, order)
    assert resp.status_code == 400
    assert 'Do the self-check first.' in resp.get_data(as_text=True)
    assert reload(order).stage == stages.IN_PROGRESS


def test_every_job_must_be_done_before_the_handover(as_tech, order):
    """A job still open blocks the hand-over, named in the message."""
    first, second = lines_of(order)
    tap(as_tech, order, first, 'clock-on')
    tap(as_tech, order, first, 'done')
    _self_check(as_tech, order)
    resp = _handover(as_tech, order)
    assert resp.status_code == 400 and 'Not all jobs are done: Job 2' in resp.get_data(as_text=True)
    assert reload(order).stage == stages.IN_PROGRESS


def test_self_check_answers_every_item_and_says_what_is_not_ok(as_tech, order):
    """An unanswered item or a "not OK" without a note is explained in place; what was ticked stays."""
    _finish(as_tech, order)
    data = dict(ALL_OK)
    del data['sc_no_tools_left']
    resp = as_tech.post('/jobs/%d/self-check' % order.id, headers=HX, data=dict(data, version=reload(order).version))
    assert resp.status_code == 400 and 'Answer this item.' in resp.get_data(as_text=True)
    resp = _self_check(as_tech, order, sc_no_warning_lights='not_ok')
    assert resp.status_code == 400 and 'Say what is not OK.' in resp.get_data(as_text=True)
    assert reload(order).self_check == '{}'


def test_a_problem_in_the_self_check_blocks_the_handover(as_tech, order):
    """A self-check that found a problem is saved, but the car does not go to QC until it is fixed."""
    _finish(as_tech, order)
    resp = _self_check(as_tech, order, sc_no_warning_lights='not_ok', sc_no_warning_lights_note='ABS light on')
    assert resp.status_code == 200
    resp = _handover(as_tech, order)
    assert resp.status_code == 400 and 'found a problem' in resp.get_data(as_text=True)
    assert _self_check(as_tech, order).status_code == 200
    assert _handover(as_tech, order).status_code == 200


def test_a_job_reopened_after_the_self_check_needs_a_new_one(as_tech, order):
    """Reopening a job after the self-check makes it out of date: check the car again."""
    _finish(as_tech, order)
    _self_check(as_tech, order)
    line = lines_of(order)[0]
    tap(as_tech, order, line, 'clock-on')
    tap(as_tech, order, line, 'done')
    resp = _handover(as_tech, order)
    assert resp.status_code == 400 and 'changed after the self-check' in resp.get_data(as_text=True)
    _self_check(as_tech, order)
    assert _handover(as_tech, order).status_code == 200


def test_no_handover_while_the_customer_has_not_answered(as_tech, order, tech):
    """Added work still waiting for the customer keeps the car out of QC."""
    _finish(as_tech, order)
    _self_check(as_tech, order)
    rules.request_added_work(reload(order), tech, description='Wipers', hours=Decimal('0.2'))
    resp = _handover(as_tech, order)
    assert resp.status_code == 400 and "customer's answer" in resp.get_data(as_text=True)
    assert AddedWork.get().status == AddedWork.PENDING


def test_stale_self_check_gets_409_and_keeps_what_was_typed(as_tech, order, tech):
    """The order changed while the self-check was filled in: 409, the ticks and notes kept, the next tap saves."""
    _finish(as_tech, order)
    seen = reload(order).version
    RepairOrder.update(version=RepairOrder.version + 1).where(RepairOrder.id == order.id).execute()
    data = dict(ALL_OK, version=seen, sc_no_warning_lights='not_ok', sc_no_warning_lights_note='TPMS light')
    resp = as_tech.post('/jobs/%d/self-check' % order.id, headers=HX, data=data)
    assert resp.status_code == 409
    body = resp.get_data(as_text=True)
    assert 'changed this a moment ago' in body and 'TPMS light' in body
    assert 'name="version" value="%d"' % reload(order).version in body
    assert reload(order).self_check == '{}'
    again = as_tech.post('/jobs/%d/self-check' % order.id, headers=HX,
                         data=dict(data, version=reload(order).version))
    assert again.status_code == 200


def test_stale_handover_gets_409_with_the_fresh_piece(as_tech, order):
    """A hand-over tapped on an out-of-date card is refused with the current state."""
    _finish(as_tech, order)
    _self_check(as_tech, order)
    seen = reload(order).version
    RepairOrder.update(version=RepairOrder.version + 1).where(RepairOrder.id == order.id).execute()
    resp = as_tech.post('/jobs/%d/handover' % order.id, headers=HX, data={'version': seen})
    assert resp.status_code == 409 and 'id="handover"' in resp.get_data(as_text=True)
    assert reload(order).stage == stages.IN_PROGRESS


def test_double_tap_on_handover_moves_once(as_tech, order):
    """Two taps on "Hand over to QC" hand it over once and answer both."""
    _finish(as_tech, order)
    _self_check(as_tech, order)
    data = {'version': reload(order).version, 'idem': 'ho-1'}
    assert as_tech.post('/jobs/%d/handover' % order.id, headers=HX, data=data).status_code == 200
    assert as_tech.post('/jobs/%d/handover' % order.id, headers=HX, data=data).status_code == 200
    assert Event.for_record('repair_order', order.id).where(
        Event.action == 'order.stage', Event.after == '{"stage": "ready_for_qc"}').count() == 1


def test_handover_by_another_technician_without_a_job_is_refused(client, order, tech2):
    """Only someone working on the car (or the foreman) hands it over."""
    sign_in(client, tech2)
    assert _handover(client, order).status_code == 403


def test_handover_without_js(as_tech, order):
    """The plain form hands over and returns to the card with a message."""
    _finish(as_tech, order)
    _self_check(as_tech, order)
    resp = _handover(as_tech, order, htmx=False)
    assert resp.status_code == 302
    assert 'Handed over to QC' in as_tech.get(resp.headers['Location']).get_data(as_text=True)
