"""Insurance jobs: the claim, the assessment against the shop's estimate, the payer split on the bill, the wait for
the assessment, supplementary assessments, the insurer's receivable within the month, the insurer list."""
from decimal import Decimal

from app.core import stages
from app.core.models import Photo
from app.core.money import money
from app.core.settings import get_setting
from app.insurance.models import AssessmentLine, DamageArea, InsuranceClaim, Insurer, Supplement
from app.insurance.rules import split
from app.settlement.totals import order_money
from tests import factories
from tests.helpers import at_local, reload
from tests.insurance.helpers import assess, claim_of, insurance_order, post
from tests.settlement.helpers import settle


def test_split_always_adds_up_to_what_is_billed():
    """The insurer's share, the deductible and what the insurer refused add up to the bill, whatever the amounts."""
    for allowed, deductible, billed in (('2600', '200', '2900'), ('3500', '0', '2900'), ('100', '500', '2900'),
                                        ('0', '0', '120'), ('2900', '2900', '2900')):
        s = split(Decimal(allowed), Decimal(deductible), Decimal(billed))
        assert s.insurer + s.deductible + s.uncovered == Decimal(billed)
        assert s.insurer >= 0 and s.deductible <= Decimal(deductible)
    s = split(Decimal('2600'), Decimal('200'), Decimal('2900'))
    assert (s.insurer, s.deductible, s.uncovered) == (Decimal('2400'), Decimal('200'), Decimal('300'))


def test_assessment_shows_the_difference_and_the_split(desk, job):
    """The advisor sees each line as the shop and the insurer priced it, the difference, and who pays what."""
    resp = assess(desk, job)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    claim = claim_of(job)
    assert claim.assessment == InsuranceClaim.ASSESSED and claim.assessed_at is not None
    page = desk.get('/orders/%d/insurance' % job.id).get_data(as_text=True)
    assert '¥-300.00' in page                       # the insurer allowed 2,600 of the shop's 2,900
    assert 'data-testid="split-insurer"><strong>¥2,400.00' in page
    assert 'data-testid="split-deductible">¥200.00' in page
    assert 'data-testid="split-uncovered">¥300.00' in page
    assert 'data-testid="split-total">¥2,900.00' in page


def test_the_bill_splits_between_insurer_and_customer(desk, job):
    """After the assessment the bill charges the insurer its share and the customer the deductible and the rest."""
    assert order_money(job).totals['payers']['insurance']['net'] == 0      # not assessed: the customer's bill
    assess(desk, job)
    t = order_money(job).totals
    assert t['payers']['insurance']['net'] == Decimal('2400.00')
    assert t['payers']['customer']['net'] == Decimal('500.00')
    assert t['net'] == Decimal('2900.00')                                  # nothing billed twice
    s = settle(desk, job)
    assert s.insurance_total == money(Decimal('2400') * Decimal('1.13'))
    assert s.customer_total == money(Decimal('500') * Decimal('1.13'))
    assert s.insurance_total + s.customer_total == s.total


def test_work_waits_for_the_assessment_when_the_shop_says_so(app, shop, boss, make_user):
    """A technician cannot start an insurance job before the assessment, unless the shop chose not to wait."""
    tech = make_user('tom', ['technician'])
    advisor = make_user('ann', ['advisor'])
    order = insurance_order(shop, advisor, stage=stages.DISPATCHED)
    line = order.lines.get()
    line.technician = tech
    line.save()
    from tests.helpers import signed_in
    phone = signed_in(app, 'tom')
    url = '/jobs/%d/lines/%d/clock-on' % (order.id, line.id)
    resp = post(phone, url, version=line.version)
    assert resp.status_code == 400
    assert 'assessment' in resp.get_data(as_text=True)
    assert reload(order).stage == stages.DISPATCHED
    assert post(boss, '/insurance/settings').status_code == 302           # unticked: work does not wait
    assert get_setting(shop, 'insurance_work_waits_for_assessment') == 0
    resp = post(phone, url, version=line.version)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert reload(order).stage == stages.IN_PROGRESS


def test_work_starts_once_assessed(app, shop, make_user):
    """With the setting on, an assessed insurance job can be started."""
    tech = make_user('tom', ['technician'])
    advisor = make_user('ann', ['advisor'])
    from tests.helpers import signed_in
    order = insurance_order(shop, advisor, stage=stages.DISPATCHED)
    assess(signed_in(app, 'ann'), order)
    line = order.lines.get()
    line.technician = tech
    line.save()
    resp = post(signed_in(app, 'tom'), '/jobs/%d/lines/%d/clock-on' % (order.id, line.id), version=line.version)
    assert resp.status_code == 302, resp.get_data(as_text=True)


def test_supplementary_assessment_answered_like_added_work(desk, job):
    """More damage found: the insurer's answer is recorded with who and how; approved adds to its share,
    declined is the customer's."""
    assess(desk, job, deductible='0')
    url = '/orders/%d/insurance/supplements' % job.id
    resp = post(desk, url, description='防撞梁变形', kind=['parts', 'labour'], line_description=['防撞梁', ''],
                shop_amount=['680', '300'])
    assert resp.status_code == 400 and 'Describe each line.' in resp.get_data(as_text=True)
    assert not Supplement.select().exists()
    resp = post(desk, url, description='防撞梁变形', kind=['parts', 'labour'], line_description=['防撞梁', '更换工时'],
                shop_amount=['680', '300'])
    assert resp.status_code == 302, resp.get_data(as_text=True)
    supplement = Supplement.get()
    amounts = [ln.shop_amount for ln in supplement.lines.order_by(AssessmentLine.id)]
    assert amounts == [Decimal('680.00'), Decimal('300.00')]
    resp = post(desk, '/insurance/supplements/%d/answer' % supplement.id, decision='approved', channel='phone',
                spoke_with='', version=supplement.version)
    assert resp.status_code == 400 and 'Enter who gave the answer.' in resp.get_data(as_text=True)
    lines = list(supplement.lines.order_by(AssessmentLine.id))
    resp = post(desk, '/insurance/supplements/%d/answer' % supplement.id, decision='approved', channel='phone',
                spoke_with='李勇', version=supplement.version, **{'allowed-%d' % lines[0].id: '600'})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    supplement = reload(supplement)
    assert (supplement.status, supplement.spoke_with, supplement.channel) == ('approved', '李勇', 'phone')
    assert supplement.decided_at is not None and supplement.decided_by is not None
    assert [reload(ln).insurer_amount for ln in lines] == [Decimal('600.00'), Decimal('300.00')]


def test_a_declined_supplement_is_the_customers(desk, job):
    """What the insurer declined counts as refused: the customer pays it."""
    from app.insurance.rules import assessment
    assess(desk, job, deductible='0')
    desk.post('/orders/%d/insurance/supplements' % job.id,
              data={'description': '发现水箱破裂', 'line_description': ['水箱'], 'kind': ['parts'],
                    'shop_amount': ['900'], 'idem': 'b1'})
    supplement = Supplement.get()
    post(desk, '/insurance/supplements/%d/answer' % supplement.id, decision='declined', channel='message',
         spoke_with='李勇', version=supplement.version)
    figures = assessment(claim_of(job))
    assert figures.split.uncovered == Decimal('300') + Decimal('900')
    assert figures.split.total == Decimal('2900') + Decimal('900')


def test_insurer_receivable_is_due_by_the_end_of_the_month(app, shop, advisor):
    """A bill settled on the last evening of a month is due that day; the next morning it is on the overdue list."""
    from tests.helpers import signed_in
    with at_local('2026-03-31 21:00', tz=shop.timezone, tick=True):
        job = insurance_order(shop, advisor)
        desk = signed_in(app, 'amy')
        assess(desk, job)
        s = settle(desk, job)
        page = desk.get('/insurance/receivables').get_data(as_text=True)
        assert '2026-03-31' in page and 'data-testid="overdue-count">0<' in page
    with at_local('2026-04-01 09:00', tz=shop.timezone, tick=True):
        desk = signed_in(app, 'amy')
        page = desk.get('/insurance/receivables').get_data(as_text=True)
        assert 'data-testid="overdue-count">1<' in page
        assert 'data-testid="receivable-%d"' % job.id in page
        resp = post(desk, '/orders/%d/insurance/payment' % job.id, amount='99999', version=reload(s).version)
        assert resp.status_code == 400 and 'value="99999' in resp.get_data(as_text=True)
        resp = post(desk, '/orders/%d/insurance/payment' % job.id, amount=str(s.insurance_total),
                    reference='PA-778812', version=reload(s).version)
        assert resp.status_code == 302, resp.get_data(as_text=True)
        page = desk.get('/insurance/receivables').get_data(as_text=True)
        assert 'data-testid="receivable-%d"' % job.id not in page


def test_bad_claim_input_is_refused_with_what_was_typed(desk, shop, advisor):
    """A claim without a policy number is refused in place, the typed claim number kept."""
    order = factories.make_order(shop, advisor)
    insurer = Insurer.create(shop=shop, name='中国人保 PICC')
    resp = post(desk, '/orders/%d/insurance/claim' % order.id, insurer=insurer.id, policy_number='',
                claim_number='RDAA-TYPED-42', accident_date='2026-01-02', insured_name='王芳', version=0)
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert 'RDAA-TYPED-42' in body and 'Enter the policy number.' in body
    assert not InsuranceClaim.select().where(InsuranceClaim.order == order).exists()
    resp = post(desk, '/orders/%d/insurance/claim' % order.id, insurer=insurer.id, policy_number='PDAA1',
                claim_number='RDAA-TYPED-42', accident_date='2026-01-02', insured_name='王芳', version=0)
    assert resp.status_code == 302
    assert claim_of(order).insurer_id == insurer.id


def test_bad_assessment_amount_is_refused_with_the_lines_kept(desk, job):
    """A line priced with words is refused; every line typed is still there to correct."""
    rows = dict(kind=['labour'], line_description=['TYPED-LINE-前杠'], shop_amount=['六百'], insurer_amount=['500'])
    resp = assess(desk, job, rows=rows)
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert 'TYPED-LINE-前杠' in body and '六百' in body
    assert claim_of(job).assessment == InsuranceClaim.PENDING


def test_damage_photo_by_area(desk, job):
    """A photo of the damage is kept with the area of the car it shows; a file that is no photo is refused."""
    url = '/orders/%d/insurance/damage' % job.id
    from io import BytesIO
    resp = desk.post(url, data={'area': 'front_bumper', 'note': '凹陷', 'idem': 'p1',
                                'photo': (BytesIO(factories.tiny_jpeg()), 'a.jpg')},
                     content_type='multipart/form-data')
    assert resp.status_code == 302, resp.get_data(as_text=True)
    area = DamageArea.get()
    assert area.area == 'front_bumper'
    assert Photo.of('damage_area', area.id).count() == 1
    resp = desk.post(url, data={'area': 'roof', 'note': 'TYPED-NOTE', 'idem': 'p2',
                                'photo': (BytesIO(b'not a photo'), 'a.jpg')}, content_type='multipart/form-data')
    assert resp.status_code == 400 and 'TYPED-NOTE' in resp.get_data(as_text=True)
    assert DamageArea.select().count() == 1
    assert desk.get('/orders/%d/insurance/print' % job.id).status_code == 200


def test_another_shops_insurance_is_not_found(app, desk, job, make_user):
    """Nobody reaches another shop's claim, supplement or insurer, even by typing its number."""
    other = factories.make_shop('O1', name='Other shop')
    other_staff = factories.make_user('oz', ['advisor', 'manager'], [other])
    theirs = insurance_order(other, other_staff)
    theirs_claim = claim_of(theirs)
    supplement = Supplement.create(shop=other, claim=theirs_claim, description='x', requested_by=other_staff)
    assert desk.get('/orders/%d/insurance' % theirs.id).status_code == 404
    assert post(desk, '/orders/%d/insurance/claim' % theirs.id, insurer=theirs_claim.insurer_id).status_code == 404
    assert assess(desk, theirs).status_code == 404
    assert post(desk, '/insurance/supplements/%d/answer' % supplement.id, decision='approved',
                channel='phone', spoke_with='x', version=1).status_code == 404
    from tests.helpers import signed_in
    make_user('mo', ['manager'])
    assert post(signed_in(app, 'mo'), '/insurance/insurers/%d' % theirs_claim.insurer_id, name='x',
                version=1).status_code == 404
    assert reload(supplement).status == Supplement.PENDING


def test_only_the_manager_keeps_the_insurer_list(app, desk, boss, shop):
    """The advisor may read the list; the manager adds and changes insurers; a name twice is refused."""
    assert desk.get('/insurance/insurers').status_code == 200
    assert post(desk, '/insurance/insurers', name='太平洋产险', version=0).status_code == 403
    assert post(boss, '/insurance/insurers', name='太平洋产险', phone='95500', active='y', version=0).status_code == 302
    insurer = Insurer.get(Insurer.name == '太平洋产险')
    resp = post(boss, '/insurance/insurers', name='太平洋产险', version=0)
    assert resp.status_code == 400 and 'already on the list' in resp.get_data(as_text=True)
    resp = post(boss, '/insurance/insurers/%d' % insurer.id, name='太平洋产险 CPIC', phone='95500', version=1)
    assert resp.status_code == 302
    assert (reload(insurer).name, reload(insurer).active) == ('太平洋产险 CPIC', False)
