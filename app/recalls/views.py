"""Recalls and service campaigns: the list, a new campaign (typed or from the maker's file), its edit, close and
reopen, the cars a campaign covers with their owners, call tasks, the one-tap add on an order, and the claimed-part
checks due."""
from functools import partial

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core import params
from app.core.access import ADVISOR, CUSTOMER_SERVICE, FOREMAN, MANAGER, TECHNICIAN, WARRANTY, allow, may_use
from app.core.idempotency import idempotent
from app.core.timeutil import shop_today
from app.core.web import act, record_action, render, replay
from app.recalls import changes, imports, parts_due, rules
from app.recalls.forms import CampaignForm, CloseForm, EditCampaignForm, PartCheckForm, VersionForm
from app.recalls.models import Campaign, CampaignVin
from app.reception.models import RepairOrder

bp = Blueprint('recalls', __name__)

READERS = (MANAGER, WARRANTY, ADVISOR, CUSTOMER_SERVICE)
EDITORS = (MANAGER, WARRANTY)
CALLERS = (MANAGER, WARRANTY, CUSTOMER_SERVICE)
ADDERS = (ADVISOR, MANAGER, WARRANTY, FOREMAN, TECHNICIAN)

TILES = [
    ('recalls.index', _l('Recalls and campaigns'),
     _l('The maker\'s campaigns, cars not yet done and their owners to call; claimed-part checks')),
]


@bp.app_context_processor
def _recall_helpers():
    """What the order, check-in, job card and search pages include: a car's recalls, for those who may see them."""
    def car_recalls(vehicle):
        if vehicle is None or not (may_use('recalls.add') or may_use('recalls.index')):
            return []
        return rules.vehicle_recalls(vehicle, today=shop_today(current_shop()))   # the page's shop, read already

    def open_recall_count(vehicle):
        return sum(1 for r in car_recalls(vehicle) if not r.done)

    return {'car_recalls': car_recalls, 'open_recall_count': open_recall_count}


@bp.route('/recalls')
@allow(*READERS)
def index():
    """The shop's campaigns, newest first, with how many of their cars are done: running (or not yet started),
    ended, and closed, each apart."""
    shop, today = current_shop(), shop_today(current_shop())
    campaigns = list(Campaign.for_shop(shop).order_by(Campaign.starts_on.desc(), Campaign.code))
    counts, groups = {}, {Campaign.ACTIVE: [], Campaign.ENDED: [], Campaign.CLOSED: []}
    for c in campaigns:
        cars = rules.affected(c)
        counts[c.id] = (sum(1 for a in cars if a.done), len(cars))
        state = c.state(today)
        groups[Campaign.ACTIVE if state == Campaign.UPCOMING else state].append(c)
    return render('recalls/index.html', None, groups=groups, counts=counts, today=today,
                  checks=len(parts_due.due(shop)))


def _vin_rows(form):
    """The VIN entries the form brings: typed, then the maker's file's rows (numbered as in the file)."""
    upload = form.file.data
    rows = rules.text_rows(form.vins.data)
    if upload is not None and getattr(upload, 'filename', ''):
        rows += imports.vin_rows(upload.filename, upload.read())
    return rows


def _typed(form):
    """The campaign's columns as typed, for rules.checked_fields (entering and editing alike)."""
    return dict(code=form.code.data, title=form.title.data, kind=form.kind.data, work=form.work.data,
                system=form.system.data, hours=form.hours.data, parts_text=form.parts.data,
                starts_on=form.starts_on.data, ends_on=form.ends_on.data, note=form.note.data)


def _new_page(status=200, form=None, error=None, bad=None, **_given):
    form = form or CampaignForm()
    if form.starts_on.data is None and request.method == 'GET':
        form.starts_on.data = shop_today(current_shop())
    return render('recalls/new.html', None, form=form, error=error, bad=bad or []), status


@bp.route('/recalls/new', methods=['GET', 'POST'])
@allow(*EDITORS)
@idempotent(replay=lambda: replay(_new_page, url_for('recalls.index')))
def new():
    """Enter a campaign: its work and parts, and its VINs typed or in the maker's CSV / XLSX file."""
    form = CampaignForm()
    if request.method == 'GET':
        return _new_page(form=form)
    made = []

    def run():
        made.append(rules.create_campaign(current_shop(), current_user, vin_rows=_vin_rows(form), **_typed(form)))

    def piece(status, form=None, error=None, refused=None, **given):
        bad = getattr(refused, 'rows', None)
        return _new_page(status, form=form, error=error if not bad else None, bad=bad)

    return act(piece, run, form=form, done=lambda: _('Campaign %(code)s saved.', code=made[0].code),
               back=lambda: url_for('recalls.campaign', campaign_id=made[0].id))


def _campaign(campaign_id):
    return Campaign.get_for_shop_or_404(current_shop(), campaign_id)


def _campaign_page(campaign, status=200, error=None, close_form=None, **_given):
    return render('recalls/campaign.html', None, campaign=campaign, cars=rules.affected(campaign), error=error,
                  today=shop_today(current_shop()), close_form=close_form or CloseForm(formdata=None)), status


@bp.route('/recalls/<int:campaign_id>')
@allow(*READERS)
def campaign(campaign_id):
    """One campaign: its work, parts and VINs, and every car it covers with its owner: not done first."""
    return _campaign_page(_campaign(campaign_id))


@bp.route('/recalls/<int:campaign_id>/calls', methods=['POST'])
@allow(*CALLERS)
@record_action(_campaign, _campaign_page, 'recalls.campaign')
def calls(found, _form):
    """Call tasks for the owners of the cars not yet done (once each car)."""
    n = rules.make_calls(found, current_user)
    return _('%(n)d call tasks made: they are on the follow-up call list.', n=n)


# --- edit, close, reopen ---------------------------------------------------------------------------------------

def _edit_page(campaign, status=200, error=None, form=None, refused=None, **_given):
    """The edit form: as typed after a refusal, else (first drawn, or stale) the campaign as it is now."""
    if form is None:
        form = EditCampaignForm(formdata=None, data=changes.form_data(campaign))
    entries = list(campaign.vins.order_by(CampaignVin.id))
    form.remove.choices = [(v.id, v.vin_from if v.vin_from == v.vin_to else '%s – %s' % (v.vin_from, v.vin_to))
                           for v in entries]
    bad = getattr(refused, 'rows', None)
    return render('recalls/edit.html', None, campaign=campaign, form=form, error=error if not bad else None,
                  bad=bad or []), status


@bp.route('/recalls/<int:campaign_id>/edit')
@allow(*EDITORS)
def edit(campaign_id):
    """Change a campaign: its work, parts, dates and VIN list (work already on orders stays as it was added)."""
    return _edit_page(_campaign(campaign_id))


@bp.route('/recalls/<int:campaign_id>/edit', methods=['POST'])
@allow(*EDITORS)
@record_action(_campaign, _edit_page, 'recalls.campaign', form=EditCampaignForm)
def edit_save(found, form):
    """Save the changed campaign (refused, with the fresh form, when someone changed it since the form was drawn)."""
    changes.update_campaign(found, current_user, expected_version=form.version.data, vin_rows=_vin_rows(form),
                            remove=form.remove.data or [], **_typed(form))
    return _('Campaign %(code)s saved.', code=found.code)


@bp.route('/recalls/<int:campaign_id>/close', methods=['POST'])
@allow(*EDITORS)
@record_action(_campaign, _campaign_page, 'recalls.campaign', form=CloseForm, form_as='close_form')
def close(found, form):
    """Close the campaign: no open recall on any car from now on, its open call tasks cancelled."""
    n = changes.close_campaign(found, current_user, reason=form.reason.data, note=form.note.data,
                               expected_version=form.version.data)
    return _('Campaign %(code)s closed; %(n)d open call tasks cancelled.', code=found.code, n=n)


@bp.route('/recalls/<int:campaign_id>/reopen', methods=['POST'])
@allow(*EDITORS)
@record_action(_campaign, _campaign_page, 'recalls.campaign', form=VersionForm, form_as='version_form')
def reopen(found, form):
    """Open a closed campaign again (its call tasks are made again only with the button)."""
    changes.reopen_campaign(found, current_user, expected_version=form.version.data)
    return _('Campaign %(code)s reopened.', code=found.code)


# --- one tap on an order ---------------------------------------------------------------------------------------

BACKS = {'order': 'reception.order', 'job': 'workshop.job_card'}


def _back(order):
    target = request.form.get('back', '')
    if target == 'checkin' and not order.is_signed:
        return url_for('reception.checkin_resume', draft_id=order.id)
    endpoint = BACKS.get(target, 'reception.order')
    return url_for(endpoint, order_id=order.id)


def _pair(campaign_id, order_id):
    shop = current_shop()
    return Campaign.get_for_shop_or_404(shop, campaign_id), RepairOrder.get_for_shop_or_404(shop, order_id)


def _pair_page(found, status=200, error=None, **_given):
    campaign, order = found
    return render('recalls/added.html', None, campaign=campaign, order=order, error=error,
                  back=_back(order)), status


def _pair_replay(campaign_id, order_id):
    found = _pair(campaign_id, order_id)
    return replay(partial(_pair_page, found), _back(found[1]))


@bp.route('/recalls/<int:campaign_id>/orders/<int:order_id>', methods=['POST'])
@allow(*ADDERS)
@idempotent(replay=_pair_replay)
def add(campaign_id, order_id):
    """One tap: the campaign's work and parts on the order, billed to the maker."""
    found = _pair(campaign_id, order_id)
    form = VersionForm()

    def run():
        rules.add_to_order(found[0], found[1], current_user, expected_version=form.version.data)

    return act(partial(_pair_page, found), run, form=form,
               done=lambda: _('%(code)s added: the maker pays.', code=found[0].code), back=lambda: _back(found[1]))


# --- claimed-part checks ---------------------------------------------------------------------------------------

def _parts_page(status=200, error=None, **_given):
    shop = current_shop()
    return render('recalls/parts.html', None, checks=parts_due.due(shop), error=error, today=shop_today(shop),
                  months=parts_due.CHECK_MONTHS), status


@bp.route('/recalls/parts')
@allow(*READERS)
def parts():
    """Claimed parts nearing ½, 1, 2, 3 or 5 years: the cars to book back for a check."""
    return _parts_page()


@bp.route('/recalls/parts/call', methods=['POST'])
@allow(*CALLERS)
@idempotent(replay=lambda: replay(_parts_page, url_for('recalls.parts')))
def part_call():
    """Turn one claimed-part check into a call task."""
    form = PartCheckForm()

    def run():
        parts_due.remind(current_shop(), params.id_value(form.vehicle.data), form.due_on.data, current_user)

    return act(_parts_page, run, form=form, done=_('Call task made: it is on the follow-up call list.'),
               back=url_for('recalls.parts'))
