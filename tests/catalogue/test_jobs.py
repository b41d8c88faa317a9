"""The labour catalogue: managers keep the canned jobs, their hours and usual parts; advisors read them."""
from decimal import Decimal

from app.core.models import Event
from app.catalogue.models import CannedJob, CannedJobPart
from tests import factories

HX = {'HX-Request': 'true'}


def _job(shop, code='M10K', name='10000 公里保养', hours='1.2', **kw):
    job = CannedJob.create(shop=shop, code=code, name=name, name_en=kw.pop('name_en', '10,000 km maintenance'),
                           hours=Decimal(hours), category=kw.pop('category', 'maintenance'), **kw)
    CannedJobPart.create(shop=shop, job=job, part_number='90915-YZZD2', name='机油滤清器', quantity=1,
                         unit_price=Decimal('68'))
    return job


def _form(**over):
    data = {'code': 'brk2', 'name': '更换后刹车片', 'name_en': 'Rear brake pads', 'category': 'minor',
            'system': 'brakes', 'skill': 'chassis', 'hours': '1.5', 'labour_rate': '',
            'parts-0-part_number': '04466-33200', 'parts-0-name': '后刹车片', 'parts-0-quantity': '1',
            'parts-0-unit_price': '520', 'parts-1-part_number': '', 'parts-1-name': '', 'parts-1-quantity': '',
            'parts-1-unit_price': ''}
    data.update(over)
    return data


def test_manager_adds_a_job_with_its_parts(client, auth, shop, make_user):
    """A manager could not put a new job with its parts on the estimate list."""
    make_user('mia', ['manager'])
    auth.login('mia')
    resp = client.post('/catalogue/jobs/new', data=_form())
    assert resp.status_code == 302
    job = CannedJob.get(CannedJob.code == 'BRK2')            # codes are kept in capitals
    assert (job.name, job.hours, job.category, job.labour_rate) == ('更换后刹车片', Decimal('1.50'), 'minor', None)
    parts = list(CannedJobPart.select().where(CannedJobPart.job == job))
    assert [(p.part_number, p.quantity, p.unit_price) for p in parts] == [('04466-33200', Decimal('1.00'), Decimal('520.00'))]
    assert Event.select().where((Event.action == 'catalogue.job_saved') & (Event.record_id == job.id)).count() == 1
    listing = client.get('/catalogue/jobs?q=rear').get_data(as_text=True)
    assert 'BRK2' in listing and '后刹车片 × 1' in listing


def test_bad_input_is_answered_in_place_with_everything_kept(client, auth, shop, make_user):
    """A typo would lose the whole form, or save a job with half a part row."""
    make_user('mia', ['manager'])
    _job(shop)
    auth.login('mia')
    resp = client.post('/catalogue/jobs/new', data=_form(code='m10k', hours='0', **{'parts-1-name': '刹车油'}))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'Enter hours from 0.1 to 200.' in body
    assert 'Enter the part number.' in body and 'Enter the unit price.' in body
    assert 'value="更换后刹车片"' in body and 'value="刹车油"' in body
    assert CannedJob.select().count() == 1
    taken = client.post('/catalogue/jobs/new', data=_form(code='m10k'))
    assert taken.status_code == 400 and 'Another job already has the code M10K.' in taken.get_data(as_text=True)
    assert CannedJob.select().count() == 1


def test_changing_a_job_replaces_its_parts_and_keeps_orders(client, auth, shop, make_user):
    """Editing a job would duplicate its parts, or change an order that already used it."""
    boss = make_user('mia', ['manager'])
    job = _job(shop)
    order = factories.make_order(shop, boss)
    page = client.get('/catalogue/jobs/%d' % job.id)
    assert page.status_code in (302, 401, 403)               # not signed in yet
    auth.login('mia')
    page = client.get('/catalogue/jobs/%d' % job.id).get_data(as_text=True)
    assert 'value="90915-YZZD2"' in page and 'value="M10K"' in page
    resp = client.post('/catalogue/jobs/%d' % job.id, data=_form(
        code='M10K', name='10000 公里保养（含空滤）', hours='1.4', labour_rate='380', category='maintenance',
        **{'parts-0-part_number': '17801-21050', 'parts-0-name': '空气滤清器', 'parts-0-unit_price': '135'}))
    assert resp.status_code == 302
    job = CannedJob.get_by_id(job.id)
    assert (job.name, job.hours, job.labour_rate) == ('10000 公里保养（含空滤）', Decimal('1.40'), Decimal('380.00'))
    assert [p.part_number for p in CannedJobPart.select().where(CannedJobPart.job == job)] == ['17801-21050']
    before = Event.get((Event.action == 'catalogue.job_saved') & (Event.record_id == job.id)).before
    assert '"hours": "1.2' in before                           # the audit keeps what it was
    from app.reception.models import RepairOrder               # the order written before is untouched
    assert RepairOrder.get_by_id(order.id).version == order.version


def test_retired_jobs_leave_the_list_and_come_back(client, auth, shop, make_user):
    """A job the shop no longer does would still be offered on new estimates."""
    make_user('mia', ['manager'])
    job = _job(shop)
    auth.login('mia')
    assert client.post('/catalogue/jobs/%d/active' % job.id, data={'active': '0'}).status_code == 302
    assert not CannedJob.get_by_id(job.id).active
    assert 'M10K' not in client.get('/catalogue/jobs', headers=HX).get_data(as_text=True)
    shown = client.get('/catalogue/jobs?all=1', headers=HX).get_data(as_text=True)
    assert 'M10K' in shown and 'Retired' in shown and '<html' not in shown
    client.post('/catalogue/jobs/%d/active' % job.id, data={'active': '1'})
    assert CannedJob.get_by_id(job.id).active
    actions = [e.action for e in Event.select().where(Event.record_type == 'canned_job').order_by(Event.id)]
    assert actions == ['catalogue.job_retired', 'catalogue.job_activated']


def test_advisor_reads_but_cannot_change_and_other_shops_are_out_of_reach(client, auth, shop, make_user):
    """An advisor could change prices, or a manager could edit another shop's catalogue by its id."""
    make_user('amy', ['advisor'])
    job = _job(shop)
    other = factories.make_shop('S2', name='Shop Two')
    foreign = _job(other, code='OTHERSHOPJOB')
    auth.login('amy')
    body = client.get('/catalogue/jobs').get_data(as_text=True)
    assert 'M10K' in body and 'OTHERSHOPJOB' not in body and '/catalogue/jobs/%d' % job.id not in body
    assert client.post('/catalogue/jobs/%d' % job.id, data=_form(code='M10K')).status_code == 403
    client.post('/logout')
    make_user('mia', ['manager'])
    auth.login('mia')
    assert client.get('/catalogue/jobs/%d' % foreign.id).status_code == 404
    assert client.post('/catalogue/jobs/%d/active' % foreign.id, data={'active': '0'}).status_code == 404
    assert CannedJob.get_by_id(foreign.id).active
