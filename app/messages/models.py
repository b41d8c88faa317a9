"""The outbox: every message to a customer, as rendered and how its sending went."""
import peewee as pw
from flask_babel import lazy_gettext as _l

from app.core.db import ShopScoped, label_of, utcnow
from app.core.models import Shop
from app.customers.models import Customer
from app.reception.models import RepairOrder


class Message(ShopScoped):
    STATUS_LINK, APPOINTMENT_REMINDER, PICKUP_NOTICE, LATE_NOTICE = (
        'status_link', 'appointment_reminder', 'pickup_notice', 'late_notice')
    FOLLOWUP, MAINTENANCE_REMINDER, EVENT_NOTICE = 'followup', 'maintenance_reminder', 'event_notice'
    KIND_LABELS = {
        STATUS_LINK: _l('Status link'),
        APPOINTMENT_REMINDER: _l('Appointment reminder'),
        PICKUP_NOTICE: _l('Pickup notice'),
        LATE_NOTICE: _l('Late notice'),
        FOLLOWUP: _l('Follow-up'),
        MAINTENANCE_REMINDER: _l('Maintenance reminder'),
        EVENT_NOTICE: _l('Event notice'),
    }
    LOG, EMAIL, SMS, WECHAT = 'log', 'email', 'sms', 'wechat'
    CHANNEL_LABELS = {LOG: _l('Outbox log'), EMAIL: _l('E-mail'), SMS: _l('SMS'), WECHAT: _l('WeChat')}
    QUEUED, SENT, FAILED = 'queued', 'sent', 'failed'
    STATUS_LABELS = {QUEUED: _l('Queued'), SENT: _l('Sent'), FAILED: _l('Failed')}

    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, null=True, backref='messages', on_delete='SET NULL')
    customer = pw.ForeignKeyField(Customer, null=True, backref='messages', on_delete='SET NULL')
    kind = pw.CharField(max_length=30, index=True)
    channel = pw.CharField(max_length=12)
    to_address = pw.CharField(max_length=200, default='')
    language = pw.CharField(max_length=5, default='zh')
    subject = pw.CharField(max_length=200, default='')
    body = pw.TextField(default='')            # as rendered, with any status link redacted (app.reception.links.redact)
    status = pw.CharField(max_length=10, default=QUEUED, index=True)
    error = pw.CharField(max_length=500, default='')
    created_at = pw.DateTimeField(default=utcnow)
    sent_at = pw.DateTimeField(null=True)
    created_by = pw.IntegerField(null=True)     # user id; None for the system

    class Meta:
        indexes = ((('shop', 'created_at'), False),)

    kind_label = label_of('kind', 'KIND_LABELS')
    status_label = label_of('status', 'STATUS_LABELS')
    channel_label = label_of('channel', 'CHANNEL_LABELS')
