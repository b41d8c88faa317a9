"""PostgreSQL against SQLite, same shop, same gunicorn: the job card, the status page and the board's poll.

The load test's shop (bench/load/setup_data.py: the demo scaled to 300 open orders, 40 technicians, 200 status links)
is built once on a SQLite file and once on PostgreSQL (BENCH_PG_URL, default the database bench_pg on 127.0.0.1,
created if missing). Both are served by gunicorn as `make run` serves (bench/served.py: 2 workers x 4 threads),
next to a bare Flask app answering 204, and driven by the same threaded keep-alive client for a fixed time, the
measurements of the two databases taking turns: PAIRS rounds of SECONDS each, and a ratio is the median of the rounds'
own ratios (each of two measurements back to back), so a moment's noise on the shared machine moves one round, not the
figure.

pg_vs_sqlite_job_card, pg_vs_sqlite_status_page, pg_vs_sqlite_board_poll: PostgreSQL's requests per second over
SQLite's (a technician's job card, a customer's status page, an unchanged board poll).
status_page_vs_bare_ratio, status_page_304_vs_bare_ratio: the status page (200, and 304 to its own refresh) on
SQLite over the bare endpoint.
"""
import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

from common import report
from served import free_port, gunicorn, rps, stop, wait_ready

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PG_URL = os.environ.get('BENCH_PG_URL', 'postgresql://postgres@127.0.0.1:5432/bench_pg')
SECRET_KEY = 'load-test'        # what bench/load/setup_data.py issues the status links under
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PAIRS, SECONDS = 7, 2.0
CARD_RE = re.compile(r'href="/jobs/(\d+)"')
VERSION_RE = re.compile(r'data-version="([^"]+)"')


def build(url, tmp):
    """The shop at url; returns the setup's data (logins, status tokens, orders) and the instance folder."""
    instance = os.path.join(tmp, 'instance')
    out = os.path.join(tmp, 'data.json')
    subprocess.run([sys.executable, os.path.join(HERE, 'load', 'setup_data.py'), '--url', url, '--instance',
                    instance, '--out', out], check=True, cwd=ROOT, env=dict(os.environ, SECRET_KEY=SECRET_KEY),
                   stdout=subprocess.DEVNULL)
    with open(out) as fh:
        return json.load(fh), instance


def sign_in(base, username, password):
    """The session cookie of a user signed in through the login form, as a browser would."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + '/login', timeout=30).read().decode()
    form = urllib.parse.urlencode({'csrf_token': CSRF_RE.search(page).group(1), 'username': username,
                                   'password': password}).encode()
    opener.open(base + '/login', data=form, timeout=30).read()
    cookie = next(c for c in jar if c.name == 'session')
    return opener, {'Cookie': 'session=%s' % cookie.value}


class Served:
    """One database's shop behind gunicorn, with what each measured request needs."""

    def __init__(self, name, url, tmp):
        self.name = name
        self.data, instance = build(url, tmp)
        env = dict(os.environ, DATABASE_URL=url, INSTANCE_PATH=instance, SECRET_KEY=SECRET_KEY, PYTHONPATH=ROOT)
        env.pop('FLASK_DEBUG', None)
        self.port = free_port()
        self.proc = gunicorn('wsgi:app', self.port, env, ROOT)
        wait_ready(self.port, '/login', {}, self.proc, {200})
        base = 'http://127.0.0.1:%d' % self.port
        opener, tech = sign_in(base, self.data['technicians'][0], self.data['password'])
        cards = sorted(set(CARD_RE.findall(opener.open(base + '/jobs', timeout=30).read().decode())))
        assert cards, 'the technician has no job card'
        opener, board = sign_in(base, self.data['boards'][0], self.data['password'])
        version = VERSION_RE.search(opener.open(base + '/board', timeout=30).read().decode()).group(1)
        token = self.data['status_tokens'][0]
        etag = self._etag('/s/%s' % token)
        self.kinds = {
            'job_card': ('/jobs/%s' % cards[0], tech, 200),
            'status_page': ('/s/%s' % token, {}, 200),
            'status_page_304': ('/s/%s' % token, {'If-None-Match': etag}, 304),
            'board_poll': ('/board/poll?view=wall&since=%s' % version, dict(board, **{'HX-Request': 'true'}), 204),
        }
        self.rates = {kind: [] for kind in self.kinds}

    def _etag(self, path):
        import http.client
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=30)
        conn.request('GET', path)
        resp = conn.getresponse()
        resp.read()
        conn.close()
        assert resp.status == 200 and resp.getheader('ETag'), (path, resp.status)
        return resp.getheader('ETag')

    def measure(self, kind, seconds=SECONDS):
        path, headers, expect = self.kinds[kind]
        rate = rps(self.port, path, headers, expect, seconds=seconds)
        self.rates[kind].append(rate)
        return rate

    def median(self, kind):
        return statistics.median(self.rates[kind])

    def ratio(self, other, kind):
        """The median over the rounds of this server's rate over the other's, measured back to back."""
        return statistics.median(a / b for a, b in zip(self.rates[kind], other.rates[kind]))


def ensure_pg_database(url):
    name = url.rsplit('/', 1)[1]
    subprocess.run(['createdb', '-h', '127.0.0.1', '-U', 'postgres', name], stderr=subprocess.DEVNULL, check=False)


def main():
    tmp = tempfile.mkdtemp(prefix='servicebay-pgbench-')
    servers, bare = [], None
    try:
        ensure_pg_database(PG_URL)
        os.makedirs(os.path.join(tmp, 'sqlite'))
        os.makedirs(os.path.join(tmp, 'pg'))
        servers = [Served('sqlite', 'sqlite:///%s/sqlite/bench.db' % tmp, os.path.join(tmp, 'sqlite')),
                   Served('postgres', PG_URL, os.path.join(tmp, 'pg'))]
        bare_port = free_port()
        bare = gunicorn('served:bare', bare_port, dict(os.environ, PYTHONPATH=ROOT), HERE)
        wait_ready(bare_port, '/', {}, bare, {204})
        for served in servers:                   # warm up
            for kind in served.kinds:
                served.measure(kind, seconds=1)
                served.rates[kind].clear()
        rps(bare_port, '/', {}, 204, seconds=1)
        bare_rates = []
        for round_ in range(PAIRS):
            bare_rates.append(rps(bare_port, '/', {}, 204, seconds=SECONDS))
            for kind in servers[0].kinds:
                # the two databases take turns, so both see the same machine, each going first every other round
                for served in (servers if round_ % 2 == 0 else servers[::-1]):
                    served.measure(kind)
        sqlite, pg = servers
        bare_rps = statistics.median(bare_rates)
        for kind in sqlite.kinds:
            print('  %-16s sqlite %s req/s, postgres %s req/s' % (
                kind, [round(x) for x in sqlite.rates[kind]], [round(x) for x in pg.rates[kind]]), file=sys.stderr)
        print('  bare %s req/s; load average %.1f on %d cpus' % ([round(x) for x in bare_rates], os.getloadavg()[0],
                                                                 os.cpu_count()), file=sys.stderr)
        for kind in ('job_card', 'status_page', 'board_poll'):
            report('pg_vs_sqlite_%s' % kind, pg.ratio(sqlite, kind), 'ratio', '>', 0.8, digits=3)
        report('status_page_vs_bare_ratio', sqlite.median('status_page') / bare_rps, 'ratio', '>', 0.25, digits=3)
        report('status_page_304_vs_bare_ratio', sqlite.median('status_page_304') / bare_rps, 'ratio', '>', 0.6, digits=3)
    finally:
        for served in servers:
            stop(served.proc)
        if bare is not None:
            stop(bare)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
