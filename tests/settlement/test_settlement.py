"""Settlement: itemised totals by payer, discounts and the manager's approval, tax, payments, receivables,
credit notes instead of edits, the guarantee table, print views, versions, repeats and roles."""
import json
import re
from decimal import Decimal

import pytest

from app.core import stages
from app.core.models import Event
from app.reception.models import OrderFrozen, OrderLine, PartLine, RepairOrder
from app.reception.pricing import order_totals
from app.settlement import rules
from app.settlement.models import (CreditNote, Discount, GuaranteeTerm, Payment, Settlement, SettlementLine)
from app.settlement.totals import order_money
from tests import factories
from tests.helpers import signed_in as login
from tests.settlement.helpers import act, build_order, settle, version_of


def test_totals_to_the_cent_with_added_work(order, shop):
    """The bill must add labour, parts and approved added work exactly, never charge a part the customer brought,
    and agree with the order's own totals."""
    from app.workshop.models import AddedWork, AddedWorkPart
    aw_line = OrderLine.create(shop=shop, order=order, description='Added: brake fluid', labour_hours=Decimal('0.4'),
                               labour_rate=Decimal('308.63'), labour_price=Decimal('123.45'), added_work_id=999,
                               position=2)
    PartLine.create(shop=shop, order=order, line=aw_line, name='Brake fluid', quantity=Decimal('2'),
                    unit_price=Decimal('33.33'))
    t = order_money(order).totals
    assert t['labour'] == Decimal('843.45')
    assert t['parts'] == Decimal('1234.66')          # 68 + 420 + 680 + 66.66; the customer's wipers cost 0
    # tax per item, as the VAT invoice lists it: 46.80 + 46.80 + 16.05 + 8.84 + 54.60 + 88.40 + 8.67 (on the whole
    # 2078.11 it would be 270.15): so each item's price with tax adds up to the bill exactly
    assert t['tax'] == Decimal('270.16')
    assert t['total'] == t['customer_total'] == Decimal('2348.27')
    assert t['total'] == order_totals(order)['total']
    assert t['hours'] == Decimal('2.80')
    # Added work approved but not copied onto the order is billed from its own record; a declined one is not.
    user = order.advisor
    approved = AddedWork.create(shop=shop, order=order, requested_by=user, description='Cabin filter',
                                hours=Decimal('0.3'), labour_price=Decimal('90.00'), status=AddedWork.APPROVED)
    AddedWorkPart.create(shop=shop, added_work=approved, name='Cabin filter', quantity=Decimal('1'),
                         unit_price=Decimal('135.50'))
    AddedWork.create(shop=shop, order=order, requested_by=user, description='New tyres', labour_price=Decimal('200'),
                     parts_price=Decimal('3000'), status=AddedWork.DECLINED)
    t = order_money(order).totals
    assert (t['labour'], t['parts']) == (Decimal('933.45'), Decimal('1370.16'))
    assert t['total'] == Decimal('2303.61') + Decimal('270.16') + Decimal('11.70') + Decimal('17.62')   # + 90, 135.50
    assert [it.added_work for it in order_money(order).items].count(True) == 4


def test_payer_split_discount_and_tax(desk, order):
    """Warranty work must be billed to the maker with its parts, a discount only off what the customer pays,
    and tax on each payer's own share; internal work carries no tax."""
    items = order_money(order).items
    job1, job2 = [it for it in items if it.kind == 'labour']
    form = {'payer_' + it.key: it.payer for it in items}
    form['payer_' + job1.key] = 'warranty'
    resp = act(desk, order, 'payers', **form)
    assert resp.status_code == 302
    st = order_money(order)
    followed = [it.payer for it in st.items if it.group == job1.key]
    assert followed == ['warranty'] * 3                                         # the job and its two parts
    t = st.totals
    assert t['payers']['warranty']['subtotal'] == Decimal('848.00')            # 360 + 68 + 420
    assert t['payers']['warranty']['tax'] == Decimal('110.24')
    assert t['payers']['customer']['subtotal'] == Decimal('1040.00')           # 360 + 680
    # A part set on its own keeps its payer when the job's payer changes later.
    brake_part = next(it for it in st.items if it.group == job2.key and it.kind == 'part' and it.amount)
    form = {'payer_' + it.key: it.payer for it in st.items}
    form['payer_' + brake_part.key] = 'internal'
    assert act(desk, order, 'payers', **form).status_code == 302
    t = order_money(order).totals
    assert t['payers']['internal']['total'] == Decimal('680.00')               # no tax on the shop's own cost
    assert act(desk, order, 'discounts', kind='share', value='10', reason='Loyal customer').status_code == 302
    t = order_money(order).totals
    assert t['payers']['customer']['subtotal'] == Decimal('360.00')
    assert t['discount'] == Decimal('36.00')
    assert t['payers']['customer']['tax'] == Decimal('42.12')                 # (360 - 36) x 13 %
    assert t['customer_total'] == Decimal('366.12')
    assert t['total'] == Decimal('366.12') + Decimal('958.24') + Decimal('680.00')


def test_discount_over_the_limit_waits_for_the_manager(desk, boss, order, manager):
    """A discount above 10 % must not be settled until the service manager approves it, with who and when kept."""
    resp = act(desk, order, 'discounts', kind='share', value='10', reason='')
    assert resp.status_code == 400 and 'Say why the discount is given' in resp.get_data(as_text=True)
    assert act(desk, order, 'discounts', kind='share', value='15', reason='Long wait for parts').status_code == 302
    body = desk.get('/orders/%d/settlement' % order.id).get_data(as_text=True)
    assert "Needs the service manager" in body
    resp = act(desk, order, 'settle')
    assert resp.status_code == 400 and 'approval' in resp.get_data(as_text=True)
    assert not RepairOrder.get_by_id(order.id).is_settled
    d = Discount.get()
    assert act(desk, order, 'discounts/approve', discount_id=d.id).status_code == 403    # advisors cannot
    assert act(boss, order, 'discounts/approve', discount_id=d.id).status_code == 302
    d = Discount.get()
    assert d.approved_by_id == manager.id and d.approved_at is not None
    s = settle(desk, order)
    assert s.discount == Decimal('283.20')                                     # 15 % of 1888.00
    assert Discount.get().amount == Decimal('283.20')                          # frozen with the settlement
    # A discount the manager gives is approved at once.
    other = build_order(order.shop, order.advisor)[0]
    assert act(boss, other, 'discounts', kind='amount', value='500', reason='Goodwill').status_code == 302
    assert Discount.get(Discount.reason == 'Goodwill').approved_by_id == manager.id
    assert rules.discounts_waiting(order_money(other)) == []


def test_settling_numbers_and_freezes_the_bill(desk, order):
    """Settling gives a gap-free number, writes every item and figure and the guarantee terms, and blocks edits."""
    s = settle(desk, order)
    assert s.number.startswith('ST-') and s.number.endswith('000001')
    assert (s.labour, s.parts, s.tax, s.total) == (Decimal('720.00'), Decimal('1168.00'), Decimal('245.44'),
                                                   Decimal('2133.44'))
    assert SettlementLine.select().where(SettlementLine.settlement == s).count() == 6
    assert json.loads(s.guarantee) == {'maintenance': {'days': 30, 'km': 5000}, 'minor': {'days': 10, 'km': 2000}}
    assert RepairOrder.get_by_id(order.id).is_settled
    with pytest.raises(OrderFrozen):
        RepairOrder.get_by_id(order.id).ensure_editable()
    # Later changes to the order do not change the settled bill.
    PartLine.update(unit_price=Decimal('1.00')).where(PartLine.order == order).execute()
    assert order_money(order).totals['total'] == Decimal('2133.44')
    resp = act(desk, order, 'discounts', kind='amount', value='10', reason='Try')
    assert resp.status_code == 400 and 'credit note' in resp.get_data(as_text=True)
    assert Event.select().where(Event.action == 'settlement.settled').count() == 1


def test_settle_refused_before_the_work_is_finished_or_when_the_bill_changed(desk, shop, advisor):
    """An order still in the workshop must not be settled, nor a bill that changed since the advisor looked."""
    busy = build_order(shop, advisor, stage=stages.IN_PROGRESS)[0]
    resp = act(desk, busy, 'settle')
    assert resp.status_code == 400 and 'not finished' in resp.get_data(as_text=True)
    ready = build_order(shop, advisor)[0]
    resp = act(desk, ready, 'settle', expected_total='2000.00')
    assert resp.status_code == 409
    assert not RepairOrder.get_by_id(ready.id).is_settled


def test_partial_payments_and_receivables(desk, app, order, make_user):
    """A part payment must leave the rest in receivables with its age; paying the rest clears it; overpaying is refused."""
    settle(desk, order)
    assert act(desk, order, 'payments', method='mobile', amount='1000.00', reference='WX123').status_code == 302
    assert order_money(order).balance == Decimal('1133.44')
    body = desk.get('/receivables').get_data(as_text=True)
    assert '¥1,133.44' in body and order.customer.name in body
    resp = act(desk, order, 'payments', method='cash', amount='2000.00')
    assert resp.status_code == 400 and 'more than the ¥1,133.44 still owed' in resp.get_data(as_text=True)
    assert act(desk, order, 'payments', method='card', amount='1133.44').status_code == 302
    st = order_money(order)
    assert st.balance == 0 and st.fully_paid and len(st.payments) == 2
    assert order.customer.name not in desk.get('/receivables').get_data(as_text=True)
    make_user('wendy', ['warranty'])
    assert login(app, 'wendy').get('/receivables').status_code == 200


def test_warranty_share_is_receivable_from_the_maker(desk, order):
    """What the maker owes for warranty work must show in receivables, apart from the customer's balance."""
    job = next(it for it in order_money(order).items if it.kind == 'labour')
    act(desk, order, 'payers', **{'payer_' + job.key: 'warranty'})
    settle(desk, order)
    body = desk.get('/receivables').get_data(as_text=True)
    assert 'Warranty (maker)' in body and '¥958.24' in body and 'Oil filter' in body


def test_credit_note_instead_of_editing(desk, boss, order):
    """A settled bill is corrected only by a numbered credit note that refers to it; the bill itself stays. Over the
    discount limit only the service manager issues one (an advisor's 36 % credit note was a discount nobody approved)."""
    s = settle(desk, order)
    act(desk, order, 'payments', method='cash', amount='2133.44')
    brake = SettlementLine.get((SettlementLine.settlement == s) & (SettlementLine.description == 'Front brake pads')
                               & (SettlementLine.kind == 'part'))
    resp = act(desk, order, 'credit-notes', reason='Wrong pads charged', line=str(brake.id))
    assert resp.status_code == 400 and 'issued by the service manager' in resp.get_data(as_text=True)
    assert not CreditNote.select().exists()
    desk = boss                       # the manager issues it (and the rest below): recorded under his name
    resp = act(desk, order, 'credit-notes', reason='Wrong pads charged', line=str(brake.id))
    assert resp.status_code == 302
    note = CreditNote.get()
    assert note.created_by.username == 'max'
    assert note.number.startswith('CN-') and note.settlement_id == s.id
    assert (note.net, note.tax, note.total) == (Decimal('680.00'), Decimal('88.40'), Decimal('768.40'))
    fresh = Settlement.get_by_id(s.id)
    assert (fresh.total, fresh.customer_total, fresh.status) == (s.total, s.customer_total, Settlement.SETTLED)
    assert order_money(order).balance == Decimal('-768.40')                   # a refund is due
    resp = act(desk, order, 'credit-notes', reason='Again', line=str(brake.id))
    assert resp.status_code == 400 and 'already on a credit note' in resp.get_data(as_text=True)
    resp = act(desk, order, 'credit-notes', reason='', amount='10')
    assert resp.status_code == 400
    rest = Decimal('2133.44') - Decimal('768.40')
    net = (rest / Decimal('1.13')).quantize(Decimal('0.01'))
    assert act(desk, order, 'credit-notes', reason='Whole job redone elsewhere', amount=str(net)).status_code == 302
    assert Settlement.get_by_id(s.id).status == Settlement.CREDITED
    assert 'Refund due' in desk.get('/orders/%d/settlement' % order.id).get_data(as_text=True)


def test_guarantee_terms_from_the_table_on_the_print(desk, boss, order, shop):
    """The guarantee printed must be the shop's table (set by the manager) as it stood when the bill was settled."""
    assert desk.get('/settings/guarantee').status_code == 403
    body = boss.get('/settings/guarantee').get_data(as_text=True)
    assert 'value="30"' in body and 'value="100"' in body                     # the settings' defaults
    drawn = re.search(r'name="version" value="(\w+)"', body).group(1)
    form = {'days_major': '100', 'km_major': '20000', 'days_maintenance': '45', 'km_maintenance': '7500',
            'days_minor': '10', 'km_minor': '2000', 'version': drawn}
    assert boss.post('/settings/guarantee', data=dict(form, days_minor='x')).status_code == 400
    assert boss.post('/settings/guarantee', data=form).status_code == 302
    assert GuaranteeTerm.get((GuaranteeTerm.shop == shop) & (GuaranteeTerm.category == 'maintenance')).days == 45
    assert boss.post('/settings/guarantee', data=dict(form, days_major='90')).status_code == 409   # drawn before
    settle(desk, order)
    boss.post('/settings/guarantee', data=dict(form, days_maintenance='60', version=rules.terms_version(shop)))
    assert GuaranteeTerm.get((GuaranteeTerm.shop == shop) & (GuaranteeTerm.category == 'maintenance')).days == 60
    order.customer.language = 'en'
    order.customer.save()
    body = desk.get('/orders/%d/settlement/print' % order.id).get_data(as_text=True)
    assert '45 days or 7,500 km' in body and '10 days or 2,000 km' in body and '60 days' not in body
    assert '49,500 km' in body                                                  # 42,000 + 7,500
    card = desk.get('/orders/%d/guarantee-card' % order.id).get_data(as_text=True)
    assert '45 days or 7,500 km' in card and 'Quality guarantee card' in card


def test_print_views_in_the_customers_language(desk, shop, advisor):
    """The customer must get the settlement, exit notice and guarantee card in their own language."""
    zh = build_order(shop, advisor, language='zh')[0]
    resp = desk.get('/orders/%d/exit-notice' % zh.id)
    assert resp.status_code == 302                                              # nothing to let out before settling
    pro_forma = desk.get('/orders/%d/settlement/print' % zh.id).get_data(as_text=True)
    assert 'Pro-forma' in pro_forma or '结算' in pro_forma
    settle(desk, zh)
    for url in ('/orders/%d/settlement/print', '/orders/%d/exit-notice', '/orders/%d/guarantee-card'):
        body = desk.get(url % zh.id).get_data(as_text=True)
        assert 'lang="zh-Hans"' in body and '客户' in body, url
    assert '合计' in desk.get('/orders/%d/settlement/print' % zh.id).get_data(as_text=True)
    en = build_order(shop, advisor, language='en')[0]
    settle(desk, en)
    body = desk.get('/orders/%d/settlement/print' % en.id).get_data(as_text=True)
    assert 'lang="en"' in body and 'Customer' in body and '¥2,133.44' in body
    # The staff page stays in the advisor's language.
    assert 'lang="en"' in desk.get('/orders/%d/settlement' % zh.id).get_data(as_text=True)


def test_print_lists_declined_safety_work(desk, order, shop):
    """Safety work the customer declined must be on the settlement they take home."""
    from app.reception.models import Recommendation
    order.safety_declined = True
    order.save()
    Recommendation.create(shop=shop, vehicle=order.vehicle, order_id=order.id, description='Rear brake discs worn',
                          safety=True, price=Decimal('1200'))
    order.customer.language = 'en'
    order.customer.save()
    body = desk.get('/orders/%d/settlement/print' % order.id).get_data(as_text=True)
    assert 'Rear brake discs worn' in body and 'declined safety-related work' in body


def test_stale_version_is_refused(desk, order):
    """Two advisors on the same bill: the second, drawn before the first change, must get 409 and change nothing."""
    job = next(it for it in order_money(order).items if it.kind == 'labour')
    assert act(desk, order, 'payers', version=0, **{'payer_' + job.key: 'warranty'}).status_code == 302
    resp = act(desk, order, 'payers', version=0, **{'payer_' + job.key: 'insurance'})
    assert resp.status_code == 409
    assert order_money(order).items[0].payer == 'warranty'
    assert act(desk, order, 'payments', version='', method='cash', amount='1').status_code == 409


def test_repeated_submit_is_done_once(desk, order):
    """A double tap on flaky Wi-Fi must record one payment, not two."""
    settle(desk, order)
    v = version_of(order)
    first = act(desk, order, 'payments', version=v, idem='same-key', method='cash', amount='100')
    again = act(desk, order, 'payments', version=v, idem='same-key', method='cash', amount='100')
    assert first.status_code == again.status_code == 302
    assert Payment.select().count() == 1
    htmx = desk.post('/orders/%d/settlement/payments' % order.id, headers={'HX-Request': 'true'},
                     data={'version': v, 'idem': 'same-key', 'method': 'cash', 'amount': '100'})
    assert htmx.status_code == 200 and 'id="settlement-panel"' in htmx.get_data(as_text=True)
    assert Payment.select().count() == 1


def test_htmx_actions_return_the_panel(desk, order):
    """A tap on the tablet must swap only the settlement piece, with the new totals."""
    job = next(it for it in order_money(order).items if it.kind == 'labour')
    resp = desk.post('/orders/%d/settlement/payers' % order.id, headers={'HX-Request': 'true'},
                     data={'version': 0, 'idem': 'k1', 'payer_' + job.key: 'internal'})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and '<html' not in body and 'id="settlement-panel"' in body
    assert 'HX-Request' in resp.headers.get('Vary', '')
    assert 'name="version" value="1"' in body


def test_roles(app, order, make_user):
    """Only advisors and the manager act on a settlement; warranty and customer service may read it; a technician not."""
    make_user('tina', ['technician'])
    make_user('cara', ['customer_service'])
    tech, care = login(app, 'tina'), login(app, 'cara')
    assert tech.get('/orders/%d/settlement' % order.id).status_code == 403
    assert care.get('/orders/%d/settlement' % order.id).status_code == 200
    assert act(care, order, 'settle').status_code == 403
    assert tech.post('/orders/%d/delivery' % order.id, data={'version': order.version}).status_code == 403
    assert not RepairOrder.get_by_id(order.id).is_settled


def test_order_page_shows_the_settlement_box(desk, order):
    """The order page must lead to the settlement and, once settled and ready, to the delivery checklist."""
    body = desk.get('/orders/%d' % order.id).get_data(as_text=True)
    assert 'id="settlement-box"' in body and 'Not prepared yet' in body
    settle(desk, order)
    body = desk.get('/orders/%d' % order.id).get_data(as_text=True)
    assert 'ST-' in body and '/orders/%d/delivery' % order.id in body
    listing = desk.get('/settlement').get_data(as_text=True)
    assert order.number in listing


def test_index_flags_maintenance_orders_past_their_settlement_days(desk, order):
    """A finished maintenance order waiting longer than the setting must stand out on the advisor's list."""
    from datetime import timedelta
    from app.core.db import utcnow
    from app.settlement import queries
    rows = queries.to_settle(order.shop)
    assert rows and rows[0].maintenance and not rows[0].overdue
    rows = queries.to_settle(order.shop, now=utcnow() + timedelta(days=40))
    assert rows[0].overdue
    assert 'Settlement overdue' not in desk.get('/settlement').get_data(as_text=True)


def test_demo_settles_the_closed_orders(runner):
    """The demo must show settled, paid and delivered orders, one on account, one approved discount, one warranty line,
    and two declined repairs' diagnosis fees (one paid, one owed)."""
    result = runner.invoke(args=['demo'])
    assert result.exit_code == 0, result.output
    from app.core.models import Shop
    from app.settlement import queries
    shop = Shop.get(Shop.code == 'XH01')
    settled = list(Settlement.select().where(Settlement.status == Settlement.SETTLED))
    fees = [s for s in settled if s.order.declined_at is not None]
    assert len(settled) >= 10 and all(s.order.stage == stages.CLOSED for s in settled if s not in fees)
    assert len(fees) == 2 and all(s.order.stage == stages.CANCELLED and s.order.delivered_at is None for s in fees)
    owed = queries.customer_receivables(shop)
    assert len(owed) == 2 and len([r for r in owed if r.order.declined_at is not None]) == 1
    assert len([r for r in queries.payer_receivables(shop) if r.payer == 'warranty']) == 1   # insurers' own: issue 16
    assert Discount.select().where(Discount.approved_by.is_null(False)).count() >= 1
    assert GuaranteeTerm.select().where(GuaranteeTerm.shop == shop).count() == 3
    ready = RepairOrder.for_shop(shop).where(RepairOrder.stage == stages.READY_FOR_PICKUP)
    assert not any(RepairOrder.get_by_id(o.id).is_settled for o in ready)
    for s in Settlement.select():
        assert order_money(s.order).totals['total'] == s.total
    count = Settlement.select().count()
    runner.invoke(args=['demo'])
    assert Settlement.select().count() == count


def test_factories_order_has_no_settlement(shop, advisor):
    """An order nobody settled must report no settlement and owe its whole bill."""
    ro = factories.make_order(shop, advisor)
    st = order_money(ro)
    assert st.settlement is None and not st.settled and st.balance == st.totals['customer_total']


def test_warranty_clerks_coverage_sets_who_pays(desk, shop, advisor):
    """A job the warranty clerk put on the maker (or on the shop as goodwill) must be billed that way by default,
    and the advisor may still change it."""
    from app.warranty.models import LineCoverage
    ro, maint, brakes = build_order(shop, advisor)
    LineCoverage.create(shop=shop, order=ro, line=maint, kind='warranty', system='engine', reason='Oil leak')
    LineCoverage.create(shop=shop, order=ro, line=brakes, kind='goodwill', system='brakes', reason='Comeback')
    items = order_money(ro).items
    assert [it.payer for it in items if it.group == 'line:%d' % maint.id] == ['warranty'] * 3
    assert [it.payer for it in items if it.group == 'line:%d' % brakes.id] == ['internal'] * 3
    form = {'payer_' + it.key: it.payer for it in items}
    form['payer_line:%d' % brakes.id] = 'customer'
    assert act(desk, ro, 'payers', **form).status_code == 302
    items = order_money(ro).items
    assert [it.payer for it in items if it.group == 'line:%d' % brakes.id] == ['customer'] * 3
    assert [it.payer for it in items if it.group == 'line:%d' % maint.id] == ['warranty'] * 3
    assert json.loads(Settlement.get(Settlement.order == ro).payers) == {'line:%d' % brakes.id: 'customer'}
