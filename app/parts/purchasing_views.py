"""Parts pages: suppliers, purchase orders (lines, sending, cancelling, receiving with inspection per line),
rejected goods going back, and replenishment below the reorder level."""
from decimal import Decimal

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.context import current_shop
from app.core.access import allow
from app.core.db import transaction
from app.core.errors import Refused
from app.core.i18n import current_language
from app.core.idempotency import idempotent
from app.core.settings import get_setting
from app.core.timeutil import shop_today
from app.core.web import act, record_action, render, replays
from app.parts import catalogue, forms, issuing, purchasing
from app.parts.blueprint import STOCK_WRITERS, bp
from app.parts.models import PurchaseOrder, Receipt, ReceiptLine, Supplier


def _suppliers_page(status=200, form=None, error=None, done=None):
    return render('parts/suppliers.html', None, form=form or forms.SupplierForm(formdata=None),
                              rows=list(catalogue.suppliers(current_shop())), error=error), status


@bp.route('/parts/suppliers', methods=['GET', 'POST'])
@allow(*STOCK_WRITERS)
def suppliers():
    """Suppliers of this shop; add one."""
    form = forms.SupplierForm()
    if request.method == 'GET':
        return _suppliers_page(form=form)
    return act(_suppliers_page,
               lambda: purchasing.add_supplier(current_shop(), current_user, name=form.name.data,
                                               contact=form.contact.data or '', phone=form.phone.data or '',
                                               lead_days=form.lead_days.data or 0),
               done=_('Supplier added.'), back=url_for('parts.suppliers'), form=form)


@bp.route('/parts/purchase-orders', endpoint='purchase_orders')
@allow(*STOCK_WRITERS)
def purchase_orders_page():
    """Purchase orders: open ones first, by expected date; overdue ones marked."""
    shop = current_shop()
    return render('parts/purchase_orders.html', None, rows=list(purchasing.po_list(shop)),
                  today=shop_today(shop), statuses=purchasing.PO_STATUSES,
                  overdue=purchasing.overdue, rejected=purchasing.rejected_goods(shop).count())


@bp.route('/parts/purchase-orders/new', methods=['GET', 'POST'])
@allow(*STOCK_WRITERS)
def po_new():
    """Start a purchase order to a supplier (a draft; lines are added on its page); then its page."""
    shop = current_shop()
    form = forms.POForm()
    form.supplier.choices = [SelectChoice(s.id, s.name) for s in catalogue.suppliers(shop)]
    if form.validate_on_submit():
        supplier = Supplier.get_or_none((Supplier.id == form.supplier.data) & (Supplier.shop == shop))
        if supplier is None:
            form.supplier.errors = [_('Choose the supplier.')]
        else:
            po = purchasing.create_po(shop, supplier, current_user, expected_on=form.expected_on.data,
                                      note=form.note.data or '')
            return redirect(url_for('parts.po', po_id=po.id))
    return render('parts/po_new.html', None, form=form), 400 if request.method == 'POST' else 200


def _po_page(po, status=200, error=None, done=None, line_form=None, send_form=None, receive_errors=None,
             typed=None):
    """A purchase order's page, with the form as typed where an action failed."""
    shop = current_shop()
    return render(
        'parts/po.html', None, po=po, lines=list(purchasing.po_lines(po)), total=purchasing.po_total(po),
        statuses=purchasing.PO_STATUSES, line_form=line_form or forms.POLineForm(formdata=None),
        send_form=send_form or forms.SendForm(formdata=None, expected_on=po.expected_on),
        receipts=list(po.receipts.order_by(Receipt.id)), error=error, receive_errors=receive_errors or {},
        typed=typed or {}, lang=current_language(),
        overdue=purchasing.overdue(po, shop_today(shop))), status


@bp.route('/parts/purchase-orders/<int:po_id>')
@allow(*STOCK_WRITERS)
def po(po_id):
    """A purchase order: its lines, sending it, and receiving against it with inspection per line."""
    return _po_page(_po(po_id))


def _po(po_id):
    return PurchaseOrder.get_for_shop_or_404(current_shop(), po_id)


_back_to_po = replays(_po_page, _po, 'parts.po')


@bp.route('/parts/purchase-orders/<int:po_id>/lines', methods=['POST'])
@allow(*STOCK_WRITERS)
@record_action(_po, _po_page, 'parts.po', form=forms.POLineForm, form_as='line_form')
def po_add_line(found, form):
    """Add a part to a draft purchase order."""
    part = issuing.known_part(found.shop_id, form.part_number.data)
    with transaction():
        purchasing.add_line(found, part, form.quantity.data, form.unit_cost.data)
    return _('Saved.')


@bp.route('/parts/purchase-orders/<int:po_id>/send', methods=['POST'])
@allow(*STOCK_WRITERS)
@record_action(_po, _po_page, 'parts.po', form=forms.SendForm, form_as='send_form')
def po_send(found, form):
    """Send the order to the supplier with the expected delivery date."""
    purchasing.send_po(found, current_user, expected_on=form.expected_on.data)
    return _('Purchase order sent.')


@bp.route('/parts/purchase-orders/<int:po_id>/cancel', methods=['POST'])
@allow(*STOCK_WRITERS)
@record_action(_po, _po_page, 'parts.po')
def po_cancel(found, _form):
    """Cancel a purchase order nothing has been received on."""
    purchasing.cancel_po(found, current_user)
    return _('Purchase order cancelled.')


def _delivery(po):
    """What was typed per line, ({line id: (delivered, rejected, reason)}, {line id: typed}, {field: message})."""
    entries, typed, bad = {}, {}, {}
    for line in purchasing.po_lines(po):
        raw = [request.form.get('l%d-%s' % (line.id, k), '').strip() for k in ('delivered', 'rejected', 'reason')]
        typed[line.id] = raw
        try:
            delivered = Decimal(raw[0]) if raw[0] else None
            rejected = Decimal(raw[1]) if raw[1] else None
            if (delivered is not None and not delivered.is_finite()) or (rejected is not None
                                                                         and not rejected.is_finite()):
                raise ValueError
        except (ArithmeticError, ValueError):
            bad['l%d' % line.id] = _('Enter a number.')
            continue
        entries[line.id] = (delivered, rejected, raw[2][:200])
    return entries, typed, bad


@bp.route('/parts/purchase-orders/<int:po_id>/receive', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_back_to_po)
def po_receive(po_id):
    """Receive a delivery: per line the quantity delivered, how many are rejected at inspection and why."""
    found = _po(po_id)
    entries, typed, bad = _delivery(found)
    if bad:
        return _po_page(found, 400, receive_errors=bad, typed=typed)
    try:
        receipt = purchasing.receive(found, current_user, entries,
                                     delivery_note=request.form.get('delivery_note', '')[:60])
    except Refused as refused:       # on the line it is about; not app.core.web.act: the message names the receipt
        on_line = {refused.field: str(refused)} if refused.field else None
        return _po_page(_po(po_id), refused.status, error=None if on_line else str(refused), typed=typed,
                        receive_errors=on_line)
    flash(_('Received: %(number)s.', number=receipt.number), 'ok')
    return redirect(url_for('parts.po', po_id=found.id))


def _rejected_page(status=200, error=None, done=None):
    return render('parts/rejected.html', None, rows=list(purchasing.rejected_goods(current_shop())),
                              lang=current_language(), error=error), status


@bp.route('/parts/rejected')
@allow(*STOCK_WRITERS)
def rejected():
    """Goods rejected at inspection, waiting to go back to the supplier."""
    return _rejected_page()


@bp.route('/parts/rejected/<int:receipt_line_id>/returned', methods=['POST'])
@allow(*STOCK_WRITERS)
def rejected_returned(receipt_line_id):
    """Rejected goods handed back to the supplier."""
    line = (ReceiptLine.select().join(Receipt)
            .where((ReceiptLine.id == receipt_line_id) & (Receipt.shop == current_shop())).first())
    if line is None:
        abort(404)
    return act(_rejected_page, lambda: purchasing.mark_returned(line, current_user),
               done=_('Marked as returned to the supplier.'), back=url_for('parts.rejected'))


# --- replenishment ----------------------------------------------------------------------------------

@bp.route('/parts/replenish')
@allow(*STOCK_WRITERS)
def replenish():
    """Parts below their reorder level (the shop's own factor x last month's outflow) with a suggested quantity."""
    shop = current_shop()
    return render('parts/replenish.html', None, rows=purchasing.below_safety(shop),
                  factor=get_setting(shop, 'reorder_cover_factor'), lang=current_language())


@bp.route('/parts/replenish', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=lambda: redirect(url_for('parts.purchase_orders')))
def replenish_draft():
    """One tap: draft purchase orders, one per supplier, with the suggested quantities."""
    shop = current_shop()
    rows = purchasing.below_safety(shop)
    if not rows:
        flash(_('Nothing is below its reorder level.'), 'ok')
        return redirect(url_for('parts.replenish'))
    made, skipped = purchasing.draft_from_suggestions(shop, current_user, rows)
    flash(_('%(n)d draft purchase orders made.', n=len(made)), 'ok')
    if skipped:
        flash(_('Parts without a supplier left out: %(parts)s', parts=', '.join(p.number for p in skipped)), 'error')
    return redirect(url_for('parts.purchase_orders'))
