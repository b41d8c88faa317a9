"""On PostgreSQL a shop's screens' version (its newest audit event id) is kept in the process until the change feed
tells an event was written (migration 0031): the navigation of every page asks it, and asks the database only after
something happened."""
import pytest

from app.board import queries
from app.core import audit
from tests.helpers import TEST_DB, count_queries

pytestmark = pytest.mark.skipif(TEST_DB != 'postgres', reason='PostgreSQL change feed')


def _version(app, shop):
    with app.app_context(), count_queries() as sql:
        newest, _minute = queries.board_version(shop)
    return newest, len(sql)


def test_the_version_is_kept_until_an_event_is_written(app, shop, make_user, change_feed):
    """Read once, then kept; an event written is the new version once told, read once and kept in turn."""
    someone = make_user('amy', ['advisor'])
    audit.record('order.edited', 'repair_order', 1, shop=shop.id, actor=someone)
    change_feed.caught_up()
    first, asked = _version(app, shop)
    assert asked == 1 and first > 0
    assert _version(app, shop) == (first, 0)
    audit.record('order.edited', 'repair_order', 1, shop=shop.id, actor=someone)
    change_feed.caught_up()
    newer, asked = _version(app, shop)
    assert newer > first and asked == 1
    assert _version(app, shop) == (newer, 0)


def test_a_card_asks_no_version_while_nothing_happened(client, shop, make_user, change_feed):
    """The job card after the home page (whose queue counts the navigation then shows): no query for the version."""
    from tests.helpers import sign_in
    from tests.workshop.helpers import make_job
    advisor = make_user('amy', ['advisor'])
    tech = make_user('tom', ['technician'])
    order = make_job(shop, advisor, tech)
    sign_in(client, tech)
    assert client.get('/').status_code == 200
    change_feed.caught_up()
    client.get('/jobs/%d' % order.id)
    with count_queries() as sql:
        assert client.get('/jobs/%d' % order.id).status_code == 200
    assert not [q for q in sql if 'MAX("t1"."id") FROM "event"' in q], sql
