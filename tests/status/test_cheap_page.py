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


# --- answered in front of the app -----------------------------------------------------------------------------

def test_refresh_of_an_unchanged_page_is_answered_before_the_app(app, client, token, monkeypatch):
    """The 30-second refresh of a page nobody changed costs one query and none of the app's request work."""
    from app.status import views
    etag = client.get('/s/' + token, headers={'Accept-Language': 'zh'}).headers['ETag']
    reached = []
    monkeypatch.setattr(views, '_rate_limit', lambda: reached.append(1))   # the app's first hook for /s/
    app.before_request_funcs[None] = [f if getattr(f, '__name__', '') != '_rate_limit' else views._rate_limit
                                      for f in app.before_request_funcs[None]]
    with count_queries() as sql:
        resp = client.get('/s/' + token, headers={'If-None-Match': etag, 'Accept-Language': 'zh'})
    assert resp.status_code == 304 and resp.headers['ETag'] == etag and resp.get_data() == b''
    assert resp.headers['Cache-Control'] == 'no-store' and 'noindex' in resp.headers['X-Robots-Tag']
    assert len(sql) == 1 and reached == []


def test_front_and_app_agree_on_the_version(client, order, token):
    """A page drawn by the app in English is still English to the refresh (same language rule, same version)."""
    for headers, query in (({'Accept-Language': 'en-GB,en;q=0.9'}, ''), ({}, '?lang=en'), ({}, '?lang=zh')):
        etag = client.get('/s/' + token + query, headers=headers).headers['ETag']
        assert client.get('/s/' + token + query, headers=dict(headers, **{'If-None-Match': etag})).status_code == 304
    zh = client.get('/s/' + token + '?lang=zh').headers['ETag']
    assert client.get('/s/' + token + '?lang=en', headers={'If-None-Match': zh}).status_code == 200


def test_front_leaves_blocked_addresses_and_ended_links_to_the_app(client, order, token):
    """An address over the limit gets its 429 and an ended order its own page, whatever version it holds."""
    from app.core.models import Setting
    Setting.create(shop=order.shop, key='status_link_requests_per_minute', value='1')
    here = {'REMOTE_ADDR': '10.7.0.9'}
    etag = client.get('/s/' + token, environ_base=here).headers['ETag']
    with mid_minute():
        for _ in range(2):
            client.get('/s/' + 'E' * 22, environ_base=here)
        assert client.get('/s/' + token, environ_base=here, headers={'If-None-Match': etag}).status_code == 429


def test_reload_of_an_unchanged_page_is_the_page_kept(client, order, token, staff):
    """A phone without JavaScript reloading every 30 s gets the same page for one query; a change shows at once."""
    first = client.get('/s/' + token)
    with count_queries() as sql:
        again = client.get('/s/' + token)
    assert len(sql) == 1
    assert again.status_code == 200 and again.get_data() == first.get_data()
    for header in ('ETag', 'Content-Security-Policy', 'Cache-Control', 'X-Robots-Tag', 'Content-Type'):
        assert again.headers[header] == first.headers[header], header
    order = reload(order)
    order.update_versioned(promised_at=utcnow() + timedelta(hours=30))
    changed = client.get('/s/' + token)
    assert changed.headers['ETag'] != first.headers['ETag'] and changed.get_data() != first.get_data()
