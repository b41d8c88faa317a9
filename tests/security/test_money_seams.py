"""An advisor trying to get around the manager or the record, through the pages as anyone could: a credit note for
most of a paid bill, every item paid by the shop, a write-off, a closed order's promise moved to make it on time."""
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core import stages
from app.core.db import transaction
from app.core.timeutil import to_local
from app.kpi import engine as figures
from app.reception.models import RepairOrder
from app.settlement.models import CreditNote, Settlement
from app.settlement.totals import order_money
from tests.helpers import signed_in as login
from tests.settlement.helpers import build_order


def _post(client, order, action, **data):
    s = Settlement.get_or_none(Settlement.order == order)
    data.setdefault('version', s.version if s else 0)
    data.setdefault('idem', uuid.uuid4().hex)
    return client.post('/orders/%d/settlement/%s' % (order.id, action), data=data)


@pytest.fixture
def advisor(make_user):
    return make_user('amy', ['advisor'])


@pytest.fixture
def desk(app, advisor):
    return login(app, 'amy')


@pytest.fixture
def paid(shop, advisor, desk):
    """A bill settled and paid in full by the advisor."""
    order = build_order(shop, advisor)[0]
    assert _post(desk, order, 'settle').status_code == 302
    total = order_money(order).totals['customer_total']
    assert _post(desk, order, 'payments', method='cash', amount=str(total)).status_code == 302
    return order


def test_a_credit_note_for_most_of_a_paid_bill_is_the_managers(desk, paid):
    """98 % back to the customer by credit note was a discount far over the limit that no manager approved."""
    total = order_money(paid).totals['customer_total']
    net = (total * Decimal('0.98') / Decimal('1.13')).quantize(Decimal('0.01'))
    resp = _post(desk, paid, 'credit-notes', reason='客户不满意', amount=str(net))
    assert resp.status_code == 400 and 'issued by the service manager' in resp.get_data(as_text=True)
    assert not CreditNote.select().exists() and order_money(paid).balance == 0


def test_the_shop_paying_the_whole_bill_needs_the_manager(desk, shop, advisor):
    """Every item set to "internal" made the customer's bill ¥0.00, settled by the advisor alone."""
    order = build_order(shop, advisor)[0]
    form = {'payer_' + it.key: 'internal' for it in order_money(order).items}
    assert _post(desk, order, 'payers', **form).status_code == 302
    assert order_money(order).totals['customer_total'] == 0
    resp = _post(desk, order, 'settle')
    assert resp.status_code == 400 and 'needs the service manager' in resp.get_data(as_text=True)
    assert not RepairOrder.get_by_id(order.id).is_settled


def test_a_balance_is_written_off_by_the_manager_only(desk, shop, advisor):
    """An advisor could make what a customer owes disappear from the receivables."""
    order = build_order(shop, advisor)[0]
    assert _post(desk, order, 'settle').status_code == 302
    assert _post(desk, order, 'write-off', reason='算了').status_code == 403
    assert Settlement.get(Settlement.order == order).written_off == 0


def test_a_closed_late_order_cannot_be_amended_into_an_on_time_one(desk, shop, advisor):
    """Moving a closed order's promise after the fact turned it on time in the advisor's own KPIs."""
    order = build_order(shop, advisor)[0]
    promised = order.promised_at
    with transaction():
        RepairOrder.update(stage=stages.CLOSED, delivered_at=promised + timedelta(hours=3)).where(
            RepairOrder.id == order.id).execute()
    order = RepairOrder.get_by_id(order.id)
    later = to_local(promised + timedelta(hours=5), shop.timezone).strftime('%Y-%m-%dT%H:%M')
    resp = desk.post('/orders/%d/amend' % order.id, data={'promised_at': later, 'reason': '改时间',
                                                          'told_channel': 'phone', 'version': order.version})
    assert resp.status_code == 400
    assert RepairOrder.get_by_id(order.id).promised_at == promised
    day = to_local(order.delivered_at, shop.timezone).date()
    fig = figures.compute([shop.id], day, day + timedelta(days=1), ['timeliness'])['timeliness']
    assert (fig.numerator, fig.denominator) == (0, 1)
