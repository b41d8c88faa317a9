"""Served by gunicorn: an unchanged poll (answered 204 before Flask) against a bare Flask endpoint returning 204.

Shared by bench_board (the board's poll) and bench_queues (the queue counts' poll), and the load test's bare
server (`served:bare`): both servers run with the same workers in the same run, driven by the same threaded
keep-alive HTTP client for a fixed time; the median of three rounds each.
"""
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

from flask import Flask

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


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def gunicorn(app_spec, port, env, chdir):
    cmd = [sys.executable, '-m', 'gunicorn', '--workers', str(WORKERS), '--threads', str(THREADS),
           '--worker-class', 'gthread', '--bind', '127.0.0.1:%d' % port, '--chdir', chdir,
           '--log-level', 'warning', app_spec]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def wait_ready(port, path, headers, proc, expect):
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


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def rps(port, path, headers, expect, seconds=SECONDS, threads=CLIENT_THREADS):
    """Requests per second answered with `expect`, from `threads` keep-alive connections for `seconds`.

    A poll answered 200 (the minute turned, so the version did) is followed as a real screen does: the client
    polls with the new version from then on.
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


def poll_vs_bare(app, poll_path, poll_headers, what):
    """The unchanged poll's requests per second over the bare endpoint's, both behind gunicorn on the app's
    database (the median of ROUNDS rounds each); the figures themselves go to stderr."""
    env = dict(os.environ, DATABASE_URL=app.config['DATABASE_URL'], INSTANCE_PATH=os.environ['INSTANCE_PATH'],
               SECRET_KEY='bench', PYTHONPATH=ROOT)
    env.pop('FLASK_DEBUG', None)
    app_port, bare_port = free_port(), free_port()
    procs = []
    try:
        procs.append(gunicorn('wsgi:app', app_port, env, ROOT))
        procs.append(gunicorn('served:bare', bare_port, env, HERE))
        wait_ready(bare_port, '/', {}, procs[1], {204})
        wait_ready(app_port, poll_path, poll_headers, procs[0], {200, 204})
        rps(bare_port, '/', {}, 204, seconds=1)               # warm both up
        rps(app_port, poll_path, poll_headers, 204, seconds=1)
        bare_rps, poll_rps = [], []
        for _ in range(ROUNDS):
            bare_rps.append(rps(bare_port, '/', {}, 204))
            poll_rps.append(rps(app_port, poll_path, poll_headers, 204))
    finally:
        for proc in procs:
            stop(proc)
    print('  bare %s req/s, %s %s req/s (gunicorn %d workers x %d threads, %d client threads, %.0f s each)'
          % ([round(x) for x in bare_rps], what, [round(x) for x in poll_rps], WORKERS, THREADS, CLIENT_THREADS,
             SECONDS), file=sys.stderr)
    return statistics.median(poll_rps) / statistics.median(bare_rps)
