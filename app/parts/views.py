"""Parts: the counter (technicians' parts requests, answered in one step; the queue updates itself) and the
stock — catalogue, ledger, issuing to orders and returns, purchasing and receiving, counts, replenishment,
reports, old parts."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.context import current_shop
from app.core import params
from app.core.access import ADVISOR, FOREMAN, MANAGER, PARTS, allow
from app.core.db import transaction, utcnow
from app.core.i18n import current_language
from app.core.idempotency import idempotent
from app.core.timeutil import to_local, to_utc
from app.core.web import render, wants_fragment
from app.parts import catalogue, counts, forms, issuing, purchasing, reports, rules, stock
from app.parts.models import (OldPart, Part, PurchaseOrder, ReceiptLine, StockCount, StockCountLine, StockMove,
                              Supplier)
from app.reception.models import OrderLine, RepairOrder

bp = Blueprint('parts', __name__)

TILES = [
    ('parts.queue', _l('Parts counter'), _l("Technicians' parts requests: issue, substitute or backorder")),
    ('parts.catalogue', _l('Parts catalogue'), _l('Find a part by number or name; its stock and ledger')),
    ('parts.stock', _l('Stock on hand'), _l('Stock by bin with value; receive, adjust, count')),
    ('parts.purchase_orders', _l('Purchasing'), _l('Purchase orders, receiving with inspection, replenishment')),
    ('parts.reports', _l('Parts reports'), _l('Slow-moving parts, turnover, fill rate, stock accuracy')),
]
READERS = (PARTS, FOREMAN, MANAGER)


def _form(req, formdata=None):
    prefix = 'r%d' % req.id    # one form per row: field ids stay unique on the page
    if formdata is not None:
        return forms.AnswerForm(formdata=formdata, prefix=prefix)
    qty = req.quantity
    qty = qty.quantize(Decimal(1)) if qty == qty.to_integral_value() else qty.normalize()   # 2, not 2.00
    return forms.AnswerForm(formdata=None, prefix=prefix, version=str(req.version), quantity=qty)


def _context(shop, **extra):
    requests = list(rules.counter_queue(shop))
    ctx = dict(requests=requests, token=rules.queue_token(shop), forms={r.id: _form(r) for r in requests},
               errors={}, done={}, outcomes=rules.OUTCOMES, status_labels=rules.STATUS_LABELS,
               shelf=issuing.on_the_shelf(shop, [r.part_number for r in requests]))
    ctx.update(extra)
    return ctx


@bp.route('/parts')
@allow(*READERS)
def queue():
    """Open parts requests: new ones first, oldest first; backordered ones below."""
    return render('parts/queue.html', None, **_context(current_shop()))


@bp.route('/parts/queue')
@allow(*READERS)
def queue_poll():
    """The queue's poll: 204 while nothing changed (one small query), else the fresh list."""
    shop = current_shop()
    if wants_fragment() and request.args.get('v') == rules.queue_token(shop):
        resp = current_app.make_response(('', 204))
        resp.headers['Cache-Control'] = 'no-store'
        resp.vary.add('HX-Request')
        return resp
    resp = render('parts/queue.html', 'parts/_queue.html', **_context(shop))
    resp.headers['Cache-Control'] = 'no-store'
    return resp


def _request_or_404(parts_request_id):
    found = rules.request_row(current_shop(), parts_request_id)
    if found is None:
        abort(404)
    return found


def _row(req, form=None, error=None, done=None, status=200):
    resp = render('parts/queue.html', 'parts/_request.html', r=req, requests=[req], token='',
                  forms={req.id: form or _form(req)}, errors={req.id: error}, done={req.id: done},
                  shelf=issuing.on_the_shelf(req.shop_id, [req.part_number]),
                  outcomes=rules.OUTCOMES, status_labels=rules.STATUS_LABELS, failed=status >= 400)
    resp.status_code = status
    return resp


def _after_answer(parts_request_id, message=None):
    """What an answer (or a repeat of it) returns: the request's row as it stands now."""
    req = _request_or_404(parts_request_id)
    if not wants_fragment():
        if message:
            flash(message, 'ok')
        return redirect(url_for('parts.queue'))
    return _row(req, done=message or rules.STATUS_LABELS.get(req.status))


@bp.route('/parts/requests/<int:parts_request_id>/answer', methods=['POST'])
@allow(PARTS, MANAGER)
@idempotent(replay=_after_answer)
def answer(parts_request_id):
    """Answer a request in one step: issued (qty), substituted (part number, qty), backordered (date), cancelled."""
    req = _request_or_404(parts_request_id)
    form = _form(req, request.form)
    if not form.validate_on_submit() or not form.version.data.isdigit():
        return _row(req, form, status=400)
    try:
        rules.answer(req, current_user, outcome=form.outcome.data, expected_version=int(form.version.data),
                     quantity=form.quantity.data, substitute=form.substitute.data or '',
                     expected_on=form.expected_on.data, note=form.note.data or '',
                     allow_negative=bool(form.override.data) and current_user.has_role(MANAGER))
    except rules.Refused as exc:
        target = getattr(form, exc.field or '', None)
        if target is not None:
            target.errors = list(target.errors) + [exc.message]
        return _row(req, form, error=None if target is not None else exc.message, status=400)
    messages = {rules.ISSUED: _('Issued: the part is on the job.'),
                rules.SUBSTITUTED: _('Substitute issued: the part is on the job.'),
                rules.BACKORDERED: _('Backordered: the order waits for parts.'),
                rules.CANCELLED: _('Request cancelled.')}
    return _after_answer(parts_request_id, messages[form.outcome.data])


# === stock: catalogue, ledger, issuing to orders, purchasing, counts, replenishment, reports, old parts ======


STOCK_READERS = (PARTS, MANAGER, FOREMAN, ADVISOR)
STOCK_WRITERS = (PARTS, MANAGER)


@bp.app_template_filter('qty')
def qty_filter(value):
    """A quantity without trailing zeros (2, 1.5), '—' for none: a filter, cheap on long lists."""
    if value is None:
        return '—'
    return stock.plain(value)


# The units the catalogue uses, in the reader's language; any other unit shows as typed.
UNIT_LABELS = {'pc': _l('pc'), 'set': _l('set'), 'L': _l('L'), 'bottle': _l('bottle'), 'pair': _l('pair'),
               'kg': _l('kg'), 'm': _l('m')}


@bp.app_template_filter('unit')
def unit_filter(value):
    return UNIT_LABELS.get(value, value or '')


def _is_manager():
    return current_user.has_role(MANAGER)


def _refuse(form, exc):
    """Put a refused action's message on its field (or on the form as a whole)."""
    target = getattr(form, exc.field or '', None) if form is not None else None
    if target is not None and hasattr(target, 'errors'):
        target.errors = list(target.errors or []) + [exc.message]
        return None
    return exc.message




# --- catalogue ------------------------------------------------------------------------------

@bp.route('/parts/catalogue', endpoint='catalogue')
@allow(*STOCK_READERS)
def catalogue_page():
    """Find a part as you type: number prefix (or a scan) or part of the name."""
    q = request.args.get('q', '')
    rows = list(catalogue.search(current_shop(), q))
    return render('parts/catalogue.html', 'parts/_results.html', q=q, rows=rows, lang=current_language())


def _supplier_choices(shop):
    return [SelectChoice(0, '—')] + [SelectChoice(s.id, s.name) for s in catalogue.suppliers(shop)]


def _part_data(form, shop):
    data = {k: getattr(form, k).data or '' for k in ('number', 'name_zh', 'name_en', 'origin', 'bin', 'unit')}
    data['active'] = bool(form.active.data)
    for k in ('cost_price', 'sell_price', 'min_qty', 'max_qty'):
        data[k] = getattr(form, k).data or Decimal('0')
    data['supplier'] = Supplier.get_or_none((Supplier.id == form.supplier.data) & (Supplier.shop == shop)) \
        if form.supplier.data else None
    return data


@bp.route('/parts/catalogue/new', methods=['GET', 'POST'])
@allow(*STOCK_WRITERS)
def part_new():
    """Add a part to the catalogue."""
    shop = current_shop()
    form = forms.PartForm()
    form.supplier.choices = _supplier_choices(shop)
    status, error = 200, None
    if form.validate_on_submit():
        try:
            part = catalogue.save_part(shop, current_user, _part_data(form, shop))
        except stock.StockError as exc:
            error = _refuse(form, exc)
        else:
            flash(_('Part added to the catalogue.'), 'ok')
            return redirect(url_for('parts.part', part_id=part.id))
    if request.method == 'POST':
        status = 400
    return render('parts/part_form.html', None, form=form, part=None, error=error), status


@bp.route('/parts/catalogue/<int:part_id>')
@allow(*STOCK_READERS)
def part(part_id):
    """A part: catalogue data, stock on hand and value, its ledger newest first."""
    shop = current_shop()
    found = Part.get_for_shop_or_404(shop, part_id)
    page = params.page_arg()
    return render('parts/part.html', 'parts/_ledger.html', part=found, level=catalogue.level_of(found),
                  moves=list(catalogue.ledger(found, page)), page=page, lang=current_language(),
                  adjust_form=forms.AdjustForm(formdata=None), receive_form=forms.ReceiveForm(
                      formdata=None, unit_cost=found.cost_price), kinds=KIND_LABELS, error=None,
                  is_manager=_is_manager())


KIND_LABELS = {
    StockMove.RECEIPT: _l('Receipt'),
    StockMove.ISSUE: _l('Issue to order'),
    StockMove.RETURN: _l('Return from order'),
    StockMove.TRANSFER: _l('Transfer'),
    StockMove.ADJUSTMENT: _l('Adjustment'),
    StockMove.COUNT: _l('Count'),
}


@bp.route('/parts/catalogue/<int:part_id>/edit', methods=['GET', 'POST'])
@allow(*STOCK_WRITERS)
def part_edit(part_id):
    """Change a part's catalogue data (never its stock)."""
    shop = current_shop()
    found = Part.get_for_shop_or_404(shop, part_id)
    form = forms.PartForm(obj=found) if request.method == 'GET' else forms.PartForm()
    form.supplier.choices = _supplier_choices(shop)
    if request.method == 'GET':
        form.supplier.data = found.supplier_id or 0
    error = None
    if form.validate_on_submit():
        try:
            catalogue.save_part(shop, current_user, _part_data(form, shop), part=found)
        except stock.StockError as exc:
            error = _refuse(form, exc)
        else:
            flash(_('Part saved.'), 'ok')
            return redirect(url_for('parts.part', part_id=found.id))
    status = 400 if request.method == 'POST' else 200
    return render('parts/part_form.html', None, form=form, part=found, error=error), status


def _part_page_again(found, status, adjust_form=None, receive_form=None, error=None):
    resp = render('parts/part.html', None, part=found, level=catalogue.level_of(found),
                  moves=list(catalogue.ledger(found, 1)), page=1, lang=current_language(), kinds=KIND_LABELS,
                  adjust_form=adjust_form or forms.AdjustForm(formdata=None),
                  receive_form=receive_form or forms.ReceiveForm(formdata=None, unit_cost=found.cost_price),
                  error=error, is_manager=_is_manager())
    resp.status_code = status
    return resp


def _back_to_part(part_id):
    return redirect(url_for('parts.part', part_id=part_id))


@bp.route('/parts/catalogue/<int:part_id>/adjust', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_back_to_part)
def part_adjust(part_id):
    """A manual adjustment with its reason; below zero only with a manager's override."""
    found = Part.get_for_shop_or_404(current_shop(), part_id)
    form = forms.AdjustForm()
    if not form.validate_on_submit():
        return _part_page_again(found, 400, adjust_form=form)
    try:
        catalogue.adjust(found, form.quantity.data, current_user, reason=form.reason.data,
                         allow_negative=bool(form.override.data) and _is_manager())
    except stock.StockError as exc:
        return _part_page_again(found, 400, adjust_form=form, error=_refuse(form, exc))
    flash(_('Stock adjusted.'), 'ok')
    return _back_to_part(found.id)


@bp.route('/parts/catalogue/<int:part_id>/receive', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_back_to_part)
def part_receive(part_id):
    """Take in a delivery of this part without a purchase order."""
    found = Part.get_for_shop_or_404(current_shop(), part_id)
    form = forms.ReceiveForm()
    if not form.validate_on_submit():
        return _part_page_again(found, 400, receive_form=form)
    try:
        purchasing.receive_direct(found, form.quantity.data, form.unit_cost.data, current_user,
                                  supplier=found.supplier_id, delivery_note=form.delivery_note.data or '')
    except stock.StockError as exc:
        return _part_page_again(found, 400, receive_form=form, error=_refuse(form, exc))
    flash(_('Received into stock.'), 'ok')
    return _back_to_part(found.id)


def _move_or_404(move_id):
    move = StockMove.get_or_none((StockMove.id == move_id) & (StockMove.shop == current_shop()))
    if move is None:
        abort(404)
    return move


def _after_reverse(move_id):
    return redirect(url_for('parts.part', part_id=_move_or_404(move_id).part_id))


@bp.route('/parts/moves/<int:move_id>/reverse', methods=['POST'])
@allow(MANAGER)
@idempotent(replay=_after_reverse)
def move_reverse(move_id):
    """A manager undoes a ledger row with a new, opposite row (the original stays)."""
    move = _move_or_404(move_id)
    form = forms.ReverseForm()
    if not form.validate_on_submit():
        return _part_page_again(move.part, 400, error=_('Say why the movement is reversed.'))
    try:
        catalogue.reverse(move, current_user, reason=form.reason.data, allow_negative=bool(form.override.data))
    except stock.StockError as exc:
        return _part_page_again(move.part, 400, error=exc.message)
    flash(_('Movement reversed.'), 'ok')
    return redirect(url_for('parts.part', part_id=move.part_id))


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
                  totals=catalogue.stock_totals(shop), page_size=catalogue.PAGE_SIZE, lang=current_language())


# --- issuing to an order and returns ---------------------------------------------------------

def _order_context(order, issue_form=None, return_forms=None, error=None):
    lines = list(OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.position, OrderLine.id))
    form = issue_form or forms.IssueForm(formdata=None)
    form.line.choices = [SelectChoice(ln.id, ln.description) for ln in lines]
    moves = list(issuing.issued_on_order(order))
    returned = {}
    for m in moves:
        if m.kind == StockMove.ISSUE:
            returned[m.id] = issuing.returnable(m)
    return dict(order=order, lines=lines, issue_form=form, moves=moves, returnable=returned,
                return_forms=return_forms or {}, old_parts=list(OldPart.select().where(OldPart.order == order)
                                                                .order_by(OldPart.id)),
                old_labels=issuing.OLD_PART_STATUSES, kinds=KIND_LABELS, error=error, lang=current_language(),
                is_manager=_is_manager())


@bp.route('/parts/orders/<int:order_id>')
@allow(*STOCK_WRITERS, FOREMAN, ADVISOR)
def order_parts(order_id):
    """The parts issued to one order: issue by scan or search, returns, old parts."""
    order = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    return render('parts/order.html', None, **_order_context(order))


def _back_to_order(order_id):
    return redirect(url_for('parts.order_parts', order_id=order_id))


@bp.route('/parts/orders/<int:order_id>/issue', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_back_to_order)
def order_issue(order_id):
    """Issue a part to a job of the order in one step: scan or type its number, the quantity, done."""
    shop = current_shop()
    order = RepairOrder.get_for_shop_or_404(shop, order_id)
    form = forms.IssueForm()
    ctx = _order_context(order, issue_form=form)
    if not form.validate_on_submit():
        return render('parts/order.html', None, **ctx), 400
    line = OrderLine.get_or_none((OrderLine.id == form.line.data) & (OrderLine.order == order))
    found = issuing.catalogue_part(shop.id, form.part_number.data)
    try:
        if line is None:
            raise stock.StockError(_l('Choose the job.'), 'line')
        if found is None:
            raise stock.StockError(_l('Unknown part number.'), 'part_number')
        issuing.issue_direct(found, order, line, form.quantity.data, by=current_user,
                             allow_negative=bool(form.override.data) and _is_manager())
    except stock.StockError as exc:
        ctx['error'] = _refuse(form, exc)
        return render('parts/order.html', None, **ctx), 400
    flash(_('Issued: the part is on the job.'), 'ok')
    return _back_to_order(order.id)


def _after_return(move_id):
    return _back_to_order(_move_or_404(move_id).order_id)


@bp.route('/parts/moves/<int:move_id>/return', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_after_return)
def move_return(move_id):
    """Unused parts back from an order to the shelf; the order's part line shrinks."""
    move = _move_or_404(move_id)
    if move.kind != StockMove.ISSUE or move.order_id is None or move.reverses_id is not None:
        abort(404)
    order = RepairOrder.get_for_shop_or_404(current_shop(), move.order_id)
    form = forms.ReturnForm(prefix='m%d' % move.id)
    if not form.validate_on_submit():
        return render('parts/order.html', None, **_order_context(order, return_forms={move.id: form})), 400
    try:
        issuing.return_from_order(move, form.quantity.data, by=current_user, note=form.note.data or '')
    except stock.StockError as exc:
        return render('parts/order.html', None, **_order_context(order, return_forms={move.id: form},
                                                                 error=exc.message)), 400
    flash(_('Returned to stock.'), 'ok')
    return _back_to_order(order.id)


# --- old parts --------------------------------------------------------------------------------

def _month_bounds(shop):
    """[start, end) in UTC of the ?month=YYYY-MM in the shop's time zone (this month when not given or unreadable;
    a 400 for a month no shop means, app.core.params)."""
    local = to_local(utcnow(), shop.timezone)
    first = datetime.combine(params.month_arg('month', date(local.year, local.month, 1)), time())
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, to_utc(first, shop.timezone), to_utc(nxt, shop.timezone)


@bp.route('/parts/old-parts')
@allow(*STOCK_WRITERS, ADVISOR)
def old_parts():
    """Old parts still in the shop: every one, or those taken off in a month (the monthly list)."""
    shop = current_shop()
    first, start, end = _month_bounds(shop) if request.args.get('month') else (None, None, None)
    rows = list(issuing.old_parts_on_hand(shop, start, end))
    return render('parts/old_parts.html', None, rows=rows, month=first, labels=issuing.OLD_PART_STATUSES,
                  forms={r.id: _old_form(r) for r in rows})


def _old_form(old, formdata=None):
    form = forms.OldPartForm(formdata=formdata, prefix='o%d' % old.id,
                             **({} if formdata is not None else {'status': old.status, 'tag_number': old.tag_number}))
    form.status.choices = [SelectChoice(k, v) for k, v in issuing.OLD_PART_STATUSES.items() if k != OldPart.PENDING]
    return form


def _back_to_old(old_part_id):
    old = OldPart.get_for_shop_or_404(current_shop(), old_part_id)
    return redirect(request.form.get('next') if request.form.get('next', '').startswith('/parts/')
                    else url_for('parts.order_parts', order_id=old.order_id))


@bp.route('/parts/old-parts/<int:old_part_id>', methods=['POST'])
@allow(*STOCK_WRITERS, ADVISOR)
@idempotent(replay=_back_to_old)
def old_part_decide(old_part_id):
    """Record what happened to an old part: back to the customer, scrapped, kept (tag) or sent to the maker."""
    old = OldPart.get_for_shop_or_404(current_shop(), old_part_id)
    form = _old_form(old, request.form)
    error = None
    if form.validate_on_submit():
        try:
            issuing.decide_old_part(old, form.status.data, by=current_user, tag_number=form.tag_number.data,
                                    note=form.note.data or '')
        except stock.StockError as exc:
            error = exc.message
        else:
            flash(_('Old part recorded.'), 'ok')
            return _back_to_old(old.id)
    order = RepairOrder.get_by_id(old.order_id)
    ctx = _order_context(order, error=error or _('Choose what happens to the old part.'))
    return render('parts/order.html', None, **ctx), 400


# --- suppliers and purchase orders ----------------------------------------------------------------

@bp.route('/parts/suppliers', methods=['GET', 'POST'])
@allow(*STOCK_WRITERS)
def suppliers():
    """Suppliers of this shop; add one."""
    shop = current_shop()
    form = forms.SupplierForm()
    status = 200
    if form.validate_on_submit():
        if Supplier.for_shop(shop).where(Supplier.name == form.name.data).exists():
            form.name.errors = list(form.name.errors) + [_('This supplier is already on the list.')]
        else:
            purchasing.add_supplier(shop, current_user, name=form.name.data, contact=form.contact.data or '',
                                    phone=form.phone.data or '', lead_days=form.lead_days.data or 0)
            flash(_('Supplier added.'), 'ok')
            return redirect(url_for('parts.suppliers'))
    if request.method == 'POST':
        status = 400
    return render('parts/suppliers.html', None, form=form, rows=list(catalogue.suppliers(shop))), status


@bp.route('/parts/purchase-orders', endpoint='purchase_orders')
@allow(*STOCK_WRITERS)
def purchase_orders_page():
    """Purchase orders: open ones first, by expected date; overdue ones marked."""
    shop = current_shop()
    return render('parts/purchase_orders.html', None, rows=list(purchasing.po_list(shop)),
                  today=to_local(utcnow(), shop.timezone).date(), statuses=purchasing.PO_STATUSES,
                  overdue=purchasing.overdue, rejected=purchasing.rejected_goods(shop).count())


@bp.route('/parts/purchase-orders/new', methods=['GET', 'POST'])
@allow(*STOCK_WRITERS)
def po_new():
    """Start a purchase order to a supplier (a draft; lines are added on its page)."""
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


def _po_context(po, line_form=None, send_form=None, error=None, receive_errors=None, typed=None):
    shop = current_shop()
    lines = list(purchasing.po_lines(po))
    return dict(po=po, lines=lines, total=purchasing.po_total(po), statuses=purchasing.PO_STATUSES,
                line_form=line_form or forms.POLineForm(formdata=None),
                send_form=send_form or forms.SendForm(formdata=None, expected_on=po.expected_on),
                receipts=list(po.receipts.order_by(purchasing.Receipt.id)), error=error,
                receive_errors=receive_errors or {}, typed=typed or {}, lang=current_language(),
                overdue=purchasing.overdue(po, to_local(utcnow(), shop.timezone).date()))


@bp.route('/parts/purchase-orders/<int:po_id>')
@allow(*STOCK_WRITERS)
def po(po_id):
    """A purchase order: its lines, sending it, and receiving against it with inspection per line."""
    found = PurchaseOrder.get_for_shop_or_404(current_shop(), po_id)
    return render('parts/po.html', None, **_po_context(found))


def _back_to_po(po_id):
    return redirect(url_for('parts.po', po_id=po_id))


@bp.route('/parts/purchase-orders/<int:po_id>/lines', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_back_to_po)
def po_add_line(po_id):
    """Add a part to a draft purchase order."""
    shop = current_shop()
    found = PurchaseOrder.get_for_shop_or_404(shop, po_id)
    form = forms.POLineForm()
    if form.validate_on_submit():
        part = issuing.catalogue_part(shop.id, form.part_number.data)
        try:
            if part is None:
                raise stock.StockError(_l('Unknown part number.'), 'part_number')
            with transaction():
                purchasing.add_line(found, part, form.quantity.data, form.unit_cost.data)
        except stock.StockError as exc:
            return render('parts/po.html', None, **_po_context(found, line_form=form, error=_refuse(form, exc))), 400
        return _back_to_po(found.id)
    return render('parts/po.html', None, **_po_context(found, line_form=form)), 400


@bp.route('/parts/purchase-orders/<int:po_id>/send', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_back_to_po)
def po_send(po_id):
    """Send the order to the supplier with the expected delivery date."""
    found = PurchaseOrder.get_for_shop_or_404(current_shop(), po_id)
    form = forms.SendForm()
    if form.validate_on_submit():
        try:
            purchasing.send_po(found, current_user, expected_on=form.expected_on.data)
        except stock.StockError as exc:
            return render('parts/po.html', None, **_po_context(found, send_form=form, error=_refuse(form, exc))), 400
        flash(_('Purchase order sent.'), 'ok')
        return _back_to_po(found.id)
    return render('parts/po.html', None, **_po_context(found, send_form=form)), 400


@bp.route('/parts/purchase-orders/<int:po_id>/cancel', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_back_to_po)
def po_cancel(po_id):
    """Cancel a purchase order nothing has been received on."""
    found = PurchaseOrder.get_for_shop_or_404(current_shop(), po_id)
    try:
        purchasing.cancel_po(found, current_user)
    except stock.StockError as exc:
        return render('parts/po.html', None, **_po_context(found, error=exc.message)), 400
    return _back_to_po(found.id)


@bp.route('/parts/purchase-orders/<int:po_id>/receive', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_back_to_po)
def po_receive(po_id):
    """Receive a delivery: per line the quantity delivered, how many are rejected at inspection and why."""
    found = PurchaseOrder.get_for_shop_or_404(current_shop(), po_id)
    entries, typed, bad = {}, {}, {}
    for line in purchasing.po_lines(found):
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
    if not bad:
        try:
            receipt = purchasing.receive(found, current_user, entries,
                                         delivery_note=request.form.get('delivery_note', '')[:60])
        except stock.StockError as exc:
            if exc.field:
                bad[exc.field] = exc.message
            else:
                return render('parts/po.html', None, **_po_context(found, error=exc.message, typed=typed)), 400
        else:
            flash(_('Received: %(number)s.', number=receipt.number), 'ok')
            return _back_to_po(found.id)
    return render('parts/po.html', None, **_po_context(found, receive_errors=bad, typed=typed)), 400


@bp.route('/parts/rejected')
@allow(*STOCK_WRITERS)
def rejected():
    """Goods rejected at inspection, waiting to go back to the supplier."""
    return render('parts/rejected.html', None, rows=list(purchasing.rejected_goods(current_shop())),
                  lang=current_language())


@bp.route('/parts/rejected/<int:receipt_line_id>/returned', methods=['POST'])
@allow(*STOCK_WRITERS)
def rejected_returned(receipt_line_id):
    """Rejected goods handed back to the supplier."""
    line = (ReceiptLine.select().join(purchasing.Receipt)
            .where((ReceiptLine.id == receipt_line_id) & (purchasing.Receipt.shop == current_shop())).first())
    if line is None:
        abort(404)
    purchasing.mark_returned(line, current_user)
    flash(_('Marked as returned to the supplier.'), 'ok')
    return redirect(url_for('parts.rejected'))


# --- replenishment ----------------------------------------------------------------------------------

@bp.route('/parts/replenish')
@allow(*STOCK_WRITERS)
def replenish():
    """Parts below safety stock (factor x last month's outflow) with a suggested order quantity."""
    shop = current_shop()
    return render('parts/replenish.html', None, rows=purchasing.below_safety(shop),
                  factor=purchasing.get_setting(shop, 'safety_stock_factor'), lang=current_language())


@bp.route('/parts/replenish', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=lambda: redirect(url_for('parts.purchase_orders')))
def replenish_draft():
    """One tap: draft purchase orders, one per supplier, with the suggested quantities."""
    shop = current_shop()
    rows = purchasing.below_safety(shop)
    if not rows:
        flash(_('Nothing is below safety stock.'), 'ok')
        return redirect(url_for('parts.replenish'))
    made, skipped = purchasing.draft_from_suggestions(shop, current_user, rows)
    flash(_('%(n)d draft purchase orders made.', n=len(made)), 'ok')
    if skipped:
        flash(_('Parts without a supplier left out: %(parts)s', parts=', '.join(p.number for p in skipped)), 'error')
    return redirect(url_for('parts.purchase_orders'))


# --- stock counts -------------------------------------------------------------------------------------

@bp.route('/parts/counts', methods=['GET', 'POST'], endpoint='counts')
@allow(*STOCK_WRITERS)
def counts_page():
    """Count sheets; open a new one for some bins."""
    shop = current_shop()
    form = forms.CountNewForm()
    status = 200
    if form.validate_on_submit():
        try:
            sheet = counts.open_sheet(shop, current_user, form.bins.data or '')
        except stock.StockError as exc:
            _refuse(form, exc)
        else:
            return redirect(url_for('parts.count', count_id=sheet.id))
    if request.method == 'POST':
        status = 400
    rows = list(StockCount.for_shop(shop).order_by(StockCount.id.desc()).limit(50))
    return render('parts/counts.html', None, form=form, rows=rows, statuses=counts.STATUSES), status


def _count_context(sheet, errors=None, typed=None, error=None):
    return dict(sheet=sheet, s=counts.summary(sheet), statuses=counts.STATUSES, errors=errors or {},
                typed=typed or {}, error=error, lang=current_language(), is_manager=_is_manager())


@bp.route('/parts/counts/<int:count_id>')
@allow(*STOCK_WRITERS)
def count(count_id):
    """A count sheet: enter counted quantities line by line (phone), the gain/loss sheet, approval."""
    sheet = StockCount.get_for_shop_or_404(current_shop(), count_id)
    return render('parts/count.html', None, **_count_context(sheet))


@bp.route('/parts/counts/<int:count_id>/print')
@allow(*STOCK_WRITERS)
def count_print(count_id):
    """The printable count sheet by bin (book quantities hidden, so the count is blind)."""
    sheet = StockCount.get_for_shop_or_404(current_shop(), count_id)
    return render('parts/count_print.html', None, sheet=sheet, lines=list(counts.sheet_lines(sheet)),
                  lang=current_language())


def _back_to_count(count_id):
    return redirect(url_for('parts.count', count_id=count_id))


@bp.route('/parts/counts/<int:count_id>/enter', methods=['POST'])
@allow(*STOCK_WRITERS)
def count_enter(count_id):
    """Save one counted quantity (htmx swaps only that line)."""
    sheet = StockCount.get_for_shop_or_404(current_shop(), count_id)
    form = forms.CountEntryForm()
    line_id = form.line.data or ''
    line = (StockCountLine.select(StockCountLine, Part).join(Part)
            .where((StockCountLine.id == int(line_id)) & (StockCountLine.sheet == sheet)).first()
            if line_id.isdigit() else None)
    if line is None:
        abort(404)
    error = None
    if form.validate_on_submit():
        try:
            counts.enter(sheet, line, form.counted.data, current_user)
        except stock.StockError as exc:
            error = exc.message
        else:
            if not wants_fragment():
                return _back_to_count(sheet.id)
            line = (StockCountLine.select(StockCountLine, Part).join(Part)
                    .where(StockCountLine.id == line.id).get())
            return render('parts/count.html', 'parts/_count_line.html', ln=line, sheet=sheet, errors={},
                          typed={}, saved=True, lang=current_language())
    else:
        error = '; '.join(str(e) for e in form.counted.errors) or _('Enter the counted quantity.')
    errors, typed = {line.id: error}, {line.id: request.form.get('counted', '')}
    if wants_fragment():
        resp = render('parts/count.html', 'parts/_count_line.html', ln=line, sheet=sheet, errors=errors,
                      typed=typed, lang=current_language())
    else:
        resp = render('parts/count.html', None, **_count_context(
            sheet, errors=errors, typed=typed, error=error if sheet.status != StockCount.OPEN else None))
    resp.status_code = 400
    return resp


@bp.route('/parts/counts/<int:count_id>/submit', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_back_to_count)
def count_submit(count_id):
    """Counting done: the sheet goes to the manager for approval."""
    sheet = StockCount.get_for_shop_or_404(current_shop(), count_id)
    try:
        counts.submit(sheet, current_user)
    except stock.StockError as exc:
        return render('parts/count.html', None, **_count_context(sheet, error=exc.message)), 400
    flash(_('Count submitted for approval.'), 'ok')
    return _back_to_count(sheet.id)


@bp.route('/parts/counts/<int:count_id>/approve', methods=['POST'])
@allow(MANAGER)
@idempotent(replay=_back_to_count)
def count_approve(count_id):
    """The manager approves the gain/loss sheet: the ledger is adjusted to the count."""
    sheet = StockCount.get_for_shop_or_404(current_shop(), count_id)
    try:
        counts.approve(sheet, current_user)
    except stock.StockError as exc:
        return render('parts/count.html', None, **_count_context(sheet, error=exc.message)), 400
    flash(_('Count approved: stock adjusted.'), 'ok')
    return _back_to_count(sheet.id)


@bp.route('/parts/counts/<int:count_id>/cancel', methods=['POST'])
@allow(*STOCK_WRITERS)
@idempotent(replay=_back_to_count)
def count_cancel(count_id):
    """Drop a count sheet that is not approved yet (nothing is posted)."""
    sheet = StockCount.get_for_shop_or_404(current_shop(), count_id)
    try:
        counts.cancel(sheet, current_user)
    except stock.StockError as exc:
        return render('parts/count.html', None, **_count_context(sheet, error=exc.message)), 400
    return _back_to_count(sheet.id)


# --- reports ------------------------------------------------------------------------------------------

@bp.route('/parts/reports', endpoint='reports')
@allow(*STOCK_WRITERS)
def reports_page():
    """Slow-moving parts (6 and 12 months), turnover over the last 12 months, fill rate and stock accuracy
    for a month, each against its target."""
    shop = current_shop()
    first, start, end = _month_bounds(shop)
    now = utcnow()
    year_ago = now - timedelta(days=365)
    return render('parts/reports.html', None, month=first, slow=reports.slow_moving_summary(shop, now),
                  turnover=reports.turnover(shop, year_ago, now), fill=reports.fill_rate(shop, start, end),
                  accuracy=reports.accuracy(shop, start, end), lang=current_language(),
                  targets={k: purchasing.get_setting(shop, k) for k in
                           ('turnover_min', 'turnover_max', 'fill_rate_target', 'stock_variance_target')},
                  prev=(first - timedelta(days=1)).strftime('%Y-%m'),
                  next=(first + timedelta(days=32)).strftime('%Y-%m'))
