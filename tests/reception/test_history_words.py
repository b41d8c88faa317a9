"""The order's history: advisors read what happened in words; the stored record is for managers and admins."""
import re

import pytest

from app.core import stages
from app.reception import checkin
from tests import factories
from tests.helpers import at_stage, sign_in


@pytest.fixture
def order(shop, make_user):
    advisor = make_user('amy', ['advisor'], display_name='Amy')
    car = factories.make_vehicle(shop, factories.make_customer(shop, name='王芳'), plate='粤B12345')
    draft = checkin.start_checkin(shop, advisor, customer=car.owner, vehicle=car, complaint='刹车异响')
    tags, hooks = factories.make_key_tags(shop, 1, start=12)
    checkin.assign_key(draft, advisor, tag=tags[0], hook=hooks[0])
    return at_stage(draft, stages.CHECKED_IN)       # the order page (a draft opens its check-in instead)


RAW = re.compile(r'repair_order #\d+|\{&#34;|\{"|checkin\.\w+:')


@pytest.mark.parametrize('roles', [['advisor'], ['foreman'], ['technician', 'qc']])
def test_staff_read_the_history_in_words_not_raw_records(client, make_user, order, roles):
    """An advisor saw `repair_order #212 · checkin.started: {...}` under Details: a database record, not words."""
    body = sign_in(client, make_user('u1', roles)).get('/orders/%d' % order.id).get_data(as_text=True)
    history = body[body.index('class="timeline"'):]
    assert not RAW.search(history), RAW.search(history).group(0)
    assert 'hook: 12; key tag: 12' in history


def test_chinese_words_for_a_chinese_advisor(client, make_user, order):
    """The words are in the reader's language."""
    sign_in(client, make_user('u1', ['advisor']))
    client.post('/account/language', data={'acc-language': 'zh'})
    body = client.get('/orders/%d' % order.id, headers={'Accept-Language': 'zh'}).get_data(as_text=True)
    history = body[body.index('class="timeline"'):]
    assert '钥匙牌: 12' in history and 'key tag' not in history and not RAW.search(history)


@pytest.mark.parametrize('role', ['manager', 'admin'])
def test_managers_and_admins_see_the_stored_record(client, make_user, order, role):
    """Whoever audits the shop must still see exactly what was stored."""
    body = sign_in(client, make_user('u1', [role])).get('/orders/%d' % order.id).get_data(as_text=True)
    assert 'repair_order #%d · checkin.started' % order.id in body
    assert 'repair_order #%d · checkin.key' % order.id in body


def test_sentence_leaves_out_what_cannot_be_said_in_words():
    """Ids and codes stay out of the words; stages read as their names."""
    from app.core.timeline import sentence

    class E:
        before = '{"stage": "dispatched"}'
        after = '{"stage": "in_progress", "entry": 77, "line": 5, "technician": 3}'
    assert sentence(E) == 'stage: Dispatched → In progress'
