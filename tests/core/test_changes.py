"""PostgreSQL's change feed (migration 0030's triggers, ChangeFeed) and the reads kept until it reports a change."""
import time

import pytest

from app.core import changes
from app.core import db as core_db
from tests import factories
from tests.helpers import TEST_DB, reload

postgres_only = pytest.mark.skipif(TEST_DB != 'postgres', reason='PostgreSQL LISTEN/NOTIFY')


class FakeFeed:
    """A feed told by hand what changed and whether it is trusted."""

    def __init__(self):
        self.subscribers, self.trust = [], True

    def subscribe(self, changed):
        self.subscribers.append(changed)

    def trusted(self):
        return self.trust

    def tell(self, key):
        for changed in self.subscribers:
            changed(key)


def _reader(value, records, reads):
    def read():
        reads.append(1)
        return value, records
    return read


def test_a_kept_read_lasts_until_a_record_it_depends_on_changes():
    """Asked again, the kept value; another record's change keeps it; its own record's change forgets it."""
    feed, reads = FakeFeed(), []
    kept = changes.KeptReads(feed, size=10)
    assert kept.get('a', _reader('A1', ['repair_order:1', 'shop:1'], reads)) == 'A1'
    assert kept.get('a', _reader('A2', ['repair_order:1'], reads)) == 'A1' and len(reads) == 1
    feed.tell('repair_order:2')
    assert kept.get('a', _reader('A2', ['repair_order:1'], reads)) == 'A1' and len(reads) == 1
    feed.tell('shop:1')
    assert kept.get('a', _reader('A3', ['repair_order:1'], reads)) == 'A3' and len(reads) == 2
    feed.tell(changes.EVERYTHING)
    assert len(kept) == 0
    assert kept.get('a', _reader(None, [], reads)) is None and len(kept) == 0     # nothing found: not kept


def test_a_change_heard_while_reading_is_not_kept():
    """A read that began before a change was heard may be older than it: answered, not kept."""
    feed, reads = FakeFeed(), []
    kept = changes.KeptReads(feed, size=10)

    def read_during_a_change():
        feed.tell('customer:9')             # a change to some other record, heard while this read runs
        return 'old', ['repair_order:1']
    assert kept.get('a', read_during_a_change) == 'old'
    assert kept.get('a', _reader('new', ['repair_order:1'], reads)) == 'new' and reads == [1]


def test_nothing_is_kept_or_served_from_an_untrusted_feed():
    """A feed not heard from lately: every ask reads, and what was kept is not answered."""
    feed, reads = FakeFeed(), []
    kept = changes.KeptReads(feed, size=10)
    kept.get('a', _reader('A1', ['repair_order:1'], reads))
    feed.trust = False
    assert kept.get('a', _reader('A2', ['repair_order:1'], reads)) == 'A2'
    assert kept.get('b', _reader('B1', ['repair_order:2'], reads)) == 'B1'
    assert len(reads) == 3 and len(kept) == 1


def test_kept_reads_are_bounded_least_recently_used_first():
    """Past its size the least recently asked goes, with its records' index."""
    feed, reads = FakeFeed(), []
    kept = changes.KeptReads(feed, size=2)
    kept.get('a', _reader('A', ['r:1'], reads))
    kept.get('b', _reader('B', ['r:2'], reads))
    kept.get('a', _reader('A?', ['r:1'], reads))          # a is now the most recent
    kept.get('c', _reader('C', ['r:3'], reads))
    assert len(kept) == 2 and kept._by_record.keys() == {'r:1', 'r:3'}
    assert kept.get('b', _reader('B2', ['r:2'], reads)) == 'B2'


def test_no_feed_on_sqlite_or_when_turned_off(app):
    """SQLite reads are in-process: nothing to listen to. CHANGE_FEED off: no feed on PostgreSQL either."""
    app.config['CHANGE_FEED'] = True
    if TEST_DB != 'postgres':
        assert changes.feed_for(app, core_db.db.obj) is None
    app.config['CHANGE_FEED'] = False
    assert changes.feed_for(app, core_db.db.obj) is None


def test_a_forked_worker_starts_without_its_parents_feeds(monkeypatch):
    """gunicorn forks its workers: a feed whose thread stayed in the parent is not the child's."""
    import os
    monkeypatch.setitem(changes._feeds, 12345, FakeFeed())
    pid = os.fork()
    if pid == 0:                                      # the child: report through the exit code, nothing else
        os._exit(0 if changes._feeds == {} else 1)
    assert os.waitpid(pid, 0)[1] == 0
    assert 12345 in changes._feeds                    # the parent keeps its own


# --- PostgreSQL ---------------------------------------------------------------------------------------------------

@pytest.fixture
def feed(change_feed):
    return change_feed.feed, change_feed


def _listener_pid(feed):
    return feed._conn.get_backend_pid()


@postgres_only
def test_each_watched_change_is_told_by_its_record(feed, shop, make_user):
    """An order's and a customer's rows, a link (as its order) and a new event (as its record) are each told."""
    from app.core import audit
    from app.reception import links
    _feed, heard = feed
    advisor = make_user('amy', ['advisor'])
    customer = factories.make_customer(shop, language='zh')
    order = factories.make_order(shop, advisor, vehicle=factories.make_vehicle(shop, customer))
    heard.wait_for('repair_order:%d' % order.id)
    heard.wait_for('customer:%d' % customer.id)
    heard.keys.clear()
    links.revoke_and_reissue(reload(order), None)
    heard.wait_for('repair_order:%d' % order.id)
    heard.keys.clear()
    audit.record('shop.renamed', 'shop', shop.id, shop=shop.id, actor=advisor)
    heard.wait_for('shop:%d' % shop.id)
    type(customer).update(language='en').where(type(customer).id == customer.id).execute()
    heard.wait_for('customer:%d' % customer.id)
    core_db.db.execute_sql('TRUNCATE status_link')
    heard.wait_for(changes.EVERYTHING)


@postgres_only
def test_a_lost_listening_connection_forgets_everything_and_listens_again(feed):
    """The server ending the feed's connection: every subscriber forgets all, untrusted until it listens again."""
    feed, heard = feed
    pid = _listener_pid(feed)
    heard.keys.clear()
    core_db.db.execute_sql('SELECT pg_terminate_backend(%s)', (pid,))
    heard.wait_for(changes.EVERYTHING)
    deadline = time.monotonic() + 10
    while not (feed.trusted() and feed._conn is not None and _listener_pid(feed) != pid):
        assert time.monotonic() < deadline, 'the change feed did not listen again'
        time.sleep(0.02)
    heard.keys.clear()
    core_db.db.execute_sql("NOTIFY servicebay_changes, 'probe:1'")
    heard.wait_for('probe:1')


@postgres_only
def test_a_feed_whose_server_stops_answering_is_not_trusted(feed):
    """A listening connection that stops answering (a hung server) stops being trusted on its own, and is trusted
    again once it answers."""
    import os
    import signal
    feed, _heard = feed
    pid = _listener_pid(feed)
    os.kill(pid, signal.SIGSTOP)             # the server process behind the feed's connection, frozen
    try:
        deadline = time.monotonic() + feed.TRUST_FOR + feed.PING_EVERY + 5
        while feed.trusted():
            assert time.monotonic() < deadline, 'a feed whose server does not answer is still trusted'
            time.sleep(0.05)
    finally:
        os.kill(pid, signal.SIGCONT)
    deadline = time.monotonic() + 10
    while not feed.trusted():
        assert time.monotonic() < deadline, 'the feed is not trusted again once its server answers'
        time.sleep(0.05)
