"""The audit trail is append-only: written with each change, never edited or deleted."""
import pytest

from app.core import audit
from app.core.db import db, transaction
from app.core.models import AuditWriteError, Event


def test_record_keeps_who_what_when_before_after(make_user, shop):
    """The order timeline and KPIs read these fields; a missing one would make them wrong."""
    boss = make_user('boss', ['manager'])
    ev = audit.record('thing.changed', 'thing', 42, shop=shop, actor=boss, before={'a': 1}, after={'a': 2},
                      note='why')
    ev = Event.get_by_id(ev.id)
    assert (ev.actor, ev.actor_name, ev.action, ev.record_type, ev.record_id) == (boss.id, 'Boss', 'thing.changed', 'thing', 42)
    assert ev.before_data == {'a': 1} and ev.after_data == {'a': 2} and ev.note == 'why'
    assert ev.at is not None and ev.at.tzinfo is None  # stored as UTC


def test_the_app_cannot_edit_or_delete_an_event(shop):
    """History that can be rewritten proves nothing in a dispute with a customer."""
    ev = audit.record('x', 'thing', 1, shop=shop)
    ev.note = 'changed'
    with pytest.raises(AuditWriteError):
        ev.save()
    with pytest.raises(AuditWriteError):
        ev.delete_instance()


def test_the_database_refuses_update_and_delete(shop, integrity_errors):
    """Even a query that bypasses the model must not rewrite history."""
    ev = audit.record('x', 'thing', 1, shop=shop, note='original')
    for sql in ('UPDATE event SET note = %s' % db.param, 'DELETE FROM event WHERE id = %s' % db.param):
        params = ('forged',) if sql.startswith('UPDATE') else (ev.id,)
        with pytest.raises(integrity_errors):
            with transaction():
                db.execute_sql(sql, params)
    assert Event.get_by_id(ev.id).note == 'original'


def test_a_failed_action_leaves_no_event(make_user, shop):
    """An event for a change that was rolled back would be a lie."""
    with pytest.raises(RuntimeError):
        with transaction():
            audit.record('x', 'thing', 1, shop=shop)
            raise RuntimeError
    assert Event.select().count() == 0


def test_diff_keeps_only_changed_keys():
    """An event should show what moved, not the whole record."""
    assert audit.diff({'a': 1, 'b': 2}, {'a': 1, 'b': 3}) == ({'b': 2}, {'b': 3})


def test_audit_page_lists_events_newest_first_with_paging(client, make_user, shop):
    """The manager reads the trail newest first and can page back."""
    make_user('boss', ['manager'])
    for i in range(55):
        audit.record('demo.step', 'thing', i, shop=shop, note='note-%02d' % i)
    client.post('/login', data={'username': 'boss', 'password': 'correct horse'})
    body = client.get('/audit?kind=demo').get_data(as_text=True)
    assert body.index('note-54') < body.index('note-10')
    assert 'note-03' not in body and 'page=2' in body
    frag = client.get('/audit?kind=demo&page=2', headers={'HX-Request': 'true'}).get_data(as_text=True)
    assert frag.startswith('<div id="audit-rows"') and 'note-03' in frag
