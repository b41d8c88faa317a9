"""The guided check-in: each step saved as it is completed, then signed and locked."""
import io
import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from PIL import Image

from app.core import stages
from app.core.db import db, transaction, utcnow
from app.core.models import Event
from app.core.timeutil import to_local
from app.reception import checkin
from app.core.models import Photo
from app.customers.models import MileageReading
from app.labels.models import KeyTag
from app.reception.models import Belonging, OrderLine, PartLine, RepairOrder, WalkaroundMark
from tests import factories


@pytest.fixture
def advisor(make_user):
    return make_user('amy', ['advisor'], display_name='Amy')


@pytest.fixture
def signed_in(client, advisor):
    client.post('/login', data={'username': 'amy', 'password': factories.PASSWORD})
    return client


@pytest.fixture
def car(shop):
    owner = factories.make_customer(shop, name='王芳')
    return factories.make_vehicle(shop, owner, mileage=42000, plate='粤B12345')


@pytest.fixture
def draft(shop, advisor, car):
    return checkin.start_checkin(shop, advisor, customer=car.owner, vehicle=car)


def _reload(order):
    return RepairOrder.get_by_id(order.id)


def test_new_checkin_appears_in_progress_list_and_resumes(signed_in, shop):
    """A check-in started on one tablet must be found and continued on another."""
    resp = signed_in.post('/checkin/start')
    assert resp.status_code == 302
    order = RepairOrder.get(RepairOrder.stage == stages.DRAFT)
    assert resp.headers['Location'].endswith('/checkin/%d/vehicle' % order.id)
    assert 'Check-ins in progress' in signed_in.get('/checkin').get_data(as_text=True)
    assert signed_in.get('/checkin/%d' % order.id).headers['Location'].endswith('/vehicle')


def test_vehicle_step_validates_and_keeps_what_was_typed(signed_in, draft, car):
    """A missing complaint or an odometer below the last reading is explained in place."""
    resp = signed_in.post('/checkin/%d/vehicle' % draft.id, data={
        'vehicle_id': car.id, 'odometer': '41000', 'fuel_eighths': '3', 'complaint': '异响'})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'reads less than the 42,000 km already on file' in body
    assert 'value="41000"' in body and '异响' in body
    resp = signed_in.post('/checkin/%d/vehicle' % draft.id, data={
        'vehicle_id': car.id, 'odometer': 'abc', 'fuel_eighths': '3', 'complaint': ''})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'Write down what the customer says' in body
    assert _reload(draft).odometer == 42000  # nothing half-saved


def test_vehicle_step_saves_and_moves_on(signed_in, draft, car):
    """Saving step 1 records odometer, fuel, complaint and documents, and opens the walk-around."""
    resp = signed_in.post('/checkin/%d/vehicle' % draft.id, data={
        'vehicle_id': car.id, 'odometer': '43210', 'fuel_eighths': '5', 'complaint': '刹车异响',
        'documents': ['licence', 'service_book']})
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/walkaround')
    order = _reload(draft)
    assert (order.odometer, order.fuel_eighths, order.complaint) == (43210, 5, '刹车异响')
    assert order.document_list == ['licence', 'service_book']
    assert Event.select().where(Event.action == 'checkin.vehicle').count() == 1


def test_another_shops_vehicle_cannot_be_used(signed_in, draft):
    """A crafted vehicle id from another shop must not attach that car."""
    other = factories.make_shop('S9')
    foreign = factories.make_vehicle(other, factories.make_customer(other))
    resp = signed_in.post('/checkin/%d/vehicle' % draft.id, data={
        'vehicle_id': foreign.id, 'odometer': '50000', 'fuel_eighths': '5', 'complaint': 'x'})
    assert resp.status_code == 404


def test_walkaround_marks_by_tap_and_without_javascript(signed_in, draft):
    """A tap places a mark where it landed; without JS the image button's pixel click works too."""
    resp = signed_in.post('/checkin/%d/marks' % draft.id, data={'x': '25.5', 'y': '40', 'kind': 'dent', 'note': '后门'},
                          headers={'HX-Request': 'true'})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and body.startswith('<section id="walkaround"') and '后门' in body
    signed_in.post('/checkin/%d/marks' % draft.id, data={'spot.x': '320', 'spot.y': '180', 'kind': 'scratch'})
    marks = list(WalkaroundMark.select().order_by(WalkaroundMark.id))
    assert [(float(m.x), float(m.y), m.kind) for m in marks] == [(25.5, 40.0, 'dent'), (50.0, 50.0, 'scratch')]
    svg = signed_in.get('/orders/%d/outline.svg' % draft.id)
    assert svg.mimetype == 'image/svg+xml' and svg.get_data(as_text=True).count('<circle') == 2


def test_mark_needs_a_spot_and_a_known_kind(signed_in, draft):
    """A mark without a position or with an invented kind is refused with a message."""
    resp = signed_in.post('/checkin/%d/marks' % draft.id, data={'kind': 'scratch'})
    assert resp.status_code == 400 and 'Tap on the car drawing' in resp.get_data(as_text=True)
    resp = signed_in.post('/checkin/%d/marks' % draft.id, data={'x': '5', 'y': '5', 'kind': 'burn'})
    assert resp.status_code == 400
    assert WalkaroundMark.select().count() == 0


def _jpeg_with_exif():
    img = Image.new('RGB', (800, 600), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = 'SecretPhoneMaker'   # Make
    buf = io.BytesIO()
    img.save(buf, 'JPEG', exif=exif.tobytes())
    return buf.getvalue()


def test_photo_is_reencoded_without_metadata(app, signed_in, draft):
    """A damage photo must not carry the phone's metadata (location, device) into the shop's records."""
    mark = checkin.add_mark(draft, draft.advisor, view='top', x=10, y=10, kind='scratch')
    data = _jpeg_with_exif()
    assert b'SecretPhoneMaker' in data
    resp = signed_in.post('/checkin/%d/marks/%d/photos' % (draft.id, mark.id),
                          data={'photo': (io.BytesIO(data), 'IMG_0001.jpg')}, content_type='multipart/form-data')
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/checkin/%d/walkaround' % draft.id)
    photo = Photo.get()
    served = signed_in.get('/photos/%d' % photo.id)
    assert served.mimetype == 'image/jpeg' and b'SecretPhoneMaker' not in served.data
    assert Image.open(io.BytesIO(served.data)).getexif().get(0x010F) is None
    assert re.fullmatch(r'[0-9a-f]{32}\.jpg', photo.filename)
    thumb = signed_in.get('/photos/%d?thumb=1' % photo.id)
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= 360


@pytest.mark.parametrize('payload,name,message', [
    (b'%PDF-1.4 not a photo', 'scan.jpg', 'not a photo the system can read'),
    (b'', 'empty.jpg', 'The file is empty'),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'x.png', 'not a photo'),
])
def test_bad_uploads_are_refused_and_leave_nothing(app, signed_in, draft, payload, name, message):
    """A non-image (or a script dressed as one) is refused with a reason; no row or file is left behind."""
    import os
    mark = checkin.add_mark(draft, draft.advisor, view='top', x=10, y=10, kind='scratch')
    resp = signed_in.post('/checkin/%d/marks/%d/photos' % (draft.id, mark.id),
                          data={'photo': (io.BytesIO(payload), name)}, content_type='multipart/form-data')
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert Photo.select().count() == 0
    folder = os.path.join(app.instance_path, 'photos')
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_pixel_bomb_and_wrong_extension(app, signed_in, draft):
    """A tiny file that decodes to a giant picture is refused; a real photo named .png is accepted by content."""
    from app.core import photos
    mark = checkin.add_mark(draft, draft.advisor, view='top', x=10, y=10, kind='scratch')
    buf = io.BytesIO()
    Image.new('1', (9000, 9000)).save(buf, 'PNG')   # 81 megapixels, a few KB
    resp = signed_in.post('/checkin/%d/marks/%d/photos' % (draft.id, mark.id),
                          data={'photo': (io.BytesIO(buf.getvalue()), 'bomb.png')}, content_type='multipart/form-data')
    assert resp.status_code == 400 and 'too many pixels' in resp.get_data(as_text=True)
    resp = signed_in.post('/checkin/%d/marks/%d/photos' % (draft.id, mark.id),
                          data={'photo': (io.BytesIO(factories.tiny_jpeg()), 'photo.png')},
                          content_type='multipart/form-data')
    assert resp.status_code == 302 and Photo.select().count() == 1
    assert photos.MAX_PIXELS < 9000 * 9000


def test_checklist_and_belongings(signed_in, draft):
    """The checklist and the belongings list are kept, and the valuables reminder is required."""
    resp = signed_in.post('/checkin/%d/walkaround' % draft.id, data={
        'check_interior': 'ok', 'check_seats': 'issue', 'note_seats': '驾驶座有污渍'})
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/belongings')
    assert _reload(draft).check_results['seats'] == {'ok': False, 'note': '驾驶座有污渍'}
    data = {'qty_spare_tyre': '1', 'qty_umbrella': '2', 'free_name_0': '儿童玩具', 'free_qty_0': '3'}
    resp = signed_in.post('/checkin/%d/belongings' % draft.id, data=data)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'Remind the customer to take valuables' in body
    assert '儿童玩具' in body and 'value="2"' in body
    assert Belonging.select().count() == 0
    resp = signed_in.post('/checkin/%d/belongings' % draft.id, data=dict(data, valuables='y'))
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/key')
    items = sorted((b.name, b.quantity) for b in Belonging.select())
    assert items == [('Spare tyre', 1), ('Umbrella', 2), ('儿童玩具', 3)]
    resp = signed_in.post('/checkin/%d/belongings' % draft.id, data={'qty_jack': 'x', 'valuables': 'y'})
    assert resp.status_code == 400 and 'whole numbers' in resp.get_data(as_text=True)
    assert Belonging.select().count() == 3


def test_key_tag_by_number_scan_or_pick_and_never_twice(signed_in, shop, advisor, draft):
    """A tag on another open order is refused; a scanned label URL works like the number."""
    tags, hooks = factories.make_key_tags(shop, 3)
    other = checkin.start_checkin(shop, advisor)
    checkin.assign_key(other, advisor, tag=tags[0], hook=hooks[0])
    resp = signed_in.post('/checkin/%d/key' % draft.id, data={'tag': '1', 'hook': hooks[1].id})
    assert resp.status_code == 400 and 'Key tag 1 is already on another order' in resp.get_data(as_text=True)
    resp = signed_in.post('/checkin/%d/key' % draft.id, data={'tag': 'https://shop.example/k/%s' % tags[1].token,
                                                             'hook': hooks[1].id})
    assert resp.status_code == 302
    assert KeyTag.get_by_id(tags[1].id).order_id == draft.id and _reload(draft).key_hook_id == hooks[1].id
    resp = signed_in.post('/checkin/%d/key' % draft.id, data={'tag': '77', 'hook': 0})
    assert resp.status_code == 400 and 'No key tag 77' in resp.get_data(as_text=True)
    # changing the tag frees the old one
    signed_in.post('/checkin/%d/key' % draft.id, data={'tag': '3', 'hook': hooks[1].id})
    assert KeyTag.get_by_id(tags[1].id).order_id is None and KeyTag.get_by_id(tags[2].id).order_id == draft.id


def test_tapping_a_free_tag_picks_it(signed_in, shop, draft):
    """One tap on a free tag's button takes that tag, even with the number field left empty."""
    tags, hooks = factories.make_key_tags(shop, 2)
    resp = signed_in.post('/checkin/%d/key' % draft.id, data={'tag': '', 'pick': '2', 'hook': hooks[0].id})
    assert resp.status_code == 302 and _reload(draft).key_tag_id == tags[1].id


def test_two_advisors_taking_the_same_tag_at_once(app, shop, advisor):
    """Two check-ins grabbing the same tag at the same moment: exactly one gets it."""
    tags, _hooks = factories.make_key_tags(shop, 1)
    orders = [checkin.start_checkin(shop, advisor) for _ in range(2)]
    results, barrier = [], threading.Barrier(2)

    def take(order):
        with app.app_context():
            db.connect(reuse_if_open=True)
            barrier.wait()
            try:
                checkin.assign_key(RepairOrder.get_by_id(order.id), advisor, tag=KeyTag.get_by_id(tags[0].id), hook=None)
                results.append('ok')
            except checkin.CheckinError:
                results.append('refused')
            finally:
                db.close()

    threads = [threading.Thread(target=take, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ['ok', 'refused']


def test_estimate_canned_job_parts_and_totals(signed_in, shop, draft):
    """A canned job brings its hours and parts; totals with tax are exact to the cent."""
    job = factories.make_canned_job(shop, hours=Decimal('1.2'), parts=[('90915', 'Oil filter', Decimal('1'), Decimal('68.00')),
                                                                       ('08880', 'Oil 4L', Decimal('1'), Decimal('420.00'))])
    resp = signed_in.post('/checkin/%d/lines' % draft.id, data={'canned_job': job.id}, headers={'HX-Request': 'true'})
    assert resp.status_code == 200 and resp.get_data(as_text=True).lstrip().startswith('<div id="estimate"')
    line = OrderLine.get()
    assert (line.labour_hours, line.labour_rate, line.labour_price) == (Decimal('1.20'), Decimal('300.00'), Decimal('360.00'))
    assert PartLine.select().count() == 2
    resp = signed_in.post('/checkin/%d/lines/%d/parts' % (draft.id, line.id), data={
        'p%d-name' % line.id: 'Customer wipers', 'p%d-quantity' % line.id: '2', 'p%d-unit_price' % line.id: '0',
        'p%d-supplied_by' % line.id: 'customer', 'p%d-origin' % line.id: 'aftermarket'})
    assert resp.status_code == 302          # without JavaScript: back to the estimate, the part on it
    assert _reload(draft).no_guarantee_note
    from app.reception.pricing import order_totals
    t = order_totals(_reload(draft))
    assert (t['labour'], t['parts'], t['tax'], t['total']) == (Decimal('360.00'), Decimal('488.00'),
                                                              Decimal('110.24'), Decimal('958.24'))


def test_free_line_needs_words_and_hours(signed_in, draft):
    """A typed job without hours (or without words) is explained, not saved."""
    resp = signed_in.post('/checkin/%d/lines' % draft.id, data={'canned_job': '0', 'description': '检查异响'})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'Enter the labour hours' in body and '检查异响' in body
    resp = signed_in.post('/checkin/%d/lines' % draft.id, data={'canned_job': '0', 'hours': '1'})
    assert resp.status_code == 400 and 'Pick a job from the catalogue or describe it' in resp.get_data(as_text=True)
    resp = signed_in.post('/checkin/%d/lines/%d/parts' % (draft.id, 999999), data={})
    assert resp.status_code == 404
    assert OrderLine.select().count() == 0


def test_aftermarket_on_key_system_adds_the_note(shop, advisor, draft):
    """An aftermarket brake part must put the 'no quality guarantee' note on the order."""
    line = checkin.add_estimate_line(draft, advisor, description='Brakes', hours=Decimal('1'))
    checkin.add_part(draft, advisor, line, part_number='X', name='Pads', quantity=Decimal('1'),
                     unit_price=Decimal('200'), supplied_by='shop', origin='aftermarket', key_system=False)
    assert not _reload(draft).no_guarantee_note
    checkin.add_part(draft, advisor, line, part_number='Y', name='Discs', quantity=Decimal('1'),
                     unit_price=Decimal('500'), supplied_by='shop', origin='aftermarket', key_system=True)
    assert _reload(draft).no_guarantee_note


def test_promise_suggestion_is_in_opening_hours(shop, advisor, draft):
    """The suggested time must fall inside the workshop's hours, after now, on a quarter hour."""
    from app.core.timeutil import to_local
    checkin.add_estimate_line(draft, advisor, description='Big job', hours=Decimal('12'))
    for hour in (2, 9, 16, 22):   # UTC hours: 10:00, 17:00, 00:00 and 06:00 in Shanghai
        now = utcnow().replace(hour=hour, minute=7)
        promised = checkin.suggest_promise(_reload(draft), now=now)
        local = to_local(promised, shop.timezone)
        assert promised > now
        assert (8, 30) <= (local.hour, local.minute) <= (18, 0), (hour, local)
        assert local.minute % 15 == 0


def _complete(client, draft, car, shop, advisor):
    tags, hooks = factories.make_key_tags(shop, 2)
    client.post('/checkin/%d/vehicle' % draft.id, data={'vehicle_id': car.id, 'odometer': '43000',
                                                       'fuel_eighths': '4', 'complaint': '保养'})
    client.post('/checkin/%d/belongings' % draft.id, data={'qty_umbrella': '1', 'valuables': 'y'})
    client.post('/checkin/%d/key' % draft.id, data={'tag': '1', 'hook': hooks[0].id})
    checkin.add_estimate_line(_reload(draft), advisor, description='Service', hours=Decimal('1'))
    client.post('/checkin/%d/estimate' % draft.id, data={'method': 'item'})
    local = (to_local(utcnow(), shop.timezone) + timedelta(days=1)).strftime('%Y-%m-%dT%H:%M')
    client.post('/checkin/%d/promise' % draft.id, data={'promised_at': local})


def test_signing_numbers_and_locks_the_order(signed_in, shop, advisor, draft, car):
    """Signing gives the next order number, checks the car in, and later edits are refused."""
    resp = signed_in.post('/checkin/%d/sign' % draft.id, data={'signer': '王芳', 'signature': 'data:image/png;base64,'
                                                                + __import__('base64').b64encode(factories.tiny_png()).decode()})
    assert resp.status_code == 400 and 'Before signing, complete' in resp.get_data(as_text=True)
    _complete(signed_in, draft, car, shop, advisor)
    order = _reload(draft)
    assert order.promised_at and order.key_tag_id and order.checkin_step == 'sign'
    resp = signed_in.post('/checkin/%d/sign' % draft.id, data={'signer': '王芳'})
    assert resp.status_code == 400 and 'has not signed yet' in resp.get_data(as_text=True)
    png = 'data:image/png;base64,' + __import__('base64').b64encode(factories.tiny_png()).decode()
    resp = signed_in.post('/checkin/%d/sign' % draft.id, data={'signer': '王芳', 'signature': png})
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/orders/%d' % draft.id)
    order = _reload(draft)
    assert order.stage == stages.CHECKED_IN and re.fullmatch(r'RO-\d{4}-000001', order.number)
    assert order.vehicle.mileage == 43000 and MileageReading.select().count() == 1
    assert order.signatures.count() == 1
    # locked: a step cannot be changed any more
    resp = signed_in.post('/checkin/%d/marks' % draft.id, data={'x': '5', 'y': '5', 'kind': 'scratch'})
    assert WalkaroundMark.select().count() == 0 and resp.status_code in (302, 400)
    with pytest.raises(checkin.CheckinError):
        checkin.add_estimate_line(_reload(draft), advisor, description='Sneaky', hours=Decimal('1'))
    page = signed_in.get('/orders/%d' % draft.id).get_data(as_text=True)
    assert order.number in page and 'Signed by 王芳' in page


def test_signed_order_is_amended_only_with_a_reason(signed_in, shop, advisor, draft, car):
    """Changing a signed order's promise is recorded with before, after and why; a stale form is refused."""
    _complete(signed_in, draft, car, shop, advisor)
    checkin.sign(_reload(draft), advisor, signature_png=factories.tiny_png(), signer='王芳')
    order = _reload(draft)
    new_time = (utcnow() + timedelta(days=3)).strftime('%Y-%m-%dT%H:%M')
    resp = signed_in.post('/orders/%d/amend' % order.id, data={'promised_at': new_time, 'reason': '',
                                                              'version': order.version})
    assert resp.status_code == 400 and 'Say why the signed order is changed.' in resp.get_data(as_text=True)
    resp = signed_in.post('/orders/%d/amend' % order.id, data={'promised_at': new_time, 'reason': '等配件',
                                                              'version': order.version})
    assert resp.status_code == 400 and 'Choose how the customer was told' in resp.get_data(as_text=True)
    resp = signed_in.post('/orders/%d/amend' % order.id, data={'promised_at': new_time, 'reason': '等配件',
                                                              'told_channel': 'phone', 'version': order.version})
    assert resp.status_code == 302
    ev = Event.get(Event.action == 'order.amended')
    assert ev.note == '等配件' and 'promised_at' in ev.after_data
    resp = signed_in.post('/orders/%d/amend' % order.id, data={'promised_at': new_time, 'reason': 'again',
                                                              'version': order.version})
    assert resp.status_code == 409


def test_print_views_are_in_the_customers_language(signed_in, shop, advisor, draft, car):
    """An English-speaking customer gets the printed order in English, a Chinese one in Chinese."""
    _complete(signed_in, draft, car, shop, advisor)
    checkin.sign(_reload(draft), advisor, signature_png=factories.tiny_png(), signer='王芳')
    car.owner.language = 'en'
    car.owner.save()
    body = signed_in.get('/orders/%d/print' % draft.id).get_data(as_text=True)
    assert '<html lang="en">' in body and 'Repair order' in body and '粤B12345' in body
    car.owner.language = 'zh'
    car.owner.save()
    body = signed_in.get('/orders/%d/belongings/print' % draft.id).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in body and 'Umbrella' not in body.split('<tbody>')[0]


def test_cancel_draft_frees_the_key_tag(signed_in, shop, advisor, draft):
    """A customer who leaves before signing must not block a key tag."""
    tags, hooks = factories.make_key_tags(shop, 1)
    checkin.assign_key(draft, advisor, tag=tags[0], hook=hooks[0])
    resp = signed_in.post('/checkin/%d/cancel' % draft.id)
    assert resp.status_code == 302
    assert _reload(draft).stage == stages.CANCELLED and KeyTag.get_by_id(tags[0].id).order_id is None


def test_technician_cannot_check_in(client, make_user, draft):
    """Check-in is the advisor's job; a technician is refused."""
    make_user('tom', ['technician'])
    client.post('/login', data={'username': 'tom', 'password': factories.PASSWORD})
    assert client.get('/checkin/%d/vehicle' % draft.id).status_code == 403
    assert client.post('/checkin/start').status_code == 403


def test_draft_order_numbers_stay_gap_free(shop, advisor, car):
    """Cancelled and unsigned drafts take no number; signed orders are numbered 1, 2…"""
    drafts = [checkin.start_checkin(shop, advisor, customer=car.owner, vehicle=car) for _ in range(3)]
    checkin.cancel_draft(drafts[0], advisor)
    assert RepairOrder.select().where(RepairOrder.number.is_null(False)).count() == 0
    with transaction():
        assert RepairOrder.next_number(shop, utcnow()).endswith('000001')


def test_a_closed_or_settled_order_is_not_amended_and_the_kpi_keeps_the_first_promise(signed_in, shop, advisor,
                                                                                      draft, car):
    """Moving a closed order's promise turned a late delivery into an on-time one in the advisor's own KPIs."""
    from app.kpi import engine as figures
    _complete(signed_in, draft, car, shop, advisor)
    checkin.sign(_reload(draft), advisor, signature_png=factories.tiny_png(), signer='王芳')
    order = _reload(draft)
    signed_for = order.promised_at
    assert order.original_promised_at == signed_for
    local = lambda dt: to_local(dt, shop.timezone).strftime('%Y-%m-%dT%H:%M')  # noqa: E731
    # the past is refused: a new promise is a time still to come
    resp = signed_in.post('/orders/%d/amend' % order.id, data={
        'promised_at': local(utcnow() - timedelta(hours=1)), 'reason': '等配件', 'told_channel': 'phone',
        'version': order.version})
    assert resp.status_code == 400 and 'must be in the future' in resp.get_data(as_text=True)
    later = utcnow() + timedelta(days=2)
    assert signed_in.post('/orders/%d/amend' % order.id, data={
        'promised_at': local(later), 'reason': '等配件', 'told_channel': 'phone',
        'version': order.version}).status_code == 302
    order = _reload(draft)
    assert order.promised_at > signed_for and order.original_promised_at == signed_for
    assert Event.get(Event.action == 'order.amended').after_data['channel'] == 'phone'
    # delivered a day after the first promise: late, whatever the amendment said
    with transaction():
        RepairOrder.update(stage=stages.CLOSED, delivered_at=signed_for + timedelta(days=1)).where(
            RepairOrder.id == order.id).execute()
    order = _reload(draft)
    resp = signed_in.post('/orders/%d/amend' % order.id, data={
        'promised_at': local(utcnow() + timedelta(days=5)), 'reason': '改成准时', 'told_channel': 'phone',
        'version': order.version})
    assert resp.status_code == 400 and 'can no longer be amended' in resp.get_data(as_text=True)
    assert _reload(draft).promised_at == order.promised_at
    day = to_local(order.delivered_at, shop.timezone).date()
    fig = figures.compute([shop.id], day, day + timedelta(days=1), ['timeliness'])['timeliness']
    assert (fig.numerator, fig.denominator) == (0, 1)
