"""The time clock on the phone: one running clock per technician, switching, done, shift end, conflicts."""
import threading
from datetime import datetime, timedelta
from decimal import Decimal

from app.core import stages
from app.core.db import db, utcnow
from app.core.models import Event, Shop
from app.core.timeutil import to_local, to_utc
from app.kpi import engine as figures
from app.reception.models import OrderLine, RepairOrder
from app.workshop import rules
from app.workshop.models import TimeEntry
from tests import factories
from tests.helpers import HX, reload, sign_in
from tests.workshop.helpers import dispatch, lines_of, make_job, tap


def _running(user):
    return list(TimeEntry.select().where((TimeEntry.technician == user.id) & TimeEntry.ended_at.is_null()))


def test_first_clock_starts_the_order_and_the_line(as_tech, order, tech):
    """The first tap on "Clock on" must start the job and put the car in progress on the board."""
    line = lines_of(order)[0]
    resp = tap(as_tech, order, line, 'clock-on')
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert 'id="line-%d"' % line.id in body and 'Clock off' in body
    assert reload(order).stage == stages.IN_PROGRESS
    assert reload(line).status == stages.LINE_ACTIVE
    [entry] = _running(tech)
    assert entry.line_id == line.id and entry.order_id == order.id
    actions = [e.action for e in Event.for_record('repair_order', order.id)]
    assert 'clock.on' in actions and 'order.stage' in actions and 'line.status' in actions


def test_starting_another_job_stops_the_first(as_tech, order, tech):
    """A technician has one running clock: starting the second job stops the first, marked as switched."""
    first, second = lines_of(order)
    tap(as_tech, order, first, 'clock-on')
    resp = tap(as_tech, order, second, 'clock-on')
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    # The first job's row comes back too (out of band): it is paused now.
    assert 'id="line-%d"' % first.id in body and 'hx-swap-oob' in body
    [running] = _running(tech)
    assert running.line_id == second.id
    stopped = TimeEntry.get(TimeEntry.line == first.id)
    assert stopped.ended_at is not None and stopped.end_reason == 'switched' and not stopped.flagged
    assert reload(first).status == stages.LINE_PAUSED and reload(second).status == stages.LINE_ACTIVE


def test_switching_to_another_car_stops_the_clock_on_the_first_car(as_tech, shop, advisor, order, tech):
    """Clocking on a second car stops the first car's clock, and both orders' timelines say so."""
    other = make_job(shop, advisor, tech, lines=1)
    tap(as_tech, order, lines_of(order)[0], 'clock-on')
    tap(as_tech, other, lines_of(other)[0], 'clock-on')
    assert [e.order_id for e in _running(tech)] == [other.id]
    assert Event.for_record('repair_order', order.id).where(Event.action == 'clock.off').exists()
    assert reload(lines_of(order)[0]).status == stages.LINE_PAUSED


def test_clock_off_pauses_the_line(as_tech, order, tech):
    """Clock off stops the time on the job without finishing it."""
    line = lines_of(order)[0]
    tap(as_tech, order, line, 'clock-on')
    resp = tap(as_tech, order, line, 'clock-off')
    assert resp.status_code == 200 and 'Clock on' in resp.get_data(as_text=True)
    entry = TimeEntry.get(TimeEntry.line == line.id)
    assert entry.end_reason == 'clock_off' and entry.ended_at is not None
    assert reload(line).status == stages.LINE_PAUSED
    assert _running(tech) == []


def test_clock_off_from_the_banner_answers_the_banner(as_tech, order, tech):
    """The running clock on top of "My jobs" stops with one tap and shows that nothing runs any more."""
    line = lines_of(order)[0]
    tap(as_tech, order, line, 'clock-on')
    page = as_tech.get('/jobs').get_data(as_text=True)
    assert 'name="answer" value="jobs-clock"' in page          # the banner's form says where it is
    resp = tap(as_tech, order, line, 'clock-off', answer='jobs-clock')
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert body.lstrip().startswith('<section id="clock"') and 'No clock running' in body
    assert 'id="my-jobs"' in body and 'id="line-%d"' % line.id not in body


def test_clock_off_from_the_banner_on_the_card_redraws_the_row(as_tech, order, tech):
    """On the job card the banner's tap also shows the job paused, without a reload."""
    line = lines_of(order)[0]
    tap(as_tech, order, line, 'clock-on')
    page = as_tech.get('/jobs/%d' % order.id).get_data(as_text=True)
    assert 'name="answer" value="card-clock"' in page and 'name="answer" value="line"' in page
    resp = tap(as_tech, order, line, 'clock-off', answer='card-clock')
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and body.lstrip().startswith('<section id="clock"')
    assert '<article id="line-%d" class="job-line ls-paused" hx-swap-oob="true">' % line.id in body
    assert 'id="my-jobs"' not in body and 'id="card-poll"' in body


def test_clock_off_from_the_banner_on_another_card_answers_only_the_banner(as_tech, shop, advisor, tech, order):
    """On the card of another car the banner stops the clock without drawing this car's rows into that card."""
    line = lines_of(order)[0]
    tap(as_tech, order, line, 'clock-on')
    other = make_job(shop, advisor, tech)
    page = as_tech.get('/jobs/%d' % other.id).get_data(as_text=True)
    assert 'name="answer" value="clock"' in page
    body = tap(as_tech, order, line, 'clock-off', answer='clock').get_data(as_text=True)
    assert body.lstrip().startswith('<section id="clock"') and 'No clock running' in body
    assert 'id="line-' not in body and 'id="card-poll"' not in body and 'id="my-jobs"' not in body


def test_done_stops_the_clock(as_tech, order, tech):
    """Marking a job done stops its clock: no time keeps running on a finished job."""
    line = lines_of(order)[0]
    tap(as_tech, order, line, 'clock-on')
    resp = tap(as_tech, order, line, 'done')
    assert resp.status_code == 200
    assert reload(line).status == stages.LINE_DONE
    entry = TimeEntry.get(TimeEntry.line == line.id)
    assert entry.end_reason == 'done' and entry.ended_at is not None
    assert _running(tech) == []


def test_done_without_js_redirects_back_to_the_card(as_tech, order):
    """Without JavaScript the buttons still work: the card comes back with the job done."""
    line = lines_of(order)[0]
    tap(as_tech, order, line, 'clock-on', htmx=False)
    resp = tap(as_tech, order, line, 'done', htmx=False)
    assert resp.status_code == 302
    assert resp.headers['Location'].endswith('/jobs/%d#line-%d' % (order.id, line.id))
    assert reload(line).status == stages.LINE_DONE


def test_a_technician_acts_only_on_his_own_lines(client, order, tech2):
    """Tina cannot clock on or finish Tom's job by guessing its address."""
    sign_in(client, tech2)
    line = lines_of(order)[0]
    for action in ('clock-on', 'done'):
        resp = tap(client, order, line, action)
        assert resp.status_code == 403
        assert 'assigned to someone else' in resp.get_data(as_text=True)
    assert reload(line).status == stages.LINE_ASSIGNED and not TimeEntry.select().exists()
    assert reload(order).stage == stages.DISPATCHED


def test_the_foreman_may_act_on_any_line(client, order, tech, foreman):
    """The foreman starts a technician's clock for him (the technician's clock, not the foreman's)."""
    sign_in(client, foreman)
    line = lines_of(order)[0]
    assert tap(client, order, line, 'clock-on').status_code == 200
    [entry] = _running(tech)
    assert entry.line_id == line.id


def test_a_line_of_another_order_or_shop_does_not_exist_here(as_tech, shop, advisor, tech, order):
    """A job id typed into the address of another car (or another shop's car) is not found."""
    other = make_job(shop, advisor, tech, lines=1)
    other_line = lines_of(other)[0]
    assert as_tech.post('/jobs/%d/lines/%d/clock-on' % (order.id, other_line.id)).status_code == 404
    b = factories.make_shop('B1')
    boss = factories.make_user('bboss', ['advisor'], [b])
    foreign = dispatch(factories.make_order(b, boss), tech)
    foreign_line = lines_of(foreign)[0]
    assert as_tech.post('/jobs/%d/lines/%d/clock-on' % (foreign.id, foreign_line.id)).status_code == 404
    assert as_tech.post('/jobs/%d/lines/%d/clock-on' % (order.id, foreign_line.id)).status_code == 404
    assert not TimeEntry.select().exists()


def test_rework_after_failed_qc_moves_the_order_back_in_progress(as_tech, order, tech):
    """A job sent back by QC starts again with the first clock, and the order is in progress again."""
    dispatch(order, tech, stage=stages.QC_FAILED, status=stages.LINE_DONE)
    line = lines_of(order)[0]
    OrderLine.update(status=stages.LINE_REWORK).where(OrderLine.id == line.id).execute()
    assert tap(as_tech, order, line, 'clock-on').status_code == 200
    assert reload(order).stage == stages.IN_PROGRESS
    assert reload(line).status == stages.LINE_ACTIVE


def test_no_clock_on_an_order_not_yet_dispatched(as_tech, order, tech):
    """A car the foreman has not dispatched cannot be started; the phone says why."""
    RepairOrder.update(stage=stages.CHECKED_IN).where(RepairOrder.id == order.id).execute()
    resp = tap(as_tech, order, lines_of(order)[0], 'clock-on')
    assert resp.status_code == 400
    assert 'not dispatched' in resp.get_data(as_text=True)
    assert not TimeEntry.select().exists()


def test_stale_version_answers_409_with_the_fresh_row(as_tech, client, order, tech):
    """Two taps from two screens on the same job: the second gets the fresh state and a clear message."""
    line = lines_of(order)[0]
    seen = reload(line).version
    tap(as_tech, order, line, 'clock-on')                       # someone else, a moment ago
    resp = as_tech.post('/jobs/%d/lines/%d/done' % (order.id, line.id), data={'version': seen}, headers=HX)
    assert resp.status_code == 409
    body = resp.get_data(as_text=True)
    assert 'changed this a moment ago' in body
    assert 'Working' in body and 'id="line-%d"' % line.id in body       # the fresh state, ready to tap again
    assert reload(line).status == stages.LINE_ACTIVE
    plain = as_tech.post('/jobs/%d/lines/%d/done' % (order.id, line.id), data={'version': seen})
    page = plain.get_data(as_text=True)                          # without JavaScript: the fresh card, same words
    assert plain.status_code == 409 and 'changed this a moment ago' in page and 'id="line-%d"' % line.id in page


def test_double_tap_with_the_same_key_clocks_on_once(as_tech, order, tech):
    """A retry on flaky Wi-Fi (same key) is answered with the current row, never a second clock."""
    first, second = lines_of(order)
    data = {'idem': 'tap-1', 'version': reload(first).version}
    assert as_tech.post('/jobs/%d/lines/%d/clock-on' % (order.id, first.id), data=data, headers=HX).status_code == 200
    again = as_tech.post('/jobs/%d/lines/%d/clock-on' % (order.id, first.id), data=data, headers=HX)
    assert again.status_code == 200 and 'Clock off' in again.get_data(as_text=True)
    assert TimeEntry.select().count() == 1
    # The same double tap on "done" finishes once and does not complain the second time.
    data = {'idem': 'tap-2', 'version': reload(first).version}
    assert as_tech.post('/jobs/%d/lines/%d/done' % (order.id, first.id), data=data, headers=HX).status_code == 200
    assert as_tech.post('/jobs/%d/lines/%d/done' % (order.id, first.id), data=data, headers=HX).status_code == 200
    assert Event.for_record('repair_order', order.id).where(Event.action == 'line.status').count() == 2


def _shift_end(shop, day):
    """18:00 in the shop's time zone on `day`, as naive UTC."""
    return to_utc(datetime.combine(day, datetime.strptime('18:00', '%H:%M').time()), shop.timezone)


def test_clock_left_running_is_ended_at_the_shift_end_and_flagged(shop, order, tech):
    """A clock forgotten overnight counts up to the shift end, is flagged for the foreman, never extended."""
    line = lines_of(order)[0]
    day = utcnow().date() - timedelta(days=1)
    end = _shift_end(shop, day)
    rules.clock_on(line, tech, now=end - timedelta(hours=2))
    fresh = make_job(shop, order.advisor, factories.make_user('tess', ['technician'], [shop]), lines=1)
    rules.clock_on(lines_of(fresh)[0], fresh_line_tech(fresh))                        # started now: not touched
    ended = rules.close_shift(Shop.get_by_id(shop.id), now=end + timedelta(hours=10))
    assert [e.line_id for e in ended] == [line.id]
    entry = TimeEntry.get(TimeEntry.line == line.id)
    assert entry.ended_at == end and entry.flagged and entry.end_reason == 'shift_end'
    assert reload(line).status == stages.LINE_PAUSED
    assert TimeEntry.select().where(TimeEntry.ended_at.is_null()).count() == 1
    assert rules.close_shift(shop, now=end + timedelta(hours=10)) == []            # a second run changes nothing


def fresh_line_tech(order):
    return lines_of(order)[0].technician


def test_switching_after_a_forgotten_clock_does_not_extend_it(shop, order, tech):
    """Yesterday's forgotten clock, stopped by this morning's first tap, ends at yesterday's shift end."""
    first, second = lines_of(order)
    end = _shift_end(shop, utcnow().date() - timedelta(days=1))
    rules.clock_on(first, tech, now=end - timedelta(hours=1))
    rules.clock_on(second, tech)
    entry = TimeEntry.get(TimeEntry.line == first.id)
    assert entry.ended_at == end and entry.flagged and entry.end_reason == 'shift_end'


def test_close_shifts_command(runner, shop, order, tech):
    """`flask close-shifts` (cron) ends the forgotten clocks of every shop."""
    end = _shift_end(shop, utcnow().date() - timedelta(days=2))
    rules.clock_on(lines_of(order)[0], tech, now=end - timedelta(minutes=30))
    result = runner.invoke(args=['close-shifts'])
    assert result.exit_code == 0, result.output
    assert 'S1: 1 clock(s) ended' in result.output
    assert TimeEntry.get().flagged


def test_card_shows_a_clock_left_past_the_shift_end(as_tech, shop, order, tech):
    """Before the cron ran, the phone already says the clock counts only up to the shift end."""
    end = _shift_end(shop, utcnow().date() - timedelta(days=1))
    rules.clock_on(lines_of(order)[0], tech, now=end - timedelta(minutes=30))
    body = as_tech.get('/jobs').get_data(as_text=True)
    assert 'past the shift end' in body


def test_two_phones_clocking_on_at_the_same_moment_leave_one_clock(app, shop, advisor, order, tech):
    """Two taps racing from two phones (or two workers) never leave two clocks running for one technician."""
    other = make_job(shop, advisor, tech, lines=1)
    targets = [lines_of(order)[0], lines_of(other)[0]]
    results, barrier = [], threading.Barrier(2)

    def tap_on(line):
        with app.app_context():
            db.connect(reuse_if_open=True)
            barrier.wait()
            try:
                rules.clock_on(OrderLine.get_by_id(line.id), tech)
                results.append('ok')
            except stages.StaleRecord:
                results.append('stale')
            finally:
                db.close()

    threads = [threading.Thread(target=tap_on, args=(ln,)) for ln in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 'ok' in results
    assert len(_running(tech)) == 1


def test_a_job_with_no_time_clocked_is_not_done_and_counts_for_nothing(as_tech, order, tech):
    """A job finished at 0:00 made the technician "48000 % efficient" on the dashboard."""
    line = lines_of(order)[0]
    resp = tap(as_tech, order, line, 'done')
    assert resp.status_code == 400 and 'Clock on this job first' in resp.get_data(as_text=True)
    assert reload(line).status != stages.LINE_DONE
    # a line someone set done without a clock (an import, the demo, an older version) is left out of efficiency
    other = lines_of(order)[1]
    tap(as_tech, order, other, 'clock-on')
    tap(as_tech, order, other, 'done')
    line.status = stages.LINE_DONE
    line.save()
    delivered = utcnow()
    RepairOrder.update(stage=stages.CLOSED, delivered_at=delivered).where(RepairOrder.id == order.id).execute()
    TimeEntry.update(started_at=delivered - timedelta(hours=2), ended_at=delivered - timedelta(hours=1)).where(
        TimeEntry.line == other.id).execute()
    day = to_local(delivered, order.shop.timezone).date()
    fig = figures.for_user([order.shop_id], tech.id, 'technician', day, day + timedelta(days=1))['tech_efficiency']
    assert fig.denominator == Decimal('1.00') and fig.numerator == reload(other).labour_hours
