"""Cancelling a check-in from its pages, and abandoned check-ins giving their key tag back."""
import re
from datetime import timedelta

import pytest

from app.core import stages
from app.core.db import utcnow
from app.core.models import Event
from app.labels.models import KeyHook, KeyTag
from app.reception import checkin
from app.reception.models import RepairOrder
from tests import factories
from tests.helpers import reload, sign_in


@pytest.fixture
def advisor(make_user):
    return make_user('amy', ['advisor'], display_name='Amy')


@pytest.fixture
def car(shop):
    return factories.make_vehicle(shop, factories.make_customer(shop, name='王芳'), plate='粤B12345')


def _draft(shop, advisor, car, started_hours_ago=0, tag=None, hook=None):
    draft = checkin.start_checkin(shop, advisor, customer=car.owner, vehicle=car)
    if tag is not None:
        checkin.assign_key(draft, advisor, tag=tag, hook=hook)
    if started_hours_ago:
        RepairOrder.update(created_at=utcnow() - timedelta(hours=started_hours_ago)).where(
            RepairOrder.id == draft.id).execute()
    return reload(draft)


def _cancel_forms(body):
    return re.findall(r'<form method="post" action="(/checkin/\d+/cancel)"', body)


@pytest.mark.parametrize('step', checkin.STEPS)
def test_every_checkin_step_offers_cancel_with_a_confirmation(client, shop, advisor, car, step):
    """An advisor whose customer walks away mid-check-in had no way to drop it and free the key tag."""
    draft = _draft(shop, advisor, car)
    body = sign_in(client, advisor).get('/checkin/%d/%s' % (draft.id, step)).get_data(as_text=True)
    assert _cancel_forms(body) == ['/checkin/%d/cancel' % draft.id]
    # the form sits behind a first tap (the summary) and asks before it cancels
    box = body[body.index('class="checkin-cancel"'):]
    assert box.index('data-testid="checkin-cancel"') < box.index('data-testid="checkin-cancel-confirm"')
    assert '<summary' in box[:box.index('<form')]


def test_the_list_of_checkins_offers_cancel_and_it_frees_the_tag(client, shop, advisor, car):
    """A check-in left on the list could only be continued, never dropped, and kept its key tag."""
    tags, hooks = factories.make_key_tags(shop, 1)
    draft = _draft(shop, advisor, car, tag=tags[0], hook=hooks[0])
    sign_in(client, advisor)
    assert _cancel_forms(client.get('/checkin').get_data(as_text=True)) == ['/checkin/%d/cancel' % draft.id]
    resp = client.post('/checkin/%d/cancel' % draft.id)
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/checkin')
    assert reload(draft).stage == stages.CANCELLED
    assert KeyTag.get_by_id(tags[0].id).order_id is None and KeyHook.get_by_id(hooks[0].id).order_id is None
    assert _cancel_forms(client.get('/checkin').get_data(as_text=True)) == []
    assert client.get('/checkin/%d/vehicle' % draft.id).status_code == 404


def test_an_abandoned_checkins_tag_is_free_again_when_a_tag_is_needed(client, shop, advisor, car):
    """Yesterday's half-done check-in kept the only free tag: the next car could not get one."""
    tags, hooks = factories.make_key_tags(shop, 2)
    old = _draft(shop, advisor, car, started_hours_ago=13, tag=tags[0], hook=hooks[0])
    recent = _draft(shop, advisor, car, started_hours_ago=2, tag=tags[1], hook=hooks[1])
    new = _draft(shop, advisor, car)
    body = sign_in(client, advisor).get('/checkin/%d/key' % new.id).get_data(as_text=True)
    assert reload(old).stage == stages.CANCELLED and KeyTag.get_by_id(tags[0].id).order_id is None
    assert reload(recent).stage == stages.DRAFT and KeyTag.get_by_id(tags[1].id).order_id == recent.id
    assert 'name="pick" value="1"' in body and 'name="pick" value="2"' not in body   # tag 1 is offered again
    event = Event.select().where((Event.record_id == old.id) & (Event.action == 'order.stage')).get()
    assert event.actor is None and event.note == checkin.ABANDONED_NOTE


def test_an_old_checkin_being_worked_on_is_not_cancelled_under_the_advisor(client, shop, advisor, car):
    """An advisor resuming a check-in started yesterday must not see it vanish as they reach the key step."""
    tags, _hooks = factories.make_key_tags(shop, 1)
    old = _draft(shop, advisor, car, started_hours_ago=20)
    resp = sign_in(client, advisor).post('/checkin/%d/key' % old.id, data={'pick': str(tags[0].number), 'hook': '0'})
    assert resp.status_code == 302 and reload(old).stage == stages.DRAFT
    assert KeyTag.get_by_id(tags[0].id).order_id == old.id


def test_the_shift_end_housekeeping_cancels_abandoned_checkins(runner, shop, advisor, car):
    """Tags stayed on abandoned check-ins for good unless someone happened to open the key step."""
    from app.core.settings import DEFAULTS
    from app.core.models import Setting
    tags, hooks = factories.make_key_tags(shop, 2)
    Setting.create(shop=shop, key='checkin_abandoned_hours', value='3')
    assert DEFAULTS['checkin_abandoned_hours'][0] == 12
    old = _draft(shop, advisor, car, started_hours_ago=4, tag=tags[0], hook=hooks[0])
    fresh = _draft(shop, advisor, car, started_hours_ago=1, tag=tags[1], hook=hooks[1])
    result = runner.invoke(args=['close-shifts'])
    assert result.exit_code == 0 and '1 abandoned check-in(s) cancelled' in result.output, result.output
    assert reload(old).stage == stages.CANCELLED and KeyTag.get_by_id(tags[0].id).order_id is None
    assert reload(fresh).stage == stages.DRAFT and KeyTag.get_by_id(tags[1].id).order_id == fresh.id
    assert '0 abandoned check-in(s) cancelled' in runner.invoke(args=['close-shifts']).output     # once is enough
