"""Aftercare: follow-up calls (跟踪服务), maintenance reminders and event notices, complaints (投诉)."""
from functools import partial

import click
from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.accounts.models import User
from app.aftercare import analysis as complaint_analysis
from app.aftercare import call_requests, chart, complaints, events, followups, forms, reminders
from app.aftercare.models import CallRecord, Complaint, ComplaintHandover, FollowUpTask, Outreach, ShopEvent
from app.aftercare.shared import callers, supervisors
from app.core import deadlines, params
from app.core.access import ADVISOR, ANY_STAFF, CUSTOMER_SERVICE, MANAGER, allow
from app.core.db import connection, utcnow
from app.core.errors import Refused
from app.core.idempotency import idempotent
from app.core.models import Shop
from app.core.settings import get_setting
from app.core.timeutil import shop_today, to_utc
from app.core.validators import format_phone
from app.core.web import act, record_action, render, replay, wants_fragment
from app.reception.models import Customer, RepairOrder, Vehicle

bp = Blueprint('aftercare', __name__, cli_group=None)

CALLERS = (CUSTOMER_SERVICE, MANAGER)                     # make the calls, send reminders
READERS = (CUSTOMER_SERVICE, MANAGER, ADVISOR)            # see the follow-up lists
HANDLERS = (CUSTOMER_SERVICE, MANAGER, ADVISOR)           # work on complaints (the owner or a manager)

TILES = [
    ('aftercare.calls', _l('Follow-up calls'),
     _l('Calls due today and overdue, per person; customer requests to answer')),
    ('aftercare.reminders', _l('Reminders and events'), _l('Maintenance due this week and events to announce')),
    ('aftercare.complaints', _l('Complaints'), _l('Log a complaint, follow it to an answer; escalations')),
    ('aftercare.analysis', _l('Complaint analysis'), _l('Complaints by cause and month, answer times, satisfaction')),
]


def _to_utc(shop, local_dt):
    return to_utc(local_dt, shop.timezone) if local_dt else None



def format_local(dt):
    return current_app.jinja_env.filters['local'](dt)


# --- follow-up calls ------------------------------------------------------------------------------

def _who_filter():
    raw = request.args.get('who', 'all')
    if raw == 'me':
        return raw, current_user.id
    if raw == 'unassigned':
        return raw, 'unassigned'
    if raw.isdecimal():
        return raw, params.id_value(raw)      # a 400 for a number no person could have
    return 'all', None


@bp.route('/aftercare/calls')
@allow(*READERS)
def calls():
    """Follow-up calls due today and overdue, per person, by the shop's calendar."""
    shop = current_shop()
    today = shop_today(shop)
    who, value = _who_filter()
    watch = call_requests.requests_to_watch(shop, utcnow())
    return render('aftercare/calls.html', None, groups=followups.calls_due_by_person(shop, today, value), who=who,
                  today=today, callers=callers(shop),
                  breached=sum(1 for c in watch if c.state == 'breached'),
                  due_soon=sum(1 for c in watch if c.state == 'due_soon'))


def _task(task_id):
    return FollowUpTask.get_for_shop_or_404(current_shop(), task_id)


def _task_page(task, status=200, error=None, done=None, form=None):
    """The call task's page; a refused call shows why under its outcome, with what was typed."""
    shop = current_shop()
    if error and form is not None:
        form.outcome.errors = list(form.outcome.errors) + [error]
        error = None
    form = form or forms.CallForm(formdata=None, version=task.version)
    history = list(CallRecord.select().where(CallRecord.task == task).order_by(CallRecord.called_at.desc()))
    return render(
        'aftercare/task.html', None, task=task, form=form, calls=history, callers=callers(shop),
        state=followups.task_state(task, shop, shop_today(shop)), error=error,
        escalate_days=get_setting(shop, 'escalate_request_days')), status


@bp.route('/aftercare/tasks/<int:task_id>')
@allow(*READERS)
def task(task_id):
    """One call to make: who, why, the window, earlier attempts, and the call record form."""
    return _task_page(_task(task_id))


@bp.route('/aftercare/tasks/<int:task_id>/call', methods=['POST'])
@allow(*CALLERS)
@record_action(_task, _task_page, 'aftercare.task', form=forms.CallForm, back=lambda _task: url_for('aftercare.calls'))
def record_call(task, form):
    """Log a call: outcome, satisfaction, notes and any request; the task moves on."""
    call = followups.record_call(task, current_user, outcome=form.outcome.data,
                                 call_back_at=_to_utc(current_shop(), form.call_back_at.data),
                                 satisfaction=form.satisfaction.data, notes=form.notes.data,
                                 request=form.request.data, answer=form.answer.data,
                                 expected_version=form.version.data)
    if call.request_status == CallRecord.R_OPEN:
        flash(_('The request must be answered or escalated to the supervisor by %(when)s.',
                when=format_local(call.request_due_at)), 'warn')
    return _('Call recorded.')


def _assign_piece(task, status=200, error=None, done=None, form=None):
    """The task's row on the list (htmx), else its page."""
    if not wants_fragment():
        return _task_page(task, status, error=error)
    shop = current_shop()
    task.state = followups.task_state(task, shop, shop_today(shop))
    return render('aftercare/_task_row.html', None, task=task, callers=callers(shop), error=error), status


def _assign_back(task):
    return (url_for('aftercare.calls') if request.form.get('back') == 'calls'
            else url_for('aftercare.task', task_id=task.id))


@bp.route('/aftercare/tasks/<int:task_id>/assign', methods=['POST'])
@allow(*CALLERS)
@record_action(_task, _assign_piece, 'aftercare.task', form=forms.AssignForm, back=_assign_back)
def assign(task, form):
    """Give a call to a person (or back to the shared pile); from the list only that row changes."""
    to = next((u for u in callers(current_shop()) if str(u.id) == form.assigned_to.data), None)
    if form.assigned_to.data and to is None:
        raise Refused(_('Call tasks go to customer service or a manager of this shop.'))
    followups.assign_task(task, to, current_user, expected_version=form.version.data)
    return _('Call assigned to %(who)s.', who=to.display_name) if to else _('Call returned to the shared list.')


# --- requests made on a call ---------------------------------------------------------------------

@bp.route('/aftercare/requests')
@allow(*READERS)
def requests():
    """Customer requests not yet answered: breached, about to breach (24 h), open, escalated."""
    shop = current_shop()
    return render('aftercare/requests.html', None, calls=call_requests.requests_to_watch(shop, utcnow()),
                  escalate_days=get_setting(shop, 'escalate_request_days'))


def _call(call_id):
    return CallRecord.get_for_shop_or_404(current_shop(), call_id)


def _call_page(call, status=200, error=None, done=None, answer_form=None, escalate_form=None):
    shop = current_shop()
    answer_form = answer_form or forms.AnswerForm(formdata=None, version=call.version)
    escalate_form = escalate_form or forms.EscalateForm(formdata=None, version=call.version)
    people = {u.id: u for u in User.select().where(User.id.in_(
        [i for i in (call.caller_id, call.answered_by_id, call.escalated_by_id, call.escalated_to_id) if i]))}
    return render(
        'aftercare/call.html', None, call=call, state=call_requests.request_state(call, utcnow()), people=people,
        answer_form=answer_form, escalate_form=escalate_form, supervisors=supervisors(shop),
        channels=Complaint.CHANNELS, error=error), status


@bp.route('/aftercare/calls/<int:call_id>')
@allow(*READERS)
def call(call_id):
    """A call record with the customer's request, its deadline and what was done about it."""
    return _call_page(_call(call_id))


@bp.route('/aftercare/calls/<int:call_id>/answer', methods=['POST'])
@allow(*CALLERS)
@record_action(_call, _call_page, 'aftercare.call', form=forms.AnswerForm, form_as='answer_form')
def answer_request(found, form):
    """The customer was told the answer to their request (when, how, what)."""
    call_requests.answer_request(found, current_user, answer=form.answer.data, told_channel=form.told_channel.data,
                                 expected_version=form.version.data)
    return _('Answer recorded.')


@bp.route('/aftercare/calls/<int:call_id>/escalate', methods=['POST'])
@allow(*CALLERS)
@record_action(_call, _call_page, 'aftercare.call', form=forms.EscalateForm, form_as='escalate_form')
def escalate_request(found, form):
    """Report a request the caller cannot answer to the supervisor."""
    to = next((u for u in supervisors(current_shop()) if str(u.id) == form.to.data), None)
    call_requests.escalate_request(found, current_user, to=to, note=form.note.data,
                                   expected_version=form.version.data)
    return _('Escalated to %(who)s.', who=to.display_name)


# --- maintenance reminders and events -------------------------------------------------------------

def _reminders_page(status=200, error=None):
    shop = current_shop()
    today = shop_today(shop)
    to_announce = list(events.events_to_announce(shop, today))
    for event in to_announce:
        event.waiting = events.event_audience(event, today).count()
        event.tell_by = deadlines.announce_from(event.starts_on, deadlines.shop_settings(shop))
    first, last = reminders.reminder_window(today)
    return render(
        'aftercare/reminders.html', None, due=reminders.maintenance_due(shop, today), events=to_announce,
        first=first, last=last, notice_days=get_setting(shop, 'event_notice_days'), error=error), status


@bp.route('/aftercare/reminders', endpoint='reminders')
@allow(*READERS)
def reminders_page():
    """Maintenance due this week and events to announce, each to send as a message or give as a call."""
    return _reminders_page()


def _reminder_piece(vehicle, via, status=200, error=None, done=None):
    """The reminder's row, handled (htmx), else the reminders page."""
    if not wants_fragment():
        return _reminders_page(status, error=error)
    return render('aftercare/_reminder_done.html', None, vehicle=vehicle, via=via, error=error), status


def _replay_reminder(vehicle_id):
    vehicle = Vehicle.get_for_shop_or_404(current_shop(), vehicle_id)
    return replay(partial(_reminder_piece, vehicle, request.form.get('via')), url_for('aftercare.reminders'))


@bp.route('/aftercare/reminders/<int:vehicle_id>', methods=['POST'])
@allow(*CALLERS)
@idempotent(replay=_replay_reminder)
def remind(vehicle_id):
    """Send the maintenance reminder as a message, or make it a call task."""
    vehicle = Vehicle.get_for_shop_or_404(current_shop(), vehicle_id)
    via = request.form.get('via')
    return act(partial(_reminder_piece, vehicle, via),
               lambda: reminders.remind_maintenance(vehicle, current_user, via=via),
               done=_('Reminder sent as a message.') if via == Outreach.MESSAGE else _('Call task created.'),
               back=url_for('aftercare.reminders'))


@bp.route('/aftercare/events', endpoint='events')
@allow(*READERS)
def events_page():
    """The shop's coming events and who still needs to hear about them."""
    shop = current_shop()
    today = shop_today(shop)
    rows = list(events.upcoming_events(shop, today))
    for event in rows:
        event.waiting = events.event_audience(event, today).count()
    return render('aftercare/events.html', None, events=rows, today=today,
                  notice_days=get_setting(shop, 'event_notice_days'))


def _replay_new_event():
    return redirect(url_for('aftercare.events'))


@bp.route('/aftercare/events/new', methods=['GET', 'POST'])
@allow(MANAGER)
@idempotent(replay=_replay_new_event)
def new_event():
    """A manager adds an activity; customers are told a week ahead. Then the event's page."""
    shop = current_shop()
    form = forms.EventForm()
    if form.validate_on_submit():
        try:
            event = events.add_event(shop, current_user, title=form.title.data, title_en=form.title_en.data,
                                     starts_on=form.starts_on.data, description=form.description.data)
        except Refused as refused:
            form.starts_on.errors = list(form.starts_on.errors) + [str(refused)]
        else:
            flash(_('Event added.'), 'ok')
            return redirect(url_for('aftercare.event', event_id=event.id))
    return render('aftercare/event_new.html', None, form=form), 400 if form.errors else 200


def _event(event_id):
    return ShopEvent.get_for_shop_or_404(current_shop(), event_id)


def _event_page(ev, status=200, error=None, done=None):
    shop = current_shop()
    today = shop_today(shop)
    told = list(Outreach.for_shop(shop).where((Outreach.kind == Outreach.EVENT) & (Outreach.event == ev.id))
                .order_by(Outreach.at.desc()))
    ids = [o.customer_id for o in told]
    customers = {c.id: c for c in Customer.select().where(Customer.id.in_(ids))} if ids else {}
    notice_from = deadlines.announce_from(ev.starts_on, deadlines.shop_settings(shop))
    return render(
        'aftercare/event.html', None, event=ev, audience=list(events.event_audience(ev, today)), told=told,
        customers=customers, today=today, notice_from=notice_from, error=error), status


@bp.route('/aftercare/events/<int:event_id>')
@allow(*READERS)
def event(event_id):
    """An event and the customers still to tell about it."""
    return _event_page(_event(event_id))


@bp.route('/aftercare/events/<int:event_id>/notify', methods=['POST'])
@allow(*CALLERS)
@record_action(_event, _event_page, 'aftercare.event')
def notify_event(ev, _form):
    """Tell one customer (or everyone still waiting) about the event: message or call task."""
    shop = current_shop()
    via = request.form.get('via')
    customer_id = request.form.get('customer_id', type=int)
    if customer_id:
        people = [Customer.get_for_shop_or_404(shop, customer_id)]
    else:
        people = list(events.event_audience(ev, shop_today(shop)))
    events.notify_event(ev, people, current_user, via=via)
    return (_('%(n)d customers told by message.', n=len(people)) if via == Outreach.MESSAGE
            else _('%(n)d call tasks created.', n=len(people)))


# --- complaints --------------------------------------------------------------------------------------

COMPLAINT_FILTERS = [('open', _l('Open')), ('mine', _l('Mine')), ('escalated', _l('Escalated')), ('all', _l('All'))]


@bp.route('/aftercare/complaints', endpoint='complaints')
@allow(ANY_STAFF)
def complaints_page():
    """Complaints with their first-answer deadline; overdue ones are escalated to the manager here."""
    shop = current_shop()
    now = utcnow()
    escalated = complaints.escalate_overdue_complaints(shop, now)
    show = request.args.get('show', 'open')
    query = Complaint.for_shop(shop)
    if show == 'mine':
        query = query.where((Complaint.owner == current_user.id) & (Complaint.status != Complaint.CLOSED))
    elif show == 'escalated':
        query = query.where(Complaint.escalated_at.is_null(False) & (Complaint.status != Complaint.CLOSED))
    elif show == 'all':
        pass
    else:
        show = 'open'
        query = query.where(Complaint.status.in_([Complaint.OPEN, Complaint.ANSWERED]))
    rows = list(query.order_by(Complaint.logged_at.desc()).limit(200))
    owners = _people(rows, 'owner_id', 'escalated_to_id')
    for c in rows:
        c.state = complaints.answer_state(c, now)
        c.handled = complaints.handled_state(c, now)
    return render('aftercare/complaints.html', None, complaints=rows, show=show, filters=COMPLAINT_FILTERS,
                  owners=owners, just_escalated=len(escalated))


def _people(rows, *attrs):
    ids = {getattr(r, a) for r in rows for a in attrs if getattr(r, a)}
    return {u.id: u for u in User.select().where(User.id.in_(list(ids)))} if ids else {}


def _replay_new_complaint():
    return redirect(url_for('aftercare.complaints', show='mine'))


@bp.route('/aftercare/complaints/new', methods=['GET', 'POST'])
@allow(ANY_STAFF)
@idempotent(replay=_replay_new_complaint)
def new_complaint():
    """Anyone on staff logs a complaint; whoever logs it owns it (首问负责制). Then the complaint's page."""
    shop = current_shop()
    form = forms.ComplaintForm()
    if request.method == 'GET':
        order_id = params.id_arg('order_id')
        customer_id = params.id_arg('customer_id')
        if order_id:
            order = RepairOrder.get_for_shop_or_404(shop, order_id)
            form.order_number.data = order.number or ''
            customer_id = order.customer_id
        if customer_id:
            customer = Customer.get_for_shop_or_404(shop, customer_id)
            form.customer_id.data = str(customer.id)
            form.contact.data = '%s %s' % (customer.name, format_phone(customer.phone))
    elif form.validate_on_submit():
        order = customer = None
        if form.order_number.data:
            order = RepairOrder.for_shop(shop).where(RepairOrder.number == form.order_number.data.upper()).first()
            if order is None:
                form.order_number.errors = [_('No repair order with this number in this shop.')]
        if form.customer_id.data and form.customer_id.data.isdigit():
            customer = Customer.get_or_none((Customer.id == int(form.customer_id.data)) & (Customer.shop == shop))
        if not form.order_number.errors:
            try:
                complaint = complaints.log_complaint(shop, current_user, channel=form.channel.data,
                                                     content=form.content.data, contact=form.contact.data,
                                                     customer=customer, order=order, severity=form.severity.data,
                                                     logged_at=_to_utc(shop, form.received_at.data))
            except Refused as refused:
                form.contact.errors = [str(refused)]
            else:
                flash(_('Complaint logged. You own it until you hand it on; first answer due by %(when)s.',
                        when=format_local(complaint.first_answer_due_at)), 'ok')
                return redirect(url_for('aftercare.complaint', complaint_id=complaint.id))
    hours = get_setting(shop, 'complaint_first_response_hours')
    return (render('aftercare/complaint_new.html', None, form=form, first_hours=hours),
            400 if request.method == 'POST' else 200)


def _complaint(complaint_id):
    return Complaint.get_for_shop_or_404(current_shop(), complaint_id)


def _complaint_page(c, status=200, error=None, done=None, **forms_in):
    v = c.version
    ctx = dict(
        handover_form=forms.HandoverForm(formdata=None, version=v),
        investigate_form=forms.InvestigateForm(formdata=None, version=v, investigation=c.investigation,
                                               cause_category=c.cause_category, severity=c.severity,
                                               service_fault={True: 'yes', False: 'no'}.get(c.service_fault, '')),
        answer_form=forms.FirstAnswerForm(formdata=None, version=v),
        resolve_form=forms.ResolveForm(formdata=None, version=v),
        close_form=forms.ActionForm(formdata=None, version=v),
    )
    ctx.update(forms_in)
    handovers = list(ComplaintHandover.select().where(ComplaintHandover.complaint == c).order_by(ComplaintHandover.at))
    people = _people([c], 'owner_id', 'logged_by_id', 'escalated_to_id')
    people.update(_people(handovers, 'from_user_id', 'to_user_id'))
    return render(
        'aftercare/complaint.html', None, c=c, handovers=handovers, people=people, error=error,
        may_handle=complaints.may_handle(c, current_user), state=complaints.answer_state(c, utcnow()),
        handled=complaints.handled_state(c, utcnow()),
        candidates=complaints.handover_candidates(c), **ctx), status


@bp.route('/aftercare/complaints/<int:complaint_id>')
@allow(ANY_STAFF)
def complaint(complaint_id):
    """One complaint: who owns it, the deadline, investigation, answer, resolution and handovers."""
    return _complaint_page(_complaint(complaint_id))


def _complaint_action(form, form_as):
    """An action on the complaint: its page again with the message, or back to it (app.core.web.record_action)."""
    return record_action(_complaint, _complaint_page, 'aftercare.complaint', form=form, form_as=form_as)


@bp.route('/aftercare/complaints/<int:complaint_id>/handover', methods=['POST'])
@allow(ANY_STAFF)
@_complaint_action(forms.HandoverForm, 'handover_form')
def handover(c, form):
    """The owner hands the complaint on to a colleague; recorded."""
    to = next((u for u in complaints.handover_candidates(c) if str(u.id) == form.to_user.data), None)
    complaints.hand_over(c, current_user, to, note=form.note.data, expected_version=form.version.data)
    return _('Handed over to %(who)s.', who=to.display_name)


@bp.route('/aftercare/complaints/<int:complaint_id>/investigate', methods=['POST'])
@allow(*HANDLERS)
@_complaint_action(forms.InvestigateForm, 'investigate_form')
def investigate(c, form):
    """Investigation notes, cause and whether it was service's fault."""
    complaints.investigate(c, current_user, investigation=form.investigation.data,
                           cause_category=form.cause_category.data, service_fault=form.fault_value,
                           severity=form.severity.data, expected_version=form.version.data)
    return _('Investigation saved.')


@bp.route('/aftercare/complaints/<int:complaint_id>/answer', methods=['POST'])
@allow(*HANDLERS)
@_complaint_action(forms.FirstAnswerForm, 'answer_form')
def first_answer(c, form):
    """The customer got a first answer: what the deadline measures."""
    complaints.first_answer(c, current_user, answer=form.answer.data, told_channel=form.told_channel.data,
                            expected_version=form.version.data)
    return _('First answer recorded.')


@bp.route('/aftercare/complaints/<int:complaint_id>/resolve', methods=['POST'])
@allow(*HANDLERS)
@_complaint_action(forms.ResolveForm, 'resolve_form')
def resolve(c, form):
    """Resolved, the customer told (when, how) and their satisfaction with the answer."""
    complaints.resolve(c, current_user, resolution=form.resolution.data, told_channel=form.told_channel.data,
                       satisfaction=form.satisfaction.data, expected_version=form.version.data)
    return _('Complaint resolved.')


@bp.route('/aftercare/complaints/<int:complaint_id>/close', methods=['POST'])
@allow(*HANDLERS)
@_complaint_action(forms.ActionForm, 'close_form')
def close(c, form):
    """Close a resolved complaint."""
    complaints.close_complaint(c, current_user, expected_version=form.version.data)
    return _('Complaint closed.')


@bp.route('/aftercare/complaints/analysis')
@allow(*READERS)
def analysis():
    """Complaints of the last 12 months by cause and month, service's share, satisfaction, answer time."""
    shop = current_shop()
    result = complaint_analysis.complaint_analysis(shop, shop_today(shop))
    return render('aftercare/analysis.html', None, a=result, chart=chart.stacked_months(result))


# --- command line --------------------------------------------------------------------------------------

@bp.cli.command('aftercare-escalate')
def escalate_command():
    """Escalate complaints without a first answer by their deadline, in every shop (for cron)."""
    with connection():
        for shop in Shop.select().order_by(Shop.id):
            done = complaints.escalate_overdue_complaints(shop, utcnow())
            click.echo('%s: %d escalated' % (shop.code, len(done)))
