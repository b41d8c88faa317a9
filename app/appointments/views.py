"""Appointments: the day and week calendar with bay capacity, booking, reminders, arrival and the slip."""
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.accounts.models import User
from app.appointments import forms, queries, rules
from app.appointments.models import Appointment
from app.core import params
from app.core.access import ADVISOR, CUSTOMER_SERVICE, FOREMAN, MANAGER, allow
from app.core.db import utcnow
from app.core.i18n import current_language, customer_language
from app.core.idempotency import idempotent
from app.core.timeutil import local_now, shop_today, to_local, to_utc
from app.core.web import act, render, replays_piece, vary, wants_fragment
from app.reception.models import CannedJob

bp = Blueprint('appointments', __name__)

# Booking and everything that changes an appointment; the calendar is also for the workshop and customer service.
BOOKERS = (ADVISOR, MANAGER)
VIEWERS = (ADVISOR, MANAGER, FOREMAN, CUSTOMER_SERVICE)

TILES = [
    ('appointments.day', _l('Appointments'), _l('Day and week calendar with bay capacity; book a visit')),
    ('appointments.reminders', _l('Appointment reminders'), _l('Customers to remind a day or half a day ahead')),
]

EVENT_LABELS = {
    'appointment.booked': _l('Booked'),
    'appointment.reminded': _l('Customer reminded'),
    'appointment.no_show': _l('Marked as a no-show'),
    'appointment.cancelled': _l('Cancelled'),
    'appointment.arrived': _l('Arrived; check-in started'),
}


# --- calendar -----------------------------------------------------------------------------

def _chosen_day(shop):
    """?date=: today when missing or unreadable; a 400 for a date no shop means (the year 9999)."""
    return params.date_arg('date', shop_today(shop))


def _advisors(shop):
    return list(User.with_role(shop, ADVISOR).order_by(User.display_name))


def _chosen_advisor(advisors):
    wanted = params.id_arg('advisor')
    return next((u for u in advisors if u.id == wanted), None)


def _calendar(view):
    shop = current_shop()
    day = _chosen_day(shop)
    advisors = _advisors(shop)
    advisor = _chosen_advisor(advisors)
    step = timedelta(days=7 if view == 'week' else 1)
    ctx = dict(view=view, day=day, today=shop_today(shop), prev_day=day - step, next_day=day + step,
               advisors=advisors, advisor=advisor, hours=rules.Hours.of(shop),
               now_local=local_now(shop.timezone).replace(tzinfo=None))
    if view == 'week':
        ctx['week'] = rules.week_slots(shop, day, advisor)
    else:
        ctx['slots'] = rules.day_slots(shop, day, advisor)
    return render('appointments/calendar.html', 'appointments/_calendar.html', **ctx)


@bp.route('/appointments')
@allow(*VIEWERS)
def day():
    """One day's slots: bay hours available vs booked, and who is coming."""
    return _calendar('day')


@bp.route('/appointments/week')
@allow(*VIEWERS)
def week():
    """A week of slots at a glance, for the shop or one advisor."""
    return _calendar('week')


# --- booking ------------------------------------------------------------------------------

def _booking_form(**kwargs):
    shop = current_shop()
    jobs = CannedJob.for_shop(shop).where(CannedJob.active == True).order_by(CannedJob.code)  # noqa: E712
    return forms.BookingForm(advisors=_advisors(shop), canned_jobs=list(jobs), lang=current_language(), **kwargs)


def _booking_page(form, status=200, when_error=None):
    shop = current_shop()
    chosen = None
    customer_id, vehicle_id = forms.parse_pick(form.pick.data)
    if customer_id is not None:
        chosen = queries.pick_for(shop, customer_id, vehicle_id)
    results = [p for p in queries.find_picks(shop, form.q.data) if not chosen or p.value != chosen.value]
    hours = rules.Hours.of(shop)
    threshold, share = rules.deposit_terms(shop)
    resp = render('appointments/new.html', None, form=form, chosen=chosen, results=results, q=form.q.data or '',
                  hours=hours, when_error=when_error, threshold=threshold, share=share)
    resp.status_code = status
    return resp


@bp.route('/appointments/new', methods=['GET', 'POST'])
@allow(*BOOKERS)
def new():
    """Book a visit: customer and car, when, the work, parts to order and any deposit."""
    shop = current_shop()
    if request.method == 'GET':
        form = _booking_form(formdata=None)
        form.date.data = _chosen_day(shop)
        try:
            form.time.data = datetime.strptime(request.args.get('time', ''), '%H:%M').time()
        except ValueError:
            form.time.data = None
        form.q.data = request.args.get('q', '').strip()[:60]
        form.advisor.data = str(current_user.id) if current_user.has_role(ADVISOR) else ''
        return _booking_page(form)

    form = _booking_form()
    if 'find' in request.form:
        # Without JavaScript the search button posts the form back: show the matches, keep what was typed.
        return _booking_page(form)
    if not form.validate_on_submit():
        return _booking_page(form, 400)
    pick = queries.pick_for(shop, *forms.parse_pick(form.pick.data))
    if pick is None:
        form.pick.errors.append(_('This customer or vehicle is not in this shop any more. Search again.'))
        return _booking_page(form, 400)
    jobs = [form.jobs_by_id[i] for i in form.canned_jobs.data or [] if i in form.jobs_by_id]
    duration = form.duration.data
    if duration is None:
        duration = sum((j.hours for j in jobs), Decimal('0')) or Decimal(rules.Hours.of(shop).slot_minutes) / 60
    advisor = next((u for u in _advisors(shop) if str(u.id) == form.advisor.data), None)
    start_utc = to_utc(datetime.combine(form.date.data, form.time.data), shop.timezone)
    booking = dict(customer=pick.customer, vehicle=pick.vehicle, advisor=advisor, start_at=start_utc,
                   duration=duration, requested_work=form.requested_work.data,
                   jobs=[(j, j.name, j.hours) for j in jobs], parts=[row.as_tuple() for row in form.filled_parts],
                   deposit=form.deposit.data or 0, deposit_method=form.deposit_method.data or None)
    # Show every refusal at once; book() checks again under the shop's lock.
    problems = rules.booking_problems(shop, start_utc, duration, booking['parts'], booking['deposit'],
                                      booking['deposit_method'])
    if not problems:
        try:
            appt = rules.book(shop, current_user, **booking)
        except rules.BookingRefused as refused:
            problems = [refused]
    if problems:
        return _refused(form, problems)
    flash(_('Booked %(who)s for %(when)s.', who=pick.customer.name,
            when=to_local(appt.start_at, shop.timezone).strftime('%Y-%m-%d %H:%M')), 'ok')
    return redirect(url_for('appointments.detail', appointment_id=appt.id))


def _refused(form, problems):
    """The rules' refusals shown where they belong: the time, the deposit or the pick."""
    when_error = None
    for refused in problems:
        if refused.field == 'start':
            when_error = refused.message
        else:
            {'deposit': form.deposit, 'deposit_method': form.deposit_method, 'duration': form.duration,
             'pick': form.pick}[refused.field].errors.append(refused.message)
    return _booking_page(form, 400, when_error=when_error)


@bp.route('/appointments/customers')
@allow(*BOOKERS)
def customer_search():
    """Customers and cars matching what was typed (plate, phone, VIN tail, name), to pick for a booking."""
    form = _booking_form(formdata=None)
    form.q.data = request.args.get('q', '').strip()[:60]
    form.date.data = _chosen_day(current_shop())
    if wants_fragment():
        results = queries.find_picks(current_shop(), form.q.data)
        return render('appointments/new.html', 'appointments/_customer_results.html', results=results,
                      q=form.q.data, form=form)
    return _booking_page(form)


# --- one appointment ----------------------------------------------------------------------

def _get(appointment_id):
    return Appointment.get_for_shop_or_404(current_shop(), appointment_id)


def _detail(appointment_id, status=200, error=None, done=None, form=None):
    """The appointment's page (app.core.web.act), with the message of an action that was refused."""
    appt = _get(appointment_id)
    resp = render('appointments/detail.html', None, appt=appt, moves=rules.allowed_moves(appt),
                  history=queries.history(appt), event_labels=EVENT_LABELS, status=status,
                  error=error or _form_errors(form),
                  deposit_needed=rules.required_deposit(appt.shop, appt.part_list)[0])
    resp.status_code = status
    return resp


def _form_errors(form):
    return ' '.join(str(e) for errors in form.errors.values() for e in errors) if form is not None else None


def _detail_url(appointment_id):
    return url_for('appointments.detail', appointment_id=appointment_id)


_replay_detail = replays_piece(_detail, _detail_url, load=_get)


@bp.route('/appointments/<int:appointment_id>')
@allow(*VIEWERS)
def detail(appointment_id):
    """An appointment with its work, parts, deposit, reminder and the actions left."""
    return _detail(appointment_id)


def _reminded(appointment_id, status=200, error=None, done=None, form=None):
    """The answer to a reminder: for htmx the list's row (with what was typed when it was refused), else the
    appointment's page with the message."""
    if not wants_fragment():
        return _detail(appointment_id, status, error, form=form)
    appt = _get(appointment_id)
    resp = current_app.make_response(render_template(
        'appointments/_reminder_row.html', appt=appt, form=form or forms.ReminderForm(formdata=None), error=error,
        now=utcnow(), half_day=rules.reminder_hours(appt.shop)[1]))
    resp.status_code = status
    return vary(resp)


def _reminders_back(appointment_id):
    """Without JavaScript, back to where the reminder was recorded: the reminder list or the appointment."""
    return url_for('appointments.reminders') if request.form.get('back') == 'reminders' else \
        _detail_url(appointment_id)


@bp.route('/appointments/<int:appointment_id>/remind', methods=['POST'])
@allow(*BOOKERS)
@idempotent(replay=replays_piece(_reminded, _reminders_back, load=_get))
def remind(appointment_id):
    """Record that the customer was reminded (who, when, how); from the list only that row changes."""
    appt = _get(appointment_id)
    form = forms.ReminderForm()
    return act(partial(_reminded, appointment_id),
               lambda: rules.mark_reminded(appt, current_user, channel=form.channel.data, note=form.note.data,
                                           expected_version=form.version.data or None),
               done=_('Reminder recorded.'), back=_reminders_back(appointment_id), form=form)


def _on_appointment(appointment_id, rule, done):
    """A button on the appointment's page (app.core.web.act): `rule(appt, form)` with the version it was drawn at."""
    appt, form = _get(appointment_id), forms.ActionForm()
    return act(partial(_detail, appointment_id), lambda: rule(appt, form), done=done,
               back=_detail_url(appointment_id), form=form)


@bp.route('/appointments/<int:appointment_id>/no-show', methods=['POST'])
@allow(*BOOKERS)
@idempotent(replay=_replay_detail)
def no_show(appointment_id):
    """The customer did not come (only after the start time)."""
    return _on_appointment(appointment_id, lambda appt, form: rules.mark_no_show(
        appt, current_user, expected_version=form.version.data or None),
        _('Marked as a no-show; the bay is free again.'))


@bp.route('/appointments/<int:appointment_id>/cancel', methods=['POST'])
@allow(*BOOKERS)
@idempotent(replay=_replay_detail)
def cancel(appointment_id):
    """The customer called the visit off; the bay is freed."""
    return _on_appointment(appointment_id, lambda appt, form: rules.cancel(
        appt, current_user, note=form.note.data, expected_version=form.version.data or None),
        _('Appointment cancelled; the bay is free again.'))


def _replay_arrive(appointment_id):
    appt = _get(appointment_id)
    if appt.order_id:
        return redirect(url_for('reception.order', order_id=appt.order_id))
    return _replay_detail(appointment_id=appointment_id)


@bp.route('/appointments/<int:appointment_id>/arrive', methods=['POST'])
@allow(*BOOKERS)
@idempotent(replay=_replay_arrive)
def arrive(appointment_id):
    """The car is here: open the check-in with everything booked carried over."""
    opened = []
    resp = _on_appointment(appointment_id, lambda appt, form: opened.append(rules.arrive(
        appt, current_user, expected_version=form.version.data or None)),
        _('Check-in started from the appointment.'))
    # Arrived: on to the check-in it opened, not back to the appointment.
    return redirect(url_for('reception.order', order_id=opened[0].id)) if opened else resp


# --- reminders ----------------------------------------------------------------------------

@bp.route('/appointments/reminders')
@allow(*BOOKERS)
def reminders():
    """Who to remind: booked for the next half day or the next day and not reminded yet."""
    shop = current_shop()
    soon, later = rules.reminder_groups(shop)
    day_hours, half_day = rules.reminder_hours(shop)
    return render('appointments/reminders.html', None, soon=soon, later=later, day_hours=day_hours,
                  half_day=half_day, form=forms.ReminderForm(formdata=None), now=utcnow())


# --- the slip -------------------------------------------------------------------------------

@bp.route('/appointments/<int:appointment_id>/slip')
@allow(*VIEWERS)
def slip(appointment_id):
    """The appointment slip to print (A4) in the customer's language."""
    appt = _get(appointment_id)
    lang = customer_language(appt.customer)
    with force_locale(lang):
        body = render_template('appointments/slip.html', appt=appt, lang=lang, shop=appt.shop,
                               deposit_needed=rules.required_deposit(appt.shop, appt.part_list)[0])
    return body
