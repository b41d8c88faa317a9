"""What the advisor's approvals desk costs: a fixed number of queries however many cars wait."""
from datetime import timedelta

from app.core import stages
from app.core.db import utcnow
from tests import factories
from tests.approvals.helpers import make_work
from tests.helpers import at_stage, count_queries


def _waiting_car(shop, staff, n):
    car = factories.make_vehicle(shop, factories.make_customer(shop), plate='粤B%05d' % n)
    order = at_stage(factories.make_order(shop, staff['advisor'], vehicle=car,
                                          promised_at=utcnow() + timedelta(hours=n % 5 - 1)), stages.WAITING_APPROVAL)
    make_work(order, staff['technician'])
    return order


def _cost(client):
    with count_queries() as seen:
        assert client.get('/approvals').status_code == 200
    return len(seen)


def test_the_queue_costs_the_same_for_two_cars_or_ten(advisor_client, shop, staff, order):
    """With a busy afternoon of added work waiting, the advisor's desk would slow down car by car."""
    make_work(order, staff['technician'])
    _waiting_car(shop, staff, 0)        # late: the progress checks have a row too
    one = _cost(advisor_client)
    for n in range(1, 9):
        _waiting_car(shop, staff, n)
    assert _cost(advisor_client) == one
    # signing in (3), the shop's settings, the queue with its photos, parts, findings and history, the progress
    # checks due (open orders read once with their timing)
    assert one <= 17
