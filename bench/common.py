"""Shared by the bench scripts: a demo instance in a temp folder, timing and the BENCH line."""
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def demo_app(**config):
    """An app on a fresh SQLite file with the demo shop loaded."""
    tmp = tempfile.mkdtemp(prefix='servicebay-bench-')
    os.environ['INSTANCE_PATH'] = os.path.join(tmp, 'instance')
    from app import create_app
    app = create_app(dict({'DATABASE_URL': 'sqlite:///%s/bench.db' % tmp, 'WTF_CSRF_ENABLED': False,
                           'SECRET_KEY': 'bench'}, **config))
    result = app.test_cli_runner().invoke(args=['demo'])
    assert result.exit_code == 0, result.output
    return app


def signed_clients(app, people):
    """A test client per person, signed in: {key: client} for people {key: session id (User.get_id())}."""
    clients = {}
    for key, session_id in people.items():
        client = app.test_client()
        with client.session_transaction() as s:
            s['_user_id'] = session_id
            s['_fresh'] = True
        clients[key] = client
    return clients


def timed(fn, n):
    """Milliseconds for n calls of fn, after a warm-up."""
    for _ in range(min(10, n)):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(samples):
    """The 95th percentile, interpolated between the samples. (The default 'exclusive' method extrapolates past the
    slowest sample when there are fewer than 20: for a dozen it gave 404 ms from a slowest of 392 ms.)"""
    return statistics.quantiles(samples, n=100, method='inclusive')[94]


def report(name, value, unit, op, target, digits=1):
    ok = value < target if op == '<' else value > target
    print('BENCH %s %.*f %s target %s%s %s' % (name, digits, value, unit, op, target, 'OK' if ok else 'MISS'),
          flush=True)
