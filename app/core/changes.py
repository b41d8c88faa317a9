"""PostgreSQL's word that a record changed, and reads kept in the process until it says so.

On PostgreSQL every read is a round trip to another process; the status page's refresh is nothing but one such read
(app.status.fastpath), and a shop's customers ask it every 30 s while their orders change a few times an hour. So
triggers (migration 0030) NOTIFY `servicebay_changes` with the key of every changed record (`repair_order:12`,
`customer:3`, an event's `<record_type>:<record_id>`, `*` for an emptied table), a thread per process LISTENs
(ChangeFeed), and KeptReads keeps a read until a record it depends on changes.

A notification arrives a moment after its commit, so a kept read may be that moment behind; what keeps one must
accept that (the status page: its next refresh shows it). Nothing is kept or trusted unless the listening connection
was heard from in the last TRUST_FOR seconds: a lost connection empties every KeptReads at once, and one that hangs
stops being trusted. SQLite has no feed (its reads are in-process anyway): feed_for gives None and nothing is kept.
CHANGE_FEED = False (the tests, where a change and the next read follow each other at once) keeps nothing either.
"""
import logging
import os
import select
import threading
import time
from collections import OrderedDict

import peewee as pw

CHANNEL = 'servicebay_changes'
EVERYTHING = '*'

log = logging.getLogger(__name__)


class ChangeFeed:
    """One LISTENing connection per process, passing each changed record's key to its subscribers."""
    PING_EVERY = 1.0        # an idle connection is asked SELECT 1 this often...
    TRUST_FOR = 3.0         # ...and trusted for this long after the server last answered
    RETRY_AFTER = (0.5, 5.0)

    def __init__(self, connect):
        self._connect = connect             # () -> a new psycopg2 connection
        self._subscribers = []
        self._stopping = threading.Event()
        self._thread = None
        self._conn = None
        self.heard_at = None                # time.monotonic() of the server's last answer; None while away

    def subscribe(self, changed):
        """changed(key) is called from the feed's thread for each changed record, and with EVERYTHING whenever
        changes may have gone unheard (the connection opened or was lost)."""
        self._subscribers.append(changed)

    def trusted(self):
        heard = self.heard_at
        return heard is not None and time.monotonic() - heard < self.TRUST_FOR

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name='servicebay-change-feed', daemon=True)
            self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        conn = self._conn
        if conn is not None:
            conn.close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _tell(self, key):
        for changed in self._subscribers:
            changed(key)

    def _run(self):
        pause = self.RETRY_AFTER[0]
        while not self._stopping.is_set():
            try:
                self._listen()
                pause = self.RETRY_AFTER[0]
            except Exception as exc:  # noqa: BLE001 - any failure: nothing kept is trusted until listening again
                if not self._stopping.is_set():
                    log.warning('change feed lost (%s); listening again in %.1f s', exc, pause)
            finally:
                self.heard_at = None
                self._tell(EVERYTHING)
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None
            if self._stopping.wait(pause):
                return
            pause = min(pause * 2, self.RETRY_AFTER[1])

    def _listen(self):
        self._conn = conn = self._connect()
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute('LISTEN %s' % CHANNEL)
            self._tell(EVERYTHING)          # what changed before now was never heard: forget it all
            self.heard_at = time.monotonic()
            while not self._stopping.is_set():
                if select.select([conn], [], [], self.PING_EVERY)[0]:
                    conn.poll()
                else:
                    cursor.execute('SELECT 1')
                for note in conn.notifies:
                    self._tell(note.payload)
                conn.notifies.clear()
                self.heard_at = time.monotonic()


_feeds = {}                 # id(database) -> its feed, in this process
_feeds_lock = threading.Lock()
_kept = {}                  # name -> the KeptReads of kept_read, on the feed it listens to


def _forget_parents_feeds():
    """A forked worker listens on its own connection: its parent's feed threads did not come with it."""
    global _feeds_lock
    _feeds.clear()
    _kept.clear()
    _feeds_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_parents_feeds)


def feed_for(app, database):
    """This process's running feed of the database, or None (SQLite, or CHANGE_FEED off)."""
    if not app.config.get('CHANGE_FEED', True) or not isinstance(database, pw.PostgresqlDatabase):
        return None
    key = id(database)
    feed = _feeds.get(key)
    if feed is None:
        with _feeds_lock:
            feed = _feeds.get(key)
            if feed is None:
                import psycopg2
                params = dict(database.connect_params)
                params.setdefault('connect_timeout', 5)
                feed = _feeds[key] = ChangeFeed(lambda: psycopg2.connect(database=database.database, **params))
                feed.start()
    return feed


def stop_feeds():
    """Every feed of this process stopped (a test that turned one on, a second app in the process)."""
    with _feeds_lock:
        feeds = list(_feeds.values())
        _feeds.clear()
    for feed in feeds:
        feed.stop()


class KeptReads:
    """Reads kept in the process until the feed reports a change to a record they depend on (at most `size`, the
    least recently used going first)."""

    def __init__(self, feed, size):
        self.feed, self.size = feed, size
        self._lock = threading.Lock()
        self._values = OrderedDict()      # key -> (value, its records)
        self._by_record = {}              # record -> the keys that depend on it
        self._generation = 0              # moves with every change heard: a read that saw one move is not kept
        feed.subscribe(self._changed)

    def get(self, key, read):
        """The kept value of `key`, else read() -> (value, the records it depends on), kept unless None."""
        generation = None
        if self.feed.trusted():
            with self._lock:
                kept = self._values.get(key)
                if kept is not None:
                    self._values.move_to_end(key)
                    return kept[0]
                generation = self._generation
        value, records = read()
        if value is not None and generation is not None:
            with self._lock:
                # a change heard since the read began may not be in it
                if generation == self._generation and self.feed.trusted():
                    self._keep(key, value, records)
        return value

    def _keep(self, key, value, records):
        self._forget(key)
        self._values[key] = (value, tuple(records))
        for record in records:
            self._by_record.setdefault(record, set()).add(key)
        while len(self._values) > self.size:
            self._forget(next(iter(self._values)))

    def _forget(self, key):
        kept = self._values.pop(key, None)
        if kept is not None:
            for record in kept[1]:
                keys = self._by_record.get(record)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del self._by_record[record]

    def _changed(self, record):
        with self._lock:
            self._generation += 1
            if record == EVERYTHING:
                self._values.clear()
                self._by_record.clear()
                return
            for key in list(self._by_record.get(record, ())):
                self._forget(key)

    def __len__(self):
        return len(self._values)


def kept_read(name, key, read, size=256):
    """read() -> (value, the records it depends on): the value, kept in the process under `name` and `key` while the
    app's change feed runs (PostgreSQL) until one of those records changes, else read at each call. For reads many
    requests repeat and few changes touch (the labour catalogue on a job card); a kept value is shared between
    requests and threads, so it must not be changed by whoever gets it."""
    from flask import current_app

    from app.core.db import db
    feed = feed_for(current_app, db.obj)
    if feed is None:
        return read()[0]
    kept = _kept.get(name)
    if kept is None or kept.feed is not feed:
        with _feeds_lock:
            kept = _kept.get(name)
            if kept is None or kept.feed is not feed:
                kept = _kept[name] = KeptReads(feed, size)
    return kept.get(key, read)


def table_changed(table):
    """The record key told for any change to a table whose statements notify (migration 0031)."""
    return 'table:%s' % table
