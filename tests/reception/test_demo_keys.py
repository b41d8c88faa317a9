"""The demo shop has a key tag pool and a cabinet, with a tag and a hook on every open order."""
import random

from app.accounts import demo as accounts_demo
from app.core.models import Shop
from app.reception import demo as reception_demo
from app.labels.models import KeyHook, KeyTag
from app.reception.models import RepairOrder


def _state():
    return (sorted((t.number, t.order_id, t.active) for t in KeyTag.select()),
            sorted((h.number, h.order_id) for h in KeyHook.select()),
            sorted((o.id, o.key_tag_id, o.key_hook_id) for o in RepairOrder.select()))


def test_demo_pool_and_keys_on_open_orders(app):
    """A newcomer sees 60 tags and hooks, each open car's key on its own tag, and a second run changes nothing."""
    rng = random.Random(2026)
    accounts_demo.load(rng)
    reception_demo.load(rng)
    shop = Shop.get(Shop.code == 'XH01')
    assert KeyTag.for_shop(shop).count() == 60 and KeyHook.for_shop(shop).count() == 60
    open_orders = list(RepairOrder.open_orders(shop))
    assert open_orders
    for order in open_orders:
        assert order.key_tag.order_id == order.id and order.key_hook.order_id == order.id
    on_orders = [t.order_id for t in KeyTag.for_shop(shop) if t.order_id]
    assert sorted(on_orders) == sorted(o.id for o in open_orders)   # one tag per order, none elsewhere
    first = _state()
    reception_demo.load(random.Random(2026))
    assert _state() == first
