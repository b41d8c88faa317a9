"""What the live progress board shows, read in a fixed number of queries however many orders are open.

The board's columns are the open stages of app.core.stages.STAGES, in their declared order.
Nothing about the customer (name, phone, complaint) is read here: the board hangs on the workshop wall.
"""
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from peewee import JOIN, fn

from app.accounts.models import User
from app.core import changes, stages
from app.core.db import db, utcnow
from app.core.models import Event
from app.customers.models import Vehicle
from app.reception.models import OrderLine, RepairOrder
from app.workshop import timing
from app.workshop.models import AddedWork, Bay, PartsRequest

WAITING_PARTS_STATES = (PartsRequest.REQUESTED, PartsRequest.BACKORDERED)
# Lines whose technician still has something to do on the car: their bay is taken.
WORKING_LINE_STATES = (stages.LINE_ASSIGNED, stages.LINE_ACTIVE, stages.LINE_PAUSED, stages.LINE_REWORK)


def columns():
    """(stage, label) of every open stage, in the order of the declaration."""
    return [(s, label) for s, label, _customer in stages.STAGES if s in stages.OPEN]


def clock_bucket():
    """The current minute: the board also refreshes once a minute so "time left" stays true."""
    return int(time.time() // 60)


_NEWEST_EVENT_SQL = {}


def newest_event_id(shop_id):
    """max(event.id) of a shop. Asked by every screen every few seconds, so the SQL is built once per database."""
    database = db.obj
    sql = _NEWEST_EVENT_SQL.get(type(database))
    if sql is None:
        sql, _params = Event.select(fn.MAX(Event.id)).where(Event.shop == 0).sql()
        _NEWEST_EVENT_SQL[type(database)] = sql
    return database.execute_sql(sql, (shop_id,)).fetchone()[0] or 0


def board_version(shop):
    """The board's version: (the shop's newest audit event id, the minute). Every change writes an event.

    One query on the (shop_id, id) index; the same in every worker and server, since it lives in the database. On
    PostgreSQL the id is kept in the process until the change feed tells an event was written: every page's
    navigation asks it (app.queues), and most pages are opened while nothing happened.
    """
    newest = changes.kept_read('newest_event', shop.id, lambda: (newest_event_id(shop.id), _EVENT_WRITTEN))
    return newest, clock_bucket()


_EVENT_WRITTEN = (changes.table_changed(Event._meta.table_name),)


@dataclass
class Card:
    id: int
    number: str
    stage: str
    plate: str
    model: str
    promised_at: datetime | None        # UTC, as stored
    promised_local: datetime | None     # in the shop's time zone, for display
    time_left: timedelta | None
    late: bool
    technicians: list = field(default_factory=list)
    bays: list = field(default_factory=list)
    waiting_approval: bool = False
    waiting_parts: bool = False
    clock_running: bool = False


@dataclass
class Column:
    stage: str
    label: str
    cards: list
    total: int
    late: int = 0


def _sort_key(card):
    far = datetime.max
    return (not card.late, card.promised_at or far, card.id)


class _Order:
    """The few columns of an open order the board needs (cheaper than a model instance per order)."""
    __slots__ = ('id', 'number', 'stage', 'promised_at', 'checked_in_at', 'plate', 'model')

    def __init__(self, row):
        self.id, self.number, self.stage, self.promised_at, self.checked_in_at, self.plate, self.model = row


def board(shop, now=None):
    """The columns of the board with every card: late first, then by promised time (the wall draws them all,
    app.board.layout). Eight queries, whatever the number of orders.
    """
    now = now or utcnow()
    tz = ZoneInfo(shop.timezone)
    open_stages = list(stages.OPEN)
    orders = [_Order(row) for row in RepairOrder.for_shop(shop)
              .select(RepairOrder.id, RepairOrder.number, RepairOrder.stage, RepairOrder.promised_at,
                      RepairOrder.checked_in_at, Vehicle.plate, Vehicle.model)
              .join(Vehicle, JOIN.LEFT_OUTER, on=(RepairOrder.vehicle == Vehicle.id))
              .where(RepairOrder.stage.in_(open_stages)).tuples()]
    times = timing.timings(orders, now)
    open_order = (RepairOrder.select(RepairOrder.id)
                  .where((RepairOrder.shop == shop) & RepairOrder.stage.in_(open_stages)))
    people, bay_ids, running = {}, {}, set()
    # every technician with a job on the car (done ones too: who did the work, while it waits for QC or pickup)
    rows = (OrderLine.select(OrderLine.order, OrderLine.status, OrderLine.bay_id, User.display_name)
            .join(User, on=(OrderLine.technician == User.id))
            .where((OrderLine.shop == shop) & OrderLine.order.in_(open_order)
                   & (OrderLine.status != stages.LINE_PENDING))
            .order_by(OrderLine.position, OrderLine.id).tuples())
    for order_id, status, bay_id, name in rows:
        if name not in people.setdefault(order_id, []):
            people[order_id].append(name)
        if bay_id and status in WORKING_LINE_STATES and bay_id not in bay_ids.setdefault(order_id, []):
            bay_ids[order_id].append(bay_id)
        if status == stages.LINE_ACTIVE:
            running.add(order_id)
    bay_names = dict(Bay.for_shop(shop, Bay.id, Bay.name).tuples())
    approval = {r for (r,) in AddedWork.select(AddedWork.order)
                .where((AddedWork.shop == shop) & (AddedWork.status == AddedWork.PENDING)
                       & AddedWork.order.in_(open_order)).tuples()}
    parts = {r for (r,) in PartsRequest.select(PartsRequest.order)
             .where((PartsRequest.shop == shop) & PartsRequest.status.in_(WAITING_PARTS_STATES)
                    & PartsRequest.order.in_(open_order)).tuples()}
    by_stage = {}
    for o in orders:
        t = times[o.id]
        local = o.promised_at.replace(tzinfo=timezone.utc).astimezone(tz) if o.promised_at else None
        card = Card(o.id, o.number or '', o.stage, o.plate or '', o.model or '', o.promised_at, local,
                    t.time_left, t.late, people.get(o.id, []),
                    [bay_names[b] for b in bay_ids.get(o.id, []) if b in bay_names],
                    o.id in approval, o.id in parts, o.id in running)
        by_stage.setdefault(o.stage, []).append(card)
    out = []
    for stage, label in columns():
        cards = sorted(by_stage.get(stage, []), key=_sort_key)
        out.append(Column(stage, label, cards, len(cards),
                          sum(1 for c in cards if c.late)))
    return out
