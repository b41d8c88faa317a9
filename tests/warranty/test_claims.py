"""Claims to the maker: amounts from the order, the status path with resubmission, the first-time approval rate."""
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from app.core.errors import IllegalMove, Refused, StaleRecord
from app.core.models import Event
from app.warranty.claims import claim_history, edit_claim, move_claim, open_claim, receivables
from app.warranty.coverage import claim_locking
from app.warranty.kpis import Rate, first_time_approval_rate
from app.warranty.models import Claim, LineCoverage
from tests.warranty.helpers import car, decide, noon, order, staff

SOLD = date(2025, 3, 10)


@pytest.fixture
def people(shop):
    return staff(shop)


@pytest.fixture
def ro(shop, people):
    """An order with two warranty jobs (one with a customer-supplied part) and a customer-pay job."""
    vehicle = car(shop, sold=SOLD)
    ro, lines = order(shop, people['advisor'], vehicle, noon(date(2026, 1, 5)), odometer=15000, jobs=[
        ('Replace ABS pump', '900.00', [('2400.00', '1', 'shop'), ('35.50', '2', 'shop')]),
        ('Brake line', '150.00', [('80.00', '1', 'customer')]),
        ('Oil change', '240.00', [('400.00', '1', 'shop')]),
    ])
    decide(lines[0], people['clerk'], system='brakes')
    decide(lines[1], people['clerk'], system='brakes')
    decide(lines[2], people['clerk'], kind=LineCoverage.CUSTOMER_PAY, system='engine')
    ro.test_lines = lines
    return ro


def _move(claim, to, who, **kw):
    return move_claim(claim, to, by=who, expected_version=claim.version, **kw)


def test_amounts_come_from_the_orders_warranty_lines(ro, people):
    """The maker is asked for exactly the warranty jobs: their labour and the parts the shop supplied."""
    claim = open_claim(ro, by=people['clerk'], old_part_tag='T-1')
    assert claim.labour_amount == Decimal('1050.00')
    assert claim.parts_amount == Decimal('2471.00')          # 2400 + 2 x 35.50; the customer's part is not claimed
    assert claim.amount == Decimal('3521.00')
    assert claim.number.startswith('CL-') and claim.number.endswith('-000001') and claim.status == Claim.DRAFT


def test_claim_per_line_and_never_both(ro, people, shop):
    """One claim for the order or one per line: the maker must never be asked twice for the same job."""
    first, second, oil = ro.test_lines
    line_claim = open_claim(ro, by=people['clerk'], line=first, expected_claims=0)
    assert (line_claim.labour_amount, line_claim.parts_amount) == (Decimal('900.00'), Decimal('2471.00'))
    with pytest.raises(Refused):
        open_claim(ro, by=people['clerk'], expected_claims=1)                # whole order
    with pytest.raises(Refused):
        open_claim(ro, by=people['clerk'], line=first, expected_claims=1)    # same line again
    with pytest.raises(Refused):
        open_claim(ro, by=people['clerk'], line=oil, expected_claims=1)      # customer pays for it
    other = open_claim(ro, by=people['clerk'], line=second, expected_claims=1)
    assert other.number.endswith('-000002')                                         # gap-free
    with pytest.raises(StaleRecord):
        open_claim(ro, by=people['clerk'], line=second, expected_claims=1)  # someone else's claim meanwhile


def test_no_warranty_line_no_claim(shop, people):
    """An order where the customer pays for everything has nothing to claim."""
    ro, (line,) = order(shop, people['advisor'], car(shop, sold=SOLD), noon(date(2026, 1, 5)),
                        jobs=[('Oil', '240', [])])
    decide(line, people['clerk'], kind=LineCoverage.CUSTOMER_PAY, system='engine')
    with pytest.raises(Refused):
        open_claim(ro, by=people['clerk'])


def test_status_path_with_resubmission(ro, people):
    """Draft → submitted → rejected → submitted again → approved → paid, each step on the order's timeline."""
    clerk = people['clerk']
    claim = open_claim(ro, by=clerk)
    with pytest.raises(Refused) as refused:
        _move(claim, Claim.SUBMITTED, clerk)           # parts claimed: the old part's tag is required
    assert refused.value.field == 'old_part_tag'
    edit_claim(claim, by=clerk, old_part_tag='JT-0042', note='', expected_version=claim.version)
    t0 = datetime(2026, 1, 10, 4)
    _move(claim, Claim.SUBMITTED, clerk, now=t0)
    assert (claim.status, claim.submissions, claim.submitted_at) == (Claim.SUBMITTED, 1, t0)
    with pytest.raises(IllegalMove):
        _move(claim, Claim.PAID, clerk, paid_amount=Decimal('1'))          # not approved yet
    with pytest.raises(Refused):
        _move(claim, Claim.REJECTED, clerk)                                  # the maker's reason is required
    _move(claim, Claim.REJECTED, clerk, reason='photo missing', now=t0 + timedelta(days=3))
    assert (claim.first_result, claim.rejection_reason) == (Claim.REJECTED, 'photo missing')
    _move(claim, Claim.SUBMITTED, clerk, now=t0 + timedelta(days=4))
    assert (claim.submissions, claim.rejection_reason) == (2, '')
    _move(claim, Claim.APPROVED, clerk, now=t0 + timedelta(days=6))
    assert claim.first_result == Claim.REJECTED                     # approved, but not the first time
    with pytest.raises(Refused):
        _move(claim, Claim.PAID, clerk, paid_amount=claim.amount + 1)      # more than claimed
    _move(claim, Claim.PAID, clerk, paid_amount=Decimal('3500'), now=t0 + timedelta(days=20))
    stored = Claim.get_by_id(claim.id)
    assert (stored.status, stored.paid_amount, stored.version) == (Claim.PAID, Decimal('3500.00'), 7)
    with pytest.raises(IllegalMove):
        _move(stored, Claim.SUBMITTED, clerk)
    actions = [e.action for e in claim_history(stored)]
    assert actions == ['claim.opened', 'claim.edited', 'claim.submitted', 'claim.rejected', 'claim.submitted',
                       'claim.approved', 'claim.paid']
    assert Event.for_record('repair_order', ro.id).where(Event.action == 'claim.paid').count() == 1


def test_stale_version_is_refused(ro, people):
    """Two clerks recording the maker's answer at once: the second is told, not applied on top."""
    claim = open_claim(ro, by=people['clerk'], old_part_tag='T')
    old = claim.version
    _move(claim, Claim.SUBMITTED, people['clerk'])
    with pytest.raises(StaleRecord):
        move_claim(claim, Claim.APPROVED, by=people['clerk'], expected_version=old)


def test_roles(ro, people):
    """Only the warranty clerk and the manager file claims or record the maker's answers."""
    with pytest.raises(IllegalMove):
        open_claim(ro, by=people['advisor'])
    claim = open_claim(ro, by=people['manager'], old_part_tag='T')
    with pytest.raises(IllegalMove):
        _move(claim, Claim.SUBMITTED, people['tech'])


def test_submission_reads_the_order_again(ro, people):
    """A job priced again after the draft was opened is claimed at its new price."""
    claim = open_claim(ro, by=people['clerk'], old_part_tag='T')
    line = ro.test_lines[1]
    line.labour_price = Decimal('250.00')
    line.save()
    _move(claim, Claim.SUBMITTED, people['clerk'])
    assert claim.labour_amount == Decimal('1150.00')


def test_coverage_is_fixed_once_claimed(ro, people):
    """After submission the clerk cannot quietly turn a claimed job into customer-pay."""
    claim = open_claim(ro, by=people['clerk'], old_part_tag='T')
    _move(claim, Claim.SUBMITTED, people['clerk'])
    with pytest.raises(Refused):
        decide(ro.test_lines[0], people['clerk'], kind=LineCoverage.CUSTOMER_PAY)


def _claim_with_answers(shop, people, answers, at):
    """A claim answered in turn by the maker: e.g. ['rejected', 'approved']."""
    ro, (line,) = order(shop, people['advisor'], car(shop, sold=SOLD), noon(date(2026, 1, 5)),
                        jobs=[('job', '300', [])])
    decide(line, people['clerk'])
    claim = open_claim(ro, by=people['clerk'])
    for i, answer in enumerate(answers):
        _move(claim, Claim.SUBMITTED, people['clerk'], now=at)
        _move(claim, answer, people['clerk'], reason='x', now=at + timedelta(days=i + 1))
    return claim


def test_first_time_approval_rate_is_exact(shop, people):
    """The KPI counts approvals at the first submission over every first answer, exactly (7 of 9, not 0.78)."""
    at = datetime(2026, 2, 1, 4)
    for _ in range(7):
        _claim_with_answers(shop, people, ['approved'], at)
    _claim_with_answers(shop, people, ['rejected', 'approved'], at)      # approved on resubmission: not first-time
    _claim_with_answers(shop, people, ['rejected'], at)
    _claim_with_answers(shop, people, [], at)                             # draft: not answered, not counted
    rate = first_time_approval_rate(shop)
    assert (rate.numerator, rate.denominator, rate.value) == (7, 9, Fraction(7, 9))
    assert rate.percent == Decimal('77.8') and not rate.meets(Decimal('0.98'))
    # the window is on the date of the first answer
    assert first_time_approval_rate(shop, since=date(2026, 2, 3)).denominator == 0
    assert first_time_approval_rate(shop, since=date(2026, 2, 2), until=date(2026, 2, 3)).denominator == 9
    assert Rate(49, 50).meets(Decimal('0.98')) and not Rate(48, 50).meets(Decimal('0.98'))


def test_receivables_are_approved_not_paid(shop, people):
    """The maker's debt lists approved claims with their amount and age since approval, not paid ones."""
    at = datetime(2026, 3, 1, 4)
    owed = _claim_with_answers(shop, people, ['approved'], at)
    paid = _claim_with_answers(shop, people, ['approved'], at)
    _move(paid, Claim.PAID, people['clerk'], paid_amount=paid.amount, now=at + timedelta(days=5))
    _claim_with_answers(shop, people, ['rejected'], at)
    rows = receivables(shop, now=at + timedelta(days=11, hours=1))
    assert [(r.claim.id, r.amount, r.age_days) for r in rows] == [(owed.id, Decimal('300.00'), 10)]


def test_other_jobs_stay_open_after_a_whole_claim(ro, people):
    """A job added after the claim went in can still be decided customer-pay, but not slipped into the claim."""
    claim = open_claim(ro, by=people['clerk'], old_part_tag='T')
    _move(claim, Claim.SUBMITTED, people['clerk'])
    oil = ro.test_lines[2]
    decide(oil, people['clerk'], kind=LineCoverage.GOODWILL, system='engine')
    with pytest.raises(Refused):
        decide(oil, people['clerk'], kind=LineCoverage.WARRANTY, system='engine')
    assert claim_locking(ro.test_lines[0]) == claim and claim_locking(oil) is None


def test_claim_tag_keeps_the_old_parts_of_its_jobs_for_the_maker(ro, people):
    """The old ABS pump must stay in the shop under the claim's tag, not be scrapped or given back."""
    from app.parts.models import OldPart
    abs_job, brake_line, oil = ro.test_lines
    olds = [OldPart.create(shop=ro.shop_id, order=ro, order_line=ln, name=name)
            for ln, name in ((abs_job, 'ABS泵 ABS pump'), (brake_line, '刹车管 Brake line'), (oil, '机滤 Oil filter'))]
    OldPart.update(status=OldPart.RETURNED).where(OldPart.id == olds[1].id).execute()   # already given back
    claim = open_claim(ro, by=people['clerk'], old_part_tag='W-7781')
    status = {o.name: (o.status, o.tag_number) for o in OldPart.select()}
    assert status == {'ABS泵 ABS pump': ('kept', 'W-7781'), '刹车管 Brake line': ('returned', ''),
                      '机滤 Oil filter': ('pending', '')}
    assert claim.old_part_tag == 'W-7781'
