"""Printing QR labels: the people who may, the key tag's label, an image answer, the 62 mm roll page. Used by the
key tags' pages here and by the bags' labels on the order's side (app.reception.key_views)."""
from flask import current_app

from app.core.access import ADMIN, ADVISOR, MANAGER
from app.core.web import CSP, public_url, render
from app.labels import render as draw

PRINTERS = (ADVISOR, MANAGER, ADMIN)
SHEET_ROWS, SHEET_COLS = 8, 3          # an A4 sheet of 70 x 37 mm labels
MAX_COPIES = 5


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
