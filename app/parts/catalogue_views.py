"""Parts pages: the catalogue (find, add, edit a part), a part's stock and ledger with adjustments, deliveries
without a purchase order and reversals, and the stock on hand by bin."""
from decimal import Decimal
from functools import partial

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.context import current_shop
from app.core import params
from app.core.access import MANAGER, allow
from app.core.errors import Refused
from app.core.i18n import current_language
from app.core.idempotency import idempotent
from app.core.web import act, record_action, render, replay
from app.parts import catalogue, forms, purchasing, reports
from app.parts.blueprint import (KIND_LABELS, STOCK_READERS, STOCK_WRITERS, bp, is_manager, move_or_404)
from app.parts.models import Part, Supplier


@bp.route('/parts/catalogue', endpoint='catalogue')
@allow(*STOCK_READERS)
def catalogue_page():
    """Find a part as you type: number prefix (or a scan) or part of the name."""
    q = request.args.get('q', '')
    rows = list(catalogue.search(current_shop(), q))
    return render('parts/catalogue.html', 'parts/_results.html', q=q, rows=rows, lang=current_language())


def _supplier_choices(shop):
    return [SelectChoice(0, '—')] + [SelectChoice(s.id, s.name) for s in catalogue.suppliers(shop)]


def _part_form(shop, part=None):
    form = forms.PartForm(obj=part) if part is not None and request.method == 'GET' else forms.PartForm()
    form.supplier.choices = _supplier_choices(shop)
    if part is not None and request.method == 'GET':
        form.supplier.data = part.supplier_id or 0
    return form


def _part_data(form, shop):
    data = {k: getattr(form, k).data or '' for k in ('number', 'name_zh', 'name_en', 'origin', 'bin', 'unit')}
    data['active'] = bool(form.active.data)
    for k in ('cost_price', 'sell_price', 'min_qty', 'max_qty'):
        data[k] = getattr(form, k).data or Decimal('0')
    data['supplier'] = Supplier.get_or_none((Supplier.id == form.supplier.data) & (Supplier.shop == shop)) \
        if form.supplier.data else None
    return data


def _part_form_page(part, status=200, form=None, error=None, done=None):
    return render('parts/part_form.html', None, form=form, part=part, error=error), status


@bp.route('/parts/catalogue/new', methods=['GET', 'POST'])
@allow(*STOCK_WRITERS)
def part_new():
    """Add a part to the catalogue; then its page."""
    shop = current_shop()
    form = _part_form(shop)
    if request.method == 'GET':
        return _part_form_page(None, form=form)
    if not form.validate_on_submit():
        return _part_form_page(None, 400, form=form)
    try:
        part = catalogue.save_part(shop, current_user, _part_data(form, shop))
    except Refused as refused:
        return _part_form_page(None, refused.status, form=form, error=str(refused))
    flash(_('Part added to the catalogue.'), 'ok')
    return redirect(url_for('parts.part', part_id=part.id))


@bp.route('/parts/catalogue/<int:part_id>/edit', methods=['GET', 'POST'])
@allow(*STOCK_WRITERS)
def part_edit(part_id):
    """Change a part's catalogue data (never its stock)."""
    shop = current_shop()
    found = Part.get_for_shop_or_404(shop, part_id)
    form = _part_form(shop, found)
    if request.method == 'GET':
        return _part_form_page(found, form=form)
    return act(partial(_part_form_page, found),
               lambda: catalogue.save_part(shop, current_user, _part_data(form, shop), part=found),
               done=_('Part saved.'), back=url_for('parts.part', part_id=found.id), form=form)


def _part_context(found, page=1, **given):
    context = dict(part=found, level=catalogue.level_of(found), moves=list(catalogue.ledger(found, page)), page=page,
                   lang=current_language(), kinds=KIND_LABELS, adjust_form=forms.AdjustForm(formdata=None),
                   receive_form=forms.ReceiveForm(formdata=None, unit_cost=found.cost_price), error=None,
                   is_manager=is_manager())
    context.update({k: v for k, v in given.items() if v is not None})
    return context


@bp.route('/parts/catalogue/<int:part_id>')
@allow(*STOCK_READERS)
def part(part_id):
    """A part: catalogue data, stock on hand and value, its ledger newest first."""
    found = Part.get_for_shop_or_404(current_shop(), part_id)
    return render('parts/part.html', 'parts/_ledger.html', **_part_context(found, params.page_arg()))


def _part_page(found, status=200, done=None, **given):
    """The part's page after an action on it, with the form as typed where it failed."""
    return render('parts/part.html', None, **_part_context(found, **given)), status


def _part(part_id):
    return Part.get_for_shop_or_404(current_shop(), part_id)


@bp.route('/parts/catalogue/<int:part_id>/adjust', methods=['POST'])
@allow(*STOCK_WRITERS)
@record_action(_part, _part_page, 'parts.part', form=forms.AdjustForm, form_as='adjust_form')
def part_adjust(found, form):
    """A manual adjustment with its reason; below zero only with a manager's override."""
    catalogue.adjust(found, form.quantity.data, current_user, reason=form.reason.data,
                     allow_negative=bool(form.override.data) and is_manager())
    return _('Stock adjusted.')


@bp.route('/parts/catalogue/<int:part_id>/receive', methods=['POST'])
@allow(*STOCK_WRITERS)
@record_action(_part, _part_page, 'parts.part', form=forms.ReceiveForm, form_as='receive_form')
def part_receive(found, form):
    """Take in a delivery of this part without a purchase order."""
    purchasing.receive_direct(found, form.quantity.data, form.unit_cost.data, current_user,
                              supplier=found.supplier_id, delivery_note=form.delivery_note.data or '')
    return _('Received into stock.')


def _after_reverse(move_id):
    move = move_or_404(move_id)
    return replay(partial(_part_page, move.part), url_for('parts.part', part_id=move.part_id))


@bp.route('/parts/moves/<int:move_id>/reverse', methods=['POST'])
@allow(MANAGER)
@idempotent(replay=_after_reverse)
def move_reverse(move_id):
    """A manager undoes a ledger row with a new, opposite row (the original stays)."""
    move = move_or_404(move_id)
    form = forms.ReverseForm()     # the rule asks for the reason itself, in words, on the part's page
    return act(partial(_part_page, move.part),
               lambda: catalogue.reverse(move, current_user, reason=form.reason.data,
                                         allow_negative=bool(form.override.data)),
               done=_('Movement reversed.'), back=url_for('parts.part', part_id=move.part_id))


@bp.route('/parts/stock', endpoint='stock')
@allow(*STOCK_READERS)
def stock_on_hand():
    """Stock on hand by bin: quantity, average cost, value; filter by bin, in stock or below minimum."""
    shop = current_shop()
    bin_prefix = request.args.get('bin', '').strip()[:20]
    only = request.args.get('only', '')
    page = params.page_arg()
    rows = list(catalogue.stock_page(shop, bin_prefix=bin_prefix, only=only, page=page))
    return render('parts/stock.html', 'parts/_stock_rows.html', rows=rows, bin=bin_prefix, only=only, page=page,
                  totals=catalogue.stock_totals(shop), page_size=catalogue.PAGE_SIZE, lang=current_language(),
                  ss=reports.safety_stock(shop))
