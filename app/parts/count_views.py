"""Parts pages: stock counts (盘点): the sheets, counting line by line on a phone, the printable sheet, sending it
for approval and the manager's approval that adjusts the ledger."""
from functools import partial

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.context import current_shop
from app.core.access import MANAGER, allow
from app.core.errors import Refused
from app.core.i18n import current_language
from app.core.web import act, record_action, render, wants_fragment
from app.parts import counts, forms
from app.parts.blueprint import STOCK_WRITERS, bp, is_manager
from app.parts.models import Part, StockCount, StockCountLine


@bp.route('/parts/counts', methods=['GET', 'POST'], endpoint='counts')
@allow(*STOCK_WRITERS)
def counts_page():
    """Count sheets; open a new one for some bins (then its page)."""
    shop = current_shop()
    form = forms.CountNewForm()
    if form.validate_on_submit():
        try:
            sheet = counts.open_sheet(shop, current_user, form.bins.data or '')
        except Refused as refused:
            form.bins.errors = list(form.bins.errors) + [str(refused)]
        else:
            return redirect(url_for('parts.count', count_id=sheet.id))
    rows = list(StockCount.for_shop(shop).order_by(StockCount.id.desc()).limit(50))
    status = 400 if request.method == 'POST' else 200
    return render('parts/counts.html', None, form=form, rows=rows, statuses=counts.STATUSES), status


def _sheet(count_id):
    return StockCount.get_for_shop_or_404(current_shop(), count_id)


def _count_page(sheet, status=200, error=None, done=None, errors=None, typed=None):
    return render(
        'parts/count.html', None, sheet=sheet, s=counts.summary(sheet), statuses=counts.STATUSES,
        errors=errors or {}, typed=typed or {}, error=error, lang=current_language(), is_manager=is_manager()), status


@bp.route('/parts/counts/<int:count_id>')
@allow(*STOCK_WRITERS)
def count(count_id):
    """A count sheet: enter counted quantities line by line (phone), the gain/loss sheet, approval."""
    return _count_page(_sheet(count_id))


@bp.route('/parts/counts/<int:count_id>/print')
@allow(*STOCK_WRITERS)
def count_print(count_id):
    """The printable count sheet by bin (book quantities hidden, so the count is blind)."""
    sheet = _sheet(count_id)
    return render('parts/count_print.html', None, sheet=sheet, lines=list(counts.sheet_lines(sheet)),
                  lang=current_language())


def _count_line(sheet, line_id):
    return (StockCountLine.select(StockCountLine, Part).join(Part)
            .where((StockCountLine.id == line_id) & (StockCountLine.sheet == sheet)).first())


def _line_piece(sheet, line_id, status=200, error=None, done=None, form=None):
    """The counted line again (htmx), else the sheet; a refused count keeps what was typed, with why."""
    if form is not None and form.errors and not error:
        error = '; '.join(str(e) for e in form.counted.errors) or _('Enter the counted quantity.')
    line = _count_line(sheet, line_id)
    errors, typed = ({line.id: error}, {line.id: request.form.get('counted', '')}) if error else ({}, {})
    if wants_fragment():
        return render('parts/count.html', 'parts/_count_line.html', ln=line, sheet=sheet, errors=errors,
                                  typed=typed, saved=status == 200, lang=current_language()), status
    return _count_page(sheet, status, errors=errors, typed=typed,
                       error=error if sheet.status != StockCount.OPEN else None)


@bp.route('/parts/counts/<int:count_id>/enter', methods=['POST'])
@allow(*STOCK_WRITERS)
def count_enter(count_id):
    """Save one counted quantity (htmx swaps only that line)."""
    sheet = _sheet(count_id)
    form = forms.CountEntryForm()
    line_id = form.line.data or ''
    line = _count_line(sheet, int(line_id)) if line_id.isdigit() else None
    if line is None:
        abort(404)
    return act(partial(_line_piece, sheet, line.id), lambda: counts.enter(sheet, line, form.counted.data, current_user),
               done=_('Saved.'), back=url_for('parts.count', count_id=sheet.id), form=form)


_count_action = record_action(_sheet, _count_page, 'parts.count')


@bp.route('/parts/counts/<int:count_id>/submit', methods=['POST'])
@allow(*STOCK_WRITERS)
@_count_action
def count_submit(sheet, _form):
    """Counting done: the sheet goes to the manager for approval."""
    counts.submit(sheet, current_user)
    return _('Count submitted for approval.')


@bp.route('/parts/counts/<int:count_id>/approve', methods=['POST'])
@allow(MANAGER)
@_count_action
def count_approve(sheet, _form):
    """The manager approves the gain/loss sheet: the ledger is adjusted to the count."""
    counts.approve(sheet, current_user)
    return _('Count approved: stock adjusted.')


@bp.route('/parts/counts/<int:count_id>/cancel', methods=['POST'])
@allow(*STOCK_WRITERS)
@_count_action
def count_cancel(sheet, _form):
    """Drop a count sheet that is not approved yet (nothing is posted)."""
    counts.cancel(sheet, current_user)
    return _('Stock count cancelled.')
