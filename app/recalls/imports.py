"""The maker's VIN list of a campaign, as a CSV or XLSX file: one row a VIN, or a range in two columns (or "FROM-TO"
in one). A header row naming the columns (VIN / 车架号, or from / to, 起始 / 结束) is recognised and skipped; without
one, the first column is read from the first row. Rows keep their line number in the file, so a bad row is named."""
import csv
import io

from flask_babel import lazy_gettext as _l

from app.core.errors import Refused

MAX_ROWS = 100000
SINGLE = ('vin', '车架号', 'vin码', '车辆识别代号')
FROM = ('vin_from', 'vinfrom', 'from', 'start', '起始', '起始vin', 'vin起')
TO = ('vin_to', 'vinto', 'to', 'end', '结束', '结束vin', 'vin止')


def _cells(row):
    return ['' if c is None else str(c).strip() for c in row]


def _rows(name, data):
    """[(line number, cells)] of a CSV or XLSX file."""
    if data[:2] == b'PK' or name.lower().endswith('.xlsx'):
        from openpyxl import load_workbook
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            return [(n, _cells(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), 1)]
        except Exception:      # a damaged or foreign file: said in words, never a 500
            raise Refused(_l('This file cannot be read as a spreadsheet (XLSX).'), 'file')
    for encoding in ('utf-8-sig', 'gb18030'):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Refused(_l('This file cannot be read as text (CSV).'), 'file')
    return [(n, _cells(r)) for n, r in enumerate(csv.reader(io.StringIO(text)), 1)]


def _column(header, names):
    return next((i for i, h in enumerate(header) if h.lower().replace(' ', '') in names), None)


def vin_rows(name, data):
    """[(line number, entry)] of the file's VIN rows (entry: a VIN or "FROM-TO" string, or [from, to])."""
    rows = [(n, cells) for n, cells in _rows(name, data) if any(cells)]
    if not rows:
        raise Refused(_l('The file has no rows.'), 'file')
    if len(rows) > MAX_ROWS:
        raise Refused(_l('The file has more than %(n)d rows.', n=MAX_ROWS), 'file')
    header = [h.lower() for h in rows[0][1]]
    start, end, single = _column(header, FROM), _column(header, TO), _column(header, SINGLE)
    if start is not None and end is not None:
        pick = lambda c: [c[start] if start < len(c) else '', c[end] if end < len(c) else '']  # noqa: E731
        rows = rows[1:]
    elif single is not None:
        pick = lambda c: c[single] if single < len(c) else ''  # noqa: E731
        rows = rows[1:]
    else:
        pick = lambda c: c[0]  # noqa: E731
    return [(n, pick(cells)) for n, cells in rows]
