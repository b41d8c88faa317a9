"""Small builders for aftercare tests: staff, delivered orders."""
from datetime import datetime

from app.core.access import ADVISOR, CUSTOMER_SERVICE, MANAGER, TECHNICIAN
from tests import factories


def staff(shop):
    """A caller, a manager, an advisor and a technician in the shop."""
    return {
        'cs': factories.make_user('cs', [CUSTOMER_SERVICE], [shop], display_name='何丽 He Li'),
        'cs2': factories.make_user('cs2', [CUSTOMER_SERVICE], [shop], display_name='Second Caller'),
        'manager': factories.make_user('boss', [MANAGER], [shop], display_name='王经理 Wang'),
        'advisor': factories.make_user('adv', [ADVISOR], [shop], display_name='李娜 Li Na'),
        'tech': factories.make_user('tech', [TECHNICIAN], [shop], display_name='刘洋 Liu Yang'),
    }


def delivered_order(shop, by, delivered_at, **kw):
    """A signed order whose car was picked up at `delivered_at` (naive UTC)."""
    order = factories.make_order(shop, by, **kw)
    order.delivered_at = delivered_at
    order.save()
    return order


def utc(*args):
    return datetime(*args)
