"""Exactly-once actions: the key commits with the action, the answer renders after the commit."""
import pytest
from flask_login import login_user

from app.core import audit
from app.core.db import db, transaction
from app.core.idempotency import idempotent
from app.core.models import Event, IdempotencyKey


@pytest.fixture
def amy(make_user):
    return make_user('amy', ['advisor'])


def _post(app, user, key='k-1'):
    ctx = app.test_request_context('/login', method='POST', data={'idem': key})
    ctx.push()
    login_user(user)
    return ctx


def _text(answer):
    return answer if isinstance(answer, str) else answer.get_data(as_text=True)


def _events():
    return Event.select().where(Event.action == 'test.action').count()


def test_a_repeat_is_answered_not_done_again_and_rendering_holds_no_lock(app, amy):
    """A double tap would book the work twice, or every tap would hold the write lock while the page renders."""
    seen = []

    @idempotent(replay=lambda: 'replayed')
    def action():
        with transaction():
            audit.record('test.action', 'test', 1, actor=amy)
        seen.append(db.in_transaction())          # where the answer is rendered
        return 'done'

    ctx = _post(app, amy)
    try:
        assert _text(action()) == 'done'
    finally:
        ctx.pop()
    ctx = _post(app, amy)
    try:
        assert _text(action()) == 'replayed'
    finally:
        ctx.pop()
    assert _events() == 1 and seen == [False]
    assert IdempotencyKey.select().where(IdempotencyKey.key == 'k-1').count() == 1


def test_a_refused_action_leaves_the_key_for_the_corrected_retry(app, amy):
    """After a refusal the advisor corrects the form and sends it again: that must not be taken for a repeat."""
    refuse = [True]

    @idempotent(replay=lambda: 'replayed')
    def action():
        with transaction():
            audit.record('test.action', 'test', 1, actor=amy)
            if refuse[0]:
                raise ValueError('refused')
        return 'done'

    ctx = _post(app, amy)
    try:
        with pytest.raises(ValueError):
            action()
    finally:
        ctx.pop()
    assert _events() == 0 and IdempotencyKey.select().count() == 0
    refuse[0] = False
    ctx = _post(app, amy)
    try:
        assert _text(action()) == 'done'
    finally:
        ctx.pop()
    assert _events() == 1


def test_a_concurrent_duplicate_is_answered_and_writes_nothing(app, amy):
    """Two taps arriving together both pass the first check; the second must still not act."""
    @idempotent(replay=lambda: 'replayed')
    def action():
        # the other request commits the same key between our check and our transaction
        IdempotencyKey.create(key='k-1', user_id=amy.id, endpoint='accounts.login')
        with transaction():
            audit.record('test.action', 'test', 1, actor=amy)
        return 'done'

    ctx = _post(app, amy)
    try:
        assert _text(action()) == 'replayed'
    finally:
        ctx.pop()
    assert _events() == 0


def test_an_action_in_two_transactions_fails_in_tests_unless_declared(app, amy):
    """A crash between two commits would leave half an action behind with its key spent."""
    def two_steps():
        with transaction():
            audit.record('test.action', 'test', 1, actor=amy)
        with transaction():
            audit.record('test.action', 'test', 2, actor=amy)
        return 'done'

    ctx = _post(app, amy)
    try:
        with pytest.raises(AssertionError, match='more than one transaction'):
            idempotent(replay=lambda: 'replayed')(two_steps)()
    finally:
        ctx.pop()
    ctx = _post(app, amy, key='k-2')
    try:
        assert _text(idempotent(replay=lambda: 'replayed', steps=True)(two_steps)()) == 'done'
    finally:
        ctx.pop()
