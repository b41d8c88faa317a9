"""Demo: the outbox with messages already sent, and one pickup notice left for the advisor to send.

Always through the outbox log (LogSender), whatever MESSAGE_SENDER says: the demo never e-mails anyone.
"""
from flask import current_app

from app.accounts.models import User
from app.core import stages
from app.core.access import ADVISOR
from app.core.models import Shop
from app.messages import pickup
from app.messages.models import Message
from app.messages.rules import send
from app.messages.senders import LogSender
from app.reception.models import RepairOrder


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or Message.for_shop(shop).exists():
        return []
    sender = LogSender(current_app)
    advisor = User.with_role(shop, ADVISOR).first()
    # The status link went to the customers of the cars checked in most recently.
    recent = list(RepairOrder.open_orders(shop).order_by(RepairOrder.checked_in_at.desc()).limit(4))
    for order in recent:
        send(Message.STATUS_LINK, order=order, by=advisor, sender=sender)
    # Every pickup notice due but one was sent: the advisor's list shows the one left.
    due = pickup.notices_due(shop)
    keep = next((n for n in due if n.kind == Message.PICKUP_NOTICE and n.order.stage == stages.READY_FOR_PICKUP),
                due[0] if due else None)
    for notice in due:
        if notice is not keep:
            send(notice.kind, order=notice.order, by=advisor, context=notice.context(), sender=sender)
    return []
