"""A technician's tap on the phone: clock on a job, then mark it done, with 300 open orders and 40 technicians.

tech_tap_p95: server time (Flask test client) of POST workshop.clock_on and POST workshop.line_done, as the
phone's htmx sends them (fragment answer, version and idempotency key), for jobs of many technicians.
"""
import os
import shutil
import sys
import time
import uuid

from common import demo_app, p95, report, signed_clients

TAPS = 85             # jobs: each gets a clock-on and a done (the first 5 warm up)


def main():
    from workshop_data import build_floor
    app = demo_app(ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=1024)   # sign-in speed is not measured here
    tmp = os.path.dirname(os.environ['INSTANCE_PATH'])
    try:
        if 'workshop.clock_on' not in app.view_functions or 'workshop.line_done' not in app.view_functions:
            print('bench_tech_tap: the routes workshop.clock_on / workshop.line_done do not exist yet',
                  file=sys.stderr)
            sys.exit(2)
        shop = build_floor(app, orders=300, technicians=40)
        from flask import url_for

        from app.accounts.models import User
        from app.core import stages
        from app.core.db import connection
        from app.reception.models import OrderLine, RepairOrder
        with app.app_context(), connection():
            jobs = list(OrderLine.select(OrderLine.id, OrderLine.order, OrderLine.technician)
                        .join(RepairOrder)
                        .where((RepairOrder.shop == shop) & (OrderLine.status == stages.LINE_ASSIGNED)
                               & RepairOrder.stage.in_([stages.DISPATCHED, stages.IN_PROGRESS]))
                        .order_by(OrderLine.id).limit(TAPS).tuples())
            people = {u.id: u.get_id() for u in User.select().where(User.id.in_({t for _l, _o, t in jobs}))}
        assert len(jobs) >= 50, 'too few assigned jobs to tap: %d' % len(jobs)

        clients = signed_clients(app, people)

        def version(line_id):
            with app.app_context(), connection():
                return OrderLine.get_by_id(line_id).version

        samples, cpu = [], []

        def tap(endpoint, line_id, order_id, tech_id):
            with app.test_request_context():
                url = url_for(endpoint, order_id=order_id, line_id=line_id)
                card = url_for('workshop.job_card', order_id=order_id, _external=True)
            data = {'version': version(line_id), 'idem': uuid.uuid4().hex}
            headers = {'HX-Request': 'true', 'HX-Target': 'line-%d' % line_id, 'HX-Current-URL': card}
            started, cpu_started = time.perf_counter(), time.process_time()
            resp = clients[tech_id].post(url, data=data, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert resp.status_code == 200, (endpoint, resp.status_code, resp.get_data(as_text=True)[:500])

        for line_id, order_id, tech_id in jobs[:5]:          # warm-up (templates, connections)
            tap('workshop.clock_on', line_id, order_id, tech_id)
        del samples[:], cpu[:]
        for line_id, order_id, tech_id in jobs[5:]:
            tap('workshop.clock_on', line_id, order_id, tech_id)
            tap('workshop.line_done', line_id, order_id, tech_id)
        report('tech_tap_p95', p95(samples), 'ms', '<', 50)
        print('  %d taps: cpu p95 %.1f ms (load average %.1f on %d cpus)'
              % (len(samples), p95(cpu), os.getloadavg()[0], os.cpu_count()), file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
