"""The load test: the whole shop at once against gunicorn on this machine, then the same users flat out
against the app and against a bare Flask endpoint served the same way.

    .venv/bin/python bench/load/run.py                      # `make load`: 5 minutes on SQLite, then PostgreSQL
    .venv/bin/python bench/load/run.py --db sqlite --seconds 45 --technicians 12 --customers 60   # short
    .venv/bin/python bench/load/run.py --db sqlite --seconds 1800 --soak                           # `make soak`

Phases, per database:
1. paced: 40 technicians (an action every 10-20 s, card poll every 5 s), 5 advisors, 3 boards polling every
   3 s, 200 customers refreshing their status page every 30 s, for --seconds. Every request is counted; an
   error is any failed request (4xx/5xx, a timeout, a refused connection) or a "database is locked" or a
   traceback in the server's log. Latency percentiles per kind of request.
2. saturation: the same kinds of users in the same proportions (a tenth of them) with no think time, for
   --sat-seconds: requests per second the app serves with this mix.
3. bare: as many users with no think time against a Flask app answering 204, same gunicorn settings.
   load_vs_bare_ratio = app req/s (2) / bare req/s (3).
The resident memory of every gunicorn worker is sampled every 15 s during phase 1 (`make soak` reads it).

Figures: `BENCH load_errors`, `load_p95_tech_tap`, `load_p95_board_poll`, `load_p95_status_page`,
`load_vs_bare_ratio` (one block per database). PostgreSQL uses its own database (--pg-url, default
test_ops on 127.0.0.1, created if missing); the server itself is shared and left alone.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from collections import defaultdict  # noqa: E402

import gevent  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
sys.path[:0] = [HERE]

import scenario  # noqa: E402

SECRET_KEY = 'load-test'     # the status links are issued in setup under the key the server runs with
SPAWN_RATE = 10              # users started per second: the shift starts over some seconds, not in one instant
PG_URL = 'postgresql://postgres@127.0.0.1:5432/test_ops'
LOG_ERRORS = ('database is locked', 'Traceback', 'unhandled error', 'database unavailable')
TARGETS = {  # (op, number): what a user would notice beyond these
    'load_errors': ('<=', 0),
    'load_p95_tech_tap': ('<', 500),
    'load_p95_board_poll': ('<', 250),
    'load_p95_status_page': ('<', 500),
    'load_vs_bare_ratio': ('>', 0.02),
}


# `--figures pg` (bench/bench_pg_load.py): the short PostgreSQL run's figures, named pg_*, with its targets
PG_TARGETS = dict(TARGETS, load_p95_tech_tap=('<', 300), load_p95_status_page=('<', 300),
                  load_capacity_shops=('>=', 5))
FIGURES = {'prefix': '', 'targets': TARGETS}


def bench_line(name, value, unit):
    op, target = FIGURES['targets'][name]
    name = FIGURES['prefix'] + name
    ok = {'<': value < target, '<=': value <= target, '>': value > target, '>=': value >= target}[op]
    fmt = '%d' if unit == 'count' else ('%.3f' if unit == 'ratio' else '%.1f')
    print(('BENCH %s ' + fmt + ' %s target %s%s %s') % (name, value, unit, op, target, 'OK' if ok else 'MISS'),
          flush=True)
    return ok


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    """gunicorn (gthread) on 127.0.0.1, its log in a file; stopped with its whole process group."""

    def __init__(self, spec, chdir, env, workers, threads, log_path):
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, 'wb')
        cmd = [sys.executable, '-m', 'gunicorn', '--workers', str(workers), '--threads', str(threads),
               '--worker-class', 'gthread', '--bind', '127.0.0.1:%d' % self.port, '--chdir', chdir,
               '--log-level', 'warning', '--timeout', '60', spec]
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = 'http://127.0.0.1:%d' % self.port

    def wait_ready(self, path='/'):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('gunicorn exited:\n%s' % open(self.log_path).read()[-3000:])
            try:
                urllib.request.urlopen(self.url + path, timeout=5).read()
                return
            except OSError:
                gevent.sleep(0.3)
        raise RuntimeError('gunicorn on port %d did not answer' % self.port)

    def workers(self):
        """The worker pids (children of the master)."""
        try:
            with open('/proc/%d/task/%d/children' % (self.proc.pid, self.proc.pid)) as fh:
                return [int(p) for p in fh.read().split()]
        except OSError:
            return []

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def log_errors(self):
        """Lines of the server log that tell of an error, by the first sign each shows."""
        found = defaultdict(int)
        with open(self.log_path, errors='replace') as fh:
            for line in fh:
                sign = next((needle for needle in LOG_ERRORS if needle in line), None)
                if sign:
                    found[sign] += 1
        return dict(found)


def rss_mb(pid):
    try:
        with open('/proc/%d/status' % pid) as fh:
            for line in fh:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None


def run_phase(host, classes, seconds, pace, spawn_rate=SPAWN_RATE, on_tick=None, settle=0.0):
    """Run locust users for `seconds`; returns (samples by name, failures list, requests, elapsed).

    Latency samples are kept from `settle` seconds on (the sign-ins of the shift start are over); every
    request of the whole phase is counted, and every failure.
    """
    from locust.env import Environment
    scenario.PACE['factor'] = pace
    scenario.reset_counters()
    samples, failures, counted = defaultdict(list), [], [0]
    started = time.monotonic()

    env = Environment(user_classes=[c for c, _n in classes], host=host)

    def on_request(request_type, name, response_time, response_length, exception=None, response=None, **_kw):
        counted[0] += 1
        if name.startswith('login') or time.monotonic() - started >= settle:
            samples[name].append(response_time)
        if exception is not None:
            failures.append('%s %s: %s' % (request_type, name, str(exception)[:200]))
    env.events.request.add_listener(on_request)
    for cls, n in classes:
        cls.fixed_count = n
    total = sum(n for _c, n in classes)
    runner = env.create_local_runner()
    runner.start(total, spawn_rate=spawn_rate)
    while time.monotonic() - started < seconds:
        gevent.sleep(min(15, seconds - (time.monotonic() - started)))
        if on_tick:
            on_tick(time.monotonic() - started)
    runner.quit()
    elapsed = time.monotonic() - started
    return samples, failures, counted[0], elapsed


def pct(values, p):
    values = sorted(values)
    if not values:
        return float('nan')
    k = max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[k]


def setup(url, instance, args):
    out = os.path.join(os.path.dirname(instance), 'data.json')
    cmd = [sys.executable, os.path.join(HERE, 'setup_data.py'), '--url', url, '--instance', instance, '--out', out,
           '--technicians', str(args.technicians), '--customers', str(args.customers), '--shops', str(args.shops)]
    subprocess.run(cmd, check=True, cwd=ROOT, env=dict(os.environ, SECRET_KEY=SECRET_KEY))
    scenario.DATA.clear()
    scenario.load_data(out)


def ensure_pg_database(url):
    name = url.rsplit('/', 1)[1]
    subprocess.run(['createdb', '-h', '127.0.0.1', '-U', 'postgres', name], stderr=subprocess.DEVNULL, check=False)


def run_database(db, args, tmp):
    url = ('sqlite:///%s/load.db' % tmp) if db == 'sqlite' else args.pg_url
    if db == 'postgres':
        ensure_pg_database(url)
    instance = os.path.join(tmp, 'instance')
    print('== %s: preparing %d shop(s) (demo + %d technicians, 300 open orders each) ==' % (db, args.shops,
                                                                                          args.technicians), flush=True)
    setup(url, instance, args)
    env = dict(os.environ, DATABASE_URL=url, INSTANCE_PATH=instance, SECRET_KEY=SECRET_KEY, TRUST_PROXY='1',
               PYTHONPATH=ROOT)
    env.pop('FLASK_DEBUG', None)
    app = Server('wsgi:app', ROOT, env, args.workers, args.threads, os.path.join(tmp, 'gunicorn-%s.log' % db))
    bare = Server('served:bare', BENCH, env, args.workers, args.threads, os.path.join(tmp, 'bare.log'))
    ok = True
    try:
        app.wait_ready('/login')
        bare.wait_ready('/')
        S = scenario
        paced = users(args, args.shops)
        spawn = SPAWN_RATE         # a shift's sign-ins at a human pace, however many shops
        memory = defaultdict(list)

        def sample_memory(at):
            for pid in app.workers():
                value = rss_mb(pid)
                if value is not None:
                    memory[pid].append((at, value))
        print('== %s: %d shop(s) x (%d technicians, %d advisors, %d boards, %d customers) for %d s (gunicorn %d '
              'workers x %d threads) ==' % (db, args.shops, args.technicians, args.advisors, args.boards,
                                            args.customers, args.seconds, args.workers, args.threads), flush=True)
        sample_memory(0)
        settle = sum(n for _c, n in paced) / spawn + 10
        samples, failures, count, elapsed = run_phase(app.url, paced, max(args.seconds, settle + 30), 1.0,
                                                      spawn_rate=spawn, on_tick=sample_memory, settle=settle)
        sample_memory(elapsed)

        sat = [(S.Technician, max(1, args.technicians * args.shops // 10)), (S.Advisor, args.shops),
               (S.Board, args.shops), (S.Customer, max(1, args.customers * args.shops // 10))]
        sat_users = sum(n for _c, n in sat)
        sat_samples, sat_failures, sat_count, sat_elapsed = run_phase(app.url, sat, args.sat_seconds, 0.0)
        bare_samples, bare_failures, bare_count, bare_elapsed = run_phase(bare.url, [(S.Bare, sat_users)],
                                                                          args.sat_seconds, 0.0)
        log_errors = app.log_errors()
        capacity = find_capacity(app, args) if args.capacity_seconds else None
    finally:
        app.stop()
        bare.stop()

    # --- report ---------------------------------------------------------------------------------------
    print('%-22s %8s %8s %8s %8s %8s' % ('request kind', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'))
    for name in sorted(samples):
        v = samples[name]
        print('%-22s %8d %8.1f %8.1f %8.1f %8.1f' % (name, len(v), pct(v, 50), pct(v, 95), pct(v, 99), max(v)))
    print('paced: %d requests in %.0f s (%.1f req/s), %d failed; server log: %s; latencies from %.0f s on '
          '(after the sign-ins), sign-ins over the whole run'
          % (count, elapsed, count / elapsed, len(failures), log_errors or 'no errors', settle))
    for line in sorted(set(failures))[:15]:
        print('  failure: %s' % line)
    app_rps, bare_rps = sat_count / sat_elapsed, bare_count / bare_elapsed
    print('saturation (%d users, no think time, %.0f s each): app %.1f req/s (%d failed), bare %.1f req/s '
          '(%d failed); load average %.1f on %d cpus'
          % (sat_users, args.sat_seconds, app_rps, len(sat_failures), bare_rps, len(bare_failures),
             os.getloadavg()[0], os.cpu_count()))
    for line in sorted(set(sat_failures))[:5]:
        print('  saturation failure: %s' % line)
    if memory and args.seconds >= 120:
        report_memory(memory, args.seconds)
    errors = len(failures) + len(sat_failures) + sum(log_errors.values())
    ok &= bench_line('load_errors', errors, 'count')
    ok &= bench_line('load_p95_tech_tap', pct(samples['tech_tap'], 95), 'ms')
    ok &= bench_line('load_p95_board_poll', pct(samples['board_poll'], 95), 'ms')
    ok &= bench_line('load_p95_status_page', pct(samples['status_page'], 95), 'ms')
    ok &= bench_line('load_vs_bare_ratio', app_rps / bare_rps if bare_rps else 0.0, 'ratio')
    if capacity is not None:
        bench_line('load_capacity_shops', capacity, 'count')
    return ok


def users(args, shops):
    """The paced users of `shops` shops (a dealer group's shops share the data of the shops set up)."""
    S = scenario
    return [(S.Technician, args.technicians * shops), (S.Advisor, args.advisors * shops),
            (S.Board, args.boards * shops), (S.Customer, args.customers * shops)]


def within_targets(samples, failures):
    """No failed request and every p95 inside its target (the targets of these figures)."""
    targets = FIGURES['targets']
    return not failures and all(pct(samples[kind], 95) < targets['load_p95_%s' % kind][1]
                                for kind in ('tech_tap', 'board_poll', 'status_page') if samples[kind])


def find_capacity(app, args):
    """The largest number of shops served inside the targets: paced steps of --capacity-seconds each, one shop
    more (from --shops + 1) while the step holds, or one fewer while it does not."""
    shops, held, direction = args.shops, None, 0
    while 0 < shops <= args.max_shops:
        spawn = SPAWN_RATE
        paced = users(args, shops)
        settle = sum(n for _c, n in paced) / spawn + 5
        logged = sum(app.log_errors().values())
        samples, failures, _count, _elapsed = run_phase(app.url, paced, args.capacity_seconds + settle, 1.0,
                                                        spawn_rate=spawn, settle=settle)
        failures += ['server log'] * (sum(app.log_errors().values()) - logged)
        ok = within_targets(samples, failures)
        print('capacity step: %d shops: p95 tap %.0f ms, board poll %.0f ms, status page %.0f ms, %d failed%s: %s'
              % (shops, pct(samples['tech_tap'], 95), pct(samples['board_poll'], 95),
                 pct(samples['status_page'], 95), len(failures), ' (first: %s)' % failures[0] if failures else '',
                 'inside the targets' if ok else 'OUTSIDE'),
              flush=True)
        if ok:
            held = shops if held is None else max(held, shops)
            if direction < 0:
                break
            direction, shops = 1, shops + 1
        else:
            if direction > 0:
                break
            direction, shops = -1, shops - 1
    return held or 0


def report_memory(memory, seconds):
    """Resident memory per worker: first sample after warm-up (a tenth of the run, at least 60 s) against the last."""
    warm = max(60.0, seconds / 10) if seconds >= 120 else 0.0
    flat = True
    print('memory per gunicorn worker (RSS MB, sampled every 15 s):')
    for pid, series in sorted(memory.items()):
        after = [v for t, v in series if t >= warm] or [v for _t, v in series]
        first, last, peak = after[0], after[-1], max(after)
        growth = last - first
        grew = growth > max(10.0, 0.10 * first)
        flat &= not grew
        print('  worker %d: %s  start %.1f, end %.1f, peak %.1f, growth %+.1f MB %s'
              % (pid, ' '.join('%.0f' % v for _t, v in series[::max(1, len(series) // 12)]), first, last, peak,
                 growth, 'GREW' if grew else 'flat'))
    print('memory per worker %s over %.0f minutes' % ('stayed flat' if flat else 'DID NOT stay flat', seconds / 60))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--db', choices=['sqlite', 'postgres', 'both'], default='both')
    parser.add_argument('--seconds', type=int, default=300)
    parser.add_argument('--sat-seconds', type=int, default=20)
    parser.add_argument('--technicians', type=int, default=40)
    parser.add_argument('--advisors', type=int, default=5)
    parser.add_argument('--boards', type=int, default=3)
    parser.add_argument('--customers', type=int, default=200)
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--threads', type=int, default=4)
    parser.add_argument('--pg-url', default=os.environ.get('LOAD_DATABASE_URL', PG_URL))
    parser.add_argument('--keep', action='store_true', help='keep the database and server logs of a passing run')
    parser.add_argument('--shops', type=int, default=1, help='a dealer group: this many shops on one database')
    parser.add_argument('--capacity-seconds', type=int, default=0,
                        help='then find the largest number of shops inside the targets, steps of this many seconds')
    parser.add_argument('--max-shops', type=int, default=12)
    parser.add_argument('--figures', choices=['load', 'pg', 'group'], default='load',
                        help='pg: name the figures pg_load_* with the PostgreSQL run\'s targets (bench_pg_load)')
    args = parser.parse_args()
    if args.figures in ('pg', 'group'):
        FIGURES.update(prefix=args.figures + '_', targets=PG_TARGETS)
    ok = True
    for db in (['sqlite', 'postgres'] if args.db == 'both' else [args.db]):
        tmp = tempfile.mkdtemp(prefix='servicebay-load-')
        passed = run_database(db, args, tmp)
        ok &= passed
        if passed and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print('(server log and data kept in %s)' % tmp, flush=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
