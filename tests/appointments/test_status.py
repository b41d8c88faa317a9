"""An appointment's life: no-show, cancellation, and arrival turning it into a draft repair order."""
from decimal import Decimal

from app.appointments.models import Appointment
from app.core import stages
from app.core.models import Event
from app.catalogue.models import CannedJob, CannedJobPart
from app.reception.models import OrderLine, PartLine, RepairOrder
from tests import factories
from tests.appointments.helpers import appointment_in, book


def test_arrival_opens_a_draft_order_carrying_everything(client, advisor, shop, customer, car):
    """One tap at arrival must open the check-in with the customer, car, work, jobs and ordered parts."""
    oil = CannedJob.create(shop=shop, code='OIL', name='更换机油机滤', hours=Decimal('0.8'))
    CannedJobPart.create(shop=shop, job=oil, part_number='90915-YZZN1', name='机油滤清器', unit_price=Decimal('58'))
    appt = book(shop, advisor, customer, car, clock='10:30', duration='2', requested_work='保养，顺便检查空调',
                advisor=advisor, jobs=[(oil, oil.name, oil.hours), (None, 'A/C check', Decimal('1'))],
                parts=[('88450-06390', 'A/C compressor', Decimal('1'), Decimal('4200'))],
                deposit=Decimal('2100'), deposit_method='card')
    resp = client.post('/appointments/%d/arrive' % appt.id, data={'version': appt.version})
    assert resp.status_code == 302
    order = RepairOrder.get()
    assert resp.headers['Location'].endswith('/orders/%d' % order.id)
    assert order.stage == stages.DRAFT and order.appointment_id == appt.id
    assert (order.customer_id, order.vehicle_id, order.advisor_id) == (customer.id, car.id, advisor.id)
    assert order.complaint == '保养，顺便检查空调'
    lines = list(OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.position))
    assert [(l.description, l.labour_hours) for l in lines] == [('更换机油机滤', Decimal('0.8')), ('A/C check', Decimal('1'))]
    assert lines[0].canned_job_id == oil.id
    parts = {p.name: p for p in PartLine.select().where(PartLine.order == order)}
    assert parts['A/C compressor'].line_id == lines[0].id and parts['A/C compressor'].unit_price == Decimal('4200')
    assert parts['A/C compressor'].part_number == '88450-06390'
    assert '机油滤清器' in parts            # the catalogue job's usual part comes too
    appt = Appointment.get_by_id(appt.id)
    assert appt.status == 'arrived' and appt.order_id == order.id and appt.deposit == Decimal('2100')
    event = Event.get(Event.action == 'appointment.arrived')
    assert event.after_data['order'] == order.id and event.actor == advisor.id
    page = client.get('/appointments/%d' % appt.id).get_data(as_text=True)
    assert 'Arrived' in page and '/orders/%d' % order.id in page


def test_arrival_with_free_text_work_only_makes_one_job_line(client, advisor, shop, customer, car):
    """A booking with only the customer's words still reaches the order as a job line with its parts."""
    appt = book(shop, advisor, customer, car, clock='09:30', duration='1.5', requested_work='刹车异响\n前轮明显',
                parts=[('', 'Brake pads', Decimal('1'), Decimal('680'))])
    client.post('/appointments/%d/arrive' % appt.id, data={'version': appt.version})
    order = RepairOrder.get()
    line = OrderLine.get(OrderLine.order == order)
    assert line.description == '刹车异响' and line.labour_hours == Decimal('1.5')
    assert PartLine.get(PartLine.order == order).line_id == line.id


def test_arrival_cannot_happen_twice(client, advisor, shop, customer, car):
    """A double tap must not open two check-ins for one visit."""
    appt = book(shop, advisor, customer, car)
    assert client.post('/appointments/%d/arrive' % appt.id, data={'version': appt.version}).status_code == 302
    resp = client.post('/appointments/%d/arrive' % appt.id, data={'version': appt.version + 1})
    assert resp.status_code == 400 and 'already' in resp.get_data(as_text=True)
    assert RepairOrder.select().count() == 1


def test_a_stale_page_is_refused(client, advisor, shop, customer, car):
    """Acting on a page opened before someone else changed the appointment must be refused, not overwrite."""
    appt = appointment_in(shop, customer, car, hours=5)
    client.post('/appointments/%d/remind' % appt.id, data={'channel': 'phone', 'version': appt.version})
    resp = client.post('/appointments/%d/cancel' % appt.id, data={'version': appt.version})
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)                 # the appointment as it is now, saying why
    assert 'changed this a moment ago' in page and 'Reminded on' in page
    assert Appointment.get_by_id(appt.id).status == 'booked'


def test_a_repeated_arrival_tap_opens_one_check_in(client, advisor, shop, customer, car):
    """The same tap sent twice on flaky Wi-Fi opens one check-in, and the repeat lands on it too."""
    appt = book(shop, advisor, customer, car)
    data = {'version': appt.version, 'idem': 'arrive-1'}
    first = client.post('/appointments/%d/arrive' % appt.id, data=data)
    again = client.post('/appointments/%d/arrive' % appt.id, data=data)
    order = RepairOrder.get()
    assert first.status_code == again.status_code == 302
    assert first.headers['Location'] == again.headers['Location'] and again.headers['Location'].endswith(
        '/orders/%d' % order.id)
    assert RepairOrder.select().count() == 1


def test_no_show_only_after_the_start_time(client, advisor, shop, customer, car):
    """A customer cannot be marked as not coming before their time; afterwards it is recorded and audited."""
    future = appointment_in(shop, customer, car, hours=3)
    page = client.get('/appointments/%d' % future.id).get_data(as_text=True)
    assert 'no-show' not in page.split('<h2>Actions</h2>')[1].split('</section>')[0]
    resp = client.post('/appointments/%d/no-show' % future.id, data={'version': future.version})
    assert resp.status_code == 400 and 'has not started yet' in resp.get_data(as_text=True)
    assert Appointment.get_by_id(future.id).status == 'booked'

    missed = appointment_in(shop, customer, car, hours=-1)
    assert 'Did not come (no-show)' in client.get('/appointments/%d' % missed.id).get_data(as_text=True)
    resp = client.post('/appointments/%d/no-show' % missed.id, data={'version': missed.version})
    assert resp.status_code == 302
    assert Appointment.get_by_id(missed.id).status == 'no_show'
    event = Event.get(Event.action == 'appointment.no_show')
    assert event.record_id == missed.id and event.actor == advisor.id
    assert 'No-show' in client.get('/appointments/%d' % missed.id).get_data(as_text=True)


def test_cancel_records_the_reason(client, advisor, shop, customer, car):
    """A cancellation is kept with its reason in the appointment's history."""
    appt = book(shop, advisor, customer, car)
    resp = client.post('/appointments/%d/cancel' % appt.id, data={'version': appt.version, 'note': '客户出差 away'})
    assert resp.status_code == 302
    assert Appointment.get_by_id(appt.id).status == 'cancelled'
    page = client.get('/appointments/%d' % appt.id).get_data(as_text=True)
    assert 'Cancelled' in page and '客户出差 away' in page
    assert client.post('/appointments/%d/arrive' % appt.id, data={'version': appt.version + 1}).status_code == 400


def test_appointment_page_shows_the_booking(client, advisor, shop, customer, car):
    """The appointment page must show when, who, what, parts, deposit and the reminder."""
    appt = book(shop, advisor, customer, car, clock='13:30', duration='1.25', requested_work='首保 first service',
                parts=[('PN-1', 'Tyre', Decimal('4'), Decimal('1050'))], deposit=Decimal('2100'),
                deposit_method='bank_transfer', advisor=advisor)
    page = client.get('/appointments/%d' % appt.id).get_data(as_text=True)
    for text in ('A-%06d' % appt.id, '13:30–14:45', '1.25 h', '张伟', '粤B12345', '首保 first service', 'Tyre',
                 '¥4,200.00', '¥2,100.00', 'Bank transfer', 'Not reminded yet.', 'Amy Advisor', 'Print slip'):
        assert text in page, text


def test_actions_are_refused_to_other_roles(client, make_user, shop, customer, car):
    """Only advisors and the manager may change an appointment; the foreman may look at it."""
    appt = appointment_in(shop, customer, car, hours=-1)
    make_user('fred', ['foreman'])
    client.post('/login', data={'username': 'fred', 'password': factories.PASSWORD})
    assert client.get('/appointments/%d' % appt.id).status_code == 200
    for action in ('arrive', 'no-show', 'cancel', 'remind'):
        assert client.post('/appointments/%d/%s' % (appt.id, action), data={'version': appt.version}).status_code == 403
    assert Appointment.get_by_id(appt.id).status == 'booked' and not RepairOrder.select().exists()
