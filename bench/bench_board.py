"""The live progress board with 300 open orders and 40 technicians.

board_render_p95: server time of the full wall board page (Flask test client).
board_poll_vs_bare_ratio: requests per second of an unchanged board poll (204) against a bare Flask
endpoint returning 204, both served by gunicorn (bench/served.py); median of three rounds each.
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
    app = demo_app(ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=1024)   # sign-in speed is not measured here
    tmp = os.path.dirname(os.environ['INSTANCE_PATH'])
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
        report('board_poll_vs_bare_ratio', poll_vs_bare(app, poll_path, poll_headers, 'poll'), 'ratio', '>', 0.5)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
