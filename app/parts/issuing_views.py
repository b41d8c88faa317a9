"""Parts pages: the parts issued to one order (issue by scan, returns of unused parts) and the old parts taken off
cars (given back, scrapped, or kept tagged for the maker)."""
from functools import partial

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.context import current_shop
from app.core.access import ADVISOR, FOREMAN, allow
from app.core.i18n import current_language
from app.core.idempotency import idempotent
from app.core.web import act, record_action, render, replay, replays
from app.parts import forms, issuing, stock
from app.parts.blueprint import (KIND_LABELS, STOCK_WRITERS, bp, is_manager, month_bounds, move_or_404)
from app.parts.models import OldPart, StockMove
from app.reception.models import OrderLine, RepairOrder


def _order(order_id):
    return RepairOrder.get_for_shop_or_404(current_shop(), order_id)


def _order_page(order, status=200, error=None, done=None, issue_form=None, return_forms=None):
    """The parts of one order, with the form as typed where an action failed."""
    lines = list(OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.position, OrderLine.id))
    form = issue_form or forms.IssueForm(formdata=None)
    form.line.choices = [SelectChoice(ln.id, ln.description) for ln in lines]
    moves = list(issuing.issued_on_order(order))
    returnable = {m.id: issuing.returnable(m) for m in moves if m.kind == StockMove.ISSUE}
    old_parts = list(OldPart.select().where(OldPart.order == order).order_by(OldPart.id))
    return render(
        'parts/order.html', None, order=order, lines=lines, issue_form=form, moves=moves, returnable=returnable,
        return_forms=return_forms or {}, old_parts=old_parts, old_labels=issuing.OLD_PART_STATUSES,
        kinds=KIND_LABELS, error=error, lang=current_language(), is_manager=is_manager()), status


@bp.route('/parts/orders/<int:order_id>')
@allow(*STOCK_WRITERS, FOREMAN, ADVISOR)
def order_parts(order_id):
    """The parts issued to one order: issue by scan or search, returns, old parts."""
    return _order_page(_order(order_id))


@bp.route('/parts/orders/<int:order_id>/issue', methods=['POST'])
@allow(*STOCK_WRITERS)
@record_action(_order, _order_page, 'parts.order_parts', form=forms.IssueForm, form_as='issue_form')
def order_issue(order, form):
    """Issue a part to a job of the order in one step: scan or type its number, the quantity, done."""
    line = OrderLine.get_or_none((OrderLine.id == form.line.data) & (OrderLine.order == order))
    if line is None:
        raise stock.StockError(_l('Choose the job.'), 'line')
    issuing.issue_direct(issuing.known_part(order.shop_id, form.part_number.data), order, line, form.quantity.data,
                         by=current_user, allow_negative=bool(form.override.data) and is_manager())
    return _('Issued: the part is on the job.')


def _after_return(move_id):
    return replays(_order_page, _order, 'parts.order_parts')(order_id=move_or_404(move_id).order_id)


@bp.route('/parts/moves/<int:move_id>/return', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_after_return)
def move_return(move_id):
    """Unused parts back from an order to the shelf; the order's part line shrinks."""
    move = move_or_404(move_id)
    if move.kind != StockMove.ISSUE or move.order_id is None or move.reverses_id is not None:
        abort(404)
    order = _order(move.order_id)
    form = forms.ReturnForm(prefix='m%d' % move.id)

    def piece(status, form=None, **given):
        return _order_page(order, status, return_forms={move.id: form} if form is not None else None, **given)

    return act(piece, lambda: issuing.return_from_order(move, form.quantity.data, by=current_user,
                                                        note=form.note.data or ''),
               done=_('Returned to stock.'), back=url_for('parts.order_parts', order_id=order.id), form=form)


# --- old parts --------------------------------------------------------------------------------

@bp.route('/parts/old-parts')
@allow(*STOCK_WRITERS, ADVISOR)
def old_parts():
    """Old parts still in the shop: every one, or those taken off in a month (the monthly list)."""
    shop = current_shop()
    first, start, end = month_bounds(shop) if request.args.get('month') else (None, None, None)
    rows = list(issuing.old_parts_on_hand(shop, start, end))
    return render('parts/old_parts.html', None, rows=rows, month=first, labels=issuing.OLD_PART_STATUSES)


def _old_form(old):
    form = forms.OldPartForm(prefix='o%d' % old.id)
    form.status.choices = [SelectChoice(k, v) for k, v in issuing.OLD_PART_STATUSES.items() if k != OldPart.PENDING]
    return form


def _old_back(old):
    """Back where the decision was taken: the old-parts list it came from, else the order's parts."""
    given = request.form.get('next', '')
    return given if given.startswith('/parts/') else url_for('parts.order_parts', order_id=old.order_id)


def _old_piece(old, status=200, error=None, done=None, form=None):
    # the order page draws its own row forms, so a message act put on this form's field is said at the top
    if form is not None and form.errors and not error:
        said = form.tag_number.errors
        error = str(said[-1]) if said else _('Choose what happens to the old part.')
    return _order_page(RepairOrder.get_by_id(old.order_id), status, error=error)


def _back_to_old(old_part_id):
    old = OldPart.get_for_shop_or_404(current_shop(), old_part_id)
    return replay(partial(_old_piece, old), _old_back(old))


@bp.route('/parts/old-parts/<int:old_part_id>', methods=['POST'])
@allow(*STOCK_WRITERS, ADVISOR)
@idempotent(replay=_back_to_old)
def old_part_decide(old_part_id):
    """Record what happened to an old part: back to the customer, scrapped, kept (tag) or sent to the maker."""
    old = OldPart.get_for_shop_or_404(current_shop(), old_part_id)
    form = _old_form(old)
    return act(partial(_old_piece, old),
               lambda: issuing.decide_old_part(old, form.status.data, by=current_user, tag_number=form.tag_number.data,
                                               note=form.note.data or ''),
               done=_('Old part recorded.'), back=_old_back(old), form=form)
