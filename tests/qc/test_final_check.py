"""Wash and the advisor's final check (车辆清洁 / 最终检查): belongings, key, parts, tools, then ready for pickup."""
import json

from app.core import stages
from app.core.models import Event
from app.labels.models import KeyHook, KeyTag
from app.reception.models import Belonging, RepairOrder
from tests.helpers import HX, at_stage, sign_in
from tests.qc.helpers import make_ready



def _washed_car(shop, staff):
    ro = at_stage(make_ready(shop, staff), stages.READY_FOR_WASH)
    tag, hook = KeyTag.create(shop=shop, number=12, order_id=ro.id), KeyHook.create(shop=shop, number=5, order_id=ro.id)
    RepairOrder.update(key_tag=tag, key_hook=hook).where(RepairOrder.id == ro.id).execute()
    Belonging.create(shop=shop, order=ro, preset='umbrella', name='Umbrella', quantity=1)
    Belonging.create(shop=shop, order=ro, name='行车记录仪 SD 卡', quantity=2)
    return RepairOrder.get_by_id(ro.id)


def _wash(client, ro):
    return client.post('/qc/orders/%d/washed' % ro.id, headers=HX,
                       data={'version': str(RepairOrder.get_by_id(ro.id).version), 'idem': 'w%d' % ro.id})


def _final(ro, skip_belonging=False, **kw):
    ids = [b.id for b in Belonging.select().where(Belonging.order == ro).order_by(Belonging.id)]
    data = {'version': str(RepairOrder.get_by_id(ro.id).version), 'idem': kw.pop('idem', 'f%d' % ro.id),
            'belongings': ids[1:] if skip_belonging else ids, 'key_present': 'y', 'work_checked': 'y',
            'parts_checked': 'y', 'tools_checked': 'y'}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_wash_is_recorded_on_the_row(client, shop, staff):
    """The car washer's tap shows at once on the list, and the order's timeline has it."""
    ro = _washed_car(shop, staff)
    sign_in(client, 'fred')
    assert '粤B33333' in client.get('/qc/wash').get_data(as_text=True)
    resp = _wash(client, ro)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and body.lstrip().startswith('<li id="wash-%d"' % ro.id) and 'Washed ' in body
    assert Event.select().where((Event.action == 'order.washed') & (Event.record_id == ro.id)).count() == 1
    assert _wash(client, ro).status_code == 200                    # a double tap answers, records nothing more
    assert Event.select().where(Event.action == 'order.washed').count() == 1


def test_final_check_needs_the_wash_first(client, shop, staff):
    """An unwashed car is not handed back."""
    ro = _washed_car(shop, staff)
    sign_in(client, 'amy')
    resp = client.post('/qc/orders/%d/final-check' % ro.id, data=_final(ro))
    assert resp.status_code == 400 and 'Record the wash first.' in resp.get_data(as_text=True)
    assert RepairOrder.get_by_id(ro.id).stage == stages.READY_FOR_WASH


def test_final_check_requires_every_belonging_ticked_and_the_key(client, shop, staff):
    """A missing umbrella or key must be found before the customer is called, not at the counter."""
    ro = _washed_car(shop, staff)
    sign_in(client, 'amy')
    _wash(client, ro)
    page = client.get('/qc/orders/%d/final-check' % ro.id).get_data(as_text=True)
    assert 'Umbrella' in page and '行车记录仪 SD 卡 × 2' in page and 'tag 12 is on hook 5' in page
    resp = client.post('/qc/orders/%d/final-check' % ro.id, data=_final(ro, skip_belonging=True, key_present=None))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'Umbrella' in body.split('Tick every belonging')[1][:80]
    assert 'Check that the key is on its hook.' in body
    assert 'value="y" checked' in body                              # what was ticked stays ticked
    ro = RepairOrder.get_by_id(ro.id)
    assert ro.stage == stages.READY_FOR_WASH and ro.final_check_at is None


def test_complete_final_check_makes_the_car_ready_for_pickup(client, shop, staff):
    """Everything checked: the advisor can tell the customer the car is ready."""
    ro = _washed_car(shop, staff)
    sign_in(client, 'amy')
    _wash(client, ro)
    resp = client.post('/qc/orders/%d/final-check' % ro.id, data=_final(ro))
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/qc/wash')
    ro = RepairOrder.get_by_id(ro.id)
    assert ro.stage == stages.READY_FOR_PICKUP and ro.final_check_by == staff['advisor'].id and ro.final_check_at
    event = Event.get((Event.action == 'order.final_check') & (Event.record_id == ro.id))
    after = json.loads(event.after)
    assert after['key_tag'] == 12 and after['key_hook'] == 5 and ['Umbrella', 1] in after['belongings']


def test_stale_final_check_is_refused_with_409(client, shop, staff):
    """A final-check page drawn before someone else changed the order must not overwrite it."""
    ro = _washed_car(shop, staff)
    sign_in(client, 'amy')
    _wash(client, ro)
    data = _final(ro)
    RepairOrder.update(version=RepairOrder.version + 1).where(RepairOrder.id == ro.id).execute()
    resp = client.post('/qc/orders/%d/final-check' % ro.id, data=data)
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)                  # the final check as it is now, what was ticked kept
    assert 'changed this a moment ago' in page and 'value="y" checked' in page
    assert 'name="version" value="%d"' % RepairOrder.get_by_id(ro.id).version in page
    assert RepairOrder.get_by_id(ro.id).final_check_at is None


def test_only_the_advisor_does_the_final_check(client, shop, staff):
    """The foreman or a technician may wash the car, but the advisor checks it before the customer comes."""
    ro = _washed_car(shop, staff)
    sign_in(client, 'tom')
    assert client.get('/qc/wash').status_code == 403
    assert _wash(client, ro).status_code == 403
    sign_in(client, 'fred')
    assert _wash(client, ro).status_code == 200
    assert client.get('/qc/orders/%d/final-check' % ro.id).status_code == 403
    assert client.post('/qc/orders/%d/final-check' % ro.id, data=_final(ro)).status_code == 403
    assert RepairOrder.get_by_id(ro.id).stage == stages.READY_FOR_WASH


def test_wash_recorded_from_the_final_check_page_comes_back_to_it(client, shop, staff):
    """The advisor who washed the car themselves carries on with the check, on a page drawn after the wash."""
    ro = _washed_car(shop, staff)
    sign_in(client, 'amy')
    assert 'Mark washed' in client.get('/qc/orders/%d/final-check' % ro.id).get_data(as_text=True)
    resp = client.post('/qc/orders/%d/washed' % ro.id, data={'version': str(ro.version), 'idem': 'w', 'back': 'final'})
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/qc/orders/%d/final-check' % ro.id)
    page = client.get('/qc/orders/%d/final-check' % ro.id).get_data(as_text=True)
    assert 'Mark washed' not in page and 'name="version" value="%d"' % (ro.version + 1) in page
    assert client.post('/qc/orders/%d/final-check' % ro.id, data=_final(ro)).status_code == 302
