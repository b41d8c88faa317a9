"""A campaign edited and closed: its fields and VIN list changed with the same checks as when entered, a stale form
refused, work already on orders left as added; closed, no car shows its open recall and its call tasks are
cancelled; reopened, nothing is made by itself; only the service manager and the warranty clerk may do it."""
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.aftercare.models import FollowUpTask
from app.core.access import ADVISOR, CUSTOMER_SERVICE, MANAGER, WARRANTY
from app.core.audit import Event
from app.core.timeutil import shop_today
from app.recalls import rules
from app.recalls.models import Campaign, CampaignCall, CampaignVin
from app.reception.models import OrderLine
from tests import factories
from tests.helpers import reload, sign_in
from tests.recalls.helpers import campaign, car, csv_file, vin

ZH = {'Accept-Language': 'zh'}


@pytest.fixture
def people(shop):
    return {role: factories.make_user('u_' + role, [role], [shop])
            for role in (ADVISOR, WARRANTY, MANAGER, CUSTOMER_SERVICE)}


@pytest.fixture
def recall(shop):
    return campaign(shop, [(vin(100), vin(200)), (vin(5), vin(5))])


def _edit(c, **kw):
    """The edit form as the page draws it for `c`, with `kw` changed."""
    data = {'code': c.code, 'title': c.title, 'kind': c.kind, 'work': c.work, 'system': c.system,
            'hours': str(c.labour_hours), 'parts': '47210-02540; Front brake hose; 2; 185',
            'starts_on': c.starts_on.isoformat(), 'ends_on': '', 'note': c.note, 'vins': '', 'version': c.version}
    data.update(kw)
    return data


def _entries(c):
    return sorted((v.vin_from, v.vin_to) for v in CampaignVin.select().where(CampaignVin.campaign == c))


# --- edit ---------------------------------------------------------------------------------------------------------

def test_edit_changes_the_campaign_and_its_vin_list_but_not_work_on_orders(client, shop, people, recall):
    """The clerk fixes the bulletin: fields, VINs added and removed; a job already on an order keeps what it got."""
    covered = car(shop, 150)
    ro = factories.make_order(shop, people[ADVISOR], vehicle=covered)
    job = rules.add_to_order(recall, ro, people[ADVISOR], expected_version=ro.version)
    sign_in(client, people[WARRANTY])
    page = client.get('/recalls/%d/edit' % recall.id).get_data(as_text=True)
    assert 'value="Brake hose recall"' in page and 'data-testid="edit-not-retroactive"' in page
    single = CampaignVin.get((CampaignVin.campaign == recall) & (CampaignVin.vin_from == vin(5)))
    assert 'data-testid="vin-remove-%d"' % single.id in page
    resp = client.post('/recalls/%d/edit' % recall.id, data=_edit(
        recall, title='Brake hose recall (revised)', hours='1.2', work='Replace hoses and brackets',
        parts='47210-02540; Front brake hose; 2; 190\n90080-11; Bracket; 2; 12', ends_on='2099-12-31',
        remove=[single.id], vins='%s\n%s-%s' % (vin(7), vin(300), vin(400))))
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/recalls/%d' % recall.id)
    c = reload(recall)
    assert (c.title, c.labour_hours, c.work, c.ends_on) == \
        ('Brake hose recall (revised)', Decimal('1.2'), 'Replace hoses and brackets', date(2099, 12, 31))
    assert [p['name'] for p in c.part_list] == ['Front brake hose', 'Bracket'] and c.version == recall.version + 1
    assert _entries(c) == sorted([(vin(100), vin(200)), (vin(7), vin(7)), (vin(300), vin(400))])
    # the job added before the edit keeps its hours and description (not changed retroactively)
    line = OrderLine.get_by_id(job.line_id)
    assert line.labour_hours == recall.labour_hours and 'Replace front brake hoses' in line.description
    event = Event.get(Event.action == 'recalls.campaign_edited')
    before, after = json.loads(event.before), json.loads(event.after)
    assert before['title'] == 'Brake hose recall' and after['title'] == 'Brake hose recall (revised)'
    assert before['vins_removed'] == [vin(5)] and after['vins_added'] == [vin(7), '%s-%s' % (vin(300), vin(400))]
    assert 'code' not in after          # only what changed is recorded


@pytest.mark.parametrize('headers, ends_before, bad_line', [
    ({}, 'The campaign ends before it starts.', 'Line 2:'),
    (ZH, '活动的结束日期早于开始日期', '第 2 行'),
])
def test_edit_refusals_are_said_in_place_with_what_was_typed(client, shop, people, recall, headers, ends_before,
                                                            bad_line):
    """A wrong date, a bad VIN line or removing every VIN: said on the form in the user's language, typing kept."""
    sign_in(client, people[MANAGER])
    url = '/recalls/%d/edit' % recall.id
    resp = client.post(url, headers=headers, data=_edit(recall, title='Typed title', starts_on='2026-03-01',
                                                        ends_on='2026-02-01'))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and ends_before in page and 'value="Typed title"' in page
    resp = client.post(url, headers=headers, data=_edit(recall, title='Typed title',
                                                        vins='%s\nLVGBE40K0JG12' % vin(8)))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and bad_line in page and 'LVGBE40K0JG12' in page
    every = [v.id for v in recall.vins]
    resp = client.post(url, headers=headers, data=_edit(recall, remove=every))
    assert resp.status_code == 400 and 'aria-invalid="true"' in resp.get_data(as_text=True)
    c = reload(recall)
    assert c.title == 'Brake hose recall' and c.version == recall.version and len(_entries(c)) == 2


def test_edit_page_in_chinese(client, shop, people, recall):
    """The edit page reads in Chinese for a Chinese-speaking clerk."""
    sign_in(client, people[WARRANTY])
    page = client.get('/recalls/%d/edit' % recall.id, headers=ZH).get_data(as_text=True)
    assert '修改活动' in page and '不会追溯更改' in page and '勾选要删除的条目' in page


def test_stale_edit_is_refused_with_the_fresh_form(client, shop, people, recall):
    """Two clerks editing at once: the second, from an older page, must not overwrite the first."""
    sign_in(client, people[WARRANTY])
    url = '/recalls/%d/edit' % recall.id
    old = _edit(recall)
    assert client.post(url, data=dict(old, title='First clerk')).status_code == 302
    resp = client.post(url, data=dict(old, title='Second clerk', vins=vin(9)))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert 'value="First clerk"' in page and 'Second clerk' not in page
    assert 'name="version" value="%d"' % (recall.version + 1) in page
    assert reload(recall).title == 'First clerk' and (vin(9), vin(9)) not in _entries(recall)


def test_campaign_number_stays_unique_in_the_shop(client, shop, people, recall):
    """Two campaigns of one number would mix up their cars: the edit is refused; another shop's number is free."""
    campaign(shop, [(vin(1), vin(1))], code='RC-OTHER')
    campaign(factories.make_shop('B2'), [(vin(1), vin(1))], code='RC-B')
    sign_in(client, people[WARRANTY])
    url = '/recalls/%d/edit' % recall.id
    resp = client.post(url, data=_edit(recall, code=' RC-OTHER '))
    assert resp.status_code == 400 and 'A campaign with this number exists already.' in resp.get_data(as_text=True)
    assert reload(recall).code == 'RC-1'
    assert client.post(url, data=_edit(recall, code='RC-B')).status_code == 302
    assert reload(recall).code == 'RC-B'


def test_vins_added_from_the_makers_file_again(client, shop, people, recall):
    """The maker sends a longer list: its rows are added, those already in the campaign are not doubled."""
    sign_in(client, people[WARRANTY])
    resp = client.post('/recalls/%d/edit' % recall.id, content_type='multipart/form-data', data=_edit(
        recall, file=(csv_file([['车架号'], [vin(5)], [vin(600)]]), 'more.csv')))
    assert resp.status_code == 302
    assert _entries(recall) == sorted([(vin(100), vin(200)), (vin(5), vin(5)), (vin(600), vin(600))])


# --- close and reopen ---------------------------------------------------------------------------------------------

def _close(c, **kw):
    return dict({'version': c.version, 'reason': Campaign.COMPLETED, 'note': ''}, **kw)


def test_closed_campaign_is_no_open_recall_and_its_calls_are_cancelled(client, shop, people, recall):
    """Closed, the car no longer shows the recall (search badge, order page, its file) and nobody is called."""
    covered = car(shop, 150)
    called = car(shop, 160)
    ro = factories.make_order(shop, people[ADVISOR], vehicle=covered)
    rules.make_calls(recall, people[MANAGER])
    assert CampaignCall.select().count() == 2
    done_task = FollowUpTask.get(FollowUpTask.vehicle == covered.id)
    FollowUpTask.update(status=FollowUpTask.DONE).where(FollowUpTask.id == done_task.id).execute()
    sign_in(client, people[ADVISOR])
    assert 'data-testid="recall-badge"' in client.get('/customers?q=%s' % covered.vin).get_data(as_text=True)
    assert 'data-testid="recall-%d"' % recall.id in client.get('/orders/%d' % ro.id).get_data(as_text=True)
    assert 'id="vehicle-recalls"' in client.get('/vehicles/%d' % covered.id).get_data(as_text=True)

    sign_in(client, people[WARRANTY])
    resp = client.post('/recalls/%d/close' % recall.id, data=_close(recall, note='All cars done'))
    assert resp.status_code == 302
    c = reload(recall)
    assert c.closed_at is not None and c.closed_by_id == people[WARRANTY].id and c.close_reason == 'completed'
    assert rules.vehicle_recalls(reload(covered), shop_today(shop)) == []
    open_task = FollowUpTask.get(FollowUpTask.vehicle == called.id)
    assert open_task.status == FollowUpTask.CANCELLED and 'RC-1' in open_task.note
    assert reload(done_task).status == FollowUpTask.DONE           # a call already made stays as it was
    assert [x.vehicle_id for x in CampaignCall.select()] == [covered.id]
    event = Event.get(Event.action == 'recalls.campaign_closed')
    assert json.loads(event.after)['cancelled_tasks'] == [open_task.id]
    page = client.get('/recalls/%d' % recall.id).get_data(as_text=True)
    assert 'data-testid="campaign-closed"' in page and 'data-testid="recall-calls"' not in page
    assert client.post('/recalls/%d/calls' % recall.id, data={}).status_code == 400

    sign_in(client, people[ADVISOR])
    assert 'data-testid="recall-badge"' not in client.get('/customers?q=%s' % covered.vin).get_data(as_text=True)
    assert 'data-testid="open-recalls"' not in client.get('/orders/%d' % ro.id).get_data(as_text=True)
    assert 'id="vehicle-recalls"' not in client.get('/vehicles/%d' % covered.id).get_data(as_text=True)
    assert client.post('/recalls/%d/orders/%d' % (recall.id, ro.id), data={'version': ro.version}).status_code == 400


def test_reopen_brings_the_recall_back_and_makes_calls_only_with_the_button(client, shop, people, recall):
    """Reopened by mistake-fix, the recall shows again; its call tasks come back only when someone asks."""
    covered = car(shop, 150)
    rules.make_calls(recall, people[MANAGER])
    sign_in(client, people[MANAGER])
    assert client.post('/recalls/%d/close' % recall.id, data=_close(recall)).status_code == 302
    closed = reload(recall)
    assert client.post('/recalls/%d/reopen' % recall.id, data={'version': closed.version}).status_code == 302
    c = reload(recall)
    assert c.closed_at is None and c.close_reason == '' and c.version == closed.version + 1
    assert [r.campaign.id for r in rules.open_recalls(reload(covered))] == [recall.id]
    assert FollowUpTask.select().where(FollowUpTask.status == FollowUpTask.OPEN).count() == 0
    assert Event.select().where(Event.action == 'recalls.campaign_reopened').count() == 1
    page = client.get('/recalls/%d' % recall.id).get_data(as_text=True)
    assert 'data-testid="recall-calls"' in page
    assert client.post('/recalls/%d/calls' % recall.id, data={}).status_code == 302
    tasks = list(FollowUpTask.select().order_by(FollowUpTask.id))
    assert [t.status for t in tasks] == [FollowUpTask.CANCELLED, FollowUpTask.OPEN]


def test_close_refusals(client, shop, people, recall):
    """Other without a note, a stale page, closing twice or reopening an open campaign: refused, nothing changed."""
    sign_in(client, people[WARRANTY])
    url = '/recalls/%d/close' % recall.id
    resp = client.post(url, data=_close(recall, reason='other'))
    assert resp.status_code == 400 and 'Say why the campaign is closed.' in resp.get_data(as_text=True)
    resp = client.post(url, data=_close(recall, reason='other'), headers=ZH)
    assert resp.status_code == 400 and '请写明关闭活动的原因' in resp.get_data(as_text=True)
    assert client.post(url, data=_close(recall, reason='bogus')).status_code == 400
    assert client.post('/recalls/%d/reopen' % recall.id, data={'version': recall.version}).status_code == 400
    assert client.post(url, data=_close(recall, version=recall.version - 1)).status_code == 409
    assert reload(recall).closed_at is None
    assert client.post(url, data=_close(recall, reason='withdrawn')).status_code == 302
    assert client.post(url, data=_close(reload(recall))).status_code == 400


def test_list_tells_running_ended_and_closed_apart(client, shop, people):
    """The clerk must see at a glance which campaigns still count, which ran out and which were closed."""
    today = shop_today(shop)
    running = campaign(shop, [(vin(1), vin(1))], code='RC-RUN', starts_on=today - timedelta(days=3))
    later = campaign(shop, [(vin(2), vin(2))], code='RC-LATER', starts_on=today + timedelta(days=3))
    ended = campaign(shop, [(vin(3), vin(3))], code='RC-END', starts_on=today - timedelta(days=30),
                     ends_on=today - timedelta(days=1))
    closed = campaign(shop, [(vin(4), vin(4))], code='RC-SHUT', starts_on=today - timedelta(days=30))
    from app.recalls import changes
    changes.close_campaign(closed, people[MANAGER], reason='withdrawn', note='', expected_version=closed.version)
    sign_in(client, people[CUSTOMER_SERVICE])
    page = client.get('/recalls').get_data(as_text=True)

    def section(group):
        start = page.index('data-testid="campaigns-%s"' % group)
        return page[start:page.index('</section>', start)]
    assert 'RC-RUN' in section('active') and 'RC-LATER' in section('active')
    assert 'RC-END' in section('ended') and 'RC-END' not in section('active')
    assert 'RC-SHUT' in section('closed') and 'RC-SHUT' not in section('active')
    for c, state in ((running, 'active'), (later, 'upcoming'), (ended, 'ended'), (closed, 'closed')):
        assert 'data-testid="campaign-state-%d" data-state="%s"' % (c.id, state) in page


def test_only_the_manager_and_warranty_clerk_edit_or_close(client, shop, people, recall):
    """An advisor or customer service must not change the maker's campaign (403), and nothing changes."""
    for role in (ADVISOR, CUSTOMER_SERVICE):
        sign_in(client, people[role])
        assert client.get('/recalls/%d/edit' % recall.id).status_code == 403
        assert client.post('/recalls/%d/edit' % recall.id, data=_edit(recall, title='X')).status_code == 403
        assert client.post('/recalls/%d/close' % recall.id, data=_close(recall)).status_code == 403
        assert client.post('/recalls/%d/reopen' % recall.id, data={'version': recall.version}).status_code == 403
        page = client.get('/recalls/%d' % recall.id).get_data(as_text=True)
        assert 'data-testid="campaign-edit"' not in page and 'data-testid="campaign-close"' not in page
    c = reload(recall)
    assert c.title == 'Brake hose recall' and c.closed_at is None and c.version == recall.version
