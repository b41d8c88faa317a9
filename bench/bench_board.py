"""The live progress board with 300 open orders and 40 technicians.

board_render_p95: server time of the full wall board page (Flask test client).
board_poll_vs_bare_ratio: requests per second of an unchanged board poll (204) against a bare Flask
endpoint returning 204, both served by gunicorn on 127.0.0.1 with the same workers in this run,
driven by the same threaded keep-alive HTTP client for a fixed time; median of three rounds each.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

from flask import Flask

from common import demo_app, p95, report, timed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS, THREADS = 2, 4           # as `make run` serves it
CLIENT_THREADS = 4
SECONDS = 3.0                     # per measurement
ROUNDS = 3

# The bare endpoint: a Flask app doing nothing but answer 204 (gunicorn loads it from this module).
bare = Flask('bare')


@bare.route('/')
def _nothing():
    return '', 204


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _gunicorn(app_spec, port, env, chdir):
    cmd = [sys.executable, '-m', 'gunicorn', '--workers', str(WORKERS), '--threads', str(THREADS),
           '--worker-class', 'gthread', '--bind', '127.0.0.1:%d' % port, '--chdir', chdir,
           '--log-level', 'warning', app_spec]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def _wait_ready(port, path, headers, proc, expect):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError('gunicorn exited: %s' % proc.stderr.read().decode()[-2000:])
        try:
            conn = http.client.HTTPConnection('127.0.0.1', port, timeout=5)
            conn.request('GET', path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            conn.close()
            if resp.status in expect:
                return
            raise RuntimeError('GET %s answered %s, expected %s' % (path, resp.status, expect))
        except (ConnectionError, OSError):
            time.sleep(0.2)
    raise RuntimeError('gunicorn on port %d did not answer' % port)


def _stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _rps(port, path, headers, expect, seconds=SECONDS, threads=CLIENT_THREADS):
    """Requests per second answered with `expect`, from `threads` keep-alive connections for `seconds`.

    A board poll answered 200 (the minute turned, so the version did) is followed as a real board does:
    the client polls with the new version from then on.
    """
    counts, errors = [0] * threads, []
    stop_at = time.monotonic() + seconds

    def worker(k):
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        n, mine = 0, path
        try:
            while time.monotonic() < stop_at:
                conn.request('GET', mine, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                if resp.status == 200 and 'since=' in mine:
                    found = re.search(rb'data-version="([^"]+)"', body)
                    if found:
                        mine = mine.split('since=')[0] + 'since=' + found.group(1).decode()
                elif resp.status != expect:
                    errors.append(resp.status)
                    return
                if resp.getheader('Connection', '').lower() == 'close':
                    conn.close()
                    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
                n += 1
        finally:
            counts[k] = n
            conn.close()

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    started = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise RuntimeError('GET %s answered %s, expected %s' % (path, errors[0], expect))
    return sum(counts) / (time.monotonic() - started)


def main():
    from workshop_data import build_floor
    app = demo_app(ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=1024)   # sign-in speed is not measured here
    tmp = os.path.dirname(os.environ['INSTANCE_PATH'])
    procs = []
    try:
        shop = build_floor(app, orders=300, technicians=40)
        from app.core.db import connection
        with app.app_context(), connection():
            from app.reception.models import RepairOrder
            assert RepairOrder.open_orders(shop).count() >= 300

        client = app.test_client()
        client.post('/login', data={'username': 'foreman', 'password': 'servicebay'})
        assert client.get('/board').status_code == 200
        cpu = []

        def render():
            started = time.process_time()
            client.get('/board')
            cpu.append((time.process_time() - started) * 1000)
        wall = timed(render, 60)
        report('board_render_p95', p95(wall), 'ms', '<', 100)
        print('  board render: cpu p95 %.1f ms (load average %.1f on %d cpus)'
              % (p95(cpu[-60:]), os.getloadavg()[0], os.cpu_count()), file=sys.stderr)

        # --- the poll against a bare endpoint, both behind gunicorn ---------------------------------
        cookie = 'session=%s' % client.get_cookie('session').value
        token = re.search(r'data-version="([^"]+)"', client.get('/board').get_data(as_text=True)).group(1)
        poll_path = '/board/poll?view=wall&since=%s' % token
        poll_headers = {'Cookie': cookie, 'HX-Request': 'true'}
        env = dict(os.environ, DATABASE_URL=app.config['DATABASE_URL'], INSTANCE_PATH=os.environ['INSTANCE_PATH'],
                   SECRET_KEY='bench', PYTHONPATH=ROOT)
        env.pop('FLASK_DEBUG', None)
        app_port, bare_port = _free_port(), _free_port()
        procs.append(_gunicorn('wsgi:app', app_port, env, ROOT))
        procs.append(_gunicorn('bench_board:bare', bare_port, env, HERE))
        _wait_ready(bare_port, '/', {}, procs[1], {204})
        _wait_ready(app_port, poll_path, poll_headers, procs[0], {200, 204})
        _rps(bare_port, '/', {}, 204, seconds=1)               # warm both up
        _rps(app_port, poll_path, poll_headers, 204, seconds=1)
        bare_rps, poll_rps = [], []
        for _ in range(ROUNDS):
            bare_rps.append(_rps(bare_port, '/', {}, 204))
            poll_rps.append(_rps(app_port, poll_path, poll_headers, 204))
        ratio = statistics.median(poll_rps) / statistics.median(bare_rps)
        report('board_poll_vs_bare_ratio', ratio, 'ratio', '>', 0.5)
        print('  bare %s req/s, poll %s req/s (gunicorn %d workers x %d threads, %d client threads, %.0f s each)'
              % ([round(x) for x in bare_rps], [round(x) for x in poll_rps], WORKERS, THREADS, CLIENT_THREADS,
                 SECONDS), file=sys.stderr)
    finally:
        for proc in procs:
            _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
