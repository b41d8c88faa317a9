"""Appointments (维修预约): a customer's booked visit, the work asked for, parts to order and the deposit."""
from datetime import timedelta
from decimal import Decimal

import peewee as pw
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.core.db import ShopScoped, label_of, utcnow
from app.core.models import PartLine, Shop
from app.core.money import PAYMENT_METHODS, hours_text, money
from app.core.validators import format_phone
from app.catalogue.models import CannedJob
from app.customers.models import Customer, Vehicle


class Appointment(ShopScoped):
    BOOKED, ARRIVED, NO_SHOW, CANCELLED = 'booked', 'arrived', 'no_show', 'cancelled'
    STATUS_LABELS = {BOOKED: _l('Booked'), ARRIVED: _l('Arrived'), NO_SHOW: _l('No-show'), CANCELLED: _l('Cancelled')}
    # The statuses that keep a bay: an arrived car is in the workshop, a no-show or cancellation frees it.
    HOLDS_BAY = (BOOKED, ARRIVED)

    PHONE, MESSAGE, IN_PERSON = 'phone', 'message', 'in_person'
    CHANNEL_LABELS = {PHONE: _l('Phone call'), MESSAGE: _l('Text or WeChat message'), IN_PERSON: _l('In person')}

    DEPOSIT_METHOD_LABELS = PAYMENT_METHODS        # a deposit is paid the ways a bill is

    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    customer = pw.ForeignKeyField(Customer, backref='appointments', on_delete='RESTRICT')
    vehicle = pw.ForeignKeyField(Vehicle, null=True, backref='appointments', on_delete='RESTRICT')
    advisor = pw.ForeignKeyField(User, null=True, on_delete='SET NULL')
    start_at = pw.DateTimeField()                          # naive UTC
    duration = pw.DecimalField(max_digits=5, decimal_places=2)   # expected hours in the workshop
    requested_work = pw.TextField(default='')              # in the customer's words
    status = pw.CharField(max_length=12, default=BOOKED, index=True)
    order_id = pw.IntegerField(null=True)                  # the draft repair order opened on arrival
    reminded_at = pw.DateTimeField(null=True)
    reminded_by = pw.IntegerField(null=True)               # user id; a plain id like the audit trail's actor
    reminder_channel = pw.CharField(max_length=12, default='')
    reminder_note = pw.CharField(max_length=200, default='')
    deposit = pw.DecimalField(max_digits=12, decimal_places=2, default=Decimal('0'))
    deposit_method = pw.CharField(max_length=16, null=True)
    created_at = pw.DateTimeField(default=utcnow)
    version = pw.IntegerField(default=1)                   # bumped by every change: stale writes are refused

    class Meta:
        indexes = ((('shop', 'start_at'), False),)

    status_label = label_of('status', 'STATUS_LABELS')
    channel_label = label_of('reminder_channel', 'CHANNEL_LABELS', missing='')
    deposit_method_label = label_of('deposit_method', 'DEPOSIT_METHOD_LABELS', missing='')

    @property
    def customer_phone(self):
        return format_phone(self.customer.phone)

    @property
    def reminder_user(self):
        return User.get_or_none(User.id == self.reminded_by) if self.reminded_by else None

    @property
    def end_at(self):
        return self.start_at + timedelta(hours=float(self.duration))

    @property
    def hours_text(self):
        """The duration as people say it: 1.5, not 1.50."""
        return hours_text(self.duration)

    @property
    def work_summary(self):
        """One line saying what the visit is for: the customer's words, else the catalogue jobs."""
        text = (self.requested_work or '').strip()
        if text:
            return text.splitlines()[0]
        return ', '.join(j.description for j in self.job_list)

    @property
    def job_list(self):
        return list(self.jobs.order_by(AppointmentJob.id))

    @property
    def part_list(self):
        return list(self.parts.order_by(AppointmentPart.id))

    @property
    def parts_total(self):
        return money(sum((p.total for p in self.parts), Decimal('0')))

    @property
    def number(self):
        """What the customer reads on the slip and tells on the phone."""
        return 'A-%06d' % self.id

    @classmethod
    def between(cls, shop, start_utc, end_utc, advisor=None):
        """Appointments starting in [start_utc, end_utc), with customer and vehicle, in time order."""
        query = (cls.for_shop(shop)
                 .select(cls, Customer, Vehicle, User)
                 .join_from(cls, Customer)
                 .join_from(cls, Vehicle, pw.JOIN.LEFT_OUTER)
                 .join_from(cls, User, pw.JOIN.LEFT_OUTER)
                 .where((cls.start_at >= start_utc) & (cls.start_at < end_utc))
                 .order_by(cls.start_at, cls.id))
        if advisor is not None:
            query = query.where(cls.advisor == advisor)
        return query


class AppointmentJob(ShopScoped):
    """A job asked for: a catalogue job or a described one, with its expected hours."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    appointment = pw.ForeignKeyField(Appointment, backref='jobs', on_delete='CASCADE')
    canned_job = pw.ForeignKeyField(CannedJob, null=True, on_delete='SET NULL')
    description = pw.CharField(max_length=200)
    hours = pw.DecimalField(max_digits=6, decimal_places=2, default=Decimal('0'))

    @property
    def hours_text(self):
        return hours_text(self.hours)


class AppointmentPart(PartLine):
    """A part to order for the visit."""
    appointment = pw.ForeignKeyField(Appointment, backref='parts', on_delete='CASCADE')
