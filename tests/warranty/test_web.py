"""The warranty pages: who may do what, stale forms, repeated taps, and the warnings on other pages."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core import stages
from app.core.db import utcnow
from app.core.models import Event
from app.core.timeutil import shop_today
from app.warranty.claims import move_claim, open_claim
from app.warranty.models import Claim, LineCoverage, LoanerRecord
from tests.helpers import HX, sign_in
from tests.warranty.helpers import car, decide, noon, order, repair, staff


@pytest.fixture
def people(shop):
    return staff(shop)


@pytest.fixture
def ro(shop, people):
    vehicle = car(shop, sold=date.today() - timedelta(days=200), mileage=8000)
    ro, lines = order(shop, people['advisor'], vehicle, utcnow() - timedelta(days=7), stage=stages.IN_PROGRESS,
                      odometer=8000, jobs=[('Steering rack', '1200.00', [('6800.00', '1', 'shop')])])
    ro.test_line = lines[0]
    return ro


def _coverage(line, version=0, idem='k1', **kw):
    data = {'l%d-version' % line.id: version, 'l%d-kind' % line.id: 'warranty', 'l%d-system' % line.id: 'steering',
            'l%d-reason' % line.id: '转向机内泄 leaking rack', 'idem': idem}
    data.update({'l%d-%s' % (line.id, k): v for k, v in kw.items()})
    return data


def test_clerk_decides_coverage_and_the_order_shows_it(client, ro, people):
    """The clerk marks the job warranty; the page, the order's timeline and the audit say so."""
    sign_in(client, people['clerk'])
    page = client.get('/warranty/orders/%d' % ro.id)
    assert page.status_code == 200 and 'Steering rack' in page.get_data(as_text=True)
    resp = client.post('/warranty/lines/%d/coverage' % ro.test_line.id, data=_coverage(ro.test_line))
    assert resp.status_code == 302
    cov = LineCoverage.get()
    assert (cov.kind, cov.system, cov.within_warranty, cov.within_three_guarantee, cov.version) == \
        ('warranty', 'steering', True, True, 1)
    event = Event.for_record('repair_order', ro.id).where(Event.action == 'warranty.coverage').get()
    assert 'leaking rack' in event.note and 'Three-guarantee' in event.note


def test_htmx_decision_returns_the_line_only(client, ro, people):
    """Deciding from the tablet swaps just that job's box, and a mistake keeps the typed reason."""
    sign_in(client, people['clerk'])
    bad = client.post('/warranty/lines/%d/coverage' % ro.test_line.id, headers=HX,
                      data=_coverage(ro.test_line, system=''))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="line-%d"' % ro.test_line.id in html and 'leaking rack' in html
    assert '<html' not in html and LineCoverage.select().count() == 0
    ok = client.post('/warranty/lines/%d/coverage' % ro.test_line.id, headers=HX, data=_coverage(ro.test_line))
    assert ok.status_code == 200 and 'Warranty (maker pays)' in ok.get_data(as_text=True)
    assert 'HX-Request' in ok.headers['Vary']


def test_warranty_outside_the_period_is_refused_with_a_reason(client, shop, people):
    """A job on a six-year-old car cannot be put on the maker; the clerk is told why and keeps the form."""
    old = car(shop, sold=date(2019, 1, 1), mileage=120000)
    ro, (line,) = order(shop, people['advisor'], old, noon(date(2026, 1, 5)), odometer=120000,
                        jobs=[('Brake pads', '300', [])])
    sign_in(client, people['clerk'])
    resp = client.post('/warranty/lines/%d/coverage' % line.id, data=_coverage(line))
    assert resp.status_code == 400 and 'Outside the maker' in resp.get_data(as_text=True)
    assert LineCoverage.select().count() == 0


def test_stale_version_gets_409(client, ro, people):
    """Two clerks on the same job: the second, with the old form, is told someone else changed it."""
    decide(ro.test_line, people['clerk'], kind=LineCoverage.GOODWILL, system='steering')
    sign_in(client, people['clerk'])
    resp = client.post('/warranty/lines/%d/coverage' % ro.test_line.id, data=_coverage(ro.test_line, version=0))
    assert resp.status_code == 409 and 'Someone else changed this' in resp.get_data(as_text=True)
    assert 'Goodwill (shop pays)' in resp.get_data(as_text=True)          # the decision as it is now
    assert LineCoverage.get().kind == 'goodwill'
    piece = client.post('/warranty/lines/%d/coverage' % ro.test_line.id, headers=HX,
                        data=_coverage(ro.test_line, version=0, idem='k2'))
    assert piece.status_code == 409 and piece.get_data(as_text=True).lstrip().startswith('<article')
    claim_ro = ro
    decide(ro.test_line, people['clerk'], kind=LineCoverage.WARRANTY, system='steering')
    claim = open_claim(claim_ro, by=people['clerk'], old_part_tag='T-1')
    resp = client.post('/warranty/claims/%d/move' % claim.id, data={
        'to': 'submitted', 'submitted-version': claim.version + 5, 'idem': 'x'})
    assert resp.status_code == 409 and Claim.get().status == Claim.DRAFT
    assert 'Someone else changed this' in resp.get_data(as_text=True) and claim.number in resp.get_data(as_text=True)


def test_repeated_tap_is_done_once(client, ro, people):
    """A double tap on "Open the claim" or "Submit" on flaky Wi-Fi makes one claim and one submission."""
    decide(ro.test_line, people['clerk'], system='steering')
    sign_in(client, people['clerk'])
    data = {'version': 0, 'line': '', 'old_part_tag': 'JT-7', 'note': '', 'idem': 'same-key'}
    first = client.post('/warranty/orders/%d/claims' % ro.id, data=data)
    again = client.post('/warranty/orders/%d/claims' % ro.id, data=data)
    assert first.status_code == 302 and again.status_code == 302
    assert Claim.select().count() == 1
    claim = Claim.get()
    move = {'to': 'submitted', 'submitted-version': claim.version, 'idem': 'submit-key'}
    assert client.post('/warranty/claims/%d/move' % claim.id, data=move).status_code == 302
    assert client.post('/warranty/claims/%d/move' % claim.id, data=move).status_code == 302
    claim = Claim.get()
    assert (claim.status, claim.submissions, claim.version) == (Claim.SUBMITTED, 1, 2)
    assert claim.labour_amount == Decimal('1200.00') and claim.parts_amount == Decimal('6800.00')


def test_claim_pages_and_the_maker_answers(client, ro, people):
    """The clerk records a rejection with its reason, resubmits, then the approval and the payment."""
    decide(ro.test_line, people['clerk'], system='steering')
    claim = open_claim(ro, by=people['clerk'], old_part_tag='JT-9')
    sign_in(client, people['clerk'])

    def move(to, **fields):
        c = Claim.get_by_id(claim.id)
        data = {'to': to, '%s-version' % to: c.version, 'idem': 'k-%s-%d' % (to, c.version)}
        data.update({'%s-%s' % (to, k): v for k, v in fields.items()})
        return client.post('/warranty/claims/%d/move' % claim.id, data=data)

    assert move('submitted').status_code == 302
    refused = move('rejected', reason='')
    assert refused.status_code == 400 and 'reason' in refused.get_data(as_text=True)
    assert move('rejected', reason='缺照片 photos missing').status_code == 302
    assert move('submitted').status_code == 302
    assert move('approved').status_code == 302
    wrong = move('paid', paid_amount='99999')
    assert wrong.status_code == 400 and '99999' in wrong.get_data(as_text=True)
    assert move('paid', paid_amount='7900.00', paid_on=shop_today(ro.shop).isoformat()).status_code == 302
    c = Claim.get_by_id(claim.id)
    assert (c.status, c.submissions, c.first_result, c.paid_amount) == ('paid', 2, 'rejected', Decimal('7900.00'))
    page = client.get('/warranty/claims/%d' % claim.id).get_data(as_text=True)
    assert 'photos missing' in page and 'Warranty claim paid' in page
    listing = client.get('/warranty/claims?status=paid').get_data(as_text=True)
    assert c.number in listing


@pytest.mark.parametrize('who, url, data', [
    ('advisor', '/warranty/lines/{line}/coverage', {}),
    ('tech', '/warranty/lines/{line}/coverage', {}),
    ('advisor', '/warranty/orders/{order}/claims', {}),
    ('clerk', '/warranty/orders/{order}/loaners', {}),
    ('tech', '/warranty/orders/{order}/loaners', {}),
])
def test_role_refusals(client, ro, people, who, url, data):
    """An advisor cannot decide warranty, the clerk does not hand out loaner cars, a technician does neither."""
    sign_in(client, people[who])
    resp = client.post(url.format(line=ro.test_line.id, order=ro.id), data=dict(data, idem='r', version='0'))
    assert resp.status_code == 403
    assert LineCoverage.select().count() == 0 and Claim.select().count() == 0 and LoanerRecord.select().count() == 0


def test_pages_by_role(client, ro, people):
    """The dashboard is for the clerk and the manager; the advisor reads an order's warranty page."""
    for who, dash, order_page in (('clerk', 200, 200), ('manager', 200, 200), ('advisor', 403, 200),
                                  ('tech', 403, 403)):
        sign_in(client, people[who])
        assert client.get('/warranty').status_code == dash, who
        assert client.get('/warranty/orders/%d' % ro.id).status_code == order_page, who


def test_advisor_records_the_loaner_from_the_warning(client, ro, people):
    """Past five days the order page warns the advisor, who records the loaner car; the warning turns quiet."""
    decide(ro.test_line, people['clerk'], system='steering')
    sign_in(client, people['advisor'])
    page = client.get('/orders/%d' % ro.id).get_data(as_text=True)
    assert 'warranty-flags' in page and 'loaner car or transport compensation' in page
    resp = client.post('/warranty/orders/%d/loaners' % ro.id, data={
        'version': 0, 'kind': 'loaner_car', 'given_on': shop_today(ro.shop).isoformat(), 'note': '雷凌 Levin', 'idem': 'l1'})
    assert resp.status_code == 302 and LoanerRecord.get().recorded_by_id == people['advisor'].id
    page = client.get('/orders/%d' % ro.id).get_data(as_text=True)
    assert 'Loaner car recorded' in page and 'is owed a loaner' not in page


def test_vehicle_page_shows_the_three_guarantee_box(client, shop, people):
    """The vehicle file shows days used and repairs per problem, and the warning at the 4th brake repair."""
    v = car(shop, sold=date.today() - timedelta(days=300), mileage=12000)
    for days_ago in (250, 200, 150, 100):
        repair(shop, people['advisor'], people['clerk'], v, noon(date.today() - timedelta(days=days_ago)), 1)
    sign_in(client, people['advisor'])
    page = client.get('/vehicles/%d' % v.id).get_data(as_text=True)
    assert 'id="three-guarantee"' in page and '4 / 5' in page and 'repair 4 of the same problem' in page
    detail = client.get('/warranty/vehicles/%d' % v.id).get_data(as_text=True)
    assert detail.count('class="stage stage-closed"') == 4
    from tests import factories
    sign_in(client, factories.make_user('fm', ['foreman'], [shop]))
    page = client.get('/vehicles/%d' % v.id)
    assert page.status_code == 200 and 'id="three-guarantee"' not in page.get_data(as_text=True)


def test_dashboard_shows_everything(client, shop, people, ro):
    """The dashboard lists the car near its limit, the long repair, open claims, receivables and both KPIs."""
    v = car(shop, sold=date.today() - timedelta(days=300), mileage=12000)
    repair(shop, people['advisor'], people['clerk'], v, noon(date.today() - timedelta(days=200)), 26)
    decide(ro.test_line, people['clerk'], system='steering')
    claim = open_claim(ro, by=people['clerk'], old_part_tag='T')
    for to in ('submitted', 'approved'):
        move_claim(claim, to, by=people['clerk'], expected_version=claim.version)
    sign_in(client, people['manager'])
    page = client.get('/warranty').get_data(as_text=True)
    assert v.plate in page and '26' in page and ro.number in page and claim.number in page
    assert '100.0%' in page and '¥8,000.00' in page


def test_repeated_decision_is_recorded_once(client, ro, people):
    """A decision sent twice by a retry is one decision and one line in the timeline; the retry sees the result."""
    sign_in(client, people['clerk'])
    url = '/warranty/lines/%d/coverage' % ro.test_line.id
    assert client.post(url, headers=HX, data=_coverage(ro.test_line, idem='dup')).status_code == 200
    again = client.post(url, headers=HX, data=_coverage(ro.test_line, idem='dup'))
    assert again.status_code == 200 and 'Warranty (maker pays)' in again.get_data(as_text=True)
    assert LineCoverage.get().version == 1
    assert Event.for_record('repair_order', ro.id).where(Event.action == 'warranty.coverage').count() == 1


def test_loaner_dated_in_the_future_is_refused_on_the_page(client, ro, people):
    """A loaner car dated next week is refused with why, on the order's page, and the note typed is kept."""
    decide(ro.test_line, people['clerk'], system='steering')
    sign_in(client, people['advisor'])
    resp = client.post('/warranty/orders/%d/loaners' % ro.id, data={
        'version': 0, 'kind': 'loaner_car', 'given_on': (shop_today(ro.shop) + timedelta(days=7)).isoformat(),
        'note': '雷凌 Levin', 'idem': 'l9'})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'cannot be in the future' in html and '雷凌 Levin' in html
    assert LoanerRecord.select().count() == 0
