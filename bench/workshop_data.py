"""A busy workshop floor for the benchmarks: the demo shop scaled up to 300 open orders and 40 technicians.

Bulk inserts inside one transaction per table group, so building it takes seconds. Orders are spread
over the open stages with their jobs assigned (technician and bay) in a state that fits the stage;
technicians have finished and running clocks; cars waiting approval or parts have the request that
holds them; every order has a few audit events, as real use would leave.
"""
import random
import secrets
from datetime import timedelta
from decimal import Decimal

import common  # noqa: F401  (puts the project on sys.path)

# share of the open orders in each stage
STAGE_MIX = [('checked_in', 10), ('dispatched', 12), ('in_progress', 40), ('waiting_approval', 8),
             ('waiting_parts', 8), ('ready_for_qc', 7), ('qc_failed', 3), ('ready_for_wash', 5),
             ('ready_for_pickup', 7)]
SKILLS = ['engine', 'maintenance', 'electrical', 'diagnosis', 'body', 'paint', 'chassis', 'tyres']
SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'
GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '华', '平']


def _stages(n):
    """n stages in the proportions of STAGE_MIX, shuffled deterministically."""
    total = sum(w for _s, w in STAGE_MIX)
    out = []
    for stage, weight in STAGE_MIX:
        out += [stage] * round(n * weight / total)
    out = (out + ['in_progress'] * n)[:n]
    random.Random(5).shuffle(out)
    return out


def build_floor(app, orders=300, technicians=40, seed=11, shop_code='XH01'):
    """Scale the demo shop XH01 (or another shop: bench/load/setup_data.py's dealer group) up to `orders` open orders
    and `technicians` technicians. Returns the shop."""
    from app.accounts.models import Membership, User, UserRole
    from app.core import stages
    from app.core.access import TECHNICIAN
    from app.core.db import connection, transaction, utcnow
    from app.core.models import Event, Shop
    from app.core.validators import random_mobile, random_plate, random_vin, plate_search_key
    from app.customers.models import PlatePart
    from app.reception.models import CannedJob, Customer, OrderLine, RepairOrder, Vehicle, new_token
    from app.workshop.models import AddedWork, Bay, PartsRequest, TimeEntry

    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    with app.app_context(), connection():
        shop = Shop.get(Shop.code == shop_code)
        tech_name, number = ('bench_tech', 'RO-BENCH-') if shop_code == 'XH01' else (
            'bench_%s_tech' % shop_code.lower(), 'RO-%s-' % shop_code)
        foreman = User.get(User.username == 'foreman')
        advisor = User.get(User.username == 'advisor')

        # --- technicians (the demo's password, so a bench may sign in as any of them) ---------------
        have = User.with_role(shop, TECHNICIAN).count()
        if have < technicians:
            password_hash = User.get(User.username == 'tech').password_hash
            with transaction():
                rows = [dict(username='%s%02d' % (tech_name, i), password_hash=password_hash,
                             display_name='%s%s Tech %02d' % (rng.choice(SURNAMES), rng.choice(GIVEN), i),
                             skills=','.join(rng.sample(SKILLS, 2)), session_token=secrets.token_hex(16),
                             created_at=now)
                        for i in range(technicians - have)]
                User.insert_many(rows).execute()
                new = [u.id for u in User.select(User.id).where(User.username.startswith(tech_name))]
                UserRole.insert_many([dict(user=u, role=TECHNICIAN) for u in new]).execute()
                Membership.insert_many([dict(user=u, shop=shop) for u in new]).execute()
        techs = [u.id for u in User.with_role(shop, TECHNICIAN).order_by(User.id)]
        bays = [b.id for b in Bay.for_shop(shop).where((Bay.active == True) & (Bay.kind != 'wash'))]  # noqa: E712
        jobs = list(CannedJob.for_shop(shop))

        # --- customers, vehicles and the orders ----------------------------------------------------
        missing = orders - RepairOrder.open_orders(shop).count()
        if missing <= 0:
            return shop
        with transaction():
            Customer.insert_many([dict(shop=shop, name='%s%s%s' % (rng.choice(SURNAMES), rng.choice(GIVEN), i),
                                       phone=random_mobile(rng), created_at=now)
                                  for i in range(missing)]).execute()
            customers = [c.id for c in Customer.for_shop(shop, Customer.id).order_by(Customer.id.desc())
                         .limit(missing)]
            vehicle_rows = []
            for i, owner in enumerate(customers):
                plate, vin = random_plate(rng, letter=rng.choice('BBBCEF')), random_vin(rng)
                vehicle_rows.append(dict(shop=shop, owner=owner, vin=vin, vin_tail=vin[-6:], plate=plate,
                                         plate_key=plate_search_key(plate), make='丰田 Toyota',
                                         model=rng.choice(['凯美瑞 Camry', '卡罗拉 Corolla', 'RAV4 荣放', '汉兰达 Highlander']),
                                         mileage=rng.randint(3, 150) * 1000, created_at=now))
            Vehicle.insert_many(vehicle_rows).execute()
            vehicles = {v.owner_id: v.id for v in Vehicle.for_shop(shop, Vehicle.id, Vehicle.owner)
                        .where(Vehicle.owner.in_(customers))}
            PlatePart.insert_many([r for v in Vehicle.for_shop(shop, Vehicle.id, Vehicle.plate_key)
                                   .where(Vehicle.owner.in_(customers))
                                   for r in PlatePart.rows(shop.id, v.id, v.plate_key)]).execute()
            order_rows = []
            for i, (owner, stage) in enumerate(zip(customers, _stages(missing))):
                checked_in = now - timedelta(minutes=rng.randint(20, 60 * 30))
                order_rows.append(dict(
                    shop=shop, number='%s%06d' % (number, i), customer=owner, vehicle=vehicles[owner], advisor=advisor,
                    stage=stage, checkin_step='done', complaint='保养', label_token=new_token(),
                    created_at=checked_in, checked_in_at=checked_in,
                    promised_at=checked_in + timedelta(hours=rng.choice([4, 6, 8, 24, 48])),
                    accepted_at=None if stage == stages.CHECKED_IN else checked_in + timedelta(minutes=rng.randint(1, 9)),
                    accepted_by=None if stage == stages.CHECKED_IN else foreman.id))
            RepairOrder.insert_many(order_rows).execute()
            placed = list(RepairOrder.for_shop(shop, RepairOrder.id, RepairOrder.stage, RepairOrder.checked_in_at)
                          .where(RepairOrder.number.startswith(number)).order_by(RepairOrder.id))

        # --- jobs, clocks, what holds a car, the audit trail -------------------------------------------
        line_state = {stages.DISPATCHED: stages.LINE_ASSIGNED, stages.WAITING_APPROVAL: stages.LINE_PAUSED,
                      stages.WAITING_PARTS: stages.LINE_PAUSED, stages.READY_FOR_QC: stages.LINE_DONE,
                      stages.READY_FOR_WASH: stages.LINE_DONE, stages.READY_FOR_PICKUP: stages.LINE_DONE,
                      stages.QC_FAILED: stages.LINE_REWORK, stages.IN_PROGRESS: stages.LINE_ASSIGNED}
        with transaction():
            line_rows = []
            for o in placed:
                tech = rng.choice(techs)
                for pos in range(rng.randint(1, 3)):
                    job = rng.choice(jobs)
                    assigned = o.stage != stages.CHECKED_IN
                    status = line_state.get(o.stage, stages.LINE_PENDING)
                    if o.stage == stages.IN_PROGRESS and pos == 0:
                        status = stages.LINE_PAUSED
                    line_rows.append(dict(shop=shop, order=o.id, canned_job=job.id, description=job.name,
                                          system=job.system, labour_hours=job.hours, labour_rate=Decimal('300'),
                                          labour_price=job.hours * Decimal('300'), position=pos, status=status,
                                          technician=tech if assigned else None,
                                          bay_id=rng.choice(bays) if assigned and bays else None))
            OrderLine.insert_many(line_rows).execute()
            lines = list(OrderLine.select(OrderLine.id, OrderLine.order, OrderLine.technician, OrderLine.status)
                         .join(RepairOrder).where((RepairOrder.shop == shop) & RepairOrder.number.startswith(number)))
            entries, running = [], set()
            for line in lines:
                if line.status in (stages.LINE_PAUSED, stages.LINE_DONE, stages.LINE_REWORK):
                    start = now - timedelta(minutes=rng.randint(60, 600))
                    entries.append(dict(shop=shop, technician=line.technician_id, order=line.order_id, line=line.id,
                                        started_at=start, ended_at=start + timedelta(minutes=rng.randint(10, 50)),
                                        end_reason='clock_off'))
            # one running clock per technician, on a paused job of theirs
            for line in lines:
                if line.status == stages.LINE_PAUSED and line.technician_id not in running:
                    running.add(line.technician_id)
                    entries.append(dict(shop=shop, technician=line.technician_id, order=line.order_id, line=line.id,
                                        started_at=now - timedelta(minutes=rng.randint(5, 90))))
                    OrderLine.update(status=stages.LINE_ACTIVE).where(OrderLine.id == line.id).execute()
            TimeEntry.insert_many(entries).execute()
            holds_a = [dict(shop=shop, order=o.id, requested_by=rng.choice(techs), description='更换前刹车片',
                            hours=Decimal('1.2'), labour_price=Decimal('360'), requested_at=now)
                       for o in placed if o.stage == stages.WAITING_APPROVAL]
            holds_p = [dict(shop=shop, order=o.id, requested_by=rng.choice(techs), name='前刹车片', part_number='04465-33471',
                            status=PartsRequest.BACKORDERED, requested_at=now)
                       for o in placed if o.stage == stages.WAITING_PARTS]
            if holds_a:
                AddedWork.insert_many(holds_a).execute()
            if holds_p:
                PartsRequest.insert_many(holds_p).execute()
            events = []
            for o in placed:
                for k, action in enumerate(('order.created', 'order.accepted', 'order.stage', 'line.status',
                                            'clock.on', 'clock.off')):
                    events.append(dict(shop=shop, at=o.checked_in_at + timedelta(minutes=k), actor=foreman.id,
                                       actor_name='bench', action=action, record_type='repair_order', record_id=o.id))
            for i in range(0, len(events), 500):
                Event.insert_many(events[i:i + 500]).execute()
    return shop
