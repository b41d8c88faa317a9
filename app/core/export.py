"""Tables out as CSV (for any spreadsheet) and XLSX (for Excel), written safely.

A cell that starts with = + - @ (or a tab or carriage return) would run as a formula when the file is
opened ("CSV injection"); every text cell that does gets a leading apostrophe, in both formats.
CSV is UTF-8 with a byte-order mark so Excel reads Chinese correctly. In XLSX numbers stay numbers
(Decimal money with two decimals), dates stay dates, and the first row is the header.
"""
import csv
import io
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import current_app

DANGEROUS_START = ('=', '+', '-', '@', '\t', '\r')
CSV_TYPE = 'text/csv; charset=utf-8'
XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'


def neutralise(value):
    """A text cell made safe to open: a leading quote when it could start a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def _text(value):
    """A CSV cell: numbers as plain digits, dates in ISO form, None empty, text neutralised."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat(sep=' ') if isinstance(value, datetime) else value.isoformat()
    return neutralise(str(value))


def to_csv(header, rows):
    """CSV bytes (UTF-8 with BOM): the header row, then one line per row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator='\r\n')
    writer.writerow([_text(h) for h in header])
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return ('\ufeff' + buf.getvalue()).encode('utf-8')


def _cell(value):
    """An XLSX cell value and its number format (None: general)."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return value, ('0.' + '0' * places) if places else '0'
    if isinstance(value, (int, float)):
        return value, None
    if isinstance(value, datetime):
        return value, 'yyyy-mm-dd hh:mm'
    if isinstance(value, date):
        return value, 'yyyy-mm-dd'
    return neutralise(str(value)), None


MIN_WIDTH, MAX_WIDTH = 6, 60


def display_width(text):
    """How many character widths a text takes in a spreadsheet column: CJK and other wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ('W', 'F') else 1 for ch in text)


def _shown(value, fmt):
    """The text a cell shows, for sizing its column."""
    if value is None:
        return ''
    if fmt == 'yyyy-mm-dd hh:mm':
        return '0000-00-00 00:00'
    if fmt == 'yyyy-mm-dd':
        return '0000-00-00'
    if isinstance(value, Decimal):
        return '{:,}'.format(value)
    return str(value)


def to_xlsx(sheets):
    """XLSX bytes from [(sheet title, header, rows), ...]: bold header row, typed cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        # Sheet titles may not hold []:*?/\ and are at most 31 characters.
        sheet = book.create_sheet(''.join(c for c in str(title) if c not in '[]:*?/\\')[:31] or 'Sheet')
        sheet.append([neutralise(str(h)) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        # Each column as wide as its widest cell (bold header a little wider), Chinese counted double, so no label is
        # cut; a very long text stops at MAX_WIDTH.
        widths = [display_width(str(h)) + 3 for h in header]
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                v, fmt = _cell(value)
                cell = sheet.cell(row=r, column=c, value=v)
                if fmt:
                    cell.number_format = fmt
                if c > len(widths):
                    widths.append(0)
                widths[c - 1] = max(widths[c - 1], display_width(_shown(v, fmt)) + 2)
        for c, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(c)].width = max(MIN_WIDTH, min(MAX_WIDTH, width))
        sheet.freeze_panes = 'A2'
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def download(body, filename, kind):
    """A response that downloads `body` as `filename` (kind: 'csv' or 'xlsx')."""
    resp = current_app.response_class(body, mimetype=CSV_TYPE if kind == 'csv' else XLSX_TYPE)
    ascii_name = ''.join(c if 32 <= ord(c) < 127 and c not in '"\\' else '_' for c in filename)
    resp.headers['Content-Disposition'] = "attachment; filename=\"%s\"; filename*=UTF-8''%s" % (
        ascii_name, quote(filename, safe=''))
    resp.headers['Cache-Control'] = 'private, no-store'
    return resp
