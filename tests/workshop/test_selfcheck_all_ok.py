"""The self-check in one tap when all is OK; the exceptions marked one by one."""
import json

from app.workshop import rules
from tests.helpers import HX, reload
from tests.workshop.helpers import lines_of, tap


def _finish(client, order):
    for line in lines_of(order):
        tap(client, order, line, 'clock-on')
        tap(client, order, line, 'done')


def _items(order):
    return json.loads(reload(order).self_check)['items']


def test_one_all_ok_tap_saves_a_complete_self_check(as_tech, order):
    """A technician had to tap OK six times; one "all OK" tap must save the whole self-check."""
    _finish(as_tech, order)
    body = as_tech.get('/jobs/%d' % order.id).get_data(as_text=True)
    assert 'data-testid="selfcheck-all-ok"' in body
    resp = as_tech.post('/jobs/%d/self-check' % order.id, headers=HX,
                        data={'version': reload(order).version, 'all_ok': '1'})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert {k: v['state'] for k, v in _items(order).items()} == {k: rules.OK for k, _l in rules.SELF_CHECK_ITEMS}
    assert rules.self_check_of(reload(order)).passed
    assert 'data-testid="selfcheck-all-ok"' not in resp.get_data(as_text=True)      # done: nothing left to tap


def test_exceptions_are_marked_one_by_one_and_the_rest_are_ok(as_tech, order):
    """The road test not needed and one problem: only those two are marked, the others count as OK."""
    _finish(as_tech, order)
    as_tech.post('/jobs/%d/self-check' % order.id, headers=HX, data={
        'version': reload(order).version, 'all_ok': '1', 'sc_road_test': rules.NOT_NEEDED,
        'sc_no_tools_left': rules.NOT_OK, 'sc_no_tools_left_note': '扳手落在后备箱'})
    items = _items(order)
    assert items['road_test']['state'] == rules.NOT_NEEDED
    assert items['no_tools_left'] == {'state': rules.NOT_OK, 'note': '扳手落在后备箱'}
    assert all(items[k]['state'] == rules.OK for k in ('work_done', 'parts_fitted', 'no_warning_lights',
                                                       'old_parts_bagged'))
    assert not rules.self_check_of(reload(order)).passed          # the problem still blocks the hand-over


def test_an_exception_without_a_note_is_refused_even_with_all_ok(as_tech, order):
    """"Not OK" must still say what, whichever button saved it."""
    _finish(as_tech, order)
    resp = as_tech.post('/jobs/%d/self-check' % order.id, headers=HX, data={
        'version': reload(order).version, 'all_ok': '1', 'sc_parts_fitted': rules.NOT_OK})
    assert resp.status_code == 400 and 'Say what is not OK.' in resp.get_data(as_text=True)
    assert reload(order).self_check in ('', '{}', None)
