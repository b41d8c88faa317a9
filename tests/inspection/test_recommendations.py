"""Amber and red items as recommendations: the price told is the price billed; declined work stays on the vehicle
and is offered again at the next check-in and in the maintenance reminder; the customer reads it all on the status
link, which changes nothing; the printed diagnosis report lists it."""
from datetime import timedelta

from app.aftercare import reminders
from app.core.models import Photo
from app.core.timeutil import shop_today
from app.inspection import rules
from app.inspection.models import HealthItem
from app.messages.models import Message
from app.reception.links import issue_link
from app.reception.models import OrderLine, Recommendation, RepairOrder
from app.settlement.totals import order_money
from app.workshop.models import AddedWork
from tests import factories
from tests.helpers import HX, reload, sign_in
from tests.inspection.helpers import answer, mark


def _recommended(client, order, key='brake_pads_front', **data):
    data.setdefault('measurement', '2')
    mark(client, order, key, 'red', **data)
    return HealthItem.get(HealthItem.key == key)


def test_the_price_told_is_the_price_billed_when_accepted(as_tech, order, staff):
    """The customer agrees to a price on the check; the bill must grow by exactly that."""
    item = _recommended(as_tech, order)
    row = next(r for r in rules.report(order).rows if r.item.key == 'brake_pads_front')
    # labour 1.2 h × the shop's rate plus the catalogue's pads, with tax, by the bill's own arithmetic
    assert row.price is not None and row.price > 680
    before = order_money(reload(order)).totals['customer_total']
    answer(AddedWork.get_by_id(item.added_work_id), staff['advisor'], 'approved')
    after = order_money(reload(order)).totals['customer_total']
    assert after - before == row.price
    line = OrderLine.get(OrderLine.added_work_id == item.added_work_id)
    assert line.canned_job_id is not None
    report = as_tech.get('/orders/%d/diagnosis-report' % order.id).get_data(as_text=True)
    assert '¥{:,.2f}'.format(row.price) in report and 'Approved' in report


def test_declined_work_stays_on_the_vehicle_and_is_offered_at_the_next_checkin(app, as_tech, order, staff, shop):
    """Work the customer put off must come up again when the car is next checked in, and be added in one tap."""
    item = _recommended(as_tech, order)
    price = next(r.price for r in rules.report(order).rows if r.item.key == 'brake_pads_front')
    answer(AddedWork.get_by_id(item.added_work_id), staff['advisor'], 'declined')
    rec = Recommendation.get(Recommendation.vehicle == order.vehicle_id)
    assert rec.price == price and rec.safety and rec.canned_job_id is not None and rec.done_order_id is None
    ids = factories.make_checkin(shop, staff['advisor'], vehicle=order.vehicle)
    advisor = sign_in(app.test_client(), staff['advisor'])
    page = advisor.get('/checkin/%d/estimate' % ids['draft_id']).get_data(as_text=True)
    assert 'data-testid="checkin-declined"' in page and '更换前刹车片' in page and '¥{:,.2f}'.format(price) in page
    resp = advisor.post('/checkin/%d/lines' % ids['draft_id'], headers=HX,
                        data={'canned_job': rec.canned_job_id, 'recommendation': rec.id, 'idem': 'r1'})
    assert resp.status_code == 200
    assert reload(rec).done_order_id == ids['draft_id']
    assert OrderLine.select().where((OrderLine.order == ids['draft_id'])
                                    & (OrderLine.canned_job == rec.canned_job_id)).exists()
    assert 'data-testid="checkin-declined"' not in resp.get_data(as_text=True)
    again = advisor.post('/checkin/%d/lines' % ids['draft_id'], headers=HX,
                         data={'canned_job': rec.canned_job_id, 'recommendation': rec.id, 'idem': 'r2'})
    assert again.status_code == 400          # taken up once only


def test_another_shops_recommendation_cannot_be_taken_up(app, as_tech, order, staff, shop):
    """A made-up recommendation id must not mark another shop's record done."""
    other = factories.make_shop('S2', name='二号店')
    car = factories.make_vehicle(other, factories.make_customer(other))
    foreign = Recommendation.create(shop=other, vehicle=car, description='x', canned_job_id=None)
    ids = factories.make_checkin(shop, staff['advisor'], vehicle=order.vehicle)
    advisor = sign_in(app.test_client(), staff['advisor'])
    resp = advisor.post('/checkin/%d/lines' % ids['draft_id'], headers=HX,
                        data={'description': 'x', 'hours': '1', 'recommendation': foreign.id, 'idem': 'r3'})
    assert resp.status_code == 404 and reload(foreign).done_order_id is None


def test_declined_work_is_in_the_maintenance_reminder(as_tech, order, staff, shop, app):
    """The reminder must remind the customer of the work they put off, with its price."""
    item = _recommended(as_tech, order)
    answer(AddedWork.get_by_id(item.added_work_id), staff['advisor'], 'declined')
    today = shop_today(shop)
    car = order.vehicle
    car.next_service_date = today + timedelta(days=2)
    car.save()
    due = [d for d in reminders.maintenance_due(shop, today) if d.vehicle.id == car.id]
    assert due and [r.description for r in due[0].declined] == [Recommendation.get().description]
    caller = sign_in(app.test_client(), staff['manager'])
    assert 'data-testid="reminder-declined"' in caller.get('/aftercare/reminders').get_data(as_text=True)
    reminders.remind_maintenance(car, staff['manager'], via='message', today=today)
    message = Message.get(Message.kind == 'maintenance_reminder')
    assert '更换前刹车片' in message.body and '¥' in message.body


def test_the_customer_reads_the_check_on_the_status_link(app, as_tech, order, staff):
    """The customer must see the items, colours, photos and each recommendation's price, and change nothing."""
    item = _recommended(as_tech, order, photo=(__import__('io').BytesIO(factories.tiny_jpeg()), 'pads.jpg'))
    mark(as_tech, order, 'tyre_rr', 'green', measurement='6.5')
    price = next(r.price for r in rules.report(order).rows if r.item.key == 'brake_pads_front')
    token = issue_link(reload(order), staff['advisor'])
    visitor = app.test_client()
    for lang, words in (('en', 'Vehicle health check'), ('zh', '车辆健康检查')):
        body = visitor.get('/s/%s?lang=%s' % (token, lang)).get_data(as_text=True)
        assert 'data-testid="status-health"' in body and words in body
        assert 'data-colour="red"' in body and 'data-colour="green"' in body and '6.5 mm' in body
        assert '¥{:,.2f}'.format(price) in body
    photo = Photo.get((Photo.record_type == 'health_item') & (Photo.record_id == item.id))
    assert '/s/%s/p/%d' % (token, photo.id) in body
    assert visitor.get('/s/%s/p/%d' % (token, photo.id)).status_code == 200
    section = body.split('data-testid="status-health"')[1].split('</section>')[0]
    assert '<form' not in section and 'method="post"' not in section
    assert visitor.post('/s/%s' % token).status_code == 405
    # another order's link does not show this check's photo
    other = factories.make_order(order.shop, staff['advisor'])
    other_token = issue_link(other, staff['advisor'])
    assert visitor.get('/s/%s/p/%d' % (other_token, photo.id)).status_code == 404
    assert 'data-testid="status-health"' not in visitor.get('/s/%s' % other_token).get_data(as_text=True)


def test_recording_an_item_changes_what_the_status_page_is_computed_from(as_tech, order):
    """The customer's page must not keep showing the check as it was: each item bumps the order's version."""
    seen = reload(order).version
    mark(as_tech, order, 'tyre_fl', 'amber', measurement='2.4')
    assert reload(order).version > seen
    seen = reload(order).version
    mark(as_tech, order, 'tyre_rr', 'green', measurement='7')
    assert reload(order).version == seen + 1


def test_the_printed_report_lists_every_item(as_tech, order, staff, app):
    """The diagnosis report handed to the customer must show each item, its reading and the advice."""
    _recommended(as_tech, order)
    as_tech.post('/jobs/%d/health-check/finish' % order.id,
                 data={'version': RepairOrder.get_by_id(order.id).version, 'idem': 'f'}, headers=HX)
    advisor = sign_in(app.test_client(), staff['advisor'])
    page = advisor.get('/orders/%d/diagnosis-report' % order.id).get_data(as_text=True)
    assert 'data-testid="report-items"' in page and 'data-testid="report-advice"' in page
    assert '2 mm' in page and page.count('sev-badge sev-green') == 8 and page.count('sev-badge sev-red') == 1
    assert 'Check not finished yet' not in page
    blank = factories.make_order(order.shop, staff['advisor'])
    RepairOrder.update(stage='in_progress').where(RepairOrder.id == blank.id).execute()
    assert 'data-testid="no-check"' in advisor.get('/orders/%d/diagnosis-report' % blank.id).get_data(as_text=True)
