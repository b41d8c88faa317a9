"""The parts counter answers technicians' parts requests: issue, substitute, backorder (waiting parts), cancel."""
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core import stages
from app.core.db import utcnow
from app.core.models import Event
from app.core.timeutil import to_local
from app.parts import rules
from app.reception.models import PartLine, RepairOrder
from app.workshop.models import PartsRequest
from tests import factories
from tests.helpers import HX, at_stage, sign_in
from tests.parts.helpers import answer_data, make_request, post_answer

def _tomorrow():
    return (to_local(utcnow(), factories.SHOP_TZ).date() + timedelta(days=1)).isoformat()


def test_queue_shows_new_requests_oldest_first_and_backorders_below(clerk_client, order, line, staff):
    """The clerk serves the technician who has waited longest; parts on order are out of the way below."""
    newer = make_request(order, staff['technician'], line, name='机油滤清器 Oil filter', minutes_ago=2)
    older = make_request(order, staff['technician'], line, name='空气滤清器 Air filter', minutes_ago=30)
    waiting = make_request(order, staff['technician'], line, name='刹车盘 Brake disc', minutes_ago=60)
    PartsRequest.update(status='backordered').where(PartsRequest.id == waiting.id).execute()
    done = make_request(order, staff['technician'], line, name='已发雨刮 Issued wiper')
    PartsRequest.update(status='issued').where(PartsRequest.id == done.id).execute()
    assert [r.id for r in rules.counter_queue(order.shop_id)] == [older.id, newer.id, waiting.id]
    body = clerk_client.get('/parts').get_data(as_text=True)
    assert body.index('Air filter') < body.index('Oil filter') < body.index('Brake disc')
    assert 'Issued wiper' not in body and '粤B22222' in body and 'Tom Tech' in body
    assert 'every 5s' in body and 'hx-preserve' in body


def test_issue_puts_the_part_on_the_job_line(clerk_client, order, line, staff):
    """An issued part must show on the job card and the order, with its number and quantity."""
    req = make_request(order, staff['technician'], line, number='90915-YZZD2', name='机油滤清器', qty='2')
    resp = post_answer(clerk_client, req, quantity='2')
    assert resp.status_code == 302
    req = PartsRequest.get_by_id(req.id)
    assert (req.status, req.issued_part_number, req.issued_quantity, req.answered_by) == \
        ('issued', '90915-YZZD2', Decimal('2'), staff['parts'].id)
    [part] = PartLine.select().where(PartLine.line == line)
    assert (part.part_number, part.name, part.quantity, part.unit_price) == ('90915-YZZD2', '机油滤清器', Decimal('2'),
                                                                             Decimal('0'))
    event = Event.get(Event.action == 'parts.issued')
    assert event.record_type == 'repair_order' and event.record_id == order.id
    assert json.loads(event.after)['part_line'] == part.id


def test_issued_part_is_priced_from_the_catalogue_when_known(clerk_client, order, line, staff, shop):
    """Until stock has prices, a catalogue part still carries its price onto the order."""
    factories.make_canned_job(shop, parts=[('90915-YZZD2', '机油滤清器', Decimal('1'), Decimal('68'))])
    req = make_request(order, staff['technician'], line, number='90915-YZZD2', name='机油滤清器')
    post_answer(clerk_client, req, quantity='1')
    assert PartLine.get(PartLine.line == line).unit_price == Decimal('68')


def test_a_part_already_on_the_estimate_is_not_charged_twice(clerk_client, order, line, staff):
    """Fetching the brake pads the customer signed for must not add a second set to the bill."""
    PartLine.create(shop=order.shop_id, order=order, line=line, part_number='04465-33471', name='前刹车片',
                    quantity=Decimal('1'), unit_price=Decimal('680'))
    first = make_request(order, staff['technician'], line)
    post_answer(clerk_client, first, quantity='1')
    assert PartLine.select().where(PartLine.line == line).count() == 1
    extra = make_request(order, staff['technician'], line)
    post_answer(clerk_client, extra, quantity='1')
    parts = list(PartLine.select().where(PartLine.line == line).order_by(PartLine.id))
    assert [(p.part_number, p.quantity) for p in parts] == [('04465-33471', Decimal('1'))] * 2


def test_substitute_is_issued_under_its_own_number(clerk_client, order, line, staff):
    """A substitute part must be recorded as what was actually fitted."""
    req = make_request(order, staff['technician'], line)
    resp = post_answer(clerk_client, req, 'substituted', quantity='1')
    assert resp.status_code == 400 and 'part number of the substitute' in resp.get_data(as_text=True)
    post_answer(clerk_client, req, 'substituted', quantity='1', substitute='04465-YZZR5', idem='2')
    req = PartsRequest.get_by_id(req.id)
    assert (req.status, req.issued_part_number) == ('substituted', '04465-YZZR5')
    assert PartLine.get(PartLine.line == line).part_number == '04465-YZZR5'


def test_backorder_waits_for_parts_and_the_last_answer_releases_the_order(clerk_client, order, line, staff):
    """A backorder stops the job until the part comes; then the car goes back in progress by itself."""
    pads = make_request(order, staff['technician'], line)
    oil = make_request(order, staff['technician'], line, number='90915-YZZD2', name='机油滤清器')
    resp = post_answer(clerk_client, pads, 'backordered')
    assert resp.status_code == 400 and 'date the part is expected' in resp.get_data(as_text=True)
    post_answer(clerk_client, pads, 'backordered', expected_on=_tomorrow(), note='厂家发货', idem='2')
    pads = PartsRequest.get_by_id(pads.id)
    assert pads.status == 'backordered' and pads.expected_at > utcnow()
    assert RepairOrder.get_by_id(order.id).stage == stages.WAITING_PARTS
    post_answer(clerk_client, oil, quantity='1')
    assert RepairOrder.get_by_id(order.id).stage == stages.WAITING_PARTS     # the pads are still on order
    post_answer(clerk_client, pads, quantity='1', idem='3')
    assert RepairOrder.get_by_id(order.id).stage == stages.IN_PROGRESS
    moves = [json.loads(e.after)['stage']
             for e in Event.select().where(Event.action == 'order.stage').order_by(Event.id)]
    assert moves == [stages.WAITING_PARTS, stages.IN_PROGRESS]


def test_backorder_from_waiting_approval_and_dispatched(clerk_client, order, line, staff):
    """Whatever the car is waiting on, a backordered part makes it wait for parts."""
    for stage in (stages.WAITING_APPROVAL, stages.DISPATCHED):
        ro = at_stage(order, stage)
        req = make_request(ro, staff['technician'], line)
        post_answer(clerk_client, req, 'backordered', expected_on=_tomorrow())
        assert RepairOrder.get_by_id(ro.id).stage == stages.WAITING_PARTS
        post_answer(clerk_client, req, 'cancelled', note='客户自带', idem='c')
        assert PartsRequest.get_by_id(req.id).status == 'cancelled'
        assert RepairOrder.get_by_id(ro.id).stage == stages.IN_PROGRESS


def test_past_expected_date_is_refused(clerk_client, order, line, staff):
    """A backorder 'expected yesterday' is a typing mistake."""
    req = make_request(order, staff['technician'], line)
    yesterday = (to_local(utcnow(), factories.SHOP_TZ).date() - timedelta(days=1)).isoformat()
    resp = post_answer(clerk_client, req, 'backordered', expected_on=yesterday, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'cannot be in the past' in body and 'id="preq-%d"' % req.id in body
    assert PartsRequest.get_by_id(req.id).status == 'requested'


def test_htmx_answer_swaps_only_the_row(clerk_client, order, line, staff):
    """The clerk's tap updates the request in place, without reloading the counter."""
    req = make_request(order, staff['technician'], line)
    resp = post_answer(clerk_client, req, quantity='1', headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and body.lstrip().startswith('<li id="preq-%d"' % req.id)
    assert 'Issued: the part is on the job.' in body and '<html' not in body


def test_stale_answer_is_refused_with_409(clerk_client, order, line, staff):
    """Two clerks answering the same request: the second is told, nothing is issued twice."""
    req = make_request(order, staff['technician'], line)
    data = answer_data(req, quantity='1')
    assert clerk_client.post('/parts/requests/%d/answer' % req.id, data=data).status_code == 302
    data['idem'] = 'other'
    assert clerk_client.post('/parts/requests/%d/answer' % req.id, data=data).status_code == 409
    data['idem'] = 'third'
    resp = clerk_client.post('/parts/requests/%d/answer' % req.id, data=data, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 409 and body.lstrip().startswith('<li id="preq-%d"' % req.id)
    assert 'Someone else changed this' in body and 'issued' in body          # the row as it is now
    assert PartLine.select().where(PartLine.line == line).count() == 1


def test_a_repeated_submit_issues_once(clerk_client, order, line, staff):
    """A double tap must not issue the part twice."""
    req = make_request(order, staff['technician'], line)
    data = answer_data(req, quantity='1')
    for _ in range(2):
        assert clerk_client.post('/parts/requests/%d/answer' % req.id, data=data, headers=HX).status_code == 200
    assert PartLine.select().where(PartLine.line == line).count() == 1
    assert Event.select().where(Event.action == 'parts.issued').count() == 1


def test_poll_answers_204_until_the_queue_changes(clerk_client, order, line, staff):
    """The counter screen polls cheaply and shows a new request within seconds."""
    token = rules.queue_token(order.shop_id)
    assert clerk_client.get('/parts/queue?v=%s' % token, headers=HX).status_code == 204
    make_request(order, staff['technician'], line, name='火花塞 Spark plug')
    resp = clerk_client.get('/parts/queue?v=%s' % token, headers=HX)
    assert resp.status_code == 200 and 'Spark plug' in resp.get_data(as_text=True)


def test_foreman_reads_the_counter_only_the_clerk_answers(client, order, line, staff):
    """The foreman sees what is waiting for parts; only the parts clerk issues them."""
    req = make_request(order, staff['technician'], line)
    sign_in(client, 'fred')
    body = client.get('/parts').get_data(as_text=True)
    assert 'Brake pads' in body and '/answer' not in body
    assert client.post('/parts/requests/%d/answer' % req.id, data=answer_data(req)).status_code == 403
    sign_in(client, 'tom')
    assert client.get('/parts').status_code == 403
    assert PartsRequest.get_by_id(req.id).status == 'requested'


def test_request_without_a_line_goes_on_the_first_job(clerk_client, order, line, staff):
    """A part asked for the whole car is still on the order."""
    req = make_request(order, staff['technician'], None, number='', name='玻璃水 Washer fluid')
    post_answer(clerk_client, req, quantity='1')
    part = PartLine.get(PartLine.order == order)
    assert part.line_id == line.id and part.name == '玻璃水 Washer fluid' and part.unit_price == 0


@pytest.mark.shop_tz('Asia/Shanghai')
def test_expected_date_means_the_workshop_opening_that_day(shop):
    """A part expected on Monday is there when the workshop opens, in the shop's own time zone."""
    at = rules.expected_date_to_utc(shop, date(2026, 1, 5))
    assert (at.day, at.hour, at.minute) == (5, 0, 30)        # 08:30 in Shanghai is 00:30 UTC
