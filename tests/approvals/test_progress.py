"""Progress check (查询进度): orders 50-80% through their promised time, late orders, the new time told."""
import json
from datetime import timedelta
from decimal import Decimal

from app.approvals import rules
from app.core import stages
from app.core.db import utcnow
from app.core.models import Event, Setting
from app.core.timeutil import to_local
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import ProgressCheck
from tests import factories
from tests.helpers import HX, at_stage, sign_in



def _order(shop, advisor, plate, elapsed_hours, total_hours=10, work_hours='0.5'):
    """An order in progress `elapsed_hours` into a promised duration of `total_hours`, with that much work left."""
    now = utcnow()
    car = factories.make_vehicle(shop, factories.make_customer(shop), plate=plate)
    ro = factories.make_order(shop, advisor, vehicle=car, lines=0, checked_in_at=now - timedelta(hours=elapsed_hours),
                              promised_at=now - timedelta(hours=elapsed_hours) + timedelta(hours=total_hours))
    OrderLine.create(shop=shop, order=ro, description='Job', labour_hours=Decimal(work_hours), status='assigned')
    return at_stage(ro, stages.IN_PROGRESS)


def _local(dt):
    return to_local(dt, factories.SHOP_TZ).strftime('%Y-%m-%dT%H:%M')


def _plates(shop):
    return {r.order.vehicle.plate: r.late for r in rules.progress_list(shop)}


def test_window_is_50_to_80_percent_of_the_promised_duration(shop, staff):
    """Only orders half to four fifths through their time are due for a check; the settings move the window."""
    _order(shop, staff['advisor'], '粤B30000', 3)     # 30%
    _order(shop, staff['advisor'], '粤B50000', 5.1)   # 51%
    _order(shop, staff['advisor'], '粤B79000', 7.9)   # 79%
    _order(shop, staff['advisor'], '粤B85000', 8.5)   # 85%: past the window, not late (1.5 h left, 0.5 h of work)
    assert _plates(shop) == {'粤B50000': False, '粤B79000': False}
    Setting.create(shop=shop, key='progress_check_from', value='0.25')
    Setting.create(shop=shop, key='progress_check_to', value='0.9')
    assert set(_plates(shop)) == {'粤B30000', '粤B50000', '粤B79000', '粤B85000'}


def test_late_orders_are_listed_whatever_the_window(shop, staff):
    """An order with more work left than time left must be on the advisor's list, flagged late."""
    _order(shop, staff['advisor'], '粤B10001', 2, total_hours=3, work_hours='4')       # 1 h left, 4 h of work
    _order(shop, staff['advisor'], '粤B10002', 12, total_hours=10)                    # past its promise
    assert _plates(shop) == {'粤B10001': True, '粤B10002': True}


def test_on_track_check_is_recorded_and_leaves_the_list(advisor_client, shop, staff):
    """Once checked, an order on track no longer asks for a check."""
    ro = _order(shop, staff['advisor'], '粤B50000', 6)
    page = advisor_client.get('/approvals/progress').get_data(as_text=True)
    assert '粤B50000' in page and '60% of the time gone' in page
    p = 'o%d-' % ro.id
    resp = advisor_client.post('/approvals/progress/%d' % ro.id, headers=HX, data={
        p + 'version': str(ro.version), p + 'on_track': 'yes', p + 'note': '技师说 30 分钟完工', 'idem': 'pc1'})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="progress-%d"' % ro.id in body and 'Progress check recorded.' in body
    check = ProgressCheck.get(ProgressCheck.order == ro)
    assert check.on_track and check.note == '技师说 30 分钟完工' and check.checked_by_id == staff['advisor'].id
    assert check.new_promised_at is None
    assert RepairOrder.get_by_id(ro.id).promised_at == ro.promised_at
    assert Event.select().where(Event.action == 'order.progress_checked').count() == 1
    assert '粤B50000' not in advisor_client.get('/approvals/progress').get_data(as_text=True)


def test_a_problem_needs_a_note(advisor_client, shop, staff):
    """'Problem' with nothing written tells nobody anything."""
    ro = _order(shop, staff['advisor'], '粤B50000', 6)
    p = 'o%d-' % ro.id
    resp = advisor_client.post('/approvals/progress/%d' % ro.id, data={p + 'version': str(ro.version),
                                                                        p + 'on_track': 'no'})
    assert resp.status_code == 400 and 'Say what the problem is.' in resp.get_data(as_text=True)
    assert not ProgressCheck.select().exists()


def test_late_order_needs_the_new_time_the_reason_and_the_customer_told(advisor_client, shop, staff):
    """A car that will be late gets a new promised time, and the customer hears it with the reason."""
    ro = _order(shop, staff['advisor'], '粤B10001', 2, total_hours=3, work_hours='4')
    p = 'o%d-' % ro.id
    base = {p + 'version': str(ro.version), p + 'on_track': 'no', p + 'note': '等配件'}
    resp = advisor_client.post('/approvals/progress/%d' % ro.id, data=base)
    assert resp.status_code == 400 and 'enter the new time' in resp.get_data(as_text=True)
    new = (utcnow() + timedelta(hours=6)).replace(second=0, microsecond=0)
    resp = advisor_client.post('/approvals/progress/%d' % ro.id,
                               data=dict(base, **{p + 'new_promised_at': _local(new)}))
    assert resp.status_code == 400 and 'Say why the car will be later.' in resp.get_data(as_text=True)
    told = (utcnow() - timedelta(minutes=5)).replace(second=0, microsecond=0)
    resp = advisor_client.post('/approvals/progress/%d' % ro.id, data=dict(base, **{
        p + 'new_promised_at': _local(new), p + 'reason': '刹车盘需要订货', p + 'told_at': _local(told),
        p + 'told_channel': 'phone', 'idem': 'late1'}))
    assert resp.status_code == 302
    check = ProgressCheck.get(ProgressCheck.order == ro)
    assert (check.on_track, check.reason, check.told_channel) == (False, '刹车盘需要订货', 'phone')
    assert check.old_promised_at == ro.promised_at and check.new_promised_at == new
    assert check.customer_told_at == told
    assert RepairOrder.get_by_id(ro.id).promised_at == new
    event = Event.get(Event.action == 'order.progress_checked')
    assert json.loads(event.before) == {'promised_at': ro.promised_at.isoformat()}
    assert json.loads(event.after)['promised_at'] == new.isoformat()


def test_stale_row_is_refused_with_409(advisor_client, shop, staff):
    """Two advisors moving the same order's time at once: the second is told the order changed."""
    ro = _order(shop, staff['advisor'], '粤B50000', 6)
    p = 'o%d-' % ro.id
    data = {p + 'version': str(ro.version), p + 'on_track': 'yes'}
    assert advisor_client.post('/approvals/progress/%d' % ro.id, data=dict(data, idem='a')).status_code == 302
    resp = advisor_client.post('/approvals/progress/%d' % ro.id, data=dict(data, idem='b'), headers=HX)
    assert resp.status_code == 409
    body = resp.get_data(as_text=True)                  # the row as it is now, in place, saying why
    assert body.lstrip().startswith('<') and 'id="progress-%d"' % ro.id in body and 'changed this a moment ago' in body
    assert ProgressCheck.select().count() == 1


def test_progress_list_is_for_advisors_and_managers(client, shop, staff):
    """The workshop's technicians do not call customers about progress."""
    ro = _order(shop, staff['advisor'], '粤B50000', 6)
    sign_in(client, 'tom')
    assert client.get('/approvals/progress').status_code == 403
    assert client.post('/approvals/progress/%d' % ro.id, data={}).status_code == 403
    sign_in(client, 'mia')
    assert client.get('/approvals/progress').status_code == 200
