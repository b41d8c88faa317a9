"""The health check on the technician's phone (检测诊断单): green by default, exceptions one by one with a reading
and a photo, amber and red sent to the advisor as added work priced from the catalogue."""
import io

from app.core import stages
from app.core.models import Event, Photo
from app.inspection import rules
from app.inspection.models import HealthCheck, HealthItem
from app.reception.models import RepairOrder
from app.workshop.models import AddedWork
from tests import factories
from tests.helpers import HX, reload, sign_in
from tests.inspection.helpers import mark


def test_unmarked_items_are_green_and_one_tap_finishes(as_tech, order):
    """A car with nothing wrong must take one tap, and the report must read every item green."""
    page = as_tech.get('/jobs/%d/health-check' % order.id).get_data(as_text=True)
    # a brake job gets the brakes, tyres and underbody groups, not the battery
    assert 'data-testid="hc-item-brake_pads_front"' in page and 'data-testid="hc-item-tyre_rr"' in page
    assert 'data-testid="hc-item-battery"' not in page
    version = order.version
    resp = as_tech.post('/jobs/%d/health-check/finish' % order.id, data={'version': version, 'idem': 'f1'},
                        headers=HX)
    assert resp.status_code == 200
    check = HealthCheck.get(HealthCheck.order == order.id)
    assert check.finished_at is not None and check.groups == 'brakes,tyres,underbody'
    report = rules.report(order)
    assert report.counts == {'green': 9, 'amber': 0, 'red': 0} and not report.recommendations
    assert reload(order).version == version + 1           # the customer's page sees it


def test_an_amber_tyre_with_its_reading_and_photo_goes_to_the_advisor(app, as_tech, order, jobs, staff):
    """The technician's exception must keep its reading and photo and reach the advisor priced from the catalogue."""
    resp = mark(as_tech, order, 'tyre_fl', 'amber', measurement='2.4', note='内侧磨损',
                photo=(io.BytesIO(factories.tiny_jpeg()), 'tyre.jpg'))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:400]
    item = HealthItem.get(HealthItem.key == 'tyre_fl')
    assert (item.colour, item.measurement, item.note) == ('amber', '2.4', '内侧磨损')
    assert Photo.select().where((Photo.record_type == 'health_item') & (Photo.record_id == item.id)).count() == 1
    work = AddedWork.get_by_id(item.added_work_id)
    assert work.canned_job_id == jobs['tyre'].id and work.status == AddedWork.PENDING
    assert '更换轮胎' in work.description and '2.4 mm' in work.description
    assert not work.safety                                  # amber is not a safety item yet
    assert reload(order).stage == stages.WAITING_APPROVAL
    events = Event.select().where((Event.record_id == order.id) & (Event.action == 'health.item'))
    assert events.count() == 1
    body = resp.get_data(as_text=True)
    assert 'data-colour="amber"' in body and '2.4 mm' in body
    photo = Photo.get(Photo.record_type == 'health_item')
    desk = sign_in(app.test_client(), staff['advisor']).get('/approvals').get_data(as_text=True)
    assert '更换轮胎' in desk and '/photos/%d?thumb=1' % photo.id in desk     # the advisor shows the customer


def test_a_red_brake_item_is_a_safety_recommendation(as_tech, order, jobs):
    """A red brake item must be flagged as safety, so a decline is flagged on the order."""
    mark(as_tech, order, 'brake_pads_front', 'red', measurement='2', canned_job=str(jobs['pads'].id))
    work = AddedWork.get_by_id(HealthItem.get(HealthItem.key == 'brake_pads_front').added_work_id)
    assert work.safety and work.canned_job_id == jobs['pads'].id


def test_a_green_reading_is_kept_and_bumps_the_order(as_tech, order):
    """A measured green item (tread 6 mm) must be kept, and the customer's page must see the change."""
    version = reload(order).version
    resp = mark(as_tech, order, 'tyre_rr', 'green', measurement='6.0')
    assert resp.status_code == 200
    item = HealthItem.get(HealthItem.key == 'tyre_rr')
    assert item.measurement == '6' and item.added_work_id is None
    assert reload(order).version == version + 1 and reload(order).stage == stages.IN_PROGRESS


def test_bad_input_answers_400_with_the_values_kept(as_tech, order):
    """A typo must not lose what the technician typed, nor record anything."""
    resp = mark(as_tech, order, 'tyre_fl', 'red', measurement='2,x', note='鼓包')
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'value="2,x"' in body and 'value="鼓包"' in body
    assert 'as a number in mm' in body
    resp = mark(as_tech, order, 'tyre_fl', 'red', measurement='40')
    assert resp.status_code == 400 and '0 to 15 mm' in resp.get_data(as_text=True)
    resp = mark(as_tech, order, 'tyre_fl', 'red', measurement='')
    assert resp.status_code == 400 and 'Enter the reading' in resp.get_data(as_text=True)
    resp = mark(as_tech, order, 'leaks', 'amber', measurement='')
    assert resp.status_code == 400 and 'Say what is wrong' in resp.get_data(as_text=True)
    resp = mark(as_tech, order, 'battery', 'amber', measurement='11.9')    # not on a brake job's check
    assert resp.status_code == 400
    resp = mark(as_tech, order, 'nonsense', 'red')
    assert resp.status_code == 400
    assert HealthItem.select().count() == 0 and AddedWork.select().count() == 0


def test_an_item_with_no_catalogue_job_asks_for_one(as_tech, order):
    """Amber without a job to price it would reach the advisor with no price: the technician picks one."""
    resp = mark(as_tech, order, 'suspension', 'amber', note='球头松旷')     # no ALIGN job in this catalogue
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'Pick the catalogue job' in body and 'value="球头松旷"' in body


def test_an_item_with_the_advisor_cannot_be_marked_again(as_tech, order):
    """Marking the same tyre twice would send the customer two quotes for one tyre."""
    mark(as_tech, order, 'tyre_fl', 'amber', measurement='2.4')
    resp = mark(as_tech, order, 'tyre_fl', 'red', measurement='1.2')
    assert resp.status_code == 400 and AddedWork.select().count() == 1


def test_a_stale_page_is_refused_with_409(as_tech, order):
    """Two phones on one car: the second must see the first's change, not overwrite it."""
    old = reload(order).version
    mark(as_tech, order, 'tyre_rr', 'green', measurement='6')
    resp = mark(as_tech, order, 'tyre_rl', 'green', measurement='6', version=old)
    assert resp.status_code == 409 and HealthItem.select().count() == 1


def test_only_the_cars_technicians_check_it(client, order, staff):
    """Another technician must not fill in a check of a car that is not theirs."""
    sign_in(client, staff['other_tech'])
    resp = mark(client, order, 'tyre_fl', 'amber', measurement='2.4')
    assert resp.status_code == 403 and HealthItem.select().count() == 0
    sign_in(client, staff['advisor'])                      # the advisor reads it, does not fill it
    assert client.get('/jobs/%d/health-check' % order.id).status_code == 200
    assert mark(client, order, 'tyre_fl', 'amber', measurement='2.4').status_code == 403


def test_a_car_out_of_the_workshop_is_not_checked(as_tech, order):
    """A check recorded after QC would quote work nobody will do on this visit."""
    RepairOrder.update(stage=stages.READY_FOR_QC).where(RepairOrder.id == order.id).execute()
    assert mark(as_tech, order, 'tyre_fl', 'amber', measurement='2.4').status_code == 400
    assert 'data-testid="hc-finish"' not in as_tech.get('/jobs/%d/health-check' % order.id).get_data(as_text=True)


def test_another_shops_check_does_not_exist_here(app, order, staff):
    """A technician of shop B must not see or change shop A's check."""
    other = factories.make_shop('S2', name='二号店')
    tech = factories.make_user('bob', ['technician', 'foreman'], [other])
    client = sign_in(app.test_client(), tech)
    assert client.get('/jobs/%d/health-check' % order.id).status_code == 404
    assert client.get('/orders/%d/diagnosis-report' % order.id).status_code == 404
    assert mark(client, order, 'tyre_fl', 'amber', measurement='2.4').status_code == 404
    assert client.post('/jobs/%d/health-check/finish' % order.id, data={'idem': 'x'}).status_code == 404
    assert HealthCheck.select().count() == 0


def test_without_javascript_the_form_redirects_back(as_tech, order):
    """A phone without JavaScript must still record the item and come back to the check."""
    resp = mark(as_tech, order, 'tyre_rr', 'green', htmx=False, measurement='7')
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/jobs/%d/health-check' % order.id)
