"""What the technician reports from the car: findings with photos, added work for the advisor, parts requests."""
import io
import os
from decimal import Decimal

from app.core import photos, stages
from app.core.models import Event, Setting
from app.core.models import Photo
from app.reception.models import RepairOrder
from app.workshop.models import AddedWork, AddedWorkPart, Finding, PartsRequest
from tests import factories
from tests.helpers import HX, reload, sign_in
from tests.workshop.helpers import lines_of


def _photo_files(app):
    with app.app_context():
        folder = photos.photo_dir()
    return {n for n in os.listdir(folder) if not n.startswith('thumb-')}


def test_finding_with_a_photo_from_the_phone(app, as_tech, order, tech):
    """A red finding with the photo taken at the car shows on the card with its thumbnail."""
    line = lines_of(order)[0]
    resp = as_tech.post('/jobs/%d/findings' % order.id, headers=HX, content_type='multipart/form-data', data={
        'severity': 'red', 'note': 'Front discs scored', 'line': str(line.id), 'idem': 'f-1',
        'photo': (io.BytesIO(factories.tiny_jpeg()), 'IMG_0001.JPG')})
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    finding = Finding.get()
    assert finding.severity == 'red' and finding.note == 'Front discs scored' and finding.line_id == line.id
    [photo] = list(Photo.of('finding', finding.id))
    assert body.lstrip().startswith('<section id="findings"') and 'Front discs scored' in body
    assert '/photos/%d?thumb=1' % photo.id in body
    assert as_tech.get('/photos/%d?thumb=1' % photo.id).status_code == 200
    assert photo.filename in _photo_files(app)
    assert Event.for_record('repair_order', order.id).where(Event.action == 'finding.added').exists()


def test_a_file_that_is_not_a_photo_is_refused_and_leaves_nothing(app, as_tech, order):
    """A PDF or a renamed file is refused with a clear message; no finding and no stray file remain."""
    before = _photo_files(app)
    resp = as_tech.post('/jobs/%d/findings' % order.id, headers=HX, content_type='multipart/form-data', data={
        'severity': 'amber', 'note': 'Oil leak at the sump',
        'photo': (io.BytesIO(b'%PDF-1.4 not a photo'), 'leak.jpg')})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert 'not a photo the system can read' in body
    assert 'Oil leak at the sump' in body                     # what was typed is kept
    assert not Finding.select().exists() and not Photo.select().exists()
    assert _photo_files(app) == before


def test_a_finding_needs_a_colour_and_a_note(as_tech, order):
    """A finding without red/amber/green or without words is explained in place, nothing saved."""
    resp = as_tech.post('/jobs/%d/findings' % order.id, headers=HX, data={'note': 'Tyre worn'})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert 'Tap red, amber or green.' in body and 'Tyre worn' in body
    resp = as_tech.post('/jobs/%d/findings' % order.id, headers=HX, data={'severity': 'green', 'note': '  '})
    assert resp.status_code == 400 and 'Say what you found.' in resp.get_data(as_text=True)
    assert not Finding.select().exists()


def test_findings_without_js_redirect_to_the_card(as_tech, order):
    """Without JavaScript the plain form still saves and returns to the card."""
    resp = as_tech.post('/jobs/%d/findings' % order.id, data={'severity': 'green', 'note': 'Brakes fine'})
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/jobs/%d#findings' % order.id)
    assert 'Brakes fine' in as_tech.get('/jobs/%d' % order.id).get_data(as_text=True)


def test_double_submit_of_a_finding_saves_it_once(as_tech, order):
    """The same finding sent twice (double tap, retry) is one finding."""
    data = {'severity': 'amber', 'note': 'Wiper torn', 'idem': 'same-key'}
    first = as_tech.post('/jobs/%d/findings' % order.id, headers=HX, data=dict(data))
    second = as_tech.post('/jobs/%d/findings' % order.id, headers=HX, data=dict(data))
    assert first.status_code == 200 and second.status_code == 200
    assert Finding.select().count() == 1
    assert 'Wiper torn' in second.get_data(as_text=True)


def test_added_work_is_priced_and_the_order_waits_for_approval(as_tech, order, tech):
    """Added work: hours at the shop's labour rate plus the parts; the delay; the order waits for the customer."""
    Setting.create(shop=order.shop_id, key='labour_rate', value='320')
    finding = Finding.create(shop=order.shop_id, order=order, technician=tech, severity='red', note='Shock leaking')
    resp = as_tech.post('/jobs/%d/added-work' % order.id, headers=HX, data={
        'description': 'Replace LF shock absorber', 'hours': '1.5', 'safety': 'y', 'finding': str(finding.id),
        'parts-0-part_number': '48510-09N60', 'parts-0-name': 'Shock absorber', 'parts-0-quantity': '1',
        'parts-0-unit_price': '860', 'parts-1-name': 'Top mount', 'parts-1-quantity': '2',
        'parts-1-unit_price': '45.5'})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    work = AddedWork.get()
    assert work.labour_price == Decimal('480.00')           # 1.5 h x 320
    assert work.parts_price == Decimal('951.00')            # 860 + 2 x 45.50
    assert work.delay_minutes == 90 and work.safety and work.finding_id == finding.id
    assert work.status == AddedWork.PENDING and work.requested_by_id == tech.id
    assert AddedWorkPart.select().count() == 2
    assert reload(order).stage == stages.WAITING_APPROVAL
    body = resp.get_data(as_text=True)
    assert 'Waiting for the customer' in body and '¥1,431.00' in body and 'Safety' in body
    assert 'Waiting approval' in body                       # the head (out of band) shows the new stage


def test_added_work_from_the_catalogue_uses_its_hours_rate_and_parts(as_tech, order, shop):
    """A catalogue job brings its flat-rate hours, its own labour rate and its usual parts."""
    job = factories.make_canned_job(shop, code='BRKF', name='Front brake pads', hours=Decimal('1.2'),
                                    parts=[('04465-33471', 'Front pads', Decimal('1'), Decimal('680'))])
    job.labour_rate = Decimal('350')
    job.save()
    RepairOrder.update(stage=stages.IN_PROGRESS).where(RepairOrder.id == order.id).execute()
    resp = as_tech.post('/jobs/%d/added-work' % order.id, headers=HX, data={'canned_job': str(job.id)})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    work = AddedWork.get()
    assert work.description == 'Front brake pads' and work.hours == Decimal('1.2')
    assert work.labour_price == Decimal('420.00') and work.parts_price == Decimal('680.00')
    assert work.delay_minutes == 72 and work.canned_job_id == job.id
    assert reload(order).stage == stages.WAITING_APPROVAL


def test_added_work_needs_words_and_hours_and_complete_parts(as_tech, order):
    """Half a request is explained in place with what was typed kept, and nothing goes to the advisor."""
    resp = as_tech.post('/jobs/%d/added-work' % order.id, headers=HX, data={
        'description': 'Replace battery', 'parts-0-name': 'Battery'})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert 'Enter the labour hours it needs.' in body and 'Enter the price.' in body
    assert 'Replace battery' in body and 'value="Battery"' in body
    assert not AddedWork.select().exists() and reload(order).stage == stages.DISPATCHED


def test_double_submit_of_added_work_asks_once(as_tech, order):
    """The advisor gets one request, not two, when the technician's phone sends it twice."""
    data = {'description': 'Wipers', 'hours': '0.2', 'idem': 'aw-1'}
    as_tech.post('/jobs/%d/added-work' % order.id, headers=HX, data=dict(data))
    as_tech.post('/jobs/%d/added-work' % order.id, headers=HX, data=dict(data))
    assert AddedWork.select().count() == 1


def test_parts_request_for_my_job(as_tech, order, tech):
    """A parts request reaches the counter with part number, name, quantity and the job it is for."""
    line = lines_of(order)[1]
    resp = as_tech.post('/jobs/%d/parts-requests' % order.id, headers=HX, data={
        'line': str(line.id), 'part_number': '90915-YZZD2', 'name': 'Oil filter', 'quantity': '2', 'idem': 'p-1'})
    assert resp.status_code == 200
    req = PartsRequest.get()
    assert (req.line_id, req.part_number, req.name, req.quantity, req.status, req.requested_by_id) == (
        line.id, '90915-YZZD2', 'Oil filter', Decimal('2'), PartsRequest.REQUESTED, tech.id)
    body = resp.get_data(as_text=True)
    assert 'Oil filter' in body and 'Waiting for the counter' in body
    as_tech.post('/jobs/%d/parts-requests' % order.id, headers=HX, data={
        'line': str(line.id), 'part_number': '90915-YZZD2', 'name': 'Oil filter', 'quantity': '2', 'idem': 'p-1'})
    assert PartsRequest.select().count() == 1
    assert reload(order).stage == stages.DISPATCHED          # the counter decides; the order does not wait yet


def test_parts_request_needs_a_name_and_my_job(client, order, tech, tech2):
    """Tina cannot order parts for Tom's job; an empty part name is refused."""
    sign_in(client, tech2)
    line = lines_of(order)[0]
    resp = client.post('/jobs/%d/parts-requests' % order.id, headers=HX, data={
        'line': str(line.id), 'name': 'Oil filter', 'quantity': '1'})
    assert resp.status_code == 403 and 'assigned to someone else' in resp.get_data(as_text=True)
    sign_in(client, tech)
    resp = client.post('/jobs/%d/parts-requests' % order.id, headers=HX, data={
        'line': str(line.id), 'part_number': 'X1', 'name': '', 'quantity': '1'})
    assert resp.status_code == 400 and 'Name the part.' in resp.get_data(as_text=True)
    assert 'value="X1"' in resp.get_data(as_text=True)
    assert not PartsRequest.select().exists()


def test_order_actions_are_refused_to_a_technician_without_a_job_on_it(client, order, tech2):
    """A technician with no job on the car cannot report on it."""
    sign_in(client, tech2)
    resp = client.post('/jobs/%d/findings' % order.id, headers=HX, data={'severity': 'red', 'note': 'x'})
    assert resp.status_code == 403 and 'no job on this order' in resp.get_data(as_text=True)
    resp = client.post('/jobs/%d/added-work' % order.id, headers=HX, data={'description': 'x', 'hours': '1'})
    assert resp.status_code == 403
    assert not Finding.select().exists() and not AddedWork.select().exists()
