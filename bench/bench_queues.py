"""The work queues on a busy floor (300 open orders, 40 technicians).

queue_home_render_cpu_p95: CPU time of the manager's home page, the heaviest queue (everything late across the
shop, every role's list read), Flask test client; CPU rather than wall time, as the machine is shared.
queue_poll_vs_bare_ratio: requests per second of an unchanged queue-count poll (204, answered before Flask by
app.queues.fastpoll) against a bare Flask endpoint returning 204, both behind gunicorn (bench/served.py, as
bench_board measures the board's poll); median of three rounds. Polled as the technician's phone polls its count
(a turning minute redraws the counts once, cheaply for a technician).
"""
import os
import re
import shutil
import sys
import time

from common import demo_app, p95, report, timed
from served import poll_vs_bare


def main():
    from workshop_data import build_floor
    app = demo_app(ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=1024)
    tmp = os.path.dirname(os.environ['INSTANCE_PATH'])
    try:
        build_floor(app, orders=300, technicians=40)
        client = app.test_client()
        client.post('/login', data={'username': 'manager', 'password': 'servicebay'})
        home = client.get('/')
        assert home.status_code == 200 and 'data-testid="work-queue"' in home.get_data(as_text=True)
        cpu = []

        def render():
            started = time.process_time()
            client.get('/')
            cpu.append((time.process_time() - started) * 1000)
        wall = timed(render, 30)
        report('queue_home_render_cpu_p95', p95(cpu[-30:]), 'ms', '<', 400)
        print('  manager home: wall p95 %.0f ms (load average %.1f on %d cpus)'
              % (p95(wall), os.getloadavg()[0], os.cpu_count()), file=sys.stderr)

        tech = app.test_client()
        tech.post('/login', data={'username': 'tech', 'password': 'servicebay'})
        started = time.perf_counter()
        tech.get('/')
        print('  technician home: %.0f ms' % ((time.perf_counter() - started) * 1000), file=sys.stderr)

        cookie = 'session=%s' % tech.get_cookie('session').value
        token = re.search(r'id="queue-nav"[^>]*data-version="([^"]+)"', tech.get('/').get_data(as_text=True)).group(1)
        poll_path = '/queues/poll?since=%s' % token
        poll_headers = {'Cookie': cookie, 'HX-Request': 'true'}
        report('queue_poll_vs_bare_ratio', poll_vs_bare(app, poll_path, poll_headers, 'queue poll'), 'ratio', '>', 0.5)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
