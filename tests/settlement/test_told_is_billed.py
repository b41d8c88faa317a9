"""What the customer is told is what they pay: every page that shows a customer an amount for one order shows the
amount the settlement charges for the same work, and a bill that grows past what they agreed needs their consent."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.approvals import rules as approvals
from app.core import stages
from app.core.db import transaction, utcnow
from app.core.money import format_money
from app.reception import checkin
from app.reception.models import OrderLine, PartLine, RepairOrder
from app.reception.pricing import order_totals
from app.settlement import rules
from app.settlement.models import Settlement
from app.settlement.totals import added_work_price, order_money
from app.reception.links import ensure_link
from app.workshop import rules as workshop
from app.workshop.models import AddedWork, AddedWorkPart
from tests import factories
from tests.helpers import signed_in as login


@pytest.fixture
def tech(make_user):
    return make_user('tom', ['technician'])


def _signed_order(shop, advisor):
    """A check-in through the rules: awkward prices (1.3 h at ¥308.63, parts at ¥33.33) so rounding would show."""
    job = factories.make_canned_job(shop, code='BRK', name='Brake service', hours=Decimal('1.3'),
                                    parts=[('04465-1', 'Brake pads', Decimal('1'), Decimal('683.17')),
                                           ('08823-1', 'Brake fluid', Decimal('2'), Decimal('33.33'))])
    job.labour_rate = Decimal('308.63')
    job.save()
    car = factories.make_vehicle(shop, factories.make_customer(shop, name='王芳', language='en'))
    tags, hooks = factories.make_key_tags(shop, 1)
    draft = checkin.start_checkin(shop, advisor, customer=car.owner, vehicle=car, complaint='刹车异响',
                                  jobs=[(job, '', None)])
    with transaction():
        RepairOrder.update(valuables_reminded=True, key_tag=tags[0].id, key_hook=hooks[0].id).where(
            RepairOrder.id == draft.id).execute()
    draft = RepairOrder.get_by_id(draft.id)
    checkin.save_promise(draft, advisor, promised_at=utcnow() + timedelta(hours=5))
    draft = RepairOrder.get_by_id(draft.id)
    return checkin.sign(draft, advisor, signature_png=factories.tiny_png(), signer='王芳')


def _page(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, url
    return resp.get_data(as_text=True)


def test_every_amount_told_is_the_amount_billed(app, shop, advisor, tech):
    """The customer agreed to ¥1,040 for added work and was billed ¥1,175.20: every page must say what is billed."""
    order = _signed_order(shop, advisor)
    estimate = order_totals(order)['total']
    assert RepairOrder.get_by_id(order.id).agreed_total == estimate
    desk, customer = login(app, 'amy'), app.test_client()
    token = ensure_link(order)
    assert format_money(estimate) in _page(desk, '/orders/%d/print' % order.id)         # the signed estimate
    assert format_money(estimate) in _page(customer, '/s/%s' % token)                    # the status page
    assert format_money(estimate) in _page(desk, '/orders/%d/settlement' % order.id)     # the draft bill

    # the technician finds more work; the customer is told its price with tax, on the phone and on the link
    with transaction():       # dispatched to the technician and being worked on
        RepairOrder.update(stage=stages.IN_PROGRESS).where(RepairOrder.id == order.id).execute()
        OrderLine.update(technician=tech.id, status=stages.LINE_ASSIGNED).where(OrderLine.order == order.id).execute()
    work = workshop.request_added_work(RepairOrder.get_by_id(order.id), tech, description='Brake discs',
                                       hours=Decimal('1.1'), parts=[('43512-1', 'Brake disc', 2, '410.45')])
    parts = list(AddedWorkPart.select().where(AddedWorkPart.added_work == work))
    price = added_work_price(work, parts, Decimal('0.13'))
    assert price > work.labour_price + work.parts_price                                  # tax included
    assert format_money(price) in _page(desk, '/approvals')
    assert format_money(price) in _page(desk, '/approvals/%d' % work.id)
    assert format_money(price) in _page(customer, '/s/%s' % token)
    approvals.decide(AddedWork.get_by_id(work.id), advisor, decision='approved', channel='phone', spoke_with='王芳',
                     expected_version=AddedWork.get_by_id(work.id).version)
    order = RepairOrder.get_by_id(order.id)
    assert order.agreed_total == estimate + price == AddedWork.get_by_id(work.id).price_told + estimate

    # the bill is the estimate plus the added work, to the cent, on every page
    bill = order_money(order).totals['customer_total']
    assert bill == estimate + price == order_totals(order)['total']
    assert format_money(bill) in _page(customer, '/s/%s' % token)
    assert format_money(bill) in _page(desk, '/orders/%d/print' % order.id)
    with transaction():       # through QC and the wash (not what this test is about)
        RepairOrder.update(stage=stages.READY_FOR_PICKUP).where(RepairOrder.id == order.id).execute()
    order = RepairOrder.get_by_id(order.id)
    assert rules.consent_needed(order_money(order)) == 0                               # nothing above what was agreed
    s = rules.settle(order, advisor, version=0)
    assert s.customer_total == bill
    rules.record_payment(order, advisor, method='cash', amount=bill, version=s.version)
    for url in ('/orders/%d/settlement' % order.id, '/orders/%d/settlement/print' % order.id,
                '/orders/%d/exit-notice' % order.id):
        assert format_money(bill) in _page(desk, url), url


def test_a_bill_above_what_was_agreed_needs_the_customers_consent(app, shop, advisor, tech):
    """A part's price went up after signing: settling must show the difference and wait for the customer's yes."""
    order = _signed_order(shop, advisor)
    agreed = RepairOrder.get_by_id(order.id).agreed_total
    pads = PartLine.get((PartLine.order == order) & (PartLine.name == 'Brake pads'))
    pads.unit_price = Decimal('783.17')              # the supplier's new price, ¥100 more before tax
    pads.save()
    with transaction():
        RepairOrder.update(stage=stages.READY_FOR_PICKUP).where(RepairOrder.id == order.id).execute()
    order = RepairOrder.get_by_id(order.id)
    statement = order_money(order)
    assert rules.consent_needed(statement) == Decimal('113.00') == statement.totals['customer_total'] - agreed
    with pytest.raises(rules.SettlementError, match='more than the customer agreed'):
        rules.settle(order, advisor, version=0)
    desk = login(app, 'amy')
    page = _page(desk, '/orders/%d/settlement' % order.id)
    assert 'data-testid="settle-consent"' in page and format_money(Decimal('113.00')) in page
    resp = desk.post('/orders/%d/settlement/consent' % order.id, data={'channel': 'phone', 'spoke_with': '',
                                                                       'version': 0, 'idem': 'c0'})
    assert resp.status_code == 400 and 'Enter who agreed' in resp.get_data(as_text=True)
    resp = desk.post('/orders/%d/settlement/consent' % order.id, data={'channel': 'phone', 'spoke_with': '王芳',
                                                                       'version': 0, 'idem': 'c1'})
    assert resp.status_code == 302
    s = Settlement.get(Settlement.order == order)
    assert (s.consent_total, s.consent_with, s.consent_by) == (statement.totals['customer_total'], '王芳', advisor.id)
    assert rules.settle(order, advisor, version=s.version).customer_total == statement.totals['customer_total']


def test_the_shops_own_share_over_the_limit_needs_the_manager(app, shop, advisor, manager):
    """Setting every item to 'internal' made the bill free without anyone approving it."""
    from tests.settlement.helpers import build_order
    order, line1, line2 = build_order(shop, advisor)
    payers = {it.key: 'internal' for it in order_money(order).items if it.kind == 'labour'}
    rules.set_payers(order, advisor, payers=payers, version=0)
    s = Settlement.get(Settlement.order == order)
    statement = order_money(order)
    assert statement.totals['customer_total'] == 0 and rules.internal_waiting(statement) > 0
    with pytest.raises(rules.SettlementError, match='internal'):
        rules.settle(order, advisor, version=s.version)
    desk, boss = login(app, 'amy'), login(app, 'max')
    assert desk.post('/orders/%d/settlement/internal/approve' % order.id,
                     data={'version': s.version, 'idem': 'i0'}).status_code == 403
    assert boss.post('/orders/%d/settlement/internal/approve' % order.id,
                     data={'version': s.version, 'idem': 'i1'}).status_code == 302
    s = Settlement.get(Settlement.order == order)
    assert s.internal_approved == statement.totals['payers']['internal']['subtotal'] and s.internal_approved_by
    assert rules.settle(order, advisor, version=s.version).internal_total > 0


def test_a_write_off_is_the_managers_and_leaves_the_receivables(app, shop, advisor, manager):
    """An advisor could clear what a customer owes; or a written-off bill stayed on the receivables."""
    from app.settlement import queries
    from tests.settlement.helpers import build_order
    order = build_order(shop, advisor)[0]
    s = rules.settle(order, advisor, version=0)
    assert len(queries.customer_receivables(shop)) == 1
    desk, boss = login(app, 'amy'), login(app, 'max')
    assert desk.post('/orders/%d/settlement/write-off' % order.id,
                     data={'reason': 'x', 'version': s.version, 'idem': 'w0'}).status_code == 403
    resp = boss.post('/orders/%d/settlement/write-off' % order.id, data={'reason': '', 'version': s.version,
                                                                         'idem': 'w1'})
    assert resp.status_code == 400 and 'Say why' in resp.get_data(as_text=True)
    assert boss.post('/orders/%d/settlement/write-off' % order.id,
                     data={'reason': '公司倒闭', 'version': s.version, 'idem': 'w2'}).status_code == 302
    s = Settlement.get_by_id(s.id)
    assert s.written_off == s.customer_total and s.written_off_by == manager.id
    assert queries.customer_receivables(shop) == [] and order_money(order).balance == 0
