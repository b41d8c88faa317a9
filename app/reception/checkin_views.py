"""The check-in flow at the intake tablet: one page per step, each step saved as it is completed."""
from functools import partial

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.context import current_shop
from app.core import photos as photos_store
from app.core import stages
from app.core.access import ADVISOR, ANY_STAFF, MANAGER, allow
from app.core.db import transaction
from app.core.i18n import current_language
from app.core.photos import PhotoRejected
from app.core.timeutil import to_local, to_utc
from app.core.web import act, render
from app.reception import checkin as rules
from app.reception import forms
from app.catalogue.models import CannedJob
from app.core.models import Photo, Signature
from app.customers.models import Vehicle
from app.labels.models import KeyHook
from app.reception.files import declined_recommendations
from app.reception.models import PRESET_BELONGINGS, OrderLine, PartLine, Recommendation, RepairOrder, WalkaroundMark
from app.reception.pricing import order_totals
from app.reception.blueprint import bp

def _draft(draft_id):
    """A check-in of the current shop; a signed one goes to its order page instead."""
    order = RepairOrder.get_for_shop_or_404(current_shop(), draft_id)
    if order.stage == stages.CANCELLED:
        abort(404)
    return order


def _child(model, pk, order):
    """A mark, line or part of this order; anything else does not exist here."""
    row = model.get_or_none((model.id == pk) & (model.order == order))
    if row is None:
        abort(404)
    return row


def _common(order, step):
    """What every step's page needs: the order, the stepper and how far the check-in got."""
    reached = rules.STEPS.index(order.checkin_step) if order.checkin_step in rules.STEPS else len(rules.STEPS)
    return dict(order=order, step=step, steps=rules.STEPS, step_labels=rules.STEP_LABELS, reached=reached)


def _step_page(order, step, fragment=None, **context):
    if order.is_signed:
        flash(_('This order is signed. Later changes go through added work or an amendment.'), 'warn')
        return redirect(url_for('reception.order', order_id=order.id))
    page = 'reception/checkin_new_vehicle.html' if context.get('new_file') else 'reception/checkin_%s.html' % step
    return render(page, fragment, **_common(order, step), **context)


def _next(order, step):
    following = rules.STEPS[rules.STEPS.index(step) + 1] if step != 'sign' else None
    return redirect(url_for('reception.checkin_' + following, draft_id=order.id)) if following else None


# --- start and resume ---------------------------------------------------------------

@bp.route('/checkin')
@allow(ADVISOR, MANAGER)
def checkins():
    """Check-ins in progress (drafts), so a reload or a second advisor loses nothing."""
    drafts = (RepairOrder.drafts(current_shop()).order_by(RepairOrder.created_at.desc()))
    return render('reception/checkins.html', None, drafts=list(drafts), step_labels=rules.STEP_LABELS)


@bp.route('/checkin/start', methods=['POST'])
@allow(ADVISOR, MANAGER)
def checkin_start():
    """Open a new check-in, for a known vehicle if one was picked."""
    vehicle = None
    if request.form.get('vehicle_id', '').isdigit():
        vehicle = Vehicle.get_for_shop_or_404(current_shop(), int(request.form['vehicle_id']))
    order = rules.start_checkin(current_shop(), current_user, customer=vehicle.owner if vehicle else None,
                                vehicle=vehicle)
    if vehicle is None and request.form.get('new_customer') == '1':
        # a customer never seen before: straight to their file, without a search that cannot find them
        return redirect(url_for('reception.checkin_new_vehicle', draft_id=order.id))
    return redirect(url_for('reception.checkin_vehicle', draft_id=order.id))


@bp.route('/checkin/<int:draft_id>')
@allow(ADVISOR, MANAGER)
def checkin_resume(draft_id):
    """Pick a check-in up where it stands."""
    order = _draft(draft_id)
    if order.is_signed:
        return redirect(url_for('reception.order', order_id=order.id))
    return redirect(url_for('reception.checkin_' + order.checkin_step, draft_id=order.id))


@bp.route('/checkin/<int:draft_id>/cancel', methods=['POST'])
@allow(ADVISOR, MANAGER)
def checkin_cancel(draft_id):
    """Drop a check-in that will not go ahead (the customer left); its key tag is freed."""
    order = _draft(draft_id)
    rules.cancel_draft(order, current_user)
    flash(_('Check-in cancelled.'), 'ok')
    return redirect(url_for('reception.checkins'))


# --- step 1: customer and vehicle ------------------------------------------------------

@bp.route('/checkin/<int:draft_id>/vehicle', methods=['GET', 'POST'])
@allow(ADVISOR, MANAGER)
def checkin_vehicle(draft_id):
    """Customer and vehicle, odometer, fuel, the complaint in the customer's words, documents."""
    order = _draft(draft_id)
    form = forms.VehicleStepForm(obj=order if request.method == 'GET' else None,
                                 documents=order.document_list if request.method == 'GET' else None)
    if request.method == 'GET':
        form.vehicle_id.data = str(order.vehicle_id or '')
        if order.odometer == 0 and order.vehicle_id:
            form.odometer.data = None
    error = None
    if form.validate_on_submit():
        vehicle = Vehicle.get_for_shop_or_404(current_shop(), int(form.vehicle_id.data))
        try:
            rules.save_vehicle_step(order, current_user, customer=vehicle.owner, vehicle=vehicle,
                                    odometer=form.odometer.data, fuel_eighths=form.fuel_eighths.data,
                                    complaint=form.complaint.data, documents=form.documents.data or [])
            return _next(order, 'vehicle')
        except rules.CheckinError as exc:
            error = str(exc)
    if request.method == 'GET' and request.args.get('vehicle', '').isdigit():
        form.vehicle_id.data = request.args['vehicle']   # picked from the search results
        if request.args.get('opened') == '1' and not form.odometer.data:
            # the file was opened a moment ago with the odometer's reading: not typed twice
            opened = Vehicle.get_or_none((Vehicle.id == int(form.vehicle_id.data)) & (Vehicle.shop == current_shop()))
            form.odometer.data = opened.mileage if opened is not None and opened.mileage else None
    chosen = None
    if (form.vehicle_id.data or '').isdigit():
        chosen = Vehicle.get_or_none((Vehicle.id == int(form.vehicle_id.data)) & (Vehicle.shop == current_shop()))
    resp = _step_page(order, 'vehicle', form=form, chosen=chosen, error=error, q=request.args.get('q', ''))
    return (resp, 400) if (form.errors or error) and request.method == 'POST' else resp


@bp.route('/checkin/<int:draft_id>/vehicle/find')
@allow(ADVISOR, MANAGER)
def checkin_find(draft_id):
    """As-you-type search for the returning customer's vehicle (plate, phone, VIN or its last 6, name)."""
    from app.customers.search import search
    order = _draft(draft_id)
    q = request.args.get('q', '').strip()
    results = search(current_shop(), q) if len(q) >= 2 else []
    return _step_page(order, 'vehicle', 'reception/_checkin_results.html', results=results, q=q,
                      form=forms.VehicleStepForm(), chosen=None, error=None)


@bp.route('/checkin/<int:draft_id>/vehicle/new', methods=['GET', 'POST'])
@allow(ADVISOR, MANAGER)
def checkin_new_vehicle(draft_id):
    """A new customer and their car, opened from the check-in (the file is made at once)."""
    from app.customers import rules as files
    from app.customers.forms import CustomerForm, VehicleForm
    order = _draft(draft_id)
    cform, vform = CustomerForm(prefix='c'), VehicleForm(prefix='v')
    existing = None
    if request.method == 'POST':
        valid = cform.validate_on_submit() & vform.validate_on_submit()   # both, so every error shows at once
        if valid:
            existing = files.find_duplicate_vehicle(current_shop(), vform.vin.data, vform.plate.data)
            if existing is None:
                try:
                    with transaction():
                        customer = files.create_customer(current_shop(), current_user, **cform.rule_fields())
                        vehicle = files.create_vehicle(current_shop(), current_user, customer, **vform.rule_fields())
                    return redirect(url_for('reception.checkin_vehicle', draft_id=order.id, vehicle=vehicle.id,
                                            opened=1))
                except files.DuplicateVehicle as dup:
                    existing = dup.vehicle
                except files.InvalidFile as bad:
                    field = getattr(cform, bad.field, None) or getattr(vform, bad.field, None)
                    if field is not None:
                        field.errors.append(bad.message)
    resp = _step_page(order, 'vehicle', None, cform=cform, vform=vform, existing=existing, new_file=True,
                      error=_('This VIN or plate is already on file.') if existing else None)
    return (resp, 400) if request.method == 'POST' else resp


# --- step 2: walk-around -----------------------------------------------------------------

def _walkaround_piece(order, status=200, *, mark_form=None, error=None, **_given):
    marks = list(order.marks.order_by(WalkaroundMark.id))
    photos = {m.id: list(Photo.of('walkaround_mark', m.id)) for m in marks}
    resp = _step_page(order, 'walkaround', 'reception/_walkaround.html', marks=marks, photos=photos,
                      mark_form=mark_form or forms.MarkForm(formdata=None), photo_form=forms.PhotoForm(formdata=None),
                      error=error, kinds=rules.MARK_KINDS, checks=rules.CHECKS, results=order.check_results)
    resp.status_code = status
    return resp


def _walkaround_act(order, run, done, **form):
    """An action on the walk-around's marks: the piece again, or the step's page (app.core.web.act)."""
    return act(partial(_walkaround_piece, order), run, done=done,
               back=url_for('reception.checkin_walkaround', draft_id=order.id), **form)


@bp.route('/checkin/<int:draft_id>/walkaround', methods=['GET', 'POST'])
@allow(ADVISOR, MANAGER)
def checkin_walkaround(draft_id):
    """Marks on the car outline, the interior/instruments/seats checklist."""
    order = _draft(draft_id)
    if order.is_signed:
        return _step_page(order, 'walkaround')
    if request.method == 'POST':
        checks = {}
        for key in rules.CHECKS:
            state = request.form.get('check_' + key, 'ok')
            note = request.form.get('note_' + key, '').strip()[:200]
            checks[key] = {'ok': state != 'issue', 'note': note}
        rules.save_walkaround(order, current_user, checks=checks)
        return _next(order, 'walkaround')
    return _walkaround_piece(order)


@bp.route('/checkin/<int:draft_id>/marks', methods=['POST'])
@allow(ADVISOR, MANAGER)
def checkin_mark_add(draft_id):
    """Place a mark where the outline was tapped (percent coordinates, or the image's pixel click without JS)."""
    order = _draft(draft_id)
    form = forms.MarkForm()
    x, y = form.x.data, form.y.data
    if x is None and request.form.get('spot.x'):
        # Without JavaScript the outline is an image button: the browser sends pixels of its drawn size.
        x = float(request.form['spot.x']) * 100 / rules.OUTLINE_W
        y = float(request.form['spot.y']) * 100 / rules.OUTLINE_H

    def run():
        if x is None or y is None:
            raise rules.CheckinError(_('Tap on the car drawing to place the mark.'))
        rules.add_mark(order, current_user, view='top', x=x, y=y, kind=form.kind.data, note=form.note.data or '')
    return _walkaround_act(order, run, _('Mark added.'), form=form, form_as='mark_form',
                           after={'mark_form': forms.MarkForm(formdata=None, kind=form.kind.data)})


@bp.route('/checkin/<int:draft_id>/marks/<int:mark_id>/delete', methods=['POST'])
@allow(ADVISOR, MANAGER)
def checkin_mark_delete(draft_id, mark_id):
    """Remove a mark placed by mistake."""
    order = _draft(draft_id)
    mark = _child(WalkaroundMark, mark_id, order)
    return _walkaround_act(order, lambda: rules.remove_mark(order, current_user, mark), _('Mark removed.'))


@bp.route('/checkin/<int:draft_id>/marks/<int:mark_id>/photos', methods=['POST'])
@allow(ADVISOR, MANAGER)
def checkin_mark_photo(draft_id, mark_id):
    """A photo of the damage from the tablet camera."""
    order = _draft(draft_id)
    mark = _child(WalkaroundMark, mark_id, order)
    form = forms.PhotoForm()
    upload = form.photo.data

    def run():
        if upload is None or not getattr(upload, 'filename', ''):
            raise rules.CheckinError(_('Choose a photo to upload.'))
        try:
            rules.add_mark_photo(order, current_user, mark, upload.read())
        except PhotoRejected as exc:
            raise rules.CheckinError(str(exc))
    return _walkaround_act(order, run, _('Photo added.'), form=form, form_as='photo_form')


# --- step 3: belongings ------------------------------------------------------------------

@bp.route('/checkin/<int:draft_id>/belongings', methods=['GET', 'POST'])
@allow(ADVISOR, MANAGER)
def checkin_belongings(draft_id):
    """The belongings list: preset items with quantities, free items, the valuables reminder."""
    order = _draft(draft_id)
    error = None
    if request.method == 'POST':
        items, error = _belonging_items(request.form)
        if error is None:
            try:
                rules.save_belongings(order, current_user, items=items,
                                      valuables_reminded=request.form.get('valuables') == 'y')
                return _next(order, 'belongings')
            except rules.CheckinError as exc:
                error = str(exc)
        current = {'presets': {k: request.form.get('qty_' + k, '') for k in PRESET_BELONGINGS},
                   'free': [(request.form.get('free_name_%d' % i, ''), request.form.get('free_qty_%d' % i, ''))
                            for i in range(5)],
                   'valuables': request.form.get('valuables') == 'y'}
    else:
        saved = list(order.belongings)
        free = [(b.name, str(b.quantity)) for b in saved if not b.preset]
        current = {'presets': {k: str(next((b.quantity for b in saved if b.preset == k), '')) for k in PRESET_BELONGINGS},
                   'free': (free + [('', '')] * 5)[:5], 'valuables': order.valuables_reminded}
    resp = _step_page(order, 'belongings', presets=PRESET_BELONGINGS, current=current, error=error)
    return (resp, 400) if error else resp


def _belonging_items(form):
    """Read the belongings form: ((preset, name, qty) list, error message or None)."""
    items = []
    for key, label in PRESET_BELONGINGS.items():
        raw = form.get('qty_' + key, '').strip()
        if raw in ('', '0'):
            continue
        if not raw.isdigit() or int(raw) > 99:
            return items, _('Quantities are whole numbers from 0 to 99 (%(item)s).', item=label)
        items.append((key, str(label), int(raw)))
    for i in range(5):
        name = form.get('free_name_%d' % i, '').strip()
        raw = form.get('free_qty_%d' % i, '').strip() or '1'
        if not name:
            continue
        if not raw.isdigit() or not 0 < int(raw) <= 99:
            return items, _('Quantities are whole numbers from 0 to 99 (%(item)s).', item=name)
        items.append(('', name[:100], int(raw)))
    return items, None


# --- step 4: key tag ---------------------------------------------------------------------

@bp.route('/checkin/<int:draft_id>/key', methods=['GET', 'POST'])
@allow(ADVISOR, MANAGER)
def checkin_key(draft_id):
    """A free numbered key tag (scanned, typed or picked) and a hook in the key cabinet."""
    order = _draft(draft_id)
    shop = current_shop()
    rules.release_abandoned(shop, keep=order)      # a tag left on an abandoned check-in is free again
    form = forms.KeyForm()
    if request.method == 'POST' and request.form.get('pick', '').isdigit():
        form.tag.data = request.form['pick']   # a tap on a free tag's button counts as typing its number
        form.tag.raw_data = [form.tag.data]
    hooks = list(rules.free_key_hooks(shop))
    if order.key_hook_id and all(h.id != order.key_hook_id for h in hooks):
        hooks.insert(0, order.key_hook)
    form.hook.choices = [(0, _('No hook'))] + [(h.id, '%s %d' % (_('Hook'), h.number)) for h in hooks]
    if request.method == 'GET':
        form.tag.data = str(order.key_tag.number) if order.key_tag_id else ''
        form.hook.data = order.key_hook_id or (hooks[0].id if hooks else 0)
    error = None
    if form.validate_on_submit():
        tag = rules.find_key_tag(shop, form.tag.data)
        hook = KeyHook.get_or_none((KeyHook.id == form.hook.data) & (KeyHook.shop == shop)) if form.hook.data else None
        if tag is None:
            form.tag.errors.append(_('No key tag %(t)s in this shop. Scan the tag or pick one from the list.', t=form.tag.data))
        else:
            try:
                rules.assign_key(order, current_user, tag=tag, hook=hook)
                return _next(order, 'key')
            except rules.CheckinError as exc:
                error = str(exc)
    resp = _step_page(order, 'key', form=form, free_tags=list(rules.free_key_tags(shop).limit(60)), error=error)
    return (resp, 400) if request.method == 'POST' else resp


# --- step 5: estimate --------------------------------------------------------------------

def _estimate_piece(order, status=200, *, line_form=None, part_forms=None, error=None, method_form=None, **_given):
    lines = list(OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.position, OrderLine.id))
    parts = {}
    for p in PartLine.select().where(PartLine.order == order).order_by(PartLine.id):
        parts.setdefault(p.line_id, []).append(p)
    line_form = _with_jobs(line_form or forms.LineForm(formdata=None))
    method_form = method_form or forms.EstimateForm(formdata=None, method=order.estimate_method)
    resp = _step_page(order, 'estimate', 'reception/_estimate.html', lines=lines, parts=parts,
                      line_form=line_form, part_forms=part_forms or {}, totals=order_totals(order), error=error,
                      method_form=method_form, new_part=forms.PartForm,
                      declined=list(declined_recommendations(order.vehicle_id)) if order.vehicle_id else [])
    resp.status_code = status
    return resp


def _estimate_act(order, run, done, **form):
    """An action on the estimate's jobs and parts: the piece again, or the step's page (app.core.web.act)."""
    return act(partial(_estimate_piece, order), run, done=done,
               back=url_for('reception.checkin_estimate', draft_id=order.id), **form)


def _with_jobs(form):
    """The job picker lists the shop's active catalogue."""
    form.canned_job.choices = [(0, _('— choose a job —'))] + [
        (j.id, '%s · %s h' % (j.display_name(current_language()), j.hours))
        for j in CannedJob.for_shop(current_shop()).where(CannedJob.active == True).order_by(CannedJob.code)]  # noqa: E712
    return form


@bp.route('/checkin/<int:draft_id>/estimate', methods=['GET', 'POST'])
@allow(ADVISOR, MANAGER)
def checkin_estimate(draft_id):
    """Job lines with labour and parts, the estimate method, totals with tax."""
    order = _draft(draft_id)
    if order.is_signed:
        return _step_page(order, 'estimate')
    if request.method == 'POST':
        method_form = forms.EstimateForm()
        if method_form.validate_on_submit():
            try:
                rules.save_estimate(order, current_user, method=method_form.method.data)
                return _next(order, 'estimate')
            except rules.CheckinError as exc:
                return _estimate_piece(order, 400, error=str(exc), method_form=method_form)
        return _estimate_piece(order, 400, method_form=method_form)
    return _estimate_piece(order)


@bp.route('/checkin/<int:draft_id>/lines', methods=['POST'])
@allow(ADVISOR, MANAGER)
def checkin_line_add(draft_id):
    """Add a job: a canned job with its usual parts, or one typed freely."""
    order = _draft(draft_id)
    form = _with_jobs(forms.LineForm())

    def run():
        canned = CannedJob.get_for_shop_or_404(current_shop(), form.canned_job.data) if form.canned_job.data else None
        taken = request.form.get('recommendation', type=int)   # work declined on an earlier visit, offered again
        rules.add_estimate_line(order, current_user, canned_job=canned, description=form.description.data or '',
                                hours=form.hours.data,
                                recommendation=Recommendation.get_for_shop_or_404(current_shop(), taken)
                                if taken else None)
    return _estimate_act(order, run, _('Job added.'), form=form, form_as='line_form')


@bp.route('/checkin/<int:draft_id>/lines/<int:line_id>/delete', methods=['POST'])
@allow(ADVISOR, MANAGER)
def checkin_line_delete(draft_id, line_id):
    """Remove a job from the estimate."""
    order = _draft(draft_id)
    line = _child(OrderLine, line_id, order)
    return _estimate_act(order, lambda: rules.remove_estimate_line(order, current_user, line), _('Job removed.'))


@bp.route('/checkin/<int:draft_id>/lines/<int:line_id>/parts', methods=['POST'])
@allow(ADVISOR, MANAGER)
def checkin_part_add(draft_id, line_id):
    """Add a part to a job: number, quantity, price, who supplies it, OEM or aftermarket."""
    order = _draft(draft_id)
    line = _child(OrderLine, line_id, order)
    form = forms.PartForm(prefix='p%d' % line.id)
    run = lambda: rules.add_part(  # noqa: E731
        order, current_user, line, part_number=form.part_number.data or '', name=form.name.data,
        quantity=form.quantity.data, unit_price=form.unit_price.data, supplied_by=form.supplied_by.data,
        origin=form.origin.data, key_system=form.key_system.data)
    return act(lambda status, **given: _estimate_piece(order, status, part_forms={line.id: form}
                                                      if status >= 400 else None, **given),
               run, done=_('Part added.'), back=url_for('reception.checkin_estimate', draft_id=order.id), form=form,
               form_as='_part_form')


@bp.route('/checkin/<int:draft_id>/parts/<int:part_id>/delete', methods=['POST'])
@allow(ADVISOR, MANAGER)
def checkin_part_delete(draft_id, part_id):
    """Remove a part from a job."""
    order = _draft(draft_id)
    part = _child(PartLine, part_id, order)
    return _estimate_act(order, lambda: rules.remove_part(order, current_user, part), _('Part removed.'))


# --- step 6: promised time -------------------------------------------------------------------

@bp.route('/checkin/<int:draft_id>/promise', methods=['GET', 'POST'])
@allow(ADVISOR, MANAGER)
def checkin_promise(draft_id):
    """The promised time: a suggestion from the hours booked and the workshop's load, editable."""
    order = _draft(draft_id)
    tz = current_shop().timezone
    suggestion = rules.suggest_promise(order)
    form = forms.PromiseForm()
    if request.method == 'GET':
        form.promised_at.data = to_local(order.promised_at or suggestion, tz).replace(tzinfo=None)
    error = None
    if form.validate_on_submit():
        try:
            rules.save_promise(order, current_user, promised_at=to_utc(form.promised_at.data, tz))
            return _next(order, 'promise')
        except rules.CheckinError as exc:
            error = str(exc)
    resp = _step_page(order, 'promise', form=form, suggestion=suggestion, totals=order_totals(order), error=error)
    return (resp, 400) if request.method == 'POST' else resp


# --- step 7: signature -----------------------------------------------------------------------

def _signature_bytes(form):
    drawn = photos_store.signature_png(form.signature.data)
    if drawn is not None:
        return drawn
    upload = form.signature_file.data
    if upload is not None and getattr(upload, 'filename', ''):
        return upload.read()
    return None


@bp.route('/checkin/<int:draft_id>/sign', methods=['GET', 'POST'])
@allow(ADVISOR, MANAGER)
def checkin_sign(draft_id):
    """The customer reads the order, walk-around and belongings and signs on the tablet."""
    order = _draft(draft_id)
    form = forms.SignForm()
    if request.method == 'GET' and order.customer_id:
        form.signer.data = order.customer.name
    error = None
    if form.validate_on_submit():
        png = _signature_bytes(form)
        if not png:
            error = _('The customer has not signed yet.')
        else:
            try:
                rules.sign(order, current_user, signature_png=png, signer=form.signer.data)
                flash(_('Order %(n)s signed. Print it and label the key.', n=order.number), 'ok')
                return redirect(url_for('reception.order', order_id=order.id))
            except rules.CheckinError as exc:
                error = str(exc)
    resp = _step_page(order, 'sign', form=form, error=error, missing=rules.missing_for_signature(order),
                      totals=order_totals(order), marks=list(order.marks), belongings=list(order.belongings),
                      lines=list(OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.position)),
                      kinds=rules.MARK_KINDS)
    return (resp, 400) if request.method == 'POST' else resp


# --- photos and signatures -------------------------------------------------------------------

@bp.route('/photos/<int:photo_id>')
@allow(ANY_STAFF)
def photo(photo_id):
    """A stored photo of this shop (re-encoded, no metadata); ?thumb=1 for the small copy."""
    p = Photo.get_for_shop_or_404(current_shop(), photo_id)
    path = photos_store.thumbnail_path(p.filename) if request.args.get('thumb') else \
        '%s/%s' % (photos_store.photo_dir(), p.filename)
    resp = send_file(path, mimetype='image/jpeg', max_age=0)
    resp.headers['Cache-Control'] = 'private, max-age=86400'
    resp.headers['Content-Disposition'] = 'inline'
    return resp


@bp.route('/signatures/<int:signature_id>')
@allow(ANY_STAFF)
def signature(signature_id):
    """A customer's signature image."""
    s = Signature.get_for_shop_or_404(current_shop(), signature_id)
    resp = send_file('%s/%s' % (photos_store.photo_dir(), s.filename), mimetype='image/png', max_age=0)
    resp.headers['Cache-Control'] = 'private, no-store'
    return resp
