"""Each role's "what needs me now": one list, most urgent first.

A person's queues are those of their roles; the service manager (and an administrator) has the manager's queue:
everything late across the shop, whoever's it is, and the approvals waiting for him.
"""
from app.core.access import (ADMIN, ADVISOR, CUSTOMER_SERVICE, FOREMAN, MANAGER, PARTS, QC, ROLE_LABELS, TECHNICIAN,
                             WARRANTY)
from app.core.db import utcnow
from app.queues import floor, front, office
from app.queues.items import Ctx, urgent_first

# role -> its list (a generator of items over a Ctx), in the order roles are shown
QUEUES = {
    ADVISOR: front.advisor,
    FOREMAN: floor.foreman,
    TECHNICIAN: floor.technician,
    QC: floor.qc,
    PARTS: floor.parts,
    WARRANTY: office.warranty,
    CUSTOMER_SERVICE: office.customer_service,
}
SHOP_WIDE = (ADVISOR, FOREMAN, QC, PARTS, WARRANTY, CUSTOMER_SERVICE)   # the manager watches these for lateness


def manager(ctx):
    """Everything late across the shop, whoever must act, and the approvals waiting for the manager."""
    shop_ctx = Ctx(ctx.shop, ctx.user, ctx.now, mine=False)
    for role in SHOP_WIDE:
        for item in QUEUES[role](shop_ctx):
            if item.late:
                item.role = role
                yield item
    yield from office.approvals(ctx)


def roles_of(user):
    """The queues a person has, in a fixed order: the manager's for a manager or administrator."""
    names = set(user.role_names)
    roles = [r for r in QUEUES if r in names]
    if names & {MANAGER, ADMIN}:
        roles.append(MANAGER)
    return roles


def queue(role, shop, user, now=None):
    """One role's items for this person, most urgent first."""
    ctx = Ctx(shop, user, now or utcnow())
    source = manager if role == MANAGER else QUEUES[role]
    items = list(source(ctx))
    for item in items:
        item.role = item.role or role
    return urgent_first(items)


def queues(shop, user, now=None):
    """[(role, label, items)] of every queue the person has."""
    now = now or utcnow()
    return [(role, ROLE_LABELS[role], queue(role, shop, user, now)) for role in roles_of(user)]


def merged(found):
    """One list of a person's queues, most urgent first (an item two roles share shown once)."""
    return urgent_first([item for _role, _label, items in found for item in items])
