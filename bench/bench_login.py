"""Signing in with the production Argon2 costs (ARGON2_TIME_COST=3, ARGON2_MEMORY_COST=64 MiB): a known user with the
right password, and a user name that does not exist.

login_known_median, login_unknown_median: server time of POST /login (Flask test client), median of 21 after a
warm-up. login_unknown_vs_known_ratio: the two medians divided; each is one Argon2 verify (the unknown name against
a dummy hash made once per process), so the ratio is about 1 and the answer's time does not tell a guesser which
names exist. The throttle's rows are cleared between sign-ins (not timed).
"""
import os
import statistics
import sys
import tempfile
import time

from common import report

ROUNDS = 21


def main():
    tmp = tempfile.mkdtemp(prefix='servicebay-bench-login-')
    os.environ['INSTANCE_PATH'] = os.path.join(tmp, 'instance')
    from app import create_app
    from app.accounts.models import LoginFailure, User
    from app.core import db as core_db
    from app.core.models import Shop

    app = create_app({'DATABASE_URL': 'sqlite:///%s/bench.db' % tmp, 'WTF_CSRF_ENABLED': False,
                      'SECRET_KEY': 'bench'})      # the Argon2 costs of app.config.Config, as in production
    with app.app_context(), core_db.connection():
        core_db.upgrade()
        shop = Shop.create(code='BENCH', name='基准测试店')
        User.create_account(username='advisor', display_name='Advisor', password='bench password 1',
                            roles=['advisor'], shops=[shop], by=None)

    def sign_in(username, password, expected):
        with app.app_context(), core_db.connection():
            LoginFailure.delete().execute()
        client = app.test_client()
        started, cpu = time.perf_counter(), time.process_time()
        resp = client.post('/login', data={'username': username, 'password': password})
        elapsed, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
        assert resp.status_code == expected, (username, resp.status_code)
        return elapsed, cpu

    medians, cpu = {}, {}
    for name, username, password, expected in (('known', 'advisor', 'bench password 1', 302),
                                               ('unknown', 'nobody-here', 'bench password 1', 200)):
        sign_in(username, password, expected)   # warm-up
        samples = [sign_in(username, password, expected) for _ in range(ROUNDS)]
        medians[name] = statistics.median(wall for wall, _cpu in samples)
        cpu[name] = statistics.median(c for _wall, c in samples)
    # CPU time (all of Argon2's threads) is the steadier figure on a busy machine.
    print('login medians of %d: known %.0f ms (CPU %.0f ms), unknown %.0f ms (CPU %.0f ms)'
          % (ROUNDS, medians['known'], cpu['known'], medians['unknown'], cpu['unknown']), file=sys.stderr)
    report('login_known_median', medians['known'], 'ms', '<', 600)
    report('login_unknown_median', medians['unknown'], 'ms', '<', 600)
    report('login_unknown_vs_known_ratio', medians['unknown'] / medians['known'], 'x', '<', 1.3)


if __name__ == '__main__':
    main()
