"""QC (竣工检验): the inspector's checklist per job type, pass to the wash, or fail back to the same technician."""
import io
import json
from datetime import timedelta

from werkzeug.datastructures import MultiDict

from app.core import stages
from app.core.db import utcnow
from app.core.models import Event
from app.qc import rules
from app.qc.checklist import checklist_for
from app.core.models import Photo
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import QCInspection
from tests import factories
from tests.helpers import HX, at_stage, sign_in
from tests.qc.helpers import inspection_data, make_ready



def _lines(order):
    return {l.technician_id: l for l in OrderLine.select().where(OrderLine.order == order)}


def test_queue_lists_cars_handed_over_with_the_self_check(qc_client, ready, staff):
    """The inspector sees which cars are waiting, who did the jobs and whether they checked their own work."""
    body = qc_client.get('/qc').get_data(as_text=True)
    assert '粤B33333' in body and 'Tom Tech' in body and 'Tina Tech' in body
    assert 'Self-check: 5 of 6 OK' in body and 'every 5s' in body
    page = qc_client.get('/qc/orders/%d' % ready.id).get_data(as_text=True)
    assert 'covers still on' in page


def test_checklist_follows_the_jobs_on_the_order(ready):
    """A brake job is checked for pedal feel and noise, a paint job for colour and overspray; every car for the rest."""
    groups = [g for g, _label, _items in checklist_for(rules.order_lines(ready))]
    assert groups == ['general', 'brakes', 'body']


def test_checklist_page_on_the_phone_shows_each_item(qc_client, ready):
    """Each item has an OK and a Not OK to tap."""
    body = qc_client.get('/qc/orders/%d' % ready.id).get_data(as_text=True)
    for text in ('Pedal feel firm', 'No brake noise', 'Discs and pads fitted', 'Colour matches', 'No overspray',
                 'Panel gaps even', 'Road test'):
        assert text in body
    assert 'name="item-brakes.pedal_feel"' in body and 'enctype="multipart/form-data"' in body
    assert 'Oil level' not in body


def test_pass_sends_the_car_to_the_wash(qc_client, ready, staff):
    """A passed car is ready for the wash, and the pass is counted as first time."""
    resp = qc_client.post('/qc/orders/%d/inspect' % ready.id, data=inspection_data(ready))
    assert resp.status_code == 302
    ro = RepairOrder.get_by_id(ready.id)
    assert ro.stage == stages.READY_FOR_WASH
    insp = QCInspection.get(QCInspection.order == ready)
    assert insp.result == 'pass' and insp.first_time and insp.inspector_id == staff['qc'].id
    assert json.loads(insp.checklist)['brakes.pedal_feel'] == {'ok': True, 'note': ''}
    assert Event.select().where((Event.action == 'qc.passed') & (Event.record_id == ready.id)).count() == 1
    assert all(l.qc_failures == 0 for l in OrderLine.select().where(OrderLine.order == ready))


def test_fail_sends_the_failed_job_back_to_the_same_technician(qc_client, ready, staff):
    """Rework must land on the card of the technician who did the job, with the reasons and photos."""
    tom_line = _lines(ready)[staff['tom'].id]
    data = MultiDict(inspection_data(ready, 'fail', not_ok=['brakes.no_noise'], reasons='左前制动有异响',
                                     failed_lines=str(tom_line.id)))
    data.add('photos', (io.BytesIO(factories.tiny_jpeg()), 'noise.jpg'))
    resp = qc_client.post('/qc/orders/%d/inspect' % ready.id, data=data, content_type='multipart/form-data')
    assert resp.status_code == 302
    ro = RepairOrder.get_by_id(ready.id)
    assert ro.stage == stages.QC_FAILED
    lines = _lines(ready)
    assert lines[staff['tom'].id].status == stages.LINE_REWORK and lines[staff['tom'].id].qc_failures == 1
    assert lines[staff['tom'].id].technician_id == staff['tom'].id
    assert lines[staff['tina'].id].status == stages.LINE_DONE and lines[staff['tina'].id].qc_failures == 0
    insp = QCInspection.get(QCInspection.order == ready)
    assert insp.result == 'fail' and json.loads(insp.failed_lines) == [tom_line.id] and insp.reasons == '左前制动有异响'
    assert json.loads(insp.checklist)['brakes.no_noise'] == {'ok': False, 'note': '有异响'}
    [photo] = Photo.of('qc_inspection', insp.id)
    assert photo.uploaded_by == staff['qc'].id
    actions = [e.action for e in Event.select().where(Event.record_id == ready.id).order_by(Event.id)]
    assert actions[-3:] == ['line.status', 'qc.failed', 'order.stage']
    page = qc_client.get('/qc/orders/%d' % ready.id).get_data(as_text=True)
    assert '左前制动有异响' in page and '/photos/%d?thumb=1' % photo.id in page


def test_a_pass_with_an_item_not_ok_is_refused(qc_client, ready):
    """The inspector cannot pass a car while marking something wrong."""
    resp = qc_client.post('/qc/orders/%d/inspect' % ready.id, headers=HX,
                          data=inspection_data(ready, not_ok=['general.road_test']))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'fail the inspection, or correct the item' in body
    assert body.lstrip().startswith('<form id="insp-form"') and '有异响' in body
    assert RepairOrder.get_by_id(ready.id).stage == stages.READY_FOR_QC


def test_fail_needs_reasons_and_the_jobs_sent_back(qc_client, ready):
    """A fail with nothing to fix tells the technician nothing."""
    resp = qc_client.post('/qc/orders/%d/inspect' % ready.id, data=inspection_data(ready, 'fail'))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'Write what is wrong' in body and 'Choose the jobs that go back' in body
    assert not QCInspection.select().exists()


def test_every_item_must_be_answered(qc_client, ready):
    """Skipping items is not an inspection."""
    data = inspection_data(ready)
    del data['item-body.gaps']
    resp = qc_client.post('/qc/orders/%d/inspect' % ready.id, data=data)
    assert resp.status_code == 400 and '1 left' in resp.get_data(as_text=True)


def test_rework_then_pass_and_the_first_time_pass_rate(qc_client, ready, staff, shop):
    """Tom's reworked brake job counts against his first-time pass; Tina's paint job passed first time."""
    tom_line = _lines(ready)[staff['tom'].id]
    qc_client.post('/qc/orders/%d/inspect' % ready.id, data=inspection_data(
        ready, 'fail', reasons='异响', failed_lines=str(tom_line.id)))
    # the technician reworks the job and hands the car over again
    OrderLine.update(status=stages.LINE_DONE).where(OrderLine.id == tom_line.id).execute()
    at_stage(ready, stages.READY_FOR_QC)
    resp = qc_client.post('/qc/orders/%d/inspect' % ready.id, data=inspection_data(ready, idem='second'))
    assert resp.status_code == 302
    second = QCInspection.select().where(QCInspection.order == ready).order_by(QCInspection.id.desc()).get()
    assert second.result == 'pass' and second.first_time is False
    assert _lines(ready)[staff['tom'].id].qc_failures == 1
    other = make_ready(shop, staff, plate='粤B44444')            # both jobs pass first time
    qc_client.post('/qc/orders/%d/inspect' % other.id, data=inspection_data(other))
    make_ready(shop, staff, plate='粤B55555')                   # not inspected yet: not counted
    counts = rules.first_time_pass_counts(shop)
    assert (counts.lines, counts.first_time) == (4, 3)
    assert str(rules.first_time_pass_rate(shop)) == '0.7500'
    assert str(rules.first_time_pass_rate(shop, technician=staff['tom'])) == '0.5000'
    assert str(rules.first_time_pass_rate(shop, technician=staff['tina'])) == '1.0000'
    assert rules.first_time_pass_rate(shop, since=utcnow() + timedelta(minutes=1)) is None
    assert rules.first_time_pass_rate(shop, since=utcnow() - timedelta(minutes=5)) == rules.first_time_pass_rate(shop)
    assert rules.first_time_pass_rate(factories.make_shop('S2')) is None


def test_stale_inspection_is_refused_with_409(qc_client, ready):
    """Two inspectors on the same car: the second is told, the car is not judged twice."""
    data = inspection_data(ready)
    assert qc_client.post('/qc/orders/%d/inspect' % ready.id, data=data).status_code == 302
    again = dict(data, idem='other-key')
    resp = qc_client.post('/qc/orders/%d/inspect' % ready.id, data=again, headers=HX)
    assert resp.status_code == 409
    body = resp.get_data(as_text=True)                  # the form as the car is now, saying why, in place
    assert body.lstrip().startswith('<form id="insp-form"') and 'changed this a moment ago' in body
    assert 'name="version" value="%d"' % RepairOrder.get_by_id(ready.id).version in body
    assert qc_client.post('/qc/orders/%d/inspect' % ready.id, data=dict(data, idem='third')).status_code == 409
    assert QCInspection.select().count() == 1


def test_a_repeated_submit_records_one_inspection(qc_client, ready):
    """A double tap on the phone must not record two inspections."""
    data = inspection_data(ready, idem='same')
    first = qc_client.post('/qc/orders/%d/inspect' % ready.id, data=data, headers=HX)
    again = qc_client.post('/qc/orders/%d/inspect' % ready.id, data=data, headers=HX)
    assert first.status_code == again.status_code == 200
    assert first.headers['HX-Redirect'] == again.headers['HX-Redirect'] == '/qc'
    assert QCInspection.select().count() == 1


def test_poll_answers_204_until_a_car_arrives(qc_client, ready, shop, staff):
    """The QC queue on a phone polls cheaply and shows a newly handed-over car."""
    token = rules.queue_token(shop)
    assert qc_client.get('/qc/queue?v=%s' % token, headers=HX).status_code == 204
    make_ready(shop, staff, plate='粤B66666')
    resp = qc_client.get('/qc/queue?v=%s' % token, headers=HX)
    assert resp.status_code == 200 and '粤B66666' in resp.get_data(as_text=True)


def test_foreman_reads_qc_only_the_inspector_inspects(client, ready):
    """The foreman follows QC; the verdict is the inspector's."""
    sign_in(client, 'fred')
    assert client.get('/qc').status_code == 200
    page = client.get('/qc/orders/%d' % ready.id).get_data(as_text=True)
    assert 'Pedal feel' not in page                       # no form for a reader
    assert client.post('/qc/orders/%d/inspect' % ready.id, data=inspection_data(ready)).status_code == 403
    sign_in(client, 'amy')
    assert client.get('/qc').status_code == 403
    assert RepairOrder.get_by_id(ready.id).stage == stages.READY_FOR_QC
