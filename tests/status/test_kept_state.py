"""On PostgreSQL the status page's refresh asks the database nothing while the change feed says nothing it shows
changed; every change that makes a new page still makes it, once the feed has told it (app.core.changes)."""
import time
from datetime import datetime, timedelta, timezone

import pytest

from app.core import audit, changes
from app.core import db as core_db
from app.core.db import utcnow
from tests.helpers import TEST_DB, count_queries, reload

pytestmark = pytest.mark.skipif(TEST_DB != 'postgres', reason='PostgreSQL change feed')


@pytest.fixture
def caught_up(change_feed):
    """A wait until the feed has told everything committed so far."""
    change_feed.caught_up()
    return change_feed.caught_up


def _page(client, token, etag=None, **kw):
    return client.get('/s/' + token, headers={'If-None-Match': etag} if etag else {}, **kw)


def test_an_unchanged_page_asks_the_database_nothing(client, token, caught_up):
    """The 30-second refresh and a reload of a page nothing changed: no query at all, same answers as before."""
    first = _page(client, token)
    etag = first.headers['ETag']
    with count_queries() as sql:
        assert _page(client, token, etag).status_code == 304
        again = _page(client, token)
    assert sql == []
    assert again.status_code == 200 and again.get_data() == first.get_data() and again.headers['ETag'] == etag


@pytest.mark.parametrize('change', ['promised_at', 'audit', 'customer_language', 'vehicle_event'])
def test_a_change_makes_the_new_page_once_told(client, order, token, staff, caught_up, change):
    """The order's row, an event on the order or its car, the customer's language: the next refresh is new."""
    etag = _page(client, token).headers['ETag']
    assert _page(client, token, etag).status_code == 304
    order = reload(order)
    if change == 'promised_at':
        order.update_versioned(promised_at=utcnow() + timedelta(hours=30))
    elif change == 'audit':
        audit.record('added_work.requested', 'repair_order', order.id, shop=order.shop_id, actor=staff['tech'])
    elif change == 'customer_language':
        customer = order.customer
        type(customer).update(language='en').where(type(customer).id == customer.id).execute()
    else:
        audit.record('vehicle.edited', 'vehicle', order.vehicle_id, shop=order.shop_id, actor=staff['advisor'])
    caught_up()
    resp = _page(client, token, etag)
    assert resp.status_code == 200 and resp.headers['ETag'] != etag
    with count_queries() as sql:                                      # and the new state is kept in turn
        assert _page(client, token, resp.headers['ETag']).status_code == 304
    assert sql == []


def test_a_revoked_link_is_refused_once_told(client, order, token, caught_up):
    """A revoked link stops being answered from what was kept."""
    from app.reception import links
    etag = _page(client, token).headers['ETag']
    links.revoke_and_reissue(reload(order), None)
    caught_up()
    assert _page(client, token, etag).status_code == 404


def test_passing_the_promised_time_needs_no_change(client, order, token, caught_up):
    """Running late is worked out from the kept state at each ask: the page turns new with no change told."""
    import time_machine
    order = reload(order)
    order.update_versioned(promised_at=utcnow() + timedelta(hours=2))
    caught_up()
    etag = _page(client, token).headers['ETag']
    assert _page(client, token, etag).status_code == 304
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(hours=3), tick=False):
        late = _page(client, token, etag)
    assert late.status_code == 200 and late.headers['ETag'] != etag


def test_a_lost_feed_reads_the_database_again(client, order, token, caught_up):
    """The feed's connection lost: nothing kept is answered, every refresh reads until it listens again."""
    etag = _page(client, token).headers['ETag']
    feed = changes.feed_for(client.application, core_db.db.obj)
    pid = feed._conn.get_backend_pid()
    core_db.db.execute_sql('SELECT pg_terminate_backend(%s)', (pid,))
    deadline = time.monotonic() + 10
    while feed.heard_at is not None:                    # the feed noticed (or a refresh could be that moment late)
        assert time.monotonic() < deadline, 'the feed did not notice its connection was lost'
        time.sleep(0.01)
    order = reload(order)
    order.update_versioned(promised_at=utcnow() + timedelta(hours=30))   # while nobody listens
    with count_queries() as sql:
        resp = _page(client, token, etag)
    assert resp.status_code == 200 and resp.headers['ETag'] != etag
    assert sql, 'the kept state was answered from a lost feed'
