"""The server killed (SIGKILL) in the middle of a signature, an approval and a settlement.

Each test runs the real app in its own process (tests/ops/serve.py) on the test database, makes it stop
inside the action's transaction (right after the audit event is written, before the commit), kills it,
checks that nothing of the action is in the database, starts it again, and sends the user's retry: it
succeeds, and a second retry does not do the action twice. Runs on SQLite and PostgreSQL.
"""
import base64
import os
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core import stages
from app.core.db import utcnow
from app.core.models import Counter, Event, IdempotencyKey
from app.core.timeutil import to_local
from app.core.models import Signature
from app.labels.models import KeyTag
from app.reception.models import OrderLine, RepairOrder
from tests import factories
from tests.ops.live import Browser, Server, form_fields, kill_in_the_middle


@pytest.fixture
def server(app, database_url, tmp_path):
    srv = Server(database_url, app.instance_path, str(tmp_path / 'server.log'))
    yield srv
    srv.stop()


def events(action, record_id=None):
    q = Event.select().where(Event.action == action)
    if record_id is not None:
        q = q.where(Event.record_id == record_id)
    return q.count()


def counter(shop, name):
    row = Counter.get_or_none((Counter.shop == shop) & (Counter.name == name))
    return row.last if row else 0


def photo_files(app):
    folder = os.path.join(app.instance_path, 'photos')
    return {n for n in os.listdir(folder) if not n.startswith('thumb-')} if os.path.isdir(folder) else set()


def signature_data():
    return 'data:image/png;base64,' + base64.b64encode(factories.tiny_png()).decode()


def test_kill_during_checkin_signature_leaves_the_draft_and_the_retry_signs_once(app, shop, make_user, server,
                                                                                  tmp_path):
    """A tablet whose server died as the customer signed finds the check-in unsigned, no number used, and signs once."""
    advisor = make_user('amy', ['advisor'])
    ids = factories.make_checkin(shop, advisor)
    tags, _hooks = factories.make_key_tags(shop, 1, start=50)
    (RepairOrder.update(valuables_reminded=True, key_tag=tags[0], promised_at=utcnow() + timedelta(hours=5))
     .where(RepairOrder.id == ids['draft_id']).execute())
    KeyTag.update(order_id=ids['draft_id']).where(KeyTag.id == tags[0].id).execute()
    numbers_before = counter(shop, 'repair_order')
    path = '/checkin/%d/sign' % ids['draft_id']
    form = {'signature': signature_data(), 'signer': '王芳'}
    browser = Browser(server.base)

    def sign():
        return browser.post(path, form)

    server.start()
    browser.login('amy', factories.PASSWORD)
    server.stop()
    kill_in_the_middle(server, tmp_path, 'order.signed', sign)

    draft = RepairOrder.get_by_id(ids['draft_id'])
    assert draft.stage == stages.DRAFT and draft.checked_in_at is None
    assert not Signature.select().where(Signature.order == draft.id).exists()
    assert counter(shop, 'repair_order') == numbers_before, 'a gap-free number was used by the dead request'
    assert events('order.signed', draft.id) == 0
    assert events('order.stage', draft.id) == 0

    resp = sign()                               # the advisor taps "sign" again
    assert resp.status == 200, resp.text[:500]
    signed = RepairOrder.get_by_id(ids['draft_id'])
    assert signed.stage == stages.CHECKED_IN
    assert counter(shop, 'repair_order') == numbers_before + 1
    assert Signature.select().where(Signature.order == signed.id).count() == 1

    again = sign()                              # and once more: refused, nothing doubled
    assert again.status == 409
    assert Signature.select().where(Signature.order == signed.id).count() == 1
    assert counter(shop, 'repair_order') == numbers_before + 1
    assert events('order.signed', signed.id) == 1
    # The dead request had stored its signature image before its transaction: the sweep removes it alone.
    from app.core import photos
    with app.test_request_context():
        removed = photos.sweep_orphans(max_age=0)
        referenced = photos.referenced_files()
    assert len(removed) == 1 and removed[0] not in referenced
    assert photo_files(app) == referenced, 'every file left is one a record refers to'


def test_kill_during_added_work_approval_keeps_it_pending_and_the_retry_approves_once(app, shop, make_user, server,
                                                                                       tmp_path):
    """An approval lost with the server stays pending; the advisor's retry approves it once, one new job."""
    from tests.approvals.helpers import make_work
    from tests.helpers import at_stage
    advisor = make_user('amy', ['advisor'])
    tech = make_user('tom', ['technician'])
    order = at_stage(factories.make_order(shop, advisor), stages.WAITING_APPROVAL)
    work = make_work(order, tech)
    lines_before = OrderLine.select().where(OrderLine.order == order.id).count()
    key = uuid.uuid4().hex
    browser = Browser(server.base)
    local_now = (to_local(utcnow(), shop.timezone) - timedelta(minutes=5)).strftime('%Y-%m-%dT%H:%M')
    form = {'version': str(work.version), 'decision': 'approved', 'channel': 'phone', 'spoke_with': 'Mr Wang',
            'at': local_now, 'idem': key}

    def decide():
        return browser.post('/approvals/%d/decide' % work.id, form)

    server.start()
    browser.login('amy', factories.PASSWORD)
    server.stop()
    kill_in_the_middle(server, tmp_path, 'added_work.approved', decide)

    from app.workshop.models import AddedWork
    fresh = AddedWork.get_by_id(work.id)
    assert fresh.status == AddedWork.PENDING and fresh.version == work.version
    assert OrderLine.select().where(OrderLine.order == order.id).count() == lines_before
    assert not IdempotencyKey.select().where(IdempotencyKey.key == key).exists()
    assert events('added_work.approved') == 0

    resp = decide()
    assert resp.status == 200, resp.text[:500]
    assert AddedWork.get_by_id(work.id).status == AddedWork.APPROVED
    assert OrderLine.select().where(OrderLine.order == order.id).count() == lines_before + 1

    again = decide()                            # the same tap again (same key): answered, not done twice
    assert again.status == 200
    assert OrderLine.select().where(OrderLine.order == order.id).count() == lines_before + 1
    assert events('added_work.approved') == 1


def test_kill_during_settlement_leaves_it_unsettled_and_the_retry_settles_once(app, shop, make_user, server,
                                                                              tmp_path):
    """A settlement lost with the server has no number and no frozen items; the retry settles once, number 1."""
    from app.settlement.models import Settlement
    from tests.settlement.helpers import build_order
    advisor = make_user('amy', ['advisor'])
    order = build_order(shop, advisor)[0]
    browser = Browser(server.base)
    server.start()
    browser.login('amy', factories.PASSWORD)
    page = browser.get('/orders/%d/settlement' % order.id)
    action = '/orders/%d/settlement/settle' % order.id
    fields = form_fields(page.text, action)
    assert fields is not None and 'version' in fields, page.text[:1000]
    server.stop()
    numbers_before = counter(shop, 'settlement')

    def settle():
        return browser.post(action, fields)

    kill_in_the_middle(server, tmp_path, 'settlement.settled', settle)

    assert not Settlement.select().where((Settlement.order == order.id)
                                         & (Settlement.status == Settlement.SETTLED)).exists()
    assert counter(shop, 'settlement') == numbers_before
    assert not IdempotencyKey.select().where(IdempotencyKey.key == fields['idem']).exists()
    assert events('settlement.settled') == 0

    resp = settle()
    assert resp.status == 200, resp.text[:500]
    settled = Settlement.get(Settlement.order == order.id)
    assert settled.status == Settlement.SETTLED and settled.number.endswith('%06d' % (numbers_before + 1))
    assert settled.total > Decimal('0')

    again = settle()
    assert again.status == 200
    assert Settlement.select().where(Settlement.order == order.id).count() == 1
    assert counter(shop, 'settlement') == numbers_before + 1
    assert events('settlement.settled') == 1
