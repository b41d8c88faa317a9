"""Comebacks (返修): the window by days and km, the flag at check-in, the cause recorded, first-time fix rates per
technician, advisor and job type, and the three-guarantee tracker counting them."""
from datetime import date, datetime, timedelta

import pytest

from app.core import stages
from app.core.db import transaction, utcnow
from app.core.models import Event
from app.core.settings import set_setting
from app.kpi import engine
from app.reception import checkin
from app.reception.models import OrderLine
from app.warranty import comebacks, tracker
from app.warranty.models import Comeback
from tests import factories
from tests.helpers import at_local, reload, sign_in
from tests.warranty.helpers import car, order, staff

NOW = '2026-06-15 10:00'        # local Shanghai; every day below is counted from it


@pytest.fixture
def people(shop):
    return staff(shop)


def _earlier(shop, people, vehicle, days_ago, odometer=10000, tech=None, canned=None):
    """An order of the car delivered `days_ago` local days before NOW, with one brake job done by `tech`."""
    delivered = datetime(2026, 6, 15, 2, 0) - timedelta(days=days_ago)
    ro, (line,) = order(shop, people['advisor'], vehicle, delivered - timedelta(hours=3), delivered=delivered,
                        odometer=odometer, jobs=[('Front brake pads', '360', [])])
    OrderLine.update(technician=(tech or people['tech']).id, status=stages.LINE_DONE, system='brakes',
                     canned_job=canned).where(OrderLine.id == line.id).execute()
    return ro, reload(line)


def _back(shop, people, vehicle, odometer=11000, stage=stages.CHECKED_IN):
    ro, _lines = order(shop, people['advisor'], vehicle, utcnow(), odometer=odometer, stage=stage,
                       jobs=[('Brake noise again', '0', [])])
    return ro


def test_window_by_days(shop, people):
    """A car back on day 30 must be flagged, on day 31 not: else comebacks are missed or every visit is one."""
    with at_local(NOW):
        inside, outside = car(shop), car(shop)
        _earlier(shop, people, inside, 30)
        _earlier(shop, people, outside, 31)
        assert [c.days for c in comebacks.candidates(_back(shop, people, inside))] == [30]
        assert comebacks.candidates(_back(shop, people, outside)) == []


def test_window_by_km_whichever_first(shop, people):
    """3,000 km after the delivery is still a comeback, 3,001 km is not, even within the days."""
    with at_local(NOW):
        a, b, c = car(shop), car(shop), car(shop)
        for vehicle in (a, b, c):
            _earlier(shop, people, vehicle, 5, odometer=10000)
        assert [x.km for x in comebacks.candidates(_back(shop, people, a, odometer=13000))] == [3000]
        assert comebacks.candidates(_back(shop, people, b, odometer=13001)) == []
        # an odometer not read yet: the days alone decide
        assert [x.km for x in comebacks.candidates(_back(shop, people, c, odometer=0))] == [None]


def test_window_is_the_shops_setting(shop, people):
    """A shop that sets 10 days must not see a car back after 12 days flagged."""
    with at_local(NOW):
        vehicle = car(shop)
        _earlier(shop, people, vehicle, 12)
        ro = _back(shop, people, vehicle)
        assert comebacks.candidates(ro)
        with transaction():
            set_setting(shop, 'comeback_window_days', 10)
        assert comebacks.candidates(ro) == []


def test_flagged_at_checkin_with_earlier_order_and_technician(client, shop, people):
    """The advisor checking the car in sees the earlier order and who did the job, at every step."""
    with at_local(NOW):
        vehicle = car(shop)
        earlier, _line = _earlier(shop, people, vehicle, 8)
        draft = checkin.start_checkin(shop, people['advisor'], customer=vehicle.owner, vehicle=vehicle,
                                      complaint='刹车还响')
        sign_in(client, people['advisor'])
        page = client.get('/checkin/%d/walkaround' % draft.id).get_data(as_text=True)
        assert 'data-testid="comeback"' in page
        assert earlier.number in page and 'Liu Yang' in page
        # a car without an earlier visit shows nothing
        other = checkin.start_checkin(shop, people['advisor'], customer=vehicle.owner, vehicle=car(shop))
        assert 'data-testid="comeback"' not in client.get('/checkin/%d/walkaround' % other.id).get_data(as_text=True)


def test_comeback_recorded_with_cause(client, shop, people):
    """Recording keeps the earlier job, its technician and the cause; a missing cause is said in place."""
    with at_local(NOW):
        vehicle = car(shop)
        earlier, line = _earlier(shop, people, vehicle, 8)
        ro = _back(shop, people, vehicle)
        sign_in(client, people['advisor'])
        bad = client.post('/warranty/orders/%d/comebacks' % ro.id, data={'earlier_line': line.id, 'cause': ''})
        assert bad.status_code == 400 and 'Choose why the car came back.' in bad.get_data(as_text=True)
        assert Comeback.select().count() == 0
        resp = client.post('/warranty/orders/%d/comebacks' % ro.id,
                           data={'earlier_line': line.id, 'cause': 'workmanship', 'note': 'still squeals',
                                 'back': 'order', 'idem': 'cb1'})
        assert resp.status_code == 302
        cb = Comeback.get()
        assert (cb.order_id, cb.earlier_order_id, cb.earlier_line_id) == (ro.id, earlier.id, line.id)
        assert (cb.technician_id, cb.cause, cb.system, cb.days) == (people['tech'].id, 'workmanship', 'brakes', 8)
        assert Event.select().where(Event.action == 'warranty.comeback').count() == 1
        page = client.get('/orders/%d' % ro.id).get_data(as_text=True)
        assert 'data-testid="comeback-recorded"' in page and 'Workmanship' in page
        # a repeat of the same tap records nothing more
        client.post('/warranty/orders/%d/comebacks' % ro.id,
                    data={'earlier_line': line.id, 'cause': 'workmanship', 'idem': 'cb1'})
        assert Comeback.select().count() == 1


def test_a_job_outside_the_window_cannot_be_named(client, shop, people):
    """Naming an old job by hand must be refused, not recorded as a comeback."""
    with at_local(NOW):
        vehicle = car(shop)
        _old, line = _earlier(shop, people, vehicle, 60)
        ro = _back(shop, people, vehicle)
        sign_in(client, people['advisor'])
        resp = client.post('/warranty/orders/%d/comebacks' % ro.id, data={'earlier_line': line.id, 'cause': 'part'})
        assert resp.status_code == 400
        assert Comeback.select().count() == 0


def _recorded(shop, people, vehicle, line, cause):
    ro = _back(shop, people, vehicle)
    return comebacks.record(ro, people['advisor'], earlier_line_id=line.id, cause=cause)


def test_rates_per_technician_advisor_and_job_type(shop, people):
    """First-time fix per technician, advisor and job: a new fault does not count against the job."""
    with at_local(NOW):
        tech2 = factories.make_user('tech2', ['technician'], [shop], display_name='孙磊 Sun Lei')
        pads = factories.make_canned_job(shop, code='BRKF', name='Front brake pads')
        cars = [car(shop) for _ in range(4)]
        _o1, l1 = _earlier(shop, people, cars[0], 5, canned=pads)
        _o2, l2 = _earlier(shop, people, cars[1], 5, canned=pads)
        _o3, l3 = _earlier(shop, people, cars[2], 5, tech=tech2)
        _o4, l4 = _earlier(shop, people, cars[3], 5, tech=tech2)
        _recorded(shop, people, cars[0], l1, Comeback.WORKMANSHIP)
        _recorded(shop, people, cars[2], l3, Comeback.NEW_FAULT)
        lo, hi = datetime(2026, 6, 1), datetime(2026, 6, 30)
        by_tech = {r.key: (r.lines, r.back) for r in comebacks.rates(shop, lo, hi, 'technician')}
        assert by_tech == {people['tech'].id: (2, 1), tech2.id: (2, 0)}
        assert {r.key: (r.lines, r.back) for r in comebacks.rates(shop, lo, hi, 'advisor')} == \
            {people['advisor'].id: (4, 1)}
        by_job = {r.label: (r.lines, r.back, r.first_fix) for r in comebacks.rates(shop, lo, hi, 'job')}
        assert by_job['Front brake pads'] == (2, 1, 0.5)
        assert by_job['Other jobs'][:2] == (2, 0)
        # the KPI engine: the technician's own figures, the shop's dashboard
        mine = engine.for_user([shop.id], people['tech'].id, 'technician', date(2026, 6, 1), date(2026, 7, 1))
        assert (mine['first_time_fix'].numerator, mine['first_time_fix'].denominator) == (1, 2)
        assert mine['comeback_rate'].value == pytest.approx(0.5)
        adv = engine.for_user([shop.id], people['advisor'].id, 'advisor', date(2026, 6, 1), date(2026, 7, 1))
        assert (adv['first_time_fix'].numerator, adv['first_time_fix'].denominator) == (3, 4)
        shop_figs = engine.compute([shop.id], date(2026, 6, 1), date(2026, 7, 1), ['comeback_rate'])
        assert shop_figs['comeback_rate'].numerator == 1


def test_comebacks_page_and_dashboard_show_the_figures(client, shop, people):
    """The manager finds the comeback list, the rate tables and the figure on the KPI dashboard."""
    with at_local(NOW):
        vehicle = car(shop)
        _o, line = _earlier(shop, people, vehicle, 5)
        _recorded(shop, people, vehicle, line, Comeback.PART)
        sign_in(client, people['manager'])
        page = client.get('/warranty/comebacks?kind=month&at=2026-06').get_data(as_text=True)
        assert 'data-testid="rates-technician"' in page and 'Liu Yang' in page and 'Faulty part' in page
        dash = client.get('/kpi/?period=month&at=2026-06').get_data(as_text=True)
        assert 'First-time fix rate' in dash and 'Comeback rate' in dash


def test_comeback_counts_in_three_guarantee_tracker(shop, people):
    """A comeback is a repair of its system: the tracker's same-problem count must include it."""
    with at_local(NOW):
        vehicle = car(shop, sold=date(2025, 12, 1))
        _o, line = _earlier(shop, people, vehicle, 5)
        assert tracker.vehicle_status(vehicle).problems.get('brakes', 0) == 0
        _recorded(shop, people, vehicle, line, Comeback.PART)
        status = tracker.vehicle_status(reload(vehicle))
        assert status.problems['brakes'] == 1
        assert status.days == 0          # its days count only where the order is a counted repair
        assert any(s.vehicle.id == vehicle.id for s in tracker.tracker(shop))


def test_other_shops_order_is_404(client, shop, people, make_user):
    """Recording a comeback on another shop's order must be impossible."""
    other = factories.make_shop('B2')
    them = factories.make_user('b_adv', ['advisor'], [other])
    ro = factories.make_order(other, them)
    sign_in(client, people['advisor'])
    assert client.post('/warranty/orders/%d/comebacks' % ro.id,
                       data={'earlier_line': 1, 'cause': 'part'}).status_code == 404


def test_only_the_same_system_once_the_jobs_are_known(shop, people):
    """A car back for its brakes must not be flagged against last week's paint job, only against the brake job."""
    with at_local(NOW):
        vehicle = car(shop)
        brakes, _l1 = _earlier(shop, people, vehicle, 6)
        paint, l2 = _earlier(shop, people, vehicle, 4)
        OrderLine.update(system='body').where(OrderLine.id == l2.id).execute()
        ro = _back(shop, people, vehicle)
        assert [c.order.id for c in comebacks.candidates(ro)] == [paint.id, brakes.id]    # no job known yet: both
        OrderLine.update(system='brakes').where(OrderLine.order == ro).execute()
        found = comebacks.candidates(reload(ro))
        assert [c.order.id for c in found] == [brakes.id] and found[0].same_system
