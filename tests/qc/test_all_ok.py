"""QC in one tap when all is OK: the "all OK" button passes the car; exceptions are marked one by one."""
from app.core import stages
from app.qc.checklist import item_keys
from app.qc import rules
from app.reception.models import RepairOrder
from app.workshop.models import QCInspection
import json

from tests.helpers import HX


def _version(order):
    return str(RepairOrder.get_by_id(order.id).version)


def test_one_all_ok_tap_passes_the_car(qc_client, ready):
    """An inspector had to tap OK on eleven items before the pass: one tap must do when nothing is wrong."""
    body = qc_client.get('/qc/orders/%d' % ready.id).get_data(as_text=True)
    assert 'data-testid="qc-all-ok"' in body and 'name="all_ok" value="1"' in body
    resp = qc_client.post('/qc/orders/%d/inspect' % ready.id, data={'version': _version(ready), 'all_ok': '1'})
    assert resp.status_code == 302
    assert RepairOrder.get_by_id(ready.id).stage == stages.READY_FOR_WASH
    saved = json.loads(QCInspection.get(QCInspection.order == ready).checklist)
    assert set(saved) == set(item_keys(rules.order_lines(ready))) and all(v['ok'] for v in saved.values())


def test_an_exception_is_marked_alone_and_the_rest_count_as_ok(qc_client, ready):
    """The one item that is wrong is all the inspector marks; the car fails with it, every other item OK."""
    line = rules.order_lines(ready)[0]
    data = {'version': _version(ready), 'all_ok': '1', 'item-brakes.no_noise': 'not_ok',
            'note-brakes.no_noise': '刹车仍有异响', 'result': 'fail', 'reasons': '刹车异响未消除',
            'failed_lines': str(line.id)}
    resp = qc_client.post('/qc/orders/%d/inspect' % ready.id, data=data)
    assert resp.status_code == 302 and RepairOrder.get_by_id(ready.id).stage == stages.QC_FAILED
    saved = json.loads(QCInspection.get(QCInspection.order == ready).checklist)
    assert saved['brakes.no_noise'] == {'ok': False, 'note': '刹车仍有异响'}
    assert sum(1 for v in saved.values() if not v['ok']) == 1


def test_all_ok_with_an_exception_marked_asks_pass_or_fail(qc_client, ready):
    """Tapping "all OK — pass" after marking a fault must not pass the car: it asks, the marks kept."""
    data = {'version': _version(ready), 'all_ok': '1', 'item-general.clean': 'not_ok', 'note-general.clean': '座椅油污'}
    resp = qc_client.post('/qc/orders/%d/inspect' % ready.id, data=data, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code in (400, 422) and 'Choose pass or fail.' in body and '座椅油污' in body
    assert RepairOrder.get_by_id(ready.id).stage == stages.READY_FOR_QC


def test_without_the_all_ok_tap_every_item_must_still_be_marked(qc_client, ready):
    """A form posted without the button (an old page) must not pass items nobody looked at."""
    resp = qc_client.post('/qc/orders/%d/inspect' % ready.id, data={'version': _version(ready), 'result': 'pass'},
                          headers=HX)
    assert 'Mark every item OK or not OK' in resp.get_data(as_text=True)
    assert RepairOrder.get_by_id(ready.id).stage == stages.READY_FOR_QC
