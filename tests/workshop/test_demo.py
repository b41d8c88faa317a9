"""The demo floor: plausible jobs, clocks, findings and requests, loaded once."""
import random

from app.accounts.models import User
from app.core import stages
from app.core.models import Photo
from app.reception.models import OrderLine, RepairOrder
from app.registry import AREAS, area_module
from app.workshop.models import AddedWork, AddedWorkPart, Finding, PartsRequest, TimeEntry


def _counts():
    return [m.select().count() for m in (TimeEntry, Finding, AddedWork, PartsRequest, Photo)]


def _load_up_to_the_workshop():
    """The demo loaders this one builds on, then this one (later areas add their own orders)."""
    rng = random.Random(2026)
    for area in AREAS[:AREAS.index('workshop') + 1]:
        module = area_module(area, 'demo')
        if module is not None:
            module.load(rng)


def test_demo_floor(app):
    """A newcomer signing in as 'tech' finds a running clock, findings and answers to look at."""
    _load_up_to_the_workshop()
    tech = User.get(User.username == 'tech')
    running = list(TimeEntry.select().where(TimeEntry.ended_at.is_null()))
    assert [e.technician_id for e in running].count(tech.id) == 1
    assert len({e.technician_id for e in running}) == len(running)          # one clock per technician
    for entry in running:
        assert OrderLine.get_by_id(entry.line_id).status == stages.LINE_ACTIVE
    past_checkin = RepairOrder.select().where(RepairOrder.stage.in_(list(stages.OPEN - {stages.CHECKED_IN})))
    for line in OrderLine.select().where(OrderLine.order.in_(past_checkin)):
        assert line.technician_id is not None and line.status != stages.LINE_PENDING
    red = Finding.get(Finding.severity == Finding.RED)
    assert Photo.of('finding', red.id).exists()
    work = AddedWork.get()
    assert work.status == AddedWork.PENDING and AddedWorkPart.select().where(AddedWorkPart.added_work == work).exists()
    assert work.order.stage == stages.WAITING_APPROVAL
    statuses = sorted(r.status for r in PartsRequest.select())
    assert statuses == [PartsRequest.BACKORDERED, PartsRequest.REQUESTED]
    assert PartsRequest.get().order.stage == stages.WAITING_PARTS
    first = _counts()
    _load_up_to_the_workshop()
    assert _counts() == first
