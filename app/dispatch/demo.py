"""Demo: the workshop's eight bays; the demo orders already in the workshop get a bay and the foreman's acceptance."""
from datetime import timedelta

from app.accounts.models import User
from app.core import stages
from app.core.db import transaction
from app.core.models import Shop
from app.catalogue.models import CannedJob
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import Bay

# number, name, kind
BAYS = [
    (1, '1号举升机 Lift 1', 'lift'), (2, '2号举升机 Lift 2', 'lift'), (3, '3号举升机 Lift 3', 'lift'),
    (4, '4号举升机 Lift 4', 'lift'), (5, '5号举升机 Lift 5', 'lift'),
    (6, '四轮定位 Alignment', 'alignment'), (7, '钣喷工位 Body', 'body'), (8, '洗车位 Wash', 'wash'),
]
# The skill each catalogue job needs (matching the demo technicians' skills).
CATALOGUE_SKILLS = {'M5K': 'maintenance', 'M10K': 'maintenance', 'BRKF': 'chassis', 'ALIGN': 'tyres',
                    'ACDX': 'electrical', 'DIAG': 'diagnosis', 'WIPER': 'maintenance', 'PAINT1': 'paint'}
# The demo's free-text jobs, by the start of their description: the system they belong to.
JOB_SYSTEMS = {'更换机油机滤': 'engine', '检查制动系统': 'chassis', '更换前刹车片': 'chassis', '空调系统检测': 'electrical',
               '四轮定位': 'tyres', '故障诊断': 'diagnosis', '钣金喷漆': 'body', '更换雨刮片': 'maintenance'}
BAY_FOR = {'tyres': 'alignment', 'body': 'body'}
# A job's state that fits the stage its order is in (only jobs still "not assigned" are changed).
LINE_STATE_FOR = {stages.READY_FOR_QC: stages.LINE_DONE, stages.READY_FOR_WASH: stages.LINE_DONE,
                  stages.READY_FOR_PICKUP: stages.LINE_DONE, stages.DELIVERED: stages.LINE_DONE,
                  stages.CLOSED: stages.LINE_DONE, stages.QC_FAILED: stages.LINE_REWORK}


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or Bay.for_shop(shop).exists():
        return []
    foreman = User.get_or_none(User.username == 'foreman')
    with transaction():
        bays = [Bay.create(shop=shop, number=n, name=name, kind=kind) for n, name, kind in BAYS]
        for code, skill in CATALOGUE_SKILLS.items():
            (CannedJob.update(skill=skill)
             .where((CannedJob.shop == shop) & (CannedJob.code == code) & (CannedJob.skill == '')).execute())
        work_bays = [b for b in bays if b.kind != 'wash']
        taken = set()
        lines = list(OrderLine.select(OrderLine, RepairOrder).join(RepairOrder)
                     .where((OrderLine.shop == shop) & (RepairOrder.stage != stages.DRAFT))
                     .order_by(RepairOrder.id, OrderLine.position, OrderLine.id))
        by_order = {}
        for line in lines:
            line.system = line.system or next((s for k, s in JOB_SYSTEMS.items() if line.description.startswith(k)), '')
            by_order.setdefault(line.order_id, []).append(line)
        # Cars being worked on take the bays first; dispatched ones wait for one that is free.
        first = {stages.IN_PROGRESS: 0, stages.QC_FAILED: 1, stages.WAITING_APPROVAL: 2, stages.WAITING_PARTS: 3}
        for order_id, mine in sorted(by_order.items(), key=lambda kv: (first.get(kv[1][0].order.stage, 9), kv[0])):
            order = mine[0].order
            if order.stage in (stages.CHECKED_IN, stages.CANCELLED) or not any(l.technician_id for l in mine):
                bay, status = None, None
            else:
                status = LINE_STATE_FOR.get(order.stage, stages.LINE_ASSIGNED)
                # One car to a bay while it is being worked on, in the bay its work needs if that is free.
                wanted = [BAY_FOR.get(l.system) for l in mine if BAY_FOR.get(l.system)] + ['lift']
                if status == stages.LINE_DONE:
                    bay = work_bays[order_id % len(work_bays)]
                else:
                    bay = next((b for kind in wanted for b in work_bays if b.kind == kind and b.id not in taken), None)
                    if bay is not None:
                        taken.add(bay.id)
            for line in mine:
                fields = {OrderLine.system: line.system}
                if status and line.technician_id:
                    fields[OrderLine.bay_id] = bay.id if bay else None
                    if line.status == stages.LINE_PENDING:
                        fields[OrderLine.status] = status
                OrderLine.update(fields).where(OrderLine.id == line.id).execute()
        if foreman is not None:
            past = [s for s, *_ in stages.STAGES if s not in (stages.DRAFT, stages.CHECKED_IN, stages.CANCELLED)]
            for order in RepairOrder.for_shop(shop).where(RepairOrder.stage.in_(past) & RepairOrder.accepted_at.is_null()):
                # The rulebook wants the foreman's signature within ten minutes of the hand-over.
                at = (order.checked_in_at + timedelta(minutes=rng.randint(2, 9), seconds=rng.randint(0, 59))
                      ).replace(microsecond=0)
                (RepairOrder.update(accepted_at=at, accepted_by=foreman.id)
                 .where(RepairOrder.id == order.id).execute())
    return []
