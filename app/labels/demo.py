"""Demo: 60 key tags and 60 hooks for the first shop, and a tag and a hook on each open repair order."""
from app.accounts.models import User
from app.core.db import transaction
from app.core.models import Shop
from app.labels import rules
from app.reception.models import KeyHook, KeyTag, RepairOrder

POOL_SIZE = 60


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None:
        return []
    manager = User.get_or_none(User.username == 'manager')
    if not KeyTag.for_shop(shop).exists():
        rules.add_key_tags(shop, manager, POOL_SIZE)
    if not KeyHook.for_shop(shop).exists():
        rules.add_key_hooks(shop, manager, POOL_SIZE)
    with transaction():
        waiting = list(RepairOrder.open_orders(shop).where(RepairOrder.key_tag.is_null())
                       .order_by(RepairOrder.checked_in_at, RepairOrder.id))
        tags = list(KeyTag.for_shop(shop).where(KeyTag.active == True, KeyTag.order_id.is_null())  # noqa: E712
                    .order_by(KeyTag.number))
        hooks = list(KeyHook.for_shop(shop).where(KeyHook.order_id.is_null()).order_by(KeyHook.number))
        # Tags drawn at random, as they come out of the drawer; hooks filled from the top row.
        rng.shuffle(tags)
        for order, tag, hook in zip(waiting, tags, hooks):
            KeyTag.update(order_id=order.id).where(KeyTag.id == tag.id).execute()
            KeyHook.update(order_id=order.id).where(KeyHook.id == hook.id).execute()
            RepairOrder.update(key_tag=tag.id, key_hook=hook.id).where(RepairOrder.id == order.id).execute()
    return []
