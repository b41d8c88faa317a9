"""The KPI dashboard over a year of a 40-bay shop: about 25,000 delivered orders and everything around them.

kpi_facts_refresh_s: the first refresh of the KPI facts (app.kpi.facts) after the year was inserted (a
                     full rebuild of the shop's facts; with KPI_BENCH_DB, `facts.rebuild`).
dashboard_month_p95: server time of the dashboard for last month, trend by week (Flask test client).
dashboard_year_p95:  the same for the last twelve months, trend by month, once its days are stored (app.kpi.rollup).
dashboard_year_first_view_s: the first year view, which counts and stores the year's days.
scorecards_year_p95: the staff scorecards page for this calendar year (every role, every person).

The year is generated straight into a temp SQLite file with insert_many in batches (explicit ids, one
transaction per table), on top of the demo: orders with promised, accepted and delivered times, job
lines with clocks and QC results, signatures, progress checks, pickup notices, settlements with their
labour lines and payments, deliveries with satisfaction, follow-up tasks and calls, complaints,
appointments, added work, parts requests, warranty claims and the stage events the settlement step reads.
"""
import json
import os
import random
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal

from common import demo_app, p95, report

ORDERS = 25000
BATCH = 400
MONTH_RUNS, YEAR_RUNS, CARD_RUNS = 20, 24, 8     # measured requests after warm-up (a p95 wants a score or more)


def _batches(model, rows):
    for i in range(0, len(rows), BATCH):
        model.insert_many(rows[i:i + BATCH]).execute()


def build_year(app, orders=ORDERS, seed=3):
    """A year of delivered orders ending yesterday for the demo shop XH01. Returns (shop id, last day)."""
    from app.accounts.models import User
    from app.aftercare.models import CallRecord, Complaint, FollowUpTask
    from app.appointments.models import Appointment
    from app.core.access import TECHNICIAN
    from app.core.db import connection, transaction, utcnow
    from app.core.models import Event, Shop
    from app.core.timeutil import to_utc
    from app.core.validators import plate_search_key, random_mobile, random_plate, random_vin
    from app.messages.models import Message
    from app.reception.models import (CannedJob, Customer, OrderLine, RepairOrder, Signature, Vehicle,
                                      new_token)
    from app.settlement.models import Payment, Settlement, SettlementLine, VehicleDelivery
    from app.warranty.models import Claim
    from app.workshop.models import AddedWork, PartsRequest, ProgressCheck, TimeEntry

    rng = random.Random(seed)
    with app.app_context(), connection():
        shop = Shop.get(Shop.code == 'XH01')
        tz = shop.timezone
        techs = [u.id for u in User.with_role(shop, TECHNICIAN)]
        advisor = User.get(User.username == 'advisor').id
        jobs = list(CannedJob.for_shop(shop))
        maint = [j.id for j in jobs if j.category == 'maintenance'] or [jobs[0].id]
        today = utcnow().date()
        first_day = today - timedelta(days=365)
        ids = {m: (m.select(m.id).order_by(m.id.desc()).scalar() or 0) + 1000
               for m in (Customer, Vehicle, RepairOrder, OrderLine, Settlement, FollowUpTask, AddedWork)}

        customers, vehicles, ros, lines, clocks, sigs, checks, msgs = [], [], [], [], [], [], [], []
        settlements, slines, pays, deliveries, tasks, calls, complaints, appts = [], [], [], [], [], [], [], []
        added, requests, claims, events = [], [], [], []
        n_cars = orders // 2
        for i in range(n_cars):
            cid, vid = ids[Customer] + i, ids[Vehicle] + i
            customers.append(dict(id=cid, shop=shop.id, name='客户%05d' % i, phone=random_mobile(rng)))
            plate, vin = random_plate(rng), random_vin(rng)
            sold = first_day + timedelta(days=rng.randrange(365)) if rng.random() < 0.05 else None
            vehicles.append(dict(id=vid, shop=shop.id, owner=cid, vin=vin, vin_tail=vin[-6:], plate=plate,
                                 plate_key=plate_search_key(plate), make='丰田 Toyota', model='卡罗拉 Corolla',
                                 sale_date=sold, mileage=rng.randrange(0, 9000) if sold else rng.randrange(90000)))
        stage_after = [json.dumps({'stage': 'ready_for_pickup'}, sort_keys=True)]
        for k in range(orders):
            oid = ids[RepairOrder] + k
            vid = ids[Vehicle] + rng.randrange(n_cars)
            cid = vid - ids[Vehicle] + ids[Customer]
            day = first_day + timedelta(days=k * 365 // orders)
            ci = to_utc(datetime.combine(day, datetime.min.time()), tz) + timedelta(hours=8.5 + rng.random() * 8)
            ci = ci.replace(microsecond=0)
            hours = rng.choice([2, 3, 4, 6, 8, 24, 48])
            promised = ci + timedelta(hours=hours)
            ready = ci + timedelta(hours=hours * rng.uniform(0.6, 1.15))
            delivered = ready + timedelta(minutes=rng.randrange(10, 240))
            accepted = ci + timedelta(minutes=rng.choice([3, 5, 8, 9, 12, 25])) if rng.random() < 0.93 else None
            ros.append(dict(id=oid, shop=shop.id, number='RO-B-%06d' % k, customer=cid, vehicle=vid, advisor=advisor,
                            stage='closed', checkin_step='done', checked_in_at=ci, promised_at=promised,
                            delivered_at=delivered, accepted_at=accepted, created_at=ci,
                            checks='{"body": "ok"}' if rng.random() < 0.9 else '{}',
                            valuables_reminded=rng.random() < 0.9, label_token=new_token(), odometer=rng.randrange(90000)))
            if rng.random() < 0.95:
                sigs.append(dict(shop=shop.id, order=oid, purpose='repair_order', filename='b%d.png' % k,
                                 signed_at=ci - timedelta(minutes=2)))
            if rng.random() < 0.7:
                checks.append(dict(shop=shop.id, order=oid, checked_by=advisor,
                                   checked_at=ci + timedelta(hours=hours * rng.uniform(0.3, 0.9))))
            if rng.random() < 0.8:
                msgs.append(dict(shop=shop.id, order=oid, customer=cid, kind='pickup_notice', channel='log',
                                 status='sent', created_at=ready, sent_at=ready))
            events.append(dict(shop=shop.id, at=ready, actor=advisor, action='order.stage', record_type='repair_order',
                               record_id=oid, after=stage_after[0]))
            labour = Decimal(0)
            sold_hours = Decimal(0)
            for j in range(rng.choice([1, 1, 2, 2, 3])):
                lid = ids[OrderLine] + len(lines)
                h = Decimal(rng.choice(['0.5', '1.0', '1.5', '2.0', '3.0']))
                tech = rng.choice(techs)
                canned = rng.choice(maint) if j == 0 and rng.random() < 0.5 else None
                lines.append(dict(id=lid, shop=shop.id, order=oid, canned_job=canned, description='job',
                                  labour_hours=h, labour_rate=Decimal(300), labour_price=h * 300, technician=tech,
                                  status='done', qc_failures=1 if rng.random() < 0.04 else 0))
                start = ci + timedelta(minutes=30 + 60 * j)
                clocks.append(dict(shop=shop.id, technician=tech, order=oid, line=lid, started_at=start,
                                   ended_at=start + timedelta(minutes=int(float(h) * 60 * rng.uniform(0.7, 1.3))),
                                   end_reason='done'))
                labour += h * 300
                sold_hours += h
            if rng.random() < 0.1:
                awid = ids[AddedWork] + len(added)
                decided = ci + timedelta(hours=1)
                added.append(dict(id=awid, shop=shop.id, order=oid, requested_by=techs[0], description='extra',
                                  status='approved', requested_at=ci + timedelta(minutes=40), decided_at=decided))
            if rng.random() < 0.96:
                sid = ids[Settlement] + len(settlements)
                parts = Decimal(rng.randrange(0, 2000))
                total = labour + parts
                settlements.append(dict(id=sid, shop=shop.id, order=oid, number='ST-B-%06d' % k, status='settled',
                                        labour=labour, parts=parts, tax=Decimal(0), total=total, customer_total=total,
                                        settled_at=ready + timedelta(minutes=5), created_at=ready))
                slines.append(dict(shop=shop.id, settlement=sid, kind='labour', key='line:%d' % k, description='x',
                                   hours=sold_hours, amount=labour))
                if rng.random() < 0.97:
                    pays.append(dict(shop=shop.id, settlement=sid, method='cash', amount=total, paid_at=delivered,
                                     received_by=advisor))
            deliveries.append(dict(shop=shop.id, order=oid, delivered_at=delivered, delivered_by=advisor,
                                   satisfaction=rng.choice([5, 5, 5, 4, 4, 3, None])))
            tid = ids[FollowUpTask] + len(tasks)
            local_day = delivered.date()
            done = rng.random() < 0.85
            tasks.append(dict(id=tid, shop=shop.id, order=oid, customer=cid, vehicle=vid, kind='first',
                              due_from=local_day + timedelta(days=2), due_by=local_day + timedelta(days=7),
                              status='done' if done else 'open', created_at=delivered,
                              done_at=delivered + timedelta(days=3) if done else None))
            if done:
                calls.append(dict(shop=shop.id, task=tid, order=oid, customer=cid, caller=advisor,
                                  called_at=delivered + timedelta(days=3), outcome='reached', satisfaction=5))
            if rng.random() < 0.02:
                complaints.append(dict(shop=shop.id, logged_at=delivered + timedelta(days=1), owner=advisor,
                                       channel='phone', content='x', order=oid, service_fault=rng.random() < 0.5,
                                       first_answer_due_at=delivered + timedelta(days=3),
                                       first_answer_at=delivered + timedelta(days=2)))
            if rng.random() < 0.4:
                appts.append(dict(shop=shop.id, customer=cid, vehicle=vid, advisor=advisor, start_at=ci,
                                  duration=Decimal(2), status='arrived', order_id=oid,
                                  reminded_at=ci - timedelta(hours=rng.choice([2, 20, 30]))))
            if rng.random() < 0.3:
                requests.append(dict(shop=shop.id, order=oid, requested_by=techs[0], name='part',
                                     status=rng.choice(['issued', 'issued', 'issued', 'backordered']),
                                     requested_at=ci + timedelta(minutes=45)))
            if rng.random() < 0.01:
                claims.append(dict(shop=shop.id, number='CL-B-%06d' % k, order=oid, status='approved',
                                   first_result=rng.choice(['approved'] * 9 + ['rejected']),
                                   first_decided_at=delivered + timedelta(days=5), created_at=delivered))
        with transaction():
            for model, rows in ((Customer, customers), (Vehicle, vehicles), (RepairOrder, ros), (OrderLine, lines),
                                (TimeEntry, clocks), (Signature, sigs), (ProgressCheck, checks), (Message, msgs),
                                (Event, events), (Settlement, settlements), (SettlementLine, slines),
                                (Payment, pays), (VehicleDelivery, deliveries), (FollowUpTask, tasks),
                                (CallRecord, calls), (Complaint, complaints), (Appointment, appts),
                                (AddedWork, added), (PartsRequest, requests), (Claim, claims)):
                _batches(model, rows)
        return shop.id, today


def _timed(fn, n, warm):
    """Milliseconds of n calls after `warm` warm-up calls (a year page takes seconds: fewer warm-ups than common.timed)."""
    def once():
        t = time.perf_counter()
        fn()
        return (time.perf_counter() - t) * 1000
    return [once() for _ in range(warm + n)][warm:]


def main():
    started = time.perf_counter()
    reuse = os.environ.get('KPI_BENCH_DB')     # a file an earlier run built (KPI_BENCH_KEEP), to time again
    if reuse:
        from app import create_app
        app = create_app({'DATABASE_URL': 'sqlite:///%s' % reuse, 'WTF_CSRF_ENABLED': False, 'SECRET_KEY': 'b'})
        from app.core.db import utcnow
        today = utcnow().date()
    else:
        app = demo_app()
        print('# demo loaded in %.0f s' % (time.perf_counter() - started), file=sys.stderr, flush=True)
        _shop_id, today = build_year(app)
    built = time.perf_counter() - started
    print('# year ready in %.0f s' % built, file=sys.stderr, flush=True)
    from app.accounts.models import User
    from app.core.db import connection
    from app.core.models import Shop
    from app.kpi import facts
    with app.app_context(), connection():
        manager = User.get(User.username == 'manager')
        shop_id = Shop.get(Shop.code == 'XH01').id
        t = time.perf_counter()
        facts.rebuild([shop_id]) if reuse else facts.refresh([shop_id])
        refreshed = time.perf_counter() - t
    client = app.test_client()
    with client.session_transaction() as s:
        s['_user_id'] = manager.get_id()
        s['_fresh'] = True
    this_month = today.replace(day=1)
    last_month_end = this_month - timedelta(days=1)
    month_url = '/kpi/?start=%s&last=%s&by=week' % (last_month_end.replace(day=1), last_month_end)
    year_url = '/kpi/?start=%s&last=%s&by=month' % (today.replace(year=today.year - 1) + timedelta(days=1), today)
    cards_url = '/reports/scorecards?period=year&at=%d' % today.year

    def get(url):
        def go():
            resp = client.get(url)
            assert resp.status_code == 200, resp.status_code
        return go

    month = _timed(get(month_url), MONTH_RUNS, 2)
    first_year = _timed(get(year_url), 1, 0)[0]      # counts and stores the year's days (app.kpi.rollup)
    year = _timed(get(year_url), YEAR_RUNS, 1)
    cards = _timed(get(cards_url), CARD_RUNS, 1)
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else -1

    def median(xs):
        return sorted(xs)[len(xs) // 2]
    print('# %d orders ready in %.0f s; medians: month %.0f ms, year %.0f ms (first view %.0f ms), scorecards %.0f ms; '
          '%s, load average %.1f on %d CPUs' % (ORDERS, built, median(month), median(year), first_year, median(cards),
                                                time.strftime('%H:%M UTC', time.gmtime()), load, os.cpu_count()),
          file=sys.stderr)
    report('kpi_facts_refresh_s', refreshed, 's', '<', 60)
    report('dashboard_month_p95', p95(month), 'ms', '<', 300)
    report('dashboard_year_p95', p95(year), 'ms', '<', 400)
    report('dashboard_year_first_view_s', first_year / 1000, 's', '<', 10)
    report('scorecards_year_p95', p95(cards), 'ms', '<', 1000)


if __name__ == '__main__':
    main()

