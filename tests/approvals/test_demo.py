"""`flask demo` fills the advisor's desk, the parts counter and QC, and a second run adds nothing."""
from app.core.models import Photo
from app.reception.models import OrderLine, Recommendation, RepairOrder
from app.workshop.models import AddedWork, PartsRequest, ProgressCheck, QCInspection


def _counts():
    return [m.select().count() for m in (AddedWork, PartsRequest, ProgressCheck, QCInspection, Recommendation,
                                         OrderLine, Photo)]


def test_demo_shows_every_screen_with_something_on_it(runner):
    """A newcomer opening the approval queue, the parts counter or QC must find realistic work on each."""
    result = runner.invoke(args=['demo'])
    assert result.exit_code == 0, result.output
    statuses = {w.status for w in AddedWork.select()}
    assert {'pending', 'approved', 'declined'} <= statuses
    approved = AddedWork.get(AddedWork.status == 'approved')
    assert OrderLine.select().where(OrderLine.added_work_id == approved.id).exists()
    assert RepairOrder.select().where(RepairOrder.safety_declined == True).exists()  # noqa: E712
    assert Photo.select().where(Photo.record_type == 'finding').exists()
    assert ProgressCheck.select().exists()
    assert {'requested', 'backordered', 'issued'} <= {r.status for r in PartsRequest.select()}
    reworked = [i.order_id for i in QCInspection.select().where(QCInspection.first_time == False)]  # noqa: E712
    assert reworked and QCInspection.select().where((QCInspection.order == reworked[0])
                                                    & (QCInspection.result == 'fail')).exists()
    assert OrderLine.select().where(OrderLine.qc_failures > 0).exists()
    first = _counts()
    assert runner.invoke(args=['demo']).exit_code == 0
    assert _counts() == first
