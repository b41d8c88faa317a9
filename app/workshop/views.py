"""The technician's phone: "My jobs", the job card opened by a key-tag scan, and its one-tap actions.

Every action is a real form post (works without JavaScript: it redirects back to the card) that htmx
sends instead, swapping only the piece that changed; the card polls a cheap version every 5 seconds
so the advisor's decision, a parts answer or the QC result appear without a reload.
"""
from functools import partial

import click
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from app.accounts.context import current_shop
from app.core import stages
from app.core.access import ADVISOR, FOREMAN, MANAGER, QC, TECHNICIAN, allow
from app.core.db import connection
from app.core.idempotency import idempotent
from app.core.models import Shop
from app.core.photos import PhotoRejected
from app.core.web import act, render, replay, vary, wants_fragment
from app.catalogue.models import CannedJob
from app.reception.checkin import MARK_KINDS, release_abandoned
from app.reception.models import OrderLine, RepairOrder
from app.workshop import forms, queries, rules
from app.workshop.models import Finding

bp = Blueprint('workshop', __name__)

TILES = [
    ('workshop.my_jobs', _l('My jobs'), _l('The cars assigned to me: job card, clock, findings, added work, parts')),
]

READERS = (TECHNICIAN, FOREMAN, MANAGER, QC, ADVISOR)
WORKERS = (TECHNICIAN, FOREMAN)
# The pages a piece is drawn on (`place` in the templates): the forms on them say which answer they want back.
CARD, MY_JOBS = 'card', 'my_jobs'


# --- loading -----------------------------------------------------------------------------

def _order(order_id):
    return queries.card_order(current_shop(), order_id)


def _order_brief(order_id):
    """The order's id, shop, stage and version only: what a tap needs unless the head must be redrawn."""
    order = (RepairOrder.select(RepairOrder.id, RepairOrder.shop, RepairOrder.stage, RepairOrder.version)
             .where((RepairOrder.id == order_id) & (RepairOrder.shop == current_shop())).first())
    if order is None or order.stage == stages.DRAFT:
        abort(404)
    return order


def _line(order, line_id):
    """A line of this order; a line of another order (or shop) does not exist here."""
    line = OrderLine.get_or_none((OrderLine.id == line_id) & (OrderLine.order == order.id))
    if line is None:
        abort(404)
    return line


def _card(order):
    card = queries.JobCard(order, current_user, current_shop())
    card.version  # noqa: B018 - read first: a change made while the pieces are read shows at the next poll
    return card


def _version_field():
    value = request.form.get('version', '').strip()
    return value or None


def _forms(card, **given):
    """The card's forms: the ones passed in (bound, with what was typed) or fresh empty ones."""
    open_finding = request.args.get('finding', type=int)
    out = {
        'finding_form': given.get('finding_form') or forms.FindingForm(formdata=None).fill(card),
        'added_form': given.get('added_form') or forms.AddedWorkForm(
            formdata=None, finding=open_finding or 0).fill(card),
        'parts_form': given.get('parts_form') or forms.PartsRequestForm(formdata=None).fill(card),
        'check_form': given.get('check_form') or forms.self_check_form(card.order),
    }
    out['open_added'] = bool(open_finding) or bool(out['added_form'].errors)
    return out


def _context(card, **extra):
    ctx = dict(card=card, order=card.order, place=CARD)
    ctx.update(extra)
    return ctx


def duration(minutes):
    """'2 d 5 h' / '2 h 5 min' / '35 min'."""
    m = abs(int(minutes or 0))
    if m >= 24 * 60:
        return _('%(d)s d %(h)s h', d=m // 1440, h=m % 1440 // 60)
    return _('%(h)s h %(m)s min', h=m // 60, m=m % 60) if m >= 60 else _('%(m)s min', m=m)


def time_left(promised_at, delta):
    """Time left until the promised time (or how late), ticking on the phone through workshop.js."""
    if promised_at is None or delta is None:
        return ''
    minutes = int(delta.total_seconds() // 60)
    text = _('%(t)s left', t=duration(minutes)) if minutes >= 0 else _('%(t)s late', t=duration(minutes))
    return Markup('<span class="time-left%s" data-until="%s" data-left="%s" data-late="%s" data-dh="%s" data-hm="%s" '
                  'data-m="%s">%s</span>') % (
        ' over' if minutes < 0 else '', iso(promised_at), _('%(t)s left', t='{t}'), _('%(t)s late', t='{t}'),
        _('%(d)s d %(h)s h', d='{d}', h='{h}'), _('%(h)s h %(m)s min', h='{h}', m='{m}'), _('%(m)s min', m='{m}'),
        text)


def iso(dt):
    return dt.strftime('%Y-%m-%dT%H:%M:%SZ') if dt else ''


@bp.context_processor
def _helpers():
    """What the workshop's templates format with (labels from the rules, time and money helpers)."""
    return dict(severities=rules.SEVERITIES, severity_short=rules.SEVERITY_SHORT, line_labels=stages.LINE_LABELS,
                aw_labels=rules.ADDED_WORK_LABELS, pr_labels=rules.PARTS_LABELS, channel_labels=rules.CHANNEL_LABELS,
                self_check_items=rules.SELF_CHECK_LABELS, sc_states=rules.SELF_CHECK_STATES, mark_kinds=MARK_KINDS,
                working=rules.WORKING, hm=queries.hours_minutes, price=queries.total_price, duration=duration,
                time_left=time_left, iso=iso)


def _page(card, status=200, error=None, **given):
    resp = render('workshop/job_card.html', None, **_context(card, error=error, **_forms(card, **given)))
    resp.status_code = status
    return resp


def _piece(template, card, status=200, **extra):
    extra.setdefault('status', status)
    resp = current_app.make_response(render_template(template, **_context(card, **extra)))
    resp.status_code = status
    return vary(resp)


def _card_url(order_id, anchor=None):
    return url_for('workshop.job_card', order_id=order_id, _anchor=anchor)


# --- pages ---------------------------------------------------------------------------------

@bp.route('/jobs')
@allow(TECHNICIAN, FOREMAN, MANAGER)
def my_jobs():
    """My jobs: the lines assigned to me on open orders, by car, soonest promised first; my running clock on top."""
    shop = current_shop()
    groups, timing = queries.my_jobs(shop, current_user)
    return render('workshop/my_jobs.html', None, groups=groups, timing=timing, place=MY_JOBS,
                  clock=queries.running_clock(current_user, shop))


@bp.route('/jobs/<int:order_id>')
@allow(*READERS)
def job_card(order_id):
    """The job card (工单) of one car: what to do, the clock, findings, added work, parts, self-check, hand-over."""
    return _page(_card(_order(order_id)))


@bp.route('/jobs/<int:order_id>/state')
@allow(*READERS)
def card_state(order_id):
    """The card's 5-second poll: 204 when nothing on the order changed since `v`, else its changing pieces."""
    version = queries.card_version(current_shop(), order_id)
    if version is None:
        abort(404)
    if request.args.get('v') == version:
        resp = current_app.make_response(('', 204))
    elif not wants_fragment():
        resp = redirect(_card_url(order_id))
    else:
        resp = _piece('workshop/_card_state.html', _card(_order(order_id)))
    resp.headers['Cache-Control'] = 'private, no-store'
    return vary(resp)


# --- the line's buttons: clock on, clock off, done ----------------------------------------------

# What a line tap's form asks back (its hidden field `answer`): the piece it swaps, and the page it is on, whose
# other changed pieces come out of band. The line's row is on its card; the clock banner is on the card of its own
# order, on "My jobs", or on the card of another order (then nothing else there changed).
ANSWERS = {'line': ('line', CARD), 'card-clock': ('clock', CARD), 'jobs-clock': ('clock', MY_JOBS),
           'clock': ('clock', None)}


def _line_answer(order, line_id, answer, touched=(), status=200, message=None, changed=True, notice=None):
    """A line tap's answer to htmx: the piece its form asked for, and out of band every other piece of that page
    that changed (the clock, a row whose clock was switched off, and, when `changed` (the order's stage or a job's
    done state moved), the head and the hand-over; on "My jobs" its list)."""
    card = _card(order)
    line = card.line_by_id(line_id)
    if line is None:
        abort(404)
    main, place = ANSWERS.get(answer, ANSWERS['line'])
    skip = {line.id} if main == 'line' else set()
    extra_rows = [ln for ln in card.lines if ln.id in set(touched) - skip] if place == CARD else []
    ctx = dict(main=main, line=line, extra_rows=extra_rows, place=place, message=message, changed=changed,
               notice=notice)
    if place == MY_JOBS:
        ctx['groups'], ctx['timing'] = queries.my_jobs(current_shop(), current_user)
    if place == CARD and changed:
        # the order's version moved: the self-check's form is drawn again, or its next tap would be refused as stale
        ctx['check_form'] = forms.self_check_form(card.order)
    return _piece('workshop/_line_answer.html', card, status, **ctx)


def _line_piece(order, line_id, answer, touched, was, status=200, error=None, done=None, notice=None):
    """The answer to a line tap (app.core.web.act): for htmx the pieces `answer` asks for, else the card.

    `was`: (stage, done) before a tap that went through, to redraw the head only when they moved; the full order
    (car, key tag, promise) is read only then. Without it (a refusal, a stale form, a repeat) all is drawn afresh."""
    if not wants_fragment():
        return _page(_card(_order(order.id)), status, error=error)
    if error is not None or was is None:
        return _line_answer(_order(order.id), line_id, answer, touched, status, error)
    order.stage, order.version, status = queries.stage_version_and_line_status(order.id, line_id)
    changed = order.stage != was[0] or was[1] != (status == stages.LINE_DONE)
    return _line_answer(_order(order.id) if changed else order, line_id, answer, touched, changed=changed,
                        notice=notice() if notice and done is not None else None)


def _line_replay(order_id, line_id):
    order = _order(order_id)
    return replay(partial(_line_piece, order, line_id, request.form.get('answer'), (), None), _card_url(order_id))


def _line_action(order_id, line_id, rule, done, notice=None):
    """Run a line rule and answer with what changed; the order is read once, its stage re-read narrowly.
    `notice(result)`: what the phone must say about the rule's result beyond the redrawn pieces (or None)."""
    order = _order_brief(order_id)
    line = _line(order, line_id)
    touched = queries.running_line_ids(line.technician_id) | {line.id}
    was = (order.stage, line.status == stages.LINE_DONE)
    ran = {}

    def run():
        ran['result'] = rule(line, current_user, version=_version_field())

    said = None
    if notice:
        def said():     # asked by the flash and by the piece: worked out once
            if 'notice' not in ran:
                ran['notice'] = notice(ran.get('result'))
            return ran['notice']
    piece = partial(_line_piece, order, line_id, request.form.get('answer'), touched, was, notice=said)
    return act(piece, run, done=lambda: (said and said()) or done, back=_card_url(order_id, 'line-%d' % line_id))


def _paused_notice(entry):
    """Clocking on here stopped the clock on another job: say which, so it is not left paused unknowingly."""
    jobs = rules.paused_jobs(entry) if entry is not None else []
    if not jobs:
        return None
    return _('Clock on. Your clock on %(job)s (%(plate)s) is paused.',
             job=jobs[0][0], plate=jobs[0][1])


@bp.route('/jobs/<int:order_id>/lines/<int:line_id>/clock-on', methods=['POST'])
@allow(*WORKERS)
@idempotent(replay=_line_replay)
def clock_on(order_id, line_id):
    """Start my clock on this job (stops my clock on any other job)."""
    return _line_action(order_id, line_id, rules.clock_on, _('Clock on.'), notice=_paused_notice)


@bp.route('/jobs/<int:order_id>/lines/<int:line_id>/clock-off', methods=['POST'])
@allow(*WORKERS)
@idempotent(replay=_line_replay)
def clock_off(order_id, line_id):
    """Stop the clock on this job (a break, waiting for something)."""
    return _line_action(order_id, line_id, rules.clock_off, _('Clock off.'))


@bp.route('/jobs/<int:order_id>/lines/<int:line_id>/done', methods=['POST'])
@allow(*WORKERS)
@idempotent(replay=_line_replay)
def line_done(order_id, line_id):
    """This job is finished: its clock stops."""
    return _line_action(order_id, line_id, rules.mark_done, _('Job done.'))


# --- order-wide sections: findings, added work, parts requests, self-check, hand-over ------------

def _section(name, order_id, status=200, error=None, done=None, **given):
    """A section's answer (app.core.web.act): the section itself to htmx (with what was typed on an error) and out
    of band the pieces it changed, else the page."""
    card = _card(_order(order_id))
    if not wants_fragment():
        return _page(card, status, error=error, **given)
    return _piece('workshop/_section_answer.html', card, status, section=name, error=error, **_forms(card, **given))


# The form each order-wide section posts, by the section's name (the id of its piece).
SECTION_FORMS = {'findings': 'finding_form', 'added-work': 'added_form', 'parts': 'parts_form'}


def _section_post(name, order_id, form_class, rule, done):
    """A section's form posted (app.core.web.act): `rule(card, form)`, the form's choices filled from the card."""
    card = _card(_order(order_id))
    form = form_class().fill(card)
    return act(partial(_section, name, order_id), lambda: rule(card, form), done=done,
               back=_card_url(order_id, name), form=form, form_as=SECTION_FORMS[name])


def _section_replay(name):
    def replay_section(order_id):
        return replay(partial(_section, name, order_id), _card_url(order_id, name))
    return replay_section


def _on_field(field, message):
    """A refusal shown under the form's field (the section shows no message of its own)."""
    field.errors = list(field.errors) + [message]
    return rules.WorkshopError('')


def _add_finding(card, form):
    uploads = [f for f in request.files.getlist(form.photo.name) if f and f.filename]
    try:
        rules.add_finding(card.order, current_user, severity=form.severity.data, note=form.note.data,
                          line=card.line_by_id(form.line.data) if form.line.data else None,
                          photos=[f.read() for f in uploads])
    except PhotoRejected as exc:
        raise _on_field(form.photo, str(exc)) from exc


def _ask_added_work(card, form):
    canned = None
    if form.canned_job.data:
        canned = CannedJob.get_or_none((CannedJob.id == form.canned_job.data) & (CannedJob.shop == current_shop()))
        if canned is None:
            raise _on_field(form.canned_job, _('Pick a job from the list.'))
    finding = None
    if form.finding.data:
        finding = Finding.get_or_none((Finding.id == form.finding.data) & (Finding.order == card.order.id))
    rules.request_added_work(card.order, current_user, description=form.description.data or '', canned_job=canned,
                             hours=form.hours.data, parts=form.part_rows(), safety=form.safety.data, finding=finding)


def _ask_parts(card, form):
    line = card.line_by_id(form.line.data)
    if line is None:
        raise _on_field(form.line, _('Choose the job the part is for.'))
    rules.request_parts(card.order, current_user, line=line, part_number=form.part_number.data or '',
                        name=form.name.data, quantity=form.quantity.data)


@bp.route('/jobs/<int:order_id>/findings', methods=['POST'])
@allow(*WORKERS)
@idempotent(replay=_section_replay('findings'))
def finding_add(order_id):
    """A finding (red / amber / green) with a note and photos from the phone's camera."""
    return _section_post('findings', order_id, forms.FindingForm, _add_finding, _('Finding added.'))


@bp.route('/jobs/<int:order_id>/added-work', methods=['POST'])
@allow(*WORKERS)
@idempotent(replay=_section_replay('added-work'))
def added_work_request(order_id):
    """Ask for added work: the advisor puts the price and the delay to the customer."""
    return _section_post('added-work', order_id, forms.AddedWorkForm, _ask_added_work,
                         _('Sent to the advisor. The answer will show here.'))


@bp.route('/jobs/<int:order_id>/parts-requests', methods=['POST'])
@allow(*WORKERS)
@idempotent(replay=_section_replay('parts'))
def parts_request(order_id):
    """Ask the parts counter for a part for one of my jobs."""
    return _section_post('parts', order_id, forms.PartsRequestForm, _ask_parts,
                         _('Parts request sent to the counter.'))


@bp.route('/jobs/<int:order_id>/self-check', methods=['POST'])
@allow(*WORKERS)
@idempotent(replay=_section_replay('selfcheck'))
def self_check(order_id):
    """The technician's self-check (自检) before the QC inspection."""
    order = _order(order_id)
    form = forms.SelfCheckForm()

    def piece(status, **given):
        if status == 409:
            # What was typed stays, at the order's version now: the next tap saves it.
            form.version.data = None
            given['check_form'] = form
        return _section('selfcheck', order_id, status, **given)
    return act(piece, lambda: rules.save_self_check(order, current_user, items=form.items(),
                                                    version=form.version.data or None),
               done=_('Self-check saved.'), back=_card_url(order_id, 'selfcheck'), form=form, form_as='check_form')


@bp.route('/jobs/<int:order_id>/handover', methods=['POST'])
@allow(*WORKERS)
@idempotent(replay=_section_replay('handover'))
def handover_qc(order_id):
    """Hand the car over to the QC inspector: every job done, the self-check complete."""
    order = _order(order_id)
    return act(partial(_section, 'handover', order_id),
               lambda: rules.hand_over_to_qc(order, current_user, version=_version_field()),
               done=_('Handed over to QC.'), back=_card_url(order_id, 'handover'))


# --- shift end ---------------------------------------------------------------------------------

@click.command('close-shifts')
@click.option('--shop', 'code', default=None, help='Only this shop (code); default every shop.')
@with_appcontext
def close_shifts_command(code):
    """End the clocks left running past the shift end, at the shift end, flagged for the foreman; cancel the
    check-ins abandoned for longer than the shop's setting, so their key tags go back to the pool.

    Run it from cron every 15 minutes (or just after each shift end); running it again changes nothing.
    """
    with connection():
        shops = Shop.select().where(Shop.code == code) if code else Shop.select()
        for shop in shops:
            ended = rules.close_shift(shop)
            click.echo('%s: %d clock(s) ended at the shift end' % (shop.code, len(ended)))
            released = release_abandoned(shop)     # the same housekeeping frees abandoned check-ins' key tags
            click.echo('%s: %d abandoned check-in(s) cancelled' % (shop.code, len(released)))


bp.record_once(lambda state: state.app.cli.add_command(close_shifts_command))
