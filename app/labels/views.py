"""The key tags' QR labels: one tag's label, the pool's labels on an A4 sheet or the 62 mm roll. The scan routes,
the bags' labels and the pool page are the order's side (app.reception.key_views)."""
from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app.accounts.context import current_shop
from app.core.access import ADMIN, MANAGER, allow
from app.core.settings import get_setting
from app.core.web import act, public_url, render
from app.labels import render as draw
from app.labels import rules
from app.labels.forms import PrinterForm, PrintForm
from app.labels.printing import (PRINTERS, SHEET_COLS, SHEET_ROWS, image_response, printer_of, roll, send_labels,
                                 sent_piece, tag_label)
from app.labels.models import KeyTag

bp = Blueprint('labels', __name__)


@bp.route('/labels/keytag/<int:tag_id>.<any(svg, png):label_fmt>')
@allow(*PRINTERS)
def keytag_image(tag_id, label_fmt):
    """A key tag's label as SVG or PNG."""
    shop = current_shop()
    tag = KeyTag.get_for_shop_or_404(shop, tag_id)
    return image_response(tag_label(tag, shop), label_fmt, 'keytag-%d' % tag.number)


# --- print layouts ------------------------------------------------------------------

@bp.route('/labels/keytag/<int:tag_id>/print')
@allow(*PRINTERS)
def keytag_roll(tag_id):
    """One key tag's label on the 62 mm roll (a lost label reprinted)."""
    shop = current_shop()
    tag = KeyTag.get_for_shop_or_404(shop, tag_id)
    return roll([tag_label(tag, shop)], url_for('reception.key_pool'))


@bp.route('/labels/keys/print')
@allow(*PRINTERS)
def pool_print():
    """The pool's labels, on an A4 sheet (3 x 8) or on the roll; ?first=&last= for some numbers only."""
    shop = current_shop()
    first = request.args.get('first', type=int)
    last = request.args.get('last', type=int)
    labels = [tag_label(t, shop) for t in rules.tags_to_print(shop, first, last)]
    if request.args.get('layout') == 'roll':
        return roll(labels, url_for('reception.key_pool'))
    per_page = SHEET_ROWS * SHEET_COLS
    svgs = [draw.to_svg(lb, standalone=False) for lb in labels]
    sheets = [svgs[i:i + per_page] for i in range(0, len(svgs), per_page)]
    return render('labels/sheet.html', None, sheets=sheets, back=url_for('reception.key_pool'))


# --- the label printer on the network ----------------------------------------------------

@bp.route('/labels/keytag/<int:tag_id>/send', methods=['POST'])
@allow(*PRINTERS)
def keytag_send(tag_id):
    """Print a key tag's label on the shop's label printer now (check-in, from the order page)."""
    shop = current_shop()
    tag = KeyTag.get_for_shop_or_404(shop, tag_id)
    form = PrintForm()
    back = url_for('reception.order', order_id=tag.order_id) if tag.order_id else url_for('reception.key_pool')
    return act(sent_piece(back), lambda: send_labels(shop, [tag_label(tag, shop)] * form.copies.data),
               done=lambda: _('Key tag %(n)d: label sent to the printer.', n=tag.number), back=back, form=form)


def _printer_page(status=200, form=None, done=None, error=None, **_given):
    shop = current_shop()
    if form is None:
        form = PrinterForm(formdata=None, data={name: get_setting(shop, key) for name, key in rules.PRINTER_KEYS.items()})
    resp = render('labels/printer.html', 'labels/_printer.html', form=form, printer=printer_of(shop),
                  message=error or done, kind='error' if error else 'ok')
    resp.status_code = status
    return resp


@bp.route('/labels/printer', methods=['GET', 'POST'])
@allow(MANAGER, ADMIN)
def printer_settings():
    """The shop's label printer: where it is on the network, which model, which roll."""
    if request.method == 'GET':
        return _printer_page()
    form = PrinterForm()
    return act(_printer_page, lambda: rules.set_printer(current_shop(), current_user, form.address.data,
                                                        form.model.data, form.media.data),
               done=lambda: _('Label printer saved.') if form.address.data.strip()
               else _('Label printer removed: labels print from the browser.'),
               back=url_for('labels.printer_settings'), form=form)


@bp.route('/labels/printer/test', methods=['POST'])
@allow(MANAGER, ADMIN)
def printer_test():
    """Print a test label: the shop's name and a QR to ServiceBay, to see the printer answers and the QR scans."""
    shop = current_shop()
    label = draw.test_label(shop.name, public_url('accounts.home'))
    back = url_for('labels.printer_settings')
    return act(sent_piece(back), lambda: send_labels(shop, [label]),
               done=lambda: _('Test label sent to the printer.'), back=back, form=FlaskForm())
