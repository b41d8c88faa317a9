"""The job card and "My jobs" on the phone: what they show, to whom, the 5-second poll and their cost."""
from datetime import timedelta
from decimal import Decimal

from app.core import audit, stages
from app.core.db import utcnow
from app.core.models import Event
from app.labels.models import KeyTag
from app.reception.models import OrderLine, RepairOrder, WalkaroundMark
from app.workshop import rules
from app.workshop.models import AddedWork, PartsRequest, QCInspection
from tests import factories
from tests.helpers import HX, count_queries, reload, sign_in
from tests.workshop.helpers import lines_of, make_job, tap


def test_job_card_shows_the_car_the_complaint_and_my_jobs(as_tech, order):
    """The technician sees at once which car, what the customer said and what to do; no customer details."""
    WalkaroundMark.create(shop=order.shop_id, order=order, x=Decimal('40'), y=Decimal('50'), kind='dent',
                          note='LF door dent')
    resp = as_tech.get('/jobs/%d' % order.id)
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    for text in ('粤B12345', '凯美瑞 Camry', '白 White', '>17<', '刹车时有异响', 'Customer waits in the lounge',
                 'LF door dent', 'Job 1', 'Job 2', 'Clock on', 'Promised', 'left'):
        assert text in body, text
    assert '/orders/%d/outline.svg' % order.id in body
    assert '王芳' not in body and '13800138000' not in body        # no customer name or phone on the card
    assert 'hx-trigger="every 5s"' in body


def test_readers_see_the_card_without_buttons(client, make_user, order):
    """The advisor and the QC inspector read the card; they cannot clock anyone on."""
    for username, role in (('ann', 'advisor'), ('quinn', 'qc'), ('mary', 'manager')):
        sign_in(client, make_user(username, [role]))
        resp = client.get('/jobs/%d' % order.id)
        assert resp.status_code == 200, role
        body = resp.get_data(as_text=True)
        assert 'Job 1' in body and '/clock-on' not in body and '/findings' not in body, role


def test_roles_that_are_not_on_the_floor_are_refused(client, make_user, order):
    """The parts clerk or the advisor cannot act on the job card; the parts clerk cannot even open it."""
    line = lines_of(order)[0]
    sign_in(client, make_user('pat', ['parts']))
    assert client.get('/jobs/%d' % order.id).status_code == 403
    assert client.get('/jobs').status_code == 403
    for who, role in (('ann', 'advisor'), ('quinn', 'qc'), ('mary', 'manager')):
        sign_in(client, make_user(who, [role]))
        assert tap(client, order, line, 'clock-on').status_code == 403, role
        assert client.post('/jobs/%d/findings' % order.id, data={'severity': 'red', 'note': 'x'}).status_code == 403
        assert client.post('/jobs/%d/handover' % order.id).status_code == 403
    assert reload(line).status == stages.LINE_ASSIGNED


def test_my_jobs_lists_my_cars_by_promised_time(as_tech, shop, advisor, tech, tech2, order):
    """My jobs shows the cars I work on, soonest promised first, and not my colleague's."""
    soon = make_job(shop, advisor, tech, lines=1, promised_in=timedelta(hours=2),
                    vehicle=factories.make_vehicle(shop, factories.make_customer(shop), plate='粤B11111'))
    make_job(shop, advisor, tech2, lines=1, vehicle=factories.make_vehicle(shop, factories.make_customer(shop),
                                                                            plate='粤B99999'))
    closed = make_job(shop, advisor, tech, lines=1, vehicle=factories.make_vehicle(shop, factories.make_customer(shop),
                                                                                  plate='粤B22222'))
    RepairOrder.update(stage=stages.CLOSED).where(RepairOrder.id == closed.id).execute()
    body = as_tech.get('/jobs').get_data(as_text=True)
    assert '粤B99999' not in body and '粤B22222' not in body
    assert body.index('粤B11111') < body.index('粤B12345')
    assert '/jobs/%d' % soon.id in body and 'Key tag' in body


def test_my_jobs_shows_the_running_clock_on_top(as_tech, order, tech):
    """The clock that is running is the first thing on My jobs, with a button to stop it."""
    line = lines_of(order)[0]
    tap(as_tech, order, line, 'clock-on')
    body = as_tech.get('/jobs').get_data(as_text=True)
    assert body.index('id="clock"') < body.index('id="my-jobs"')
    assert 'Clocked on' in body and '/jobs/%d/lines/%d/clock-off' % (order.id, line.id) in body


def test_poll_answers_204_when_nothing_changed_and_the_pieces_when_something_did(as_tech, order, tech, advisor):
    """The card learns within 5 s that the advisor decided: unchanged polls cost nothing, changes arrive."""
    card = as_tech.get('/jobs/%d' % order.id).get_data(as_text=True)
    state_url = card.split('id="card-poll"', 1)[1].split('hx-get="', 1)[1].split('"', 1)[0].replace('&amp;', '&')
    assert state_url.startswith('/jobs/%d/state?v=' % order.id)
    unchanged = as_tech.get(state_url, headers=HX)
    assert unchanged.status_code == 204 and unchanged.data == b''
    work = rules.request_added_work(order, tech, description='Replace wiper blades', hours=Decimal('0.2'))
    changed = as_tech.get(state_url, headers=HX)
    assert changed.status_code == 200
    body = changed.get_data(as_text=True)
    assert 'Replace wiper blades' in body and 'Waiting for the customer' in body
    assert 'hx-swap-oob' in body and 'id="card-poll"' in body
    new_url = body.split('id="card-poll"', 1)[1].split('hx-get="', 1)[1].split('"', 1)[0].replace('&amp;', '&')
    assert as_tech.get(new_url, headers=HX).status_code == 204
    # The advisor's decision (another engineer's screen) reaches the card.
    AddedWork.update(status=AddedWork.APPROVED, decided_at=utcnow(), decided_by=advisor.id, channel='phone',
                     spoke_with='Mr Wang', version=AddedWork.version + 1).where(AddedWork.id == work.id).execute()
    audit.record('added_work.decided', 'repair_order', order.id, shop=order.shop_id, actor=advisor)
    decided = as_tech.get(new_url, headers=HX).get_data(as_text=True)
    assert 'Approved' in decided and 'Amy' in decided and 'Mr Wang' in decided and 'by phone' in decided


def test_poll_sees_a_parts_answer_and_the_qc_result(as_tech, order, tech, make_user):
    """A backorder from the counter and a QC failure show on the card without a reload."""
    line = lines_of(order)[0]
    url = '/jobs/%d/state?v=x' % order.id
    req = rules.request_parts(order, tech, line=line, name='Brake pads', quantity=Decimal('1'))
    clerk = make_user('pat', ['parts'], display_name='Pat')
    PartsRequest.update(status=PartsRequest.BACKORDERED, answered_by=clerk.id, answered_at=utcnow(),
                        expected_at=utcnow() + timedelta(days=1), version=PartsRequest.version + 1).where(
        PartsRequest.id == req.id).execute()
    QCInspection.create(shop=order.shop_id, order=order.id, inspector=make_user('quinn', ['qc'], display_name='Quinn'),
                        result=QCInspection.FAIL, reasons='Calliper bolt not torqued')
    body = as_tech.get(url, headers=HX).get_data(as_text=True)
    assert 'Backordered' in body and 'Pat' in body and 'Expected' in body
    assert 'QC failed' in body and 'Calliper bolt not torqued' in body


def test_poll_without_htmx_goes_to_the_card_and_other_shops_get_404(as_tech, order):
    """The poll's address opened by hand shows the card; another shop's order is not found."""
    assert as_tech.get('/jobs/%d/state' % order.id).status_code == 302
    b = factories.make_shop('B1')
    other = factories.make_order(b, factories.make_user('bb', ['advisor'], [b]))
    assert as_tech.get('/jobs/%d/state?v=1' % other.id, headers=HX).status_code == 404
    assert as_tech.get('/jobs/%d' % other.id).status_code == 404


def _grow(shop, advisor, tech, order):
    """Many more cars for Tom and more jobs on this one: the card must not cost more queries for it."""
    for _ in range(6):
        make_job(shop, advisor, tech, lines=4)
    for i in range(5):
        OrderLine.create(shop=shop, order=order, description='Extra %d' % i, labour_hours=Decimal('1'),
                         technician=tech.id, status=stages.LINE_ASSIGNED, position=10 + i)
    rules.add_finding(order, tech, severity='amber', note='Wiper worn')
    rules.request_added_work(order, tech, description='Wipers', hours=Decimal('0.2'),
                             parts=[('W1', 'Wiper', Decimal('2'), Decimal('90'))])
    rules.request_parts(order, tech, line=lines_of(order)[0], name='Filter', quantity=Decimal('1'))


def _asked(seen):
    """The queries asked (PostgreSQL prepares a statement once per connection: not a query of the page)."""
    return len([q for q in seen if not q.startswith('PREPARE ')])


def _card_cost(client, order):
    with count_queries() as seen:
        assert client.get('/jobs/%d' % order.id).status_code == 200
    return _asked(seen)


def _tap_cost(client, order, line):
    version = reload(line).version
    with count_queries() as seen:
        resp = client.post('/jobs/%d/lines/%d/clock-on' % (order.id, line.id),
                           data={'version': version, 'answer': 'line'}, headers=HX)
        assert resp.status_code == 200
    return _asked(seen)


def _off(client, order, line):
    client.post('/jobs/%d/lines/%d/clock-off' % (order.id, line.id), data={'version': reload(line).version},
                headers=HX)


def test_queries_do_not_grow_with_the_lines_and_orders(as_tech, shop, advisor, tech, order):
    """A tap and the card stay fast in a busy shop: their query count does not grow with the work in it."""
    first, second = lines_of(order)
    rules.add_finding(order, tech, severity='green', note='Tyres fine')
    rules.request_parts(order, tech, line=first, name='Pads', quantity=Decimal('1'))
    rules.request_added_work(order, tech, description='Bulb', hours=Decimal('0.1'),
                             parts=[('B1', 'Bulb', Decimal('1'), Decimal('20'))])
    RepairOrder.update(stage=stages.IN_PROGRESS).where(RepairOrder.id == order.id).execute()
    card_small = _card_cost(as_tech, order)
    tap_small = _tap_cost(as_tech, order, first)
    _off(as_tech, order, first)
    my_jobs = len(_count(as_tech, '/jobs'))
    _grow(shop, advisor, tech, order)
    assert _card_cost(as_tech, order) == card_small
    assert _tap_cost(as_tech, order, second) == tap_small
    _off(as_tech, order, second)
    assert len(_count(as_tech, '/jobs')) == my_jobs
    # signing in (the user with their roles, the shops), the order with its counts and version, the lines, the
    # clocks, the job list, the findings with their photos, the added work with its parts and who answered, the
    # parts requests with who answered, the car's open recalls (campaigns with their VIN ranges): no piece costs a
    # query of its own twice
    assert card_small <= 10 and tap_small <= 18


def test_a_tap_draws_its_answer_once_and_asks_the_paused_job_once(as_tech, app, shop, advisor, tech, order):
    """A clock-on that pauses another job answers with one drawing, naming the paused job from one query."""
    from flask import template_rendered
    first, second = lines_of(order)
    tap(as_tech, order, first, 'clock-on')
    drawn = []

    def seen(sender, template, context, **extra):
        drawn.append(template.name)
    template_rendered.connect(seen, app)
    try:
        with count_queries() as queries:
            resp = as_tech.post('/jobs/%d/lines/%d/clock-on' % (order.id, second.id),
                                data={'version': reload(second).version, 'answer': 'line'}, headers=HX)
    finally:
        template_rendered.disconnect(seen, app)
    assert resp.status_code == 200 and 'data-testid="clock-paused"' in resp.get_data(as_text=True)
    assert drawn == ['workshop/_line_answer.html']
    assert sum(1 for q in queries if q.lstrip().startswith('SELECT "t1"."description"')) == 1


def _count(client, url):
    with count_queries() as seen:
        assert client.get(url).status_code == 200
    return seen


def test_scanning_a_key_tag_opens_the_job_card_for_a_technician(as_tech, client, order, advisor):
    """A technician scanning the key tag lands on the job card; the advisor still on the repair order."""
    tag = KeyTag.get(KeyTag.order_id == order.id)
    resp = as_tech.get('/k/%s' % tag.token)
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/jobs/%d' % order.id)
    resp = as_tech.get('/b/%s' % order.label_token)
    assert resp.headers['Location'].endswith('/jobs/%d' % order.id)
    sign_in(client, advisor)
    assert client.get('/k/%s' % tag.token).headers['Location'].endswith('/orders/%d' % order.id)


def test_scan_of_a_finished_order_by_a_technician_explains(as_tech, order):
    """A bag from a car already handed back does not send the technician to work on it."""
    RepairOrder.update(stage=stages.DELIVERED).where(RepairOrder.id == order.id).execute()
    resp = as_tech.get('/b/%s' % order.label_token)
    assert resp.status_code == 200 and 'This order is finished' in resp.get_data(as_text=True)


def test_scan_before_sign_in_comes_back_to_the_card(client, tech, order):
    """Scanning with the phone's camera before signing in leads through the login straight to the card."""
    tag = KeyTag.get(KeyTag.order_id == order.id)
    resp = client.get('/k/%s' % tag.token)
    assert resp.status_code == 302 and '/login' in resp.headers['Location']
    login = client.post(resp.headers['Location'], data={'username': 'tom', 'password': factories.PASSWORD})
    assert login.status_code == 302
    nxt = client.get(login.headers['Location'])
    assert nxt.status_code == 302 and nxt.headers['Location'].endswith('/jobs/%d' % order.id)


def test_card_events_are_on_the_order_timeline(as_tech, order, tech):
    """Everything done on the phone is on the repair order's timeline for the advisor."""
    line = lines_of(order)[0]
    tap(as_tech, order, line, 'clock-on')
    tap(as_tech, order, line, 'done')
    actions = {e.action for e in Event.for_record('repair_order', order.id)}
    assert {'clock.on', 'clock.off', 'line.status', 'order.stage'} <= actions
