"""The health check tests' own helpers: an item marked on the phone, the advisor's answer."""
from app.approvals import rules as approvals
from app.reception.models import RepairOrder
from app.workshop.models import AddedWork
from tests.helpers import HX


def mark(client, order, key, colour, htmx=True, **data):
    """One item marked on the phone, with the order's version the page was drawn at and a fresh key."""
    data.setdefault('version', RepairOrder.get_by_id(order.id).version)
    data.update(key=key, colour=colour)
    data.setdefault('idem', 'k-%s-%s-%s' % (key, colour, data.get('measurement', '')))
    return client.post('/jobs/%d/health-check/items' % order.id, data=data, headers=HX if htmx else {},
                       content_type='multipart/form-data')


def answer(work, advisor, decision):
    """The customer's answer, recorded by the advisor through the existing added-work decision."""
    work = AddedWork.get_by_id(work.id)
    return approvals.decide(work, advisor, decision=decision, channel='phone', expected_version=work.version,
                            spoke_with='王芳')
