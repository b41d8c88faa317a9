"""Two shops with a user per role and sample records, for walking every route."""
from dataclasses import dataclass, field

from app.core.access import ROLES
from tests import factories


@dataclass
class World:
    shop_a: object
    shop_b: object
    users: dict                      # role -> user in shop A
    records: dict = field(default_factory=dict)   # url argument -> sample id in shop A
    foreign: dict = field(default_factory=dict)   # url argument -> id of the same kind in shop B
    markers: tuple = ()             # strings only shop B's data contains


def build_world():
    a = factories.make_shop('A1', name='Shop A')
    b = factories.make_shop('B1', name='Shop B')
    users = {role: factories.make_user('u_%s' % role, [role], [a]) for role in ROLES}
    b_user = factories.make_user('b_only', ['advisor'], [b], display_name='LeakStaffB')
    ro_a = factories.make_order(a, users['advisor'])
    customer_b = factories.make_customer(b, name='LeakCustomerB')
    car_b = factories.make_vehicle(b, customer_b, plate='粤Z99999', vin='1M8GDM9AXKP042788')
    ro_b = factories.make_order(b, b_user, vehicle=car_b, complaint='LeakComplaintB')
    world = World(a, b, users)
    world.records = {'order_id': ro_a.id, 'vehicle_id': ro_a.vehicle_id, 'user_id': users['technician'].id}
    world.foreign = {'order_id': ro_b.id, 'vehicle_id': car_b.id, 'user_id': b_user.id}
    world.markers = ('LeakCustomerB', 'LeakStaffB', 'LeakComplaintB', '粤Z99999', '1M8GDM9AXKP042788')
    return world


def url_for_rule(rule, values):
    """Fill a rule's arguments from sample ids; a new argument needs a sample in build_world()."""
    missing = set(rule.arguments) - set(values)
    assert not missing, 'add a sample id for %s (route %s) to tests/core/world.py' % (missing, rule.rule)
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
