"""A declined repair's diagnosis fee (002: 如有我方诊断或估价的,还应通知客户交纳诊断费或估价费) is a settled bill like
every other: numbered and frozen in the decline's transaction, paid through the payment flow, owed in the
receivables, counted in revenue and the daily report, corrected by a credit note; never a repaired or delivered car."""
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core import periods, stages
from app.core.models import Event, Setting
from app.core.timeutil import shop_today
from app.kpi import engine
from app.reception import checkin, declined
from app.reports.business import business_report
from app.settlement import queries
from app.settlement.models import CreditNote, Payment, Settlement, SettlementLine
from app.settlement.receivables import bills_owing
from tests import factories
from tests.helpers import reload
from tests.settlement.helpers import act


@pytest.fixture
def draft(shop, advisor):
    """A check-in with a job the customer read the price of (an engine noise diagnosis and a gearbox estimate)."""
    car = factories.make_vehicle(shop, factories.make_customer(shop, name='王芳'), plate='粤B12345')
    draft = checkin.start_checkin(shop, advisor, customer=car.owner, vehicle=car, complaint='Gearbox noise',
                                  jobs=[(None, 'Gearbox overhaul', Decimal('6'))])
    tags, hooks = factories.make_key_tags(shop, count=1)
    checkin.assign_key(draft, advisor, tag=tags[0], hook=hooks[0])
    return reload(draft)


def _decline(client, draft, fee, idem=None):
    return client.post('/checkin/%d/decline' % draft.id, data={'fee': fee, 'idem': idem or uuid.uuid4().hex})


def _bill(draft):
    return Settlement.get_or_none(Settlement.order == draft.id)


def test_declining_with_a_fee_settles_a_bill_of_the_fee_alone(desk, shop, draft):
    """The fee would never be taken as a payment nor reach the receivables, revenue or the daily report."""
    resp = _decline(desk, draft, '150')
    assert resp.status_code == 302 and resp.headers['Location'].endswith('/orders/%d/declined-exit-notice' % draft.id)
    ro, s = reload(draft), _bill(draft)
    assert ro.stage == stages.CANCELLED and ro.delivered_at is None
    assert s.is_settled and s.number.startswith('ST-') and s.settled_at is not None
    assert (s.labour, s.parts, s.tax, s.total, s.customer_total) == (
        Decimal('150.00'), Decimal('0.00'), Decimal('19.50'), Decimal('169.50'), Decimal('169.50'))
    assert s.customer_total == declined.fee_bill(ro)['customer_total']          # the one arithmetic, both ways
    lines = list(SettlementLine.select().where(SettlementLine.settlement == s))
    assert [(it.kind, it.amount, it.payer, it.hours) for it in lines] == [('labour', Decimal('150.00'), 'customer',
                                                                           Decimal('0.00'))]   # not the gearbox job
    assert s.guarantee_terms == {}                                                # nothing repaired, nothing guaranteed
    assert Event.select().where((Event.action == 'settlement.settled') & (Event.record_id == ro.id)).count() == 1
    assert [r.settlement_id for r in bills_owing([shop.id], s.settled_at + timedelta(seconds=1))] == [s.id]


def test_the_bill_follows_the_shops_tax_rate(desk, shop, draft):
    """A shop at 6 % would bill the fee at 13 %."""
    Setting.create(shop=shop, key='tax_rate', value='0.06')
    _decline(desk, draft, '300')
    s = _bill(draft)
    assert (s.tax_rate, s.tax, s.customer_total) == (Decimal('0.0600'), Decimal('18.00'), Decimal('318.00'))


def test_the_cashier_takes_the_fee_and_it_is_no_longer_owed(desk, shop, draft):
    """The fee paid at the cashier would stay in the receivables, or be missing from the money taken that day."""
    _decline(desk, draft, '150')
    notice = desk.get('/orders/%d/declined-exit-notice' % draft.id).get_data(as_text=True)
    assert 'data-testid="declined-balance"' in notice and '169.50' in notice
    assert '/orders/%d/settlement' % draft.id in notice and _bill(draft).number in notice
    resp = act(desk, draft, 'payments', method=Payment.MOBILE, amount='169.50', reference='WX1')
    assert resp.status_code == 302
    s = _bill(draft)
    assert [(p.method, p.amount) for p in Payment.select().where(Payment.settlement == s)] == [
        ('mobile', Decimal('169.50'))]
    assert bills_owing([shop.id], s.settled_at + timedelta(days=1)) == []
    assert queries.customer_receivables(shop) == []
    day = business_report(shop, periods.period_of('day', shop_today(shop), shop.timezone))
    assert day.payments == {'mobile': Decimal('169.50')} and day.receivable_count == 0
    assert (day.revenue['settlements'], day.revenue['labour'], day.revenue['total']) == (
        1, Decimal('150.00'), Decimal('169.50'))
    assert day.vehicles_out.count == 0                                    # no car handed back from a repair
    paid = desk.get('/orders/%d/declined-exit-notice' % draft.id).get_data(as_text=True)
    assert 'data-testid="declined-paid"' in paid and 'owed' not in paid.split('declined-balance')[1][:80]


def test_an_unpaid_fee_is_owed_in_the_receivables_and_the_daily_report(desk, shop, draft):
    """A customer who drove off without paying the fee would owe nothing anywhere."""
    _decline(desk, draft, '150')
    s = _bill(draft)
    owed = queries.customer_receivables(shop)
    assert [(r.settlement.id, r.balance) for r in owed] == [(s.id, Decimal('169.50'))]
    assert s.number in desk.get('/receivables').get_data(as_text=True)
    day = business_report(shop, periods.period_of('day', shop_today(shop), shop.timezone))
    assert (day.receivable, day.receivable_count) == (Decimal('169.50'), 1)


@pytest.mark.parametrize('facts', [True, False])
def test_a_declined_visit_is_revenue_but_no_repaired_or_delivered_car(desk, shop, draft, monkeypatch, facts):
    """The fee bill would count as a car repaired and delivered (car count, timeliness, process compliance), or
    its fee would be missing from labour revenue."""
    monkeypatch.setattr(engine, 'USE_FACTS', facts)
    _decline(desk, draft, '150')
    today = shop_today(shop)
    f = engine.compute([shop.id], today, today + timedelta(days=1))
    assert f['labour_revenue'].value == Decimal('150.00') and f['parts_revenue'].value == Decimal('0.00')
    assert f['car_count'].value == 0
    assert f['timeliness'].denominator == 0 and f['timeliness'].value is None
    assert all(fig.denominator in (0, None) and fig.value is None
               for name, fig in f.items() if name.startswith('compliance_') and name != 'compliance_complaint_answer')


def test_no_fee_no_bill_and_nothing_to_pay(desk, shop, draft):
    """A customer who only asked would get a bill of nothing, or a notice asking for money."""
    _decline(desk, draft, '0')
    assert _bill(draft) is None and reload(draft).stage == stages.CANCELLED
    html = desk.get('/orders/%d/declined-exit-notice' % draft.id).get_data(as_text=True)
    assert 'data-testid="declined-bill"' not in html and 'declined-open-bill' not in html and '¥0.00' in html
    page = desk.get('/orders/%d' % draft.id).get_data(as_text=True)
    assert 'data-testid="order-declined"' in page and 'id="settlement-box"' not in page


def test_a_double_submit_makes_one_bill(desk, shop, draft):
    """A double tap at the desk would bill the fee twice, or take two numbers."""
    first = _decline(desk, draft, '150', idem='same')
    again = _decline(desk, draft, '150', idem='same')
    other = _decline(desk, draft, '150')
    assert first.status_code == again.status_code == other.status_code == 302
    assert again.headers['Location'] == other.headers['Location'] == first.headers['Location']
    assert Settlement.select().where(Settlement.order == draft.id).count() == 1
    assert Event.select().where(Event.action == 'order.declined').count() == 1


@pytest.mark.parametrize('fee', ['-5', 'abc', '12.3.4'])
def test_a_bad_fee_is_refused_in_place_and_nothing_is_billed(desk, shop, draft, fee):
    """A fee typed wrong would cancel the check-in, bill something, or crash."""
    resp = _decline(desk, draft, fee)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'value="%s"' % fee in html and 'error' in html
    assert _bill(draft) is None and reload(draft).stage == stages.DRAFT and reload(draft).declined_at is None
    assert Settlement.select().count() == 0


def test_the_fee_bill_is_corrected_by_a_credit_note(desk, boss, shop, draft):
    """A fee charged by mistake could not be taken back, or the receivable would stay."""
    _decline(desk, draft, '150')
    s = _bill(draft)
    line = SettlementLine.get(SettlementLine.settlement == s)
    resp = act(boss, draft, 'credit-notes', reason='Diagnosis was free (goodwill)', line=str(line.id))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    note = CreditNote.get(CreditNote.settlement == s)
    assert note.total == Decimal('169.50') and reload(s).status == Settlement.CREDITED
    assert queries.customer_receivables(shop) == []


def test_the_fee_bills_pages_render(desk, shop, draft):
    """The settlement page, its print and the order page of a bill with nothing but the fee would fail."""
    _decline(desk, draft, '150')
    s = _bill(draft)
    page = desk.get('/orders/%d/settlement' % draft.id)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and s.number in html and 'data-testid="settle-declined"' in html
    assert 'data-testid="settle-declined-exit"' in html and '/guarantee-card' not in html
    printed = desk.get('/orders/%d/settlement/print' % draft.id)
    assert printed.status_code == 200 and '169.50' in printed.get_data(as_text=True)
    exit_notice = desk.get('/orders/%d/exit-notice' % draft.id)
    assert exit_notice.status_code == 302 and exit_notice.headers['Location'].endswith('/declined-exit-notice')
    order = desk.get('/orders/%d' % draft.id).get_data(as_text=True)
    assert 'data-testid="order-declined"' in order and 'id="settlement-box"' in order and s.number in order
    assert '169.50' in order
