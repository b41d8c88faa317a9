"""Label images: the QR (segno) and the text around it, laid out once and drawn as SVG or PNG.

A label is described in millimetres (`Label`, `Text`); `to_svg` and `to_png` draw the same
description, so the printed roll, the A4 sheet and the PNG agree. Every piece of text is
escaped on its way into the SVG: a model name cannot become markup.
"""
import io
import os
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import segno
from flask_babel import gettext as _
from markupsafe import Markup, escape
from PIL import Image, ImageDraw, ImageFont

ERROR_LEVEL = 'M'
QUIET_ZONE = 4           # modules of white around the QR, as the standard asks
DPI = 300                # what 62 mm label printers print at
PX_PER_MM = DPI / 25.4
LABEL_W, LABEL_H = 62.0, 29.0   # one label of the 62 mm roll (and one cell's content on the A4 sheet)
SVG_FONTS = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
FONT_DIR = '/usr/share/fonts/opentype/noto'
FONT_FILES = {False: 'NotoSansCJK-Regular.ttc', True: 'NotoSansCJK-Bold.ttc'}
MIN_TEXT_MM = 2.0        # below this a line is cut short instead of shrunk further


# --- the QR -----------------------------------------------------------------------

def make_qr(url):
    """The QR of an absolute URL: error correction M, never a Micro QR (phones do not read those)."""
    return segno.make(url, error=ERROR_LEVEL, micro=False, boost_error=False)


def qr_path(qr):
    """SVG path data of the dark modules, one unit per module, without the quiet zone."""
    parts = []
    for y, row in enumerate(qr.matrix_iter(scale=1, border=0)):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append('M%d %dh%dv1h-%dz' % (start, y, x - start, x - start))
            else:
                x += 1
    return ''.join(parts)


# --- the layout ---------------------------------------------------------------------

@dataclass
class Text:
    """One line: `x` is its left edge (or centre with anchor 'middle'), `y` its baseline, in mm."""
    text: str
    x: float
    y: float
    size: float          # the largest font size (em, mm); shrunk until the line fits `width`
    width: float
    anchor: str = 'start'
    bold: bool = False


@dataclass
class Label:
    url: str
    title: str
    qr_box: tuple = (1.0, 1.0, 27.0)      # x, y, side in mm, quiet zone included
    texts: list = field(default_factory=list)
    width: float = LABEL_W
    height: float = LABEL_H

    @property
    def qr(self):
        return make_qr(self.url)


def _column(qr_box):
    """The room right of the QR: left edge and width, with a 1 mm margin."""
    x, _y, side = qr_box
    left = x + side + 1.0
    return left, LABEL_W - left - 1.0


def keytag_label(number, shop_name, url):
    """A key tag: the QR, the tag's number as large as it fits, the shop's name."""
    label = Label(url=url, title=_('Key tag %(n)d', n=number))
    left, width = _column(label.qr_box)
    centre = left + width / 2
    label.texts = [
        Text(_('Key tag'), centre, 6.0, 3.0, width, anchor='middle'),
        Text(str(number), centre, 20.5, 15.0, width, anchor='middle', bold=True),
        Text(shop_name or '', centre, 26.5, 3.2, width, anchor='middle'),
    ]
    return label


def bag_label(order_number, plate, model, url):
    """A belongings bag: the QR, the plate and model in large type, the order number ('draft' before signing)."""
    label = Label(url=url, title=_('Belongings of %(plate)s', plate=plate or order_number or ''))
    left, width = _column(label.qr_box)
    label.texts = [
        Text(plate or '', left, 9.5, 7.5, width, bold=True),
        Text(model or '', left, 16.5, 5.0, width, bold=True),
        Text(order_number or _('draft'), left, 22.0, 3.6, width, bold=True),
        Text(_('Belongings'), left, 27.0, 2.6, width),
    ]
    return label


def test_label(shop_name, url):
    """A label printer's first label: its QR opens ServiceBay, the text says what it is."""
    label = Label(url=url, title=_('Label printer test'))
    left, width = _column(label.qr_box)
    label.texts = [
        Text(_('Label printer test'), left, 9.5, 5.0, width, bold=True),
        Text(shop_name or '', left, 17.0, 4.0, width),
        Text(_('Scan the QR with a phone'), left, 25.0, 2.8, width),
    ]
    return label


# --- SVG ------------------------------------------------------------------------------

def _em_width(text, bold):
    """A generous estimate of a line's width in em: the SVG is drawn by a font we cannot measure here."""
    total = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ('W', 'F'):
            total += 1.0
        elif ch == ' ':
            total += 0.3
        elif ch.isupper() or ch.isdigit():
            total += 0.66
        else:
            total += 0.58
    return total * (1.06 if bold else 1.0)


def _fit(text, size, width, measure):
    """The font size at which `text` fits `width`, and the text (cut with an ellipsis if even the least size is too wide)."""
    need = measure(text, size)
    while need > width and size > MIN_TEXT_MM:
        # Proportional, then a little more: sizes round to whole pixels and kerning is not linear.
        size = max(min(size * width / need, size * 0.97), MIN_TEXT_MM)
        need = measure(text, size)
    while text and measure(text, size) > width:
        text = text[:-2] + '…' if len(text) > 1 else ''
    return size, text


def _svg_text(t):
    size, text = _fit(t.text, t.size, t.width, lambda s, z: _em_width(s, t.bold) * z)
    return ('<text x="%.2f" y="%.2f" font-size="%.2f"%s%s>%s</text>'
            % (t.x, t.y, size, ' font-weight="700"' if t.bold else '',
               ' text-anchor="middle"' if t.anchor == 'middle' else '', escape(text)))


def to_svg(label, standalone=True):
    """The label as SVG markup (sizes in mm). `standalone` adds the XML declaration for a file of its own."""
    qr = label.qr
    x, y, side = label.qr_box
    modules = qr.symbol_size(border=0)[0]
    unit = side / (modules + 2 * QUIET_ZONE)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ''
    svg = (
        '%s<svg xmlns="http://www.w3.org/2000/svg" class="label-svg" width="%smm" height="%smm" '
        'viewBox="0 0 %s %s" role="img" aria-label="%s">'
        '<title>%s</title>'
        '<rect width="%s" height="%s" fill="#fff"/>'
        '<path class="qr" fill="#000" shape-rendering="crispEdges" '
        'transform="translate(%.3f %.3f) scale(%.5f)" d="%s"/>'
        '<g fill="#000" font-family="%s">%s</g>'
        '</svg>'
    ) % (head, label.width, label.height, label.width, label.height, escape(label.title), escape(label.title),
         label.width, label.height,
         x + QUIET_ZONE * unit, y + QUIET_ZONE * unit, unit, qr_path(qr),
         escape(SVG_FONTS), ''.join(_svg_text(t) for t in label.texts))
    return Markup(svg)


# --- PNG --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _font_file(bold):
    """The CJK font file and the index of its Simplified Chinese face, or None when not installed."""
    path = os.path.join(FONT_DIR, FONT_FILES[bold])
    if not os.path.exists(path):
        return None
    try:
        for index in range(8):
            if 'SC' in ImageFont.truetype(path, 10, index=index).getname()[0].split():
                return path, index
        return path, 0
    except (OSError, ValueError):
        return None


@lru_cache(maxsize=128)
def _font(size_px, bold):
    """A CJK font at this size; Pillow's own font if none is installed (no Chinese then, but no crash)."""
    found = _font_file(bold)
    if found:
        try:
            return ImageFont.truetype(found[0], size_px, index=found[1])
        except (OSError, ValueError):
            pass
    try:
        return ImageFont.load_default(size=size_px)
    except (OSError, ValueError, TypeError):
        return ImageFont.load_default()


def _px(mm, per_mm=PX_PER_MM):
    return int(round(mm * per_mm))


def qr_png(qr, side_px):
    """The QR drawn by segno at the largest whole number of pixels per module that fits `side_px`."""
    total = qr.symbol_size(border=QUIET_ZONE)[0]
    buf = io.BytesIO()
    qr.save(buf, kind='png', scale=max(side_px // total, 1), border=QUIET_ZONE)
    buf.seek(0)
    return Image.open(buf).convert('L')


def _draw_line(draw, t, text, font, size_px, per_mm):
    at = (_px(t.x, per_mm), _px(t.y, per_mm))
    try:
        draw.text(at, text, fill=0, font=font, anchor='ms' if t.anchor == 'middle' else 'ls')
    except ValueError:
        # Pillow's bitmap font knows no anchors: place its top-left corner by hand.
        w = draw.textlength(text, font=font)
        draw.text((at[0] - (w / 2 if t.anchor == 'middle' else 0), at[1] - size_px), text, fill=0, font=font)


def to_image(label, per_mm=PX_PER_MM):
    """The label drawn in grey at `per_mm` pixels per millimetre (a Pillow image): the PNG, and the raster a label
    printer prints (app.labels.brother), which has fewer dots than the label has room."""
    px = lambda mm: _px(mm, per_mm)  # noqa: E731
    image = Image.new('L', (px(label.width), px(label.height)), 255)
    x, y, side = label.qr_box
    code = qr_png(label.qr, px(side))
    offset = (px(side) - code.size[0]) // 2
    image.paste(code, (px(x) + offset, px(y) + offset))
    draw = ImageDraw.Draw(image)
    for t in label.texts:
        def measure(text, size_mm, bold=t.bold):
            return draw.textlength(text, font=_font(max(px(size_mm), 1), bold)) / per_mm

        size, text = _fit(t.text, t.size, t.width, measure)
        if text:
            _draw_line(draw, t, text, _font(max(px(size), 1), t.bold), px(size), per_mm)
    return image


def to_png(label):
    """The label as a 300 dpi PNG (bytes)."""
    out = io.BytesIO()
    to_image(label).save(out, format='PNG', dpi=(DPI, DPI), optimize=True)
    return out.getvalue()
