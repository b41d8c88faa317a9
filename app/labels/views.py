"""The key tags' QR labels: one tag's label, the pool's labels on an A4 sheet or the 62 mm roll. The scan routes,
the bags' labels and the pool page are the order's side (app.reception.key_views)."""
from flask import Blueprint, request, url_for

from app.accounts.context import current_shop
from app.core.access import allow
from app.core.web import render
from app.labels import render as draw
from app.labels import rules
from app.labels.printing import PRINTERS, SHEET_COLS, SHEET_ROWS, image_response, roll, tag_label
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


