"""The status page costs the shop next to nothing: a viewing writes nothing, an unchanged page is a 304."""
from datetime import timedelta

import pytest

from app.core import audit, db as core_db
from app.core.db import utcnow
from app.status.models import StatusHit
from tests.helpers import count_queries, mid_minute, reload

WRITES = ('INSERT', 'UPDATE', 'DELETE', 'BEGIN')


@pytest.fixture
def transactions(monkeypatch):
    """How many action transactions (app.core.db.transaction) were begun."""
    begun = []
    real = core_db._ActionTransaction.__enter__

    def counting(self):
        begun.append(self)
        return real(self)
    monkeypatch.setattr(core_db._ActionTransaction, '__enter__', counting)
    return begun


def _writes(sql):
    return [q for q in sql if q.lstrip().upper().startswith(WRITES)]


def test_viewing_a_valid_link_writes_nothing(client, token, transactions):
    """Customers refreshing their links never take the database's write lock (nor PostgreSQL's WAL)."""
    with count_queries() as sql:
        for _ in range(3):
            assert client.get('/s/' + token, environ_base={'REMOTE_ADDR': '10.7.0.1'}).status_code == 200
    assert _writes(sql) == [] and transactions == []
    assert StatusHit.select().count() == 0


def test_a_failed_link_is_counted(client, token, transactions):
    """A guessed token is still counted against the address (the rate limit's one write)."""
    with mid_minute():
        assert client.get('/s/' + 'D' * 22, environ_base={'REMOTE_ADDR': '10.7.0.2'}).status_code == 404
    assert len(transactions) == 1
    assert StatusHit.select().count() == 1 and StatusHit.get().hits == 1


def test_unchanged_page_answers_304_with_few_queries(client, token):
    """The page's own refresh costs a lookup and a version, not the whole page, while nothing changed."""
    first = client.get('/s/' + token)
    etag = first.headers['ETag']
    assert first.status_code == 200 and etag.strip('"') in first.get_data(as_text=True)   # status.js reads it
    with count_queries() as sql:
        again = client.get('/s/' + token, headers={'If-None-Match': etag})
    assert again.status_code == 304 and again.get_data() == b''
    assert again.headers['ETag'] == etag and again.headers['Cache-Control'] == 'no-store'
    assert len(sql) <= 2, sql
    # a proxy that compresses turns it weak: still the same page
    assert client.get('/s/' + token, headers={'If-None-Match': 'W/' + etag}).status_code == 304
    assert client.get('/s/' + token, headers={'If-None-Match': '"other"'}).status_code == 200


def test_a_change_to_the_order_answers_the_new_page(client, order, token, staff):
    """A new promised time reaches the customer at the next refresh, not only after a reload."""
    etag = client.get('/s/' + token).headers['ETag']
    order = reload(order)
    order.update_versioned(promised_at=utcnow() + timedelta(hours=30))
    resp = client.get('/s/' + token, headers={'If-None-Match': etag})
    assert resp.status_code == 200 and resp.headers['ETag'] != etag


def test_an_audited_change_on_the_order_answers_the_new_page(client, order, token, staff):
    """Anything done to the order (its audit event) makes the page new, though the order row itself is unchanged."""
    etag = client.get('/s/' + token).headers['ETag']
    assert client.get('/s/' + token, headers={'If-None-Match': etag}).status_code == 304
    audit.record('added_work.requested', 'repair_order', order.id, shop=order.shop_id, actor=staff['tech'])
    assert client.get('/s/' + token, headers={'If-None-Match': etag}).status_code == 200


def test_another_language_is_another_page(client, token):
    """Switching the page to English is not answered with the Chinese page's 304."""
    zh = client.get('/s/' + token + '?lang=zh')
    en = client.get('/s/' + token + '?lang=en', headers={'If-None-Match': zh.headers['ETag']})
    assert en.status_code == 200 and en.headers['ETag'] != zh.headers['ETag']
    assert 'Repair status' in en.get_data(as_text=True)


def test_passing_the_promised_time_answers_the_new_page(client, order, token):
    """The page says "running late" as soon as the promised time passes, with no change to the order."""
    etag = client.get('/s/' + token).headers['ETag']
    order = reload(order)
    type(order).update(promised_at=utcnow() - timedelta(minutes=1)).where(type(order).id == order.id).execute()
    assert client.get('/s/' + token, headers={'If-None-Match': etag}).status_code == 200


def test_a_revoked_link_is_not_answered_304(client, order, token):
    """The version of a page the customer holds does not keep a revoked link alive."""
    from app.reception import links
    etag = client.get('/s/' + token).headers['ETag']
    links.revoke_and_reissue(reload(order), None)
    assert client.get('/s/' + token, headers={'If-None-Match': etag}).status_code == 404
