"""Demo: the floor of the first shop as it looks mid-morning.

Every job on an open order past check-in has a technician and a status that fits its order's stage;
clocked time on the jobs (one clock running now for 'tech'); findings (a red one with a photo); a pending
added-work request with a part on the order waiting for approval; a pending and a backordered parts
request on the order waiting for parts. Runs after the reception and labels demos; loads once.
"""
import io
import math
from datetime import timedelta
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFilter

from app.accounts.models import User
from app.core import audit, stages
from app.core.access import FOREMAN, PARTS, TECHNICIAN
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.reception.models import OrderLine, RepairOrder
from app.workshop import rules
from app.workshop.models import Finding, PartsRequest, TimeEntry

# The line statuses each order stage implies: (first line, the others).
LINE_PLAN = {
    stages.DISPATCHED: (stages.LINE_ASSIGNED, stages.LINE_ASSIGNED),
    stages.IN_PROGRESS: (stages.LINE_ACTIVE, stages.LINE_DONE),
    stages.WAITING_APPROVAL: (stages.LINE_PAUSED, stages.LINE_DONE),
    stages.WAITING_PARTS: (stages.LINE_PAUSED, stages.LINE_ASSIGNED),
    stages.READY_FOR_QC: (stages.LINE_DONE, stages.LINE_DONE),
    stages.QC_FAILED: (stages.LINE_REWORK, stages.LINE_DONE),
    stages.READY_FOR_WASH: (stages.LINE_DONE, stages.LINE_DONE),
    stages.READY_FOR_PICKUP: (stages.LINE_DONE, stages.LINE_DONE),
}
PATHS = {
    stages.LINE_ASSIGNED: [stages.LINE_ASSIGNED],
    stages.LINE_ACTIVE: [stages.LINE_ASSIGNED, stages.LINE_ACTIVE],
    stages.LINE_PAUSED: [stages.LINE_ASSIGNED, stages.LINE_ACTIVE, stages.LINE_PAUSED],
    stages.LINE_DONE: [stages.LINE_ASSIGNED, stages.LINE_ACTIVE, stages.LINE_DONE],
    stages.LINE_REWORK: [stages.LINE_ASSIGNED, stages.LINE_ACTIVE, stages.LINE_DONE, stages.LINE_REWORK],
}


def brake_disc_photo(rng):
    """A JPEG of a scored brake disc (drawn, not photographed): what a red finding's photo looks like."""
    w, h = 1280, 960
    image = Image.new('RGB', (w, h), (58, 60, 64))
    draw = ImageDraw.Draw(image)
    for y in range(0, h, 4):                      # the wheel arch in the dark, lit from the top
        shade = int(40 + 50 * (1 - y / h))
        draw.line([(0, y), (w, y)], fill=(shade, shade + 2, shade + 6), width=4)
    cx, cy, r = w // 2, h // 2 + 20, 400
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(120, 112, 104))
    for ring in range(r - 10, 150, -14):          # scoring: uneven concentric grooves, some rust
        tone = rng.randint(70, 150)
        rust = (tone + 40, tone - 10, max(tone - 50, 0)) if rng.random() < 0.3 else (tone, tone - 4, tone - 8)
        draw.ellipse([cx - ring, cy - ring, cx + ring, cy + ring], outline=rust, width=rng.randint(2, 6))
    draw.ellipse([cx - 150, cy - 150, cx + 150, cy + 150], fill=(70, 70, 74))
    for k in range(5):                            # wheel studs
        a = 2 * math.pi * k / 5
        x, y = cx + 95 * math.cos(a), cy + 95 * math.sin(a)
        draw.ellipse([x - 18, y - 18, x + 18, y + 18], fill=(175, 170, 160))
    draw.rectangle([cx + r - 140, cy - 170, cx + r + 60, cy + 170], fill=(160, 30, 30))   # the calliper
    draw.text((40, 40), 'RO demo - front left disc', fill=(240, 240, 240))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    buf = io.BytesIO()
    image.save(buf, 'JPEG', quality=85)
    return buf.getvalue()


def _set_status(line, target, foreman, tech):
    for step in PATHS[target]:
        stages.move_line(line, step, by=foreman if step == stages.LINE_ASSIGNED else tech)


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or Finding.for_shop(shop).exists() or TimeEntry.for_shop(shop).exists():
        return []
    techs = list(User.with_role(shop, TECHNICIAN).order_by(User.id))
    tech = User.get_or_none(User.username == 'tech')
    foreman = User.with_role(shop, FOREMAN).first()
    clerk = User.with_role(shop, PARTS).first()
    if not techs or tech is None or foreman is None:
        return []
    now = utcnow()
    orders = list(RepairOrder.open_orders(shop).where(RepairOrder.stage != stages.CHECKED_IN)
                  .order_by(RepairOrder.checked_in_at, RepairOrder.id))
    lines = {}
    for line in OrderLine.select().where(OrderLine.order.in_([o.id for o in orders])).order_by(OrderLine.position,
                                                                                               OrderLine.id):
        lines.setdefault(line.order_id, []).append(line)
    first = {}
    for o in orders:
        first.setdefault(o.stage, o)
    # 'tech' (the login printed by `flask demo`) has a car in progress, one waiting approval, one dispatched.
    mine = {first[s].id for s in (stages.IN_PROGRESS, stages.WAITING_APPROVAL, stages.DISPATCHED) if s in first}
    photo = brake_disc_photo(rng)
    with transaction():
        running = set()
        for order in orders:
            plan = LINE_PLAN.get(order.stage)
            for i, line in enumerate(lines.get(order.id, [])):
                worker_id = tech.id if (order.id in mine and i == 0) else (line.technician_id or rng.choice(techs).id)
                if line.technician_id != worker_id:
                    OrderLine.update(technician=worker_id).where(OrderLine.id == line.id).execute()
                    line.technician_id = worker_id
                if plan is None:
                    continue
                target = plan[0] if i == 0 else plan[1]
                if target == stages.LINE_ACTIVE and worker_id in running:
                    target = stages.LINE_PAUSED           # one running clock per technician
                _set_status(line, target, foreman, User.get_by_id(worker_id))
                _clock_history(shop, order, line, target, now, rng, running, tech)
        # Closed orders: every job done long ago.
        (OrderLine.update(status=stages.LINE_DONE)
         .where(OrderLine.order.in_(RepairOrder.for_shop(shop, RepairOrder.id)
                                    .where(RepairOrder.stage == stages.CLOSED))).execute())
    _findings_and_requests(shop, first, lines, tech, clerk, photo, now)
    return []


def _clock_history(shop, order, line, status, now, rng, running, tech):
    """Time entries that fit the line's status: worked and stopped, or running now."""
    if status == stages.LINE_ASSIGNED:
        return
    start = max(order.checked_in_at + timedelta(minutes=20), now - timedelta(hours=6))
    worked = timedelta(minutes=int(float(line.labour_hours or Decimal('1')) * 60 * rng.uniform(0.5, 1.0)))
    if status == stages.LINE_ACTIVE:
        minutes = 35 if line.technician_id == tech.id else rng.randint(10, 50)
        TimeEntry.create(shop=shop, technician=line.technician_id, order=order.id, line=line.id,
                         started_at=now - timedelta(minutes=minutes))
        running.add(line.technician_id)
        return
    end = min(start + worked, now - timedelta(minutes=rng.randint(15, 60)))
    if end <= start:
        start = end - timedelta(minutes=20)
    reason = {stages.LINE_PAUSED: 'clock_off'}.get(status, 'done')
    TimeEntry.create(shop=shop, technician=line.technician_id, order=order.id, line=line.id, started_at=start,
                     ended_at=end, end_reason=reason)


def _findings_and_requests(shop, first, lines, tech, clerk, photo, now):
    """Through the rules, so each lands on its order's timeline as a technician's action would."""
    working = first.get(stages.IN_PROGRESS)
    if working is not None:
        line = lines[working.id][0]
        rules.add_finding(working, tech, severity=Finding.RED, line=line, photos=[photo],
                          note='左前刹车盘磨损严重，有明显沟槽，建议更换 Front left brake disc deeply scored: replace')
        rules.add_finding(working, tech, severity=Finding.GREEN,
                          note='四条轮胎花纹深度正常 Tyre tread depth fine on all four')
    waiting = first.get(stages.WAITING_APPROVAL)
    if waiting is not None:
        line = lines[waiting.id][0]
        by = User.get_by_id(line.technician_id)
        shock = rules.add_finding(waiting, by, severity=Finding.AMBER, line=line,
                                  note='左前减震器渗油 Front left shock absorber leaking oil')
        rules.request_added_work(waiting, by, description='更换左前减震器 Replace front left shock absorber',
                                 hours=Decimal('1.5'), safety=True, finding=shock,
                                 parts=[('48510-09N60', '前减震器 Front shock absorber', Decimal('1'), Decimal('860'))])
    parts = first.get(stages.WAITING_PARTS)
    if parts is not None:
        line = lines[parts.id][0]
        by = User.get_by_id(line.technician_id)
        rules.request_parts(parts, by, line=line, part_number='90915-YZZD2', name='机油滤清器 Oil filter',
                            quantity=Decimal('1'))
        late = rules.request_parts(parts, by, line=line, part_number='04465-33471', name='前刹车片 Front brake pads',
                                   quantity=Decimal('1'))
        with transaction():
            expected = now + timedelta(days=1)
            late.update_versioned(status=PartsRequest.BACKORDERED, answered_at=now,
                                  answered_by=clerk.id if clerk else None, expected_at=expected,
                                  note='厂家缺货，明天到 Out of stock at the supplier, due tomorrow')
            audit.record('parts.backordered', 'repair_order', parts.id, shop=shop.id, actor=clerk,
                         after={'parts_request': late.id, 'expected_at': expected})
