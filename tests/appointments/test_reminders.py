"""Reminders: who to remind a day or half a day ahead, and recording who reminded them, when and how."""
from app.appointments.models import Appointment
from app.core.db import utcnow
from app.core.models import Event
from tests import factories
from tests.appointments.helpers import appointment_in, set_setting
from tests.helpers import HX


def _people(shop):
    return {name: factories.make_customer(shop, name=name) for name in
            ('Soon Sun', 'Later Li', 'Far Fang', 'Done Du', 'Gone Guo', 'Past Pan', 'Cancel Cao')}


def test_reminder_list_shows_only_who_still_needs_a_call(client, advisor, shop):
    """The list must hold the next half day and the next day's bookings not yet reminded, and nothing else."""
    p = _people(shop)
    appointment_in(shop, p['Soon Sun'], hours=5)
    appointment_in(shop, p['Later Li'], hours=20)
    appointment_in(shop, p['Far Fang'], hours=30)
    appointment_in(shop, p['Done Du'], hours=6, reminded_at=utcnow(), reminded_by=advisor.id, reminder_channel='phone')
    appointment_in(shop, p['Gone Guo'], hours=-2)
    appointment_in(shop, p['Cancel Cao'], hours=4, status=Appointment.CANCELLED)
    appointment_in(shop, p['Past Pan'], hours=3, status=Appointment.NO_SHOW)
    body = client.get('/appointments/reminders').get_data(as_text=True)
    half, _, day = body.partition('Tomorrow (within 24 h)')
    assert 'In the next half day (12 h)' in half
    assert 'Soon Sun' in half and 'Later Li' not in half
    assert 'Later Li' in day and 'Soon Sun' not in day
    for name in ('Far Fang', 'Done Du', 'Gone Guo', 'Cancel Cao', 'Past Pan'):
        assert name not in body, name


def test_reminder_windows_are_settings(client, advisor, shop):
    """A shop that reminds 48 hours ahead sees the day after tomorrow too."""
    set_setting(shop, 'appointment_reminder_hours', 48)
    far = factories.make_customer(shop, name='Far Fang')
    appointment_in(shop, far, hours=30)
    assert 'Far Fang' in client.get('/appointments/reminders').get_data(as_text=True)


def test_marking_reminded_swaps_only_that_row_and_records_who_when_how(client, advisor, shop, customer, car):
    """One tap must record the reminder and update just that row, so the list stays where it was."""
    appt = appointment_in(shop, customer, car, hours=5)
    before = utcnow()
    resp = client.post('/appointments/%d/remind' % appt.id, headers=HX,
                       data={'channel': 'message', 'note': '客户确认 confirmed by WeChat', 'version': appt.version,
                             'back': 'reminders'})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert body.lstrip().startswith('<li id="reminder-%d"' % appt.id) and '<html' not in body
    assert 'Reminded on' in body and 'Amy Advisor' in body and 'Text or WeChat message' in body
    assert '<form' not in body and 'HX-Request' in resp.headers['Vary']
    appt = Appointment.get_by_id(appt.id)
    assert appt.reminded_by == advisor.id and appt.reminder_channel == 'message'
    assert appt.reminder_note == '客户确认 confirmed by WeChat' and appt.reminded_at >= before.replace(microsecond=0)
    event = Event.get(Event.action == 'appointment.reminded')
    assert event.record_id == appt.id and event.actor == advisor.id
    assert event.after_data['channel'] == 'message'
    assert '张伟' not in client.get('/appointments/reminders').get_data(as_text=True)


def test_marking_reminded_without_javascript_goes_back_to_the_list(client, advisor, shop, customer):
    """Without JavaScript the form posts and returns to the reminder list."""
    appt = appointment_in(shop, customer, hours=5)
    resp = client.post('/appointments/%d/remind' % appt.id,
                       data={'channel': 'phone', 'note': '', 'version': appt.version, 'back': 'reminders'})
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/appointments/reminders')
    assert Appointment.get_by_id(appt.id).reminder_channel == 'phone'


def test_a_bad_channel_is_refused_in_the_row(client, advisor, shop, customer):
    """A reminder without a valid way of reaching the customer is refused in place, nothing recorded."""
    appt = appointment_in(shop, customer, hours=5)
    resp = client.post('/appointments/%d/remind' % appt.id, headers=HX,
                       data={'channel': 'pigeon', 'note': 'kept note', 'version': appt.version})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and body.lstrip().startswith('<li id="reminder-%d"' % appt.id)
    assert 'Not a valid choice' in body and 'value="kept note"' in body
    assert Appointment.get_by_id(appt.id).reminded_at is None
    assert not Event.select().where(Event.action == 'appointment.reminded').exists()


def test_only_advisors_and_the_manager_record_reminders(client, make_user, shop, customer):
    """Other roles must be refused before anything is recorded."""
    appt = appointment_in(shop, customer, hours=5)
    make_user('fred', ['foreman'])
    client.post('/login', data={'username': 'fred', 'password': factories.PASSWORD})
    resp = client.post('/appointments/%d/remind' % appt.id, data={'channel': 'phone', 'version': appt.version})
    assert resp.status_code == 403
    assert Appointment.get_by_id(appt.id).reminded_at is None
    client.post('/logout')
    make_user('boss', ['manager'])
    client.post('/login', data={'username': 'boss', 'password': factories.PASSWORD})
    assert client.post('/appointments/%d/remind' % appt.id,
                       data={'channel': 'in_person', 'version': appt.version}).status_code == 302
    assert Appointment.get_by_id(appt.id).reminder_channel == 'in_person'
