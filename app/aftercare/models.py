"""Aftercare records: follow-up call tasks and call records (跟踪服务), shop events, outreach, complaints (投诉)."""
import peewee as pw
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.core.db import ShopScoped, label_of, utcnow
from app.core.models import Shop
from app.customers.models import Customer, Vehicle
from app.reception.models import RepairOrder


class ShopEvent(ShopScoped):
    """An activity the shop runs (free check day, winter tyre week…), announced to customers a week ahead."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    title = pw.CharField(max_length=120)
    title_en = pw.CharField(max_length=120, default='')
    starts_on = pw.DateField(index=True)                  # the shop's local calendar day
    description = pw.TextField(default='')
    created_by = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    created_at = pw.DateTimeField(default=utcnow)

    def display_title(self, locale='zh'):
        return self.title_en if (locale == 'en' and self.title_en) else self.title


class FollowUpTask(ShopScoped):
    """A call to make: the first or second follow-up after pickup, or a maintenance / event call.

    due_from and due_by are days of the shop's local calendar (inclusive); call_back_at (UTC) is
    set when the customer asked to be called back at a given time, and then rules the task's day.
    """
    FIRST, SECOND, REMINDER, EVENT = 'first', 'second', 'reminder', 'event'
    RECALL, PART_CHECK = 'recall', 'part_check'     # app.recalls: a campaign not yet done, a claimed part's check
    OPEN, DONE, CANCELLED = 'open', 'done', 'cancelled'
    KINDS = {FIRST: _l('First follow-up call'), SECOND: _l('Second follow-up call'),
             REMINDER: _l('Maintenance reminder call'), EVENT: _l('Event invitation call'),
             RECALL: _l('Recall or campaign call'), PART_CHECK: _l('Claimed-part check call')}
    STATUSES = {OPEN: _l('Open'), DONE: _l('Done'), CANCELLED: _l('Cancelled')}

    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, null=True, backref='+', on_delete='RESTRICT')
    customer = pw.ForeignKeyField(Customer, backref='+', on_delete='RESTRICT')
    vehicle = pw.ForeignKeyField(Vehicle, null=True, backref='+', on_delete='RESTRICT')
    event = pw.ForeignKeyField(ShopEvent, null=True, backref='+', on_delete='RESTRICT')
    kind = pw.CharField(max_length=10)
    due_from = pw.DateField()
    due_by = pw.DateField(index=True)
    call_back_at = pw.DateTimeField(null=True)
    assigned_to = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    status = pw.CharField(max_length=10, default=OPEN, index=True)
    attempts = pw.IntegerField(default=0)
    done_at = pw.DateTimeField(null=True)
    note = pw.CharField(max_length=200, default='')
    created_at = pw.DateTimeField(default=utcnow)
    version = pw.IntegerField(default=1)

    class Meta:
        # one first and one second call per order (reminder and event calls have no order: NULLs never clash)
        indexes = ((('order', 'kind'), True),)

    kind_label = label_of('kind', 'KINDS')
    status_label = label_of('status', 'STATUSES')


class CallRecord(ShopScoped):
    """One call made on a task (跟踪回访记录): outcome, satisfaction, notes, and any request the customer made."""
    REACHED, NO_ANSWER, WRONG_NUMBER, CALL_BACK = 'reached', 'no_answer', 'wrong_number', 'call_back'
    OUTCOMES = {REACHED: _l('Reached'), NO_ANSWER: _l('No answer'), WRONG_NUMBER: _l('Wrong number'),
                CALL_BACK: _l('Call back at…')}
    R_NONE, R_OPEN, R_ANSWERED, R_ESCALATED = 'none', 'open', 'answered', 'escalated'
    REQUEST_STATUSES = {R_NONE: _l('No request'), R_OPEN: _l('Open'), R_ANSWERED: _l('Answered'),
                        R_ESCALATED: _l('Escalated')}

    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    task = pw.ForeignKeyField(FollowUpTask, backref='calls', on_delete='RESTRICT')
    order = pw.ForeignKeyField(RepairOrder, null=True, backref='+', on_delete='RESTRICT')
    customer = pw.ForeignKeyField(Customer, backref='+', on_delete='RESTRICT')
    caller = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    called_at = pw.DateTimeField(default=utcnow, index=True)
    outcome = pw.CharField(max_length=15)
    call_back_at = pw.DateTimeField(null=True)
    satisfaction = pw.IntegerField(null=True)
    notes = pw.TextField(default='')
    request = pw.TextField(default='')
    request_status = pw.CharField(max_length=10, default=R_NONE, index=True)
    request_due_at = pw.DateTimeField(null=True)
    answer = pw.TextField(default='')                     # what the customer was told
    answered_at = pw.DateTimeField(null=True)
    answered_by = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    told_channel = pw.CharField(max_length=15, default='')
    escalated_at = pw.DateTimeField(null=True)
    escalated_by = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    escalated_to = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    version = pw.IntegerField(default=1)

    outcome_label = label_of('outcome', 'OUTCOMES')
    request_status_label = label_of('request_status', 'REQUEST_STATUSES')


class Outreach(ShopScoped):
    """A maintenance reminder or event notice acted on: sent as a message or turned into a call task.

    Keeps a customer from being reminded twice for the same service date or event.
    """
    MAINTENANCE, EVENT = 'maintenance', 'event'
    PART_CHECK = 'part_check'     # a warranty-claimed part nearing ½, 1, 2, 3 or 5 years (app.recalls.parts_due)
    MESSAGE, CALL = 'message', 'call'
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    kind = pw.CharField(max_length=12)
    customer = pw.ForeignKeyField(Customer, backref='+', on_delete='RESTRICT')
    vehicle = pw.ForeignKeyField(Vehicle, null=True, backref='+', on_delete='RESTRICT')
    event = pw.ForeignKeyField(ShopEvent, null=True, backref='+', on_delete='RESTRICT')
    due_on = pw.DateField()                               # the service date (or estimate) / the event's day
    via = pw.CharField(max_length=10)
    task = pw.ForeignKeyField(FollowUpTask, null=True, backref='+', on_delete='SET NULL')
    at = pw.DateTimeField(default=utcnow)
    by = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')

    class Meta:
        indexes = ((('shop', 'kind', 'customer', 'due_on'), False),)


class Complaint(ShopScoped):
    """A complaint (投诉). Whoever logs it owns it (首问负责制) until they hand it on."""
    OPEN, ANSWERED, RESOLVED, CLOSED = 'open', 'answered', 'resolved', 'closed'
    NORMAL, MAJOR = 'normal', 'major'
    SEVERITIES = {NORMAL: _l('Normal'), MAJOR: _l('Major problem')}
    STATUSES = {OPEN: _l('Open'), ANSWERED: _l('Answered'), RESOLVED: _l('Resolved'), CLOSED: _l('Closed')}
    CHANNELS = {'phone': _l('Phone'), 'in_person': _l('In person'), 'message': _l('Message'),
                'online': _l('Online'), 'letter': _l('Letter')}
    CAUSES = {'attitude': _l('Service attitude'), 'quality': _l('Repair quality'),
              'waiting': _l('Waiting time'), 'price': _l('Price / billing'), 'parts': _l('Parts'),
              'other': _l('Other')}

    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    logged_at = pw.DateTimeField(default=utcnow, index=True)
    logged_by = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    owner = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    channel = pw.CharField(max_length=12)
    customer = pw.ForeignKeyField(Customer, null=True, backref='+', on_delete='RESTRICT')
    contact = pw.CharField(max_length=120, default='')   # name and phone as given
    order = pw.ForeignKeyField(RepairOrder, null=True, backref='+', on_delete='RESTRICT')
    content = pw.TextField()
    cause_category = pw.CharField(max_length=12, default='')
    service_fault = pw.BooleanField(null=True)           # counts in the KPI complaint rate when true
    investigation = pw.TextField(default='')
    resolution = pw.TextField(default='')
    severity = pw.CharField(max_length=8, default='normal')   # NORMAL / MAJOR (重大问题: handled within 48 h, 003)
    first_answer_due_at = pw.DateTimeField(index=True)
    handled_due_at = pw.DateTimeField(null=True)         # a major problem: resolved by then (app.core.deadlines)
    first_answer_at = pw.DateTimeField(null=True)
    first_answer = pw.TextField(default='')
    customer_told_at = pw.DateTimeField(null=True)
    told_channel = pw.CharField(max_length=12, default='')
    customer_satisfaction = pw.IntegerField(null=True)
    status = pw.CharField(max_length=10, default=OPEN, index=True)
    escalated_at = pw.DateTimeField(null=True)
    escalated_to = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    version = pw.IntegerField(default=1)

    status_label = label_of('status', 'STATUSES')
    severity_label = label_of('severity', 'SEVERITIES')
    channel_label = label_of('channel', 'CHANNELS')
    cause_label = label_of('cause_category', 'CAUSES', missing='')


class ComplaintHandover(ShopScoped):
    """The owner handed the complaint on: from whom, to whom, when, why."""
    shop = pw.ForeignKeyField(Shop, on_delete='RESTRICT')
    complaint = pw.ForeignKeyField(Complaint, backref='handovers', on_delete='CASCADE')
    from_user = pw.ForeignKeyField(User, null=True, backref='+', on_delete='SET NULL')
    to_user = pw.ForeignKeyField(User, backref='+', on_delete='RESTRICT')
    at = pw.DateTimeField(default=utcnow)
    note = pw.CharField(max_length=200, default='')
