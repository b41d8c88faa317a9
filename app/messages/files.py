"""The outbox's part of a customer's file (app.registry.file_sections): the messages sent to them."""
from app.messages.models import Message

FILE_ROWS = 20      # the newest on the file; the outbox lists them all


def customer_sections(customer, **_context):
    messages = list(Message.select().where(Message.customer == customer)
                    .order_by(Message.created_at.desc(), Message.id.desc()).limit(FILE_ROWS))
    return [(80, 'messages/_file_messages.html', {'messages': messages})]
