"""Claimed-part checks (004: before ½, 1, 2, 3 and 5 years): the dates, the calls due, made once."""
from datetime import date, datetime

import pytest

from app.aftercare.models import FollowUpTask, Outreach
from app.core.access import ADVISOR, CUSTOMER_SERVICE
from app.recalls import parts_due
from app.warranty.models import LineCoverage
from tests import factories
from tests.helpers import at_local, sign_in
from tests.warranty.helpers import order

FITTED = date(2026, 1, 31)


@pytest.fixture
def people(shop):
    return {role: factories.make_user('u_' + role, [role], [shop]) for role in (ADVISOR, CUSTOMER_SERVICE)}


def _claimed(shop, by, kind=LineCoverage.WARRANTY, consent=True, fitted=FITTED):
    vehicle = factories.make_vehicle(shop, factories.make_customer(shop, consent_contact=consent))
    at = datetime(fitted.year, fitted.month, fitted.day, 2, 0)       # 10:00 in Shanghai
    ro, (line,) = order(shop, by, vehicle, at, delivered=at, jobs=[('A/C compressor', '900', [('3680', '1', 'shop')])])
    LineCoverage.create(shop=shop, order=ro, line=line, kind=kind, system='air_conditioning', reason='quality')
    return vehicle


def test_check_dates_are_half_one_two_three_and_five_years():
    """The clerk books the car back before each of 004's dates; 31 January + ½ year is the end of July."""
    assert parts_due.check_dates(FITTED) == [(6, date(2026, 7, 31)), (12, date(2027, 1, 31)),
                                             (24, date(2028, 1, 31)), (36, date(2029, 1, 31)),
                                             (60, date(2031, 1, 31))]


@pytest.mark.parametrize('today, due', [('2026-07-16 09:00', None), ('2026-07-17 09:00', date(2026, 7, 31)),
                                        ('2026-07-31 20:00', date(2026, 7, 31)), ('2026-08-01 09:00', None),
                                        ('2031-01-20 09:00', date(2031, 1, 31))])
def test_a_check_is_due_in_the_days_before_its_date(shop, people, today, due):
    """Due from 14 days (the shop's setting) before a date until the date; never for customer-pay parts."""
    with at_local(today):
        car = _claimed(shop, people[ADVISOR])
        _claimed(shop, people[ADVISOR], kind=LineCoverage.CUSTOMER_PAY)
        _claimed(shop, people[ADVISOR], consent=False)
        found = [(c.vehicle.id, c.due_on) for c in parts_due.due(shop)]
        assert found == ([(car.id, due)] if due else [])


def test_a_check_becomes_one_call_task(client, shop, people):
    """The call is made once, due by the check date, and then leaves the list."""
    with at_local('2026-07-20 09:00'):
        car = _claimed(shop, people[ADVISOR])
        sign_in(client, people[CUSTOMER_SERVICE])
        page = client.get('/recalls/parts').get_data(as_text=True)
        assert car.plate in page and '2026-07-31' in page
        resp = client.post('/recalls/parts/call', data={'vehicle': car.id, 'due_on': '2026-07-31', 'idem': 'p1'})
        assert resp.status_code == 302
        task = FollowUpTask.get()
        assert (task.kind, task.vehicle_id, task.due_from, task.due_by) == \
            ('part_check', car.id, date(2026, 7, 20), date(2026, 7, 31))
        assert Outreach.get().kind == 'part_check'
        assert parts_due.due(shop) == []
        again = client.post('/recalls/parts/call', data={'vehicle': car.id, 'due_on': '2026-07-31'})
        assert again.status_code == 400 and FollowUpTask.select().count() == 1


def test_other_shops_car_cannot_be_called(client, shop, people):
    """A car of another shop is not on the list and cannot be turned into a call."""
    other = factories.make_shop('B2')
    them = factories.make_user('b_adv', [ADVISOR], [other])
    with at_local('2026-07-20 09:00'):
        car = _claimed(other, them)
        sign_in(client, people[CUSTOMER_SERVICE])
        assert car.plate not in client.get('/recalls/parts').get_data(as_text=True)
        resp = client.post('/recalls/parts/call', data={'vehicle': car.id, 'due_on': '2026-07-31'})
        assert resp.status_code == 400 and FollowUpTask.select().count() == 0
