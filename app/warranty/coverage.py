"""Who pays for a job line: the warranty clerk's decision (customer, warranty, goodwill) with its reason and the
eligibility found, fixed once a claim with the maker includes the line."""
import peewee as pw
from flask_babel import lazy_gettext as _l

from app.core import audit, stages
from app.core.db import transaction, utcnow
from app.core.errors import Refused, StaleRecord
from app.reception.models import RepairOrder
from app.warranty.eligibility import CLERKS, lock_order, order_eligibility, require_role
from app.warranty.models import SYSTEM_LABELS, Claim, LineCoverage

CLAIM_LOCKED = (Claim.SUBMITTED, Claim.APPROVED, Claim.PAID)


def claim_locking(line, kind=None):
    """The claim with the maker (submitted or settled) that fixes this line's coverage, if any: its own claim,
    or the order's whole claim when the line is (or would become) a warranty job in it. Other jobs of an
    order with a whole claim may still be decided customer-pay or goodwill."""
    claims = list(Claim.select().where((Claim.order == line.order_id) & Claim.status.in_(CLAIM_LOCKED)
                                       & ((Claim.line == line.id) | Claim.line.is_null())))
    own = next((c for c in claims if c.line_id == line.id), None)
    if own is not None:
        return own
    whole = next((c for c in claims if c.line_id is None), None)
    if whole is None:
        return None
    current = LineCoverage.get_or_none(LineCoverage.line == line.id)
    in_claim = current is not None and current.kind == LineCoverage.WARRANTY
    return whole if in_claim or kind == LineCoverage.WARRANTY else None


def decide_coverage(line, *, by, kind, system, reason, fault_code='', expected_version=0, now=None):
    """The warranty clerk decides who pays for a job line, with the reason; eligibility comes from the
    vehicle's sale date and the order's odometer. `expected_version` 0 means "not decided yet"."""
    require_role(by, CLERKS)
    if kind not in LineCoverage.KIND_LABELS:
        raise Refused(_l('Choose who pays.'), 'kind')
    if system not in SYSTEM_LABELS:
        raise Refused(_l('Choose the system or fault group.'), 'system')
    reason = (reason or '').strip()
    if not reason:
        raise Refused(_l('Write the reason for the decision.'), 'reason')
    order = RepairOrder.get_by_id(line.order_id)
    if order.stage == stages.CANCELLED:
        raise Refused(_l('This order was cancelled.'))
    elig = order_eligibility(order)
    if kind == LineCoverage.WARRANTY and not elig.within_warranty:
        raise Refused(_l('Outside the maker\'s warranty: choose goodwill or customer pays.'), 'kind')
    now = now or utcnow()
    with transaction():
        lock_order(order)
        existing = LineCoverage.get_or_none(LineCoverage.line == line.id)
        current = existing.version if existing else 0
        if int(expected_version or 0) != current:
            raise StaleRecord(line.id)
        locked = claim_locking(line, kind)
        if locked is not None:
            raise Refused(_l('Claim %(number)s with the maker includes this job; its coverage can no longer change.',
                             number=locked.number))
        values = dict(kind=kind, system=system, fault_code=(fault_code or '').strip(), reason=reason,
                      within_warranty=elig.within_warranty, within_three_guarantee=elig.within_three_guarantee,
                      decided_by=by, decided_at=now)
        before = None
        if existing is None:
            try:
                with transaction():
                    cov = LineCoverage.create(shop=line.shop_id, order=order.id, line=line.id, version=1, **values)
            except pw.IntegrityError:
                raise StaleRecord(line.id)
        else:
            before = {'line': line.id, 'kind': existing.kind, 'system': existing.system}
            cov = existing.update_versioned(current, **values)
        audit.record('warranty.coverage', 'repair_order', order.id, shop=order.shop_id, actor=by, before=before,
                     after={'line': line.id, 'kind': kind, 'system': system, 'fault_code': cov.fault_code,
                            'within_warranty': elig.within_warranty,
                            'within_three_guarantee': elig.within_three_guarantee},
                     note='%s — %s' % (reason, elig.explanation))
    return cov


def coverage_by_line(order):
    """{line id: LineCoverage} for an order (settlement may read who pays from here)."""
    return {c.line_id: c for c in LineCoverage.select().where(LineCoverage.order == order)}

