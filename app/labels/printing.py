"""Printing QR labels: the people who may, the key tag's label, an image answer, the 62 mm roll page, and the shop's
Brother QL printer on the network (app.labels.brother) for tablets that cannot print to a label roll. Used by the
key tags' pages here and by the bags' labels on the order's side (app.reception.key_views)."""
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from app.core.access import ADMIN, ADVISOR, MANAGER
from app.core.errors import Refused
from app.core.settings import get_setting
from app.core.web import CSP, public_url, render
from app.labels import brother
from app.labels import render as draw

PRINTERS = (ADVISOR, MANAGER, ADMIN)
SHEET_ROWS, SHEET_COLS = 8, 3          # an A4 sheet of 70 x 37 mm labels
MAX_COPIES = 5
HOST = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*$')


def tag_scan_url(tag):
    return public_url('reception.scan_tag', tag_token=tag.token)     # the scan route is the order's


def tag_label(tag, shop):
    return draw.keytag_label(tag.number, shop.name, tag_scan_url(tag))


def image_response(label, label_fmt, name):
    if label_fmt == 'svg':
        resp = current_app.response_class(str(draw.to_svg(label)), mimetype='image/svg+xml')
    else:
        resp = current_app.response_class(draw.to_png(label), mimetype='image/png')
    resp.headers['Content-Disposition'] = 'inline; filename="%s.%s"' % (name, label_fmt)
    # The usual policy, sandboxed: a label opened on its own runs nothing, whatever text it carries.
    resp.headers['Content-Security-Policy'] = CSP + '; sandbox'
    resp.headers['Cache-Control'] = 'private, no-store'
    return resp


def roll(labels, back):
    return render('labels/roll.html', None, labels=[draw.to_svg(lb, standalone=False) for lb in labels], back=back)


# --- the label printer on the network ----------------------------------------------------

class PrinterError(Refused):
    """The label printer is not set up, or did not take the job: said where the person tapped."""


@dataclass(frozen=True)
class Printer:
    address: str         # as the manager typed it, for messages
    host: str
    port: int
    model: str
    media: brother.Media


def parse_address(text):
    """'192.168.1.50', 'ql820.local' or 'host:9101' as (host, port); PrinterError with what to type instead."""
    text = (text or '').strip()
    host, sep, port = text.rpartition(':')
    if not sep:
        host = text
    if not HOST.match(host) or len(host) > 253 or (sep and not (port.isdigit() and 1 <= int(port) <= 65535)):
        raise PrinterError(_('Type the printer\'s network address, such as 192.168.1.50 or 192.168.1.50:9100 '
                             '(the printer prints it on its settings page).'), field='address')
    return host, int(port) if sep else brother.PORT


def printer_of(shop):
    """The shop's label printer, or None when the shop prints labels from the browser."""
    address = (get_setting(shop, 'label_printer_address') or '').strip()
    if not address:
        return None
    try:
        host, port = parse_address(address)
    except PrinterError:
        return None
    model = get_setting(shop, 'label_printer_model')
    media = brother.MEDIA.get(get_setting(shop, 'label_printer_media'), brother.MEDIA['62'])
    return Printer(address, host, port, model if model in brother.MODELS else brother.MODELS[0], media)


def send_labels(shop, labels):
    """Print these labels on the shop's printer now; PrinterError when there is none or it does not answer."""
    printer = printer_of(shop)
    if printer is None:
        raise PrinterError(_('No label printer is set up. A manager can add one under Key tags → Label printer.'))
    data = brother.labels_job(labels, printer.media)
    try:
        brother.send(printer.host, printer.port, data)
    except brother.PrinterUnreachable as exc:
        current_app.logger.warning('label printer %s did not answer: %s', printer.address, exc)
        raise PrinterError(_('The label printer at %(address)s did not answer. Check that it is switched on, has '
                             'labels and is on the shop\'s network, then try again.', address=printer.address),
                           status=503)
    return printer


def sent_piece(back):
    """The answer to a print button: a line where it was tapped (htmx), or a small page with the way back."""
    def piece(status=200, done=None, error=None, form=None, **_given):
        if error is None and form is not None and form.errors:
            error = ' '.join(str(e) for errors in form.errors.values() for e in errors)
        resp = render('labels/sent.html', 'labels/_sent.html', done=done, error=error, back=back)
        resp.status_code = status
        return resp
    return piece
