"""The technician's job card on the phone, with 300 open orders and 40 technicians (SQLite).

job_card_p95:     server time (Flask test client) of GET /jobs/<id>, as the phone opens it after a key-tag scan,
                  for the cards of many technicians' cars in every working stage.
job_card_queries: the most SQL statements one of those cards ran (signing in included).
"""
import os
import shutil
import statistics
import sys
import time

from common import demo_app, p95, report, signed_clients

CARDS = 80             # cars; each card opened 3 times (the first 10 openings warm up)


def main():
    from workshop_data import build_floor
    app = demo_app(ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=1024)
    tmp = os.path.dirname(os.environ['INSTANCE_PATH'])
    try:
        shop = build_floor(app, orders=300, technicians=40)
        from app.accounts.models import User
        from app.core import stages
        from app.core.db import connection, db
        from app.reception.models import OrderLine, RepairOrder
        with app.app_context(), connection():
            cars = list(OrderLine.select(OrderLine.order, OrderLine.technician).join(RepairOrder)
                        .where((RepairOrder.shop == shop) & OrderLine.technician.is_null(False)
                               & RepairOrder.stage.in_([stages.DISPATCHED, stages.IN_PROGRESS, stages.WAITING_APPROVAL,
                                                        stages.WAITING_PARTS, stages.QC_FAILED]))
                        .group_by(OrderLine.order, OrderLine.technician).order_by(OrderLine.order)
                        .limit(CARDS).tuples())
            people = {u.id: u.get_id() for u in User.select().where(User.id.in_({t for _o, t in cars}))}
        clients = signed_clients(app, people)

        counted = []
        database = db.obj
        real = database.execute_sql

        def counting(sql, params=None, *args, **kwargs):
            counted[-1] += 1
            return real(sql, params, *args, **kwargs)

        samples = []
        for i, (order_id, tech_id) in enumerate(cars * 3):
            counted.append(0)
            database.execute_sql = counting
            started = time.perf_counter()
            resp = clients[tech_id].get('/jobs/%d' % order_id)
            took = (time.perf_counter() - started) * 1000
            del database.execute_sql
            assert resp.status_code == 200, (order_id, resp.status_code)
            if i >= 10:
                samples.append(took)
        print('# %d cards, median %.1f ms, queries %d..%d; %s, load average %.2f on %d cpus'
              % (len(samples), statistics.median(samples), min(counted), max(counted),
                 time.strftime('%H:%M UTC', time.gmtime()), os.getloadavg()[0], os.cpu_count()), file=sys.stderr)
        report('job_card_p95', p95(samples), 'ms', '<', 20)
        report('job_card_queries', max(counted), 'queries', '<', 11)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
