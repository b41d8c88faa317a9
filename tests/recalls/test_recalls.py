"""Recalls and campaigns: VIN ranges, entering and importing a campaign, the open recall on every page, the one-tap
add billed to the maker, the cars not done and their call tasks, and other shops' records kept out."""
import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook

from app.aftercare.models import FollowUpTask
from app.core import stages
from app.core.access import ADVISOR, CUSTOMER_SERVICE, MANAGER, TECHNICIAN, WARRANTY
from app.core.errors import Refused
from app.recalls import rules
from app.recalls.models import Campaign, CampaignCall, CampaignJob, CampaignVin
from app.reception import checkin
from app.reception.models import OrderLine, PartLine
from app.settlement.totals import live_items
from app.warranty.models import LineCoverage
from tests import factories
from tests.helpers import at_stage, reload, sign_in
from tests.recalls.helpers import campaign, car, csv_file, vin


@pytest.fixture
def people(shop):
    return {role: factories.make_user('u_' + role, [role], [shop])
            for role in (ADVISOR, TECHNICIAN, WARRANTY, MANAGER, CUSTOMER_SERVICE)}


# --- VIN ranges --------------------------------------------------------------------------------------------------

def test_vin_range_matching():
    """A car of the recalled line inside the serials is covered; outside them, or of another line, it is not."""
    lo, hi = vin(100000), vin(100500)
    assert rules.in_range(vin(100000), lo, hi) and rules.in_range(vin(100250), lo, hi)
    assert rules.in_range(vin(100500), lo, hi)
    assert not rules.in_range(vin(100501), lo, hi) and not rules.in_range(vin(99999), lo, hi)
    assert not rules.in_range(vin(100250, line='LVGBE40K0KG'), lo, hi)     # another model year
    # the check digit (position 9) changes with the serial and does not matter
    assert vin(100001)[8] != vin(100002)[8] or vin(100002)[8] != vin(100003)[8]
    assert rules.in_range(vin(100250).lower(), lo, hi)
    # a single VIN covers only itself
    assert rules.in_range(vin(7), vin(7), vin(7)) and not rules.in_range(vin(8), vin(7), vin(7))


def test_entries_are_checked():
    """A typo in a VIN or a range of two lines must be refused with what is wrong, never stored."""
    assert rules.parse_entry(vin(5)) == (vin(5), vin(5))
    assert rules.parse_entry('%s-%s' % (vin(1), vin(9))) == (vin(1), vin(9))
    assert rules.parse_entry([vin(1), vin(9)]) == (vin(1), vin(9))
    for bad in ('LVGBE40K0JG12345', vin(5)[:8] + 'X' + vin(5)[9:], '%s-%s' % (vin(9), vin(1)),
                '%s-%s' % (vin(1), vin(9, line='LFVBE40K0JG'))):
        with pytest.raises(Refused):
            rules.parse_entry(bad)


# --- entering and importing a campaign --------------------------------------------------------------------------

def _form(**kw):
    data = {'code': 'RC-2026-017', 'title': 'Brake hose recall', 'kind': 'recall', 'work': 'Replace hoses',
            'system': 'brakes', 'hours': '0.8', 'parts': '47210-02540; Front brake hose; 2; 185',
            'starts_on': '2026-01-01', 'vins': '', 'note': ''}
    data.update(kw)
    return data


def test_campaign_typed_with_vins_and_ranges(client, shop, people):
    """The clerk types the maker's bulletin: the campaign, its parts and its VIN entries are saved."""
    sign_in(client, people[WARRANTY])
    resp = client.post('/recalls/new', data=_form(vins='%s\n\n%s-%s\n' % (vin(5), vin(100), vin(200))))
    assert resp.status_code == 302
    c = Campaign.get()
    assert c.part_list == [{'part_number': '47210-02540', 'name': 'Front brake hose', 'quantity': '2',
                            'unit_price': '185'}]
    assert sorted((v.vin_from, v.vin_to) for v in c.vins) == sorted([(vin(5), vin(5)), (vin(100), vin(200))])


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_written(client, shop, people):
    """Two bad lines: both named by number, what was typed kept, no campaign half-saved."""
    sign_in(client, people[WARRANTY])
    typed = '%s\nLVGBE40K0JG12\n%s\n%s-%s' % (vin(5), vin(6), vin(300), vin(200))
    resp = client.post('/recalls/new', data=_form(vins=typed))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'Line 2:' in page and 'Line 4:' in page and 'Line 1:' not in page and 'Line 3:' not in page
    assert 'LVGBE40K0JG12' in page and 'RC-2026-017' in page
    assert Campaign.select().count() == 0 and CampaignVin.select().count() == 0


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    return buf


def test_import_the_makers_csv_and_xlsx(client, shop, people):
    """The maker's files, with a VIN column or from / to columns, are read into the campaign."""
    sign_in(client, people[WARRANTY])
    resp = client.post('/recalls/new', content_type='multipart/form-data', data=_form(
        file=(csv_file([['车架号'], [vin(1)], [vin(2)]]), 'recall.csv')))
    assert resp.status_code == 302
    assert sorted(v.vin_from for v in Campaign.get(Campaign.code == 'RC-2026-017').vins) == sorted([vin(1), vin(2)])
    resp = client.post('/recalls/new', content_type='multipart/form-data', data=_form(
        code='SC-9', file=(_xlsx([['VIN from', 'VIN to'], [vin(10), vin(90)], [vin(500), None]]), 'bulletin.xlsx')))
    assert resp.status_code == 302
    entries = sorted((v.vin_from, v.vin_to) for v in Campaign.get(Campaign.code == 'SC-9').vins)
    assert entries == sorted([(vin(10), vin(90)), (vin(500), vin(500))])


def test_bad_import_file_names_its_rows(client, shop, people):
    """A file with a bad row is refused with the row's line in the file; nothing of it is saved."""
    sign_in(client, people[WARRANTY])
    resp = client.post('/recalls/new', content_type='multipart/form-data', data=_form(
        file=(_xlsx([['VIN'], [vin(1)], [vin(2)[:-1] + 'O'], [vin(3)]]), 'bad.xlsx')))
    assert resp.status_code == 400
    assert 'Line 3:' in resp.get_data(as_text=True)
    assert Campaign.select().count() == 0
    resp = client.post('/recalls/new', content_type='multipart/form-data', data=_form(
        file=(io.BytesIO(b'PK\x03\x04 not really a workbook'), 'broken.xlsx')))
    assert resp.status_code == 400 and Campaign.select().count() == 0


# --- the open recall on every page, and the one tap ---------------------------------------------------------------

@pytest.fixture
def recalled(shop, people):
    c = campaign(shop, [(vin(100), vin(200))])
    covered = car(shop, 150, plate='粤B12345')
    ro = factories.make_order(shop, people[ADVISOR], vehicle=covered)
    return c, covered, ro


def test_open_recall_on_search_checkin_order_and_job_card(client, shop, people, recalled):
    """A covered car shows "open recall" wherever it is looked at; a car outside the range does not."""
    c, covered, ro = recalled
    sign_in(client, people[ADVISOR])
    assert 'data-testid="recall-badge"' in client.get('/customers?q=%s' % covered.vin).get_data(as_text=True)
    other = car(shop, 201)
    assert 'data-testid="recall-badge"' not in client.get('/customers?q=%s' % other.vin).get_data(as_text=True)
    draft = checkin.start_checkin(shop, people[ADVISOR], customer=covered.owner, vehicle=covered)
    assert 'data-testid="recall-%d"' % c.id in client.get('/checkin/%d/walkaround' % draft.id).get_data(as_text=True)
    assert 'data-testid="recall-add"' in client.get('/orders/%d' % ro.id).get_data(as_text=True)
    sign_in(client, people[TECHNICIAN])
    assert 'data-testid="recall-add"' in client.get('/jobs/%d' % ro.id).get_data(as_text=True)
    # a campaign not yet running shows nothing
    Campaign.update(starts_on=date.today() + timedelta(days=30)).execute()
    assert 'data-testid="open-recalls"' not in client.get('/jobs/%d' % ro.id).get_data(as_text=True)


def test_one_tap_adds_the_work_billed_to_the_maker(client, shop, people, recalled):
    """One tap puts the job and its parts on the order, and the bill charges them to the maker, not the customer."""
    c, covered, ro = recalled
    sign_in(client, people[TECHNICIAN])
    resp = client.post('/recalls/%d/orders/%d' % (c.id, ro.id), data={'version': ro.version, 'back': 'job',
                                                                      'idem': 'tap1'})
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/jobs/%d' % ro.id)
    job = CampaignJob.get()
    line = OrderLine.get_by_id(job.line_id)
    assert line.description.startswith('RC-1') and line.labour_hours == c.labour_hours
    assert [(p.part_number, p.quantity) for p in PartLine.select().where(PartLine.line == line)] == \
        [('47210-02540', 2)]
    assert LineCoverage.get(LineCoverage.line == line).kind == LineCoverage.WARRANTY
    items = [i for i in live_items(reload(ro)) if i.group == 'line:%d' % line.id]
    assert items and {i.payer for i in items} == {'warranty'}
    # the same tap again adds nothing; a second campaign tap on the car is refused
    client.post('/recalls/%d/orders/%d' % (c.id, ro.id), data={'version': ro.version, 'idem': 'tap1'})
    assert CampaignJob.select().count() == 1
    again = client.post('/recalls/%d/orders/%d' % (c.id, ro.id), data={'version': reload(ro).version})
    assert again.status_code == 400 and CampaignJob.select().count() == 1
    page = client.get('/jobs/%d' % ro.id).get_data(as_text=True)
    assert 'data-testid="recall-on-order"' in page and 'data-testid="recall-add"' not in page


def test_one_tap_refused_for_a_stale_page_or_a_car_not_covered(client, shop, people, recalled):
    """An old page or a car outside the campaign must not get the maker's work."""
    c, covered, ro = recalled
    sign_in(client, people[ADVISOR])
    assert client.post('/recalls/%d/orders/%d' % (c.id, ro.id), data={'version': ro.version - 1}).status_code == 409
    stranger = factories.make_order(shop, people[ADVISOR], vehicle=car(shop, 999))
    assert client.post('/recalls/%d/orders/%d' % (c.id, stranger.id),
                       data={'version': stranger.version}).status_code == 400
    delivered = at_stage(factories.make_order(shop, people[ADVISOR], vehicle=car(shop, 160)), stages.DELIVERED)
    assert client.post('/recalls/%d/orders/%d' % (c.id, delivered.id),
                       data={'version': delivered.version}).status_code == 400
    assert CampaignJob.select().count() == 0


# --- cars not done and their call tasks --------------------------------------------------------------------------

def test_affected_cars_not_done_become_call_tasks(client, shop, people):
    """Owners of cars not done are called once; cars done, in the shop, or owners who want no calls are not."""
    c = campaign(shop, [(vin(100), vin(200))])
    todo, no_calls, in_shop, done = car(shop, 110), car(shop, 120, consent=False), car(shop, 130), car(shop, 140)
    car(shop, 300)                                    # outside the range
    open_ro = factories.make_order(shop, people[ADVISOR], vehicle=in_shop)
    rules.add_to_order(c, open_ro, people[ADVISOR], expected_version=open_ro.version)
    done_ro = factories.make_order(shop, people[ADVISOR], vehicle=done)
    rules.add_to_order(c, done_ro, people[ADVISOR], expected_version=done_ro.version)
    at_stage(done_ro, stages.DELIVERED)
    states = {a.vehicle.id: a.state for a in rules.affected(c)}
    assert states == {todo.id: 'open', no_calls.id: 'open', in_shop.id: 'in_shop', done.id: 'done'}
    sign_in(client, people[CUSTOMER_SERVICE])
    page = client.get('/recalls/%d' % c.id).get_data(as_text=True)
    assert todo.owner.name in page and todo.plate in page
    assert client.post('/recalls/%d/calls' % c.id, data={'idem': 'c1'}).status_code == 302
    tasks = list(FollowUpTask.select())
    assert [(t.vehicle_id, t.kind, t.customer_id) for t in tasks] == [(todo.id, 'recall', todo.owner_id)]
    assert tasks[0].due_by - tasks[0].due_from == timedelta(days=6) and 'RC-1' in tasks[0].note
    assert CampaignCall.select().count() == 1
    assert client.post('/recalls/%d/calls' % c.id, data={}).status_code == 400     # nothing left to call
    assert FollowUpTask.select().count() == 1


# --- other shops -------------------------------------------------------------------------------------------------

def test_other_shops_campaigns_and_orders_are_404(client, shop, people):
    """Another shop's campaign, or an order of another shop, must not be seen or changed."""
    other = factories.make_shop('B2')
    them = factories.make_user('b_adv', [ADVISOR], [other])
    theirs = campaign(other, [(vin(100), vin(200))], title='TheirRecall')
    their_ro = factories.make_order(other, them, vehicle=car(other, 150))
    mine = campaign(shop, [(vin(100), vin(200))], code='RC-2')
    sign_in(client, people[MANAGER])
    assert client.get('/recalls/%d' % theirs.id).status_code == 404
    assert 'TheirRecall' not in client.get('/recalls').get_data(as_text=True)
    assert client.post('/recalls/%d/calls' % theirs.id).status_code == 404
    assert client.post('/recalls/%d/orders/%d' % (mine.id, their_ro.id), data={'version': 1}).status_code == 404
    my_ro = factories.make_order(shop, people[ADVISOR], vehicle=car(shop, 150))
    assert client.post('/recalls/%d/orders/%d' % (theirs.id, my_ro.id), data={'version': 1}).status_code == 404
    assert CampaignJob.select().count() == 0
    # a car of this shop is not matched against the other shop's campaign
    assert [r.campaign.id for r in rules.vehicle_recalls(my_ro.vehicle)] == [mine.id]




def test_the_call_task_says_which_campaign(client, shop, people):
    """The caller must see which campaign to talk about, on the call list and the task."""
    c = campaign(shop, [(vin(100), vin(200))], code='RC-77', title='Airbag recall')
    owner_car = car(shop, 150)
    rules.make_calls(c, people[MANAGER])
    task = FollowUpTask.get()
    sign_in(client, people[CUSTOMER_SERVICE])
    assert 'RC-77 Airbag recall' in client.get('/aftercare/calls').get_data(as_text=True)
    page = client.get('/aftercare/tasks/%d' % task.id).get_data(as_text=True)
    assert 'data-testid="task-note"' in page and 'RC-77' in page and owner_car.plate in page
