"""CSV and XLSX exports: safe to open, readable by Excel, numbers and dates typed."""
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from app.core.export import download, neutralise, to_csv, to_xlsx

DANGEROUS = ['=SUM(A1:A2)', '+86 755', '-1+2', '@cmd', '\tx', '\rx']


def test_formula_starts_are_neutralised():
    """A customer name typed as a formula must not run when the manager opens the export."""
    for text in DANGEROUS:
        assert neutralise(text) == "'" + text
    assert neutralise('张伟') == '张伟'
    assert neutralise(Decimal('-5')) == Decimal('-5')


def test_csv_has_bom_header_and_safe_cells():
    """Excel shows Chinese garbled without the BOM, and a formula cell would run."""
    body = to_csv(['名称', 'Amount', 'Day'], [['=HYPERLINK("x")', Decimal('12.50'), date(2026, 10, 1)],
                                               ['张伟', -3, None]])
    assert body.startswith(b'\xef\xbb\xbf')
    text = body.decode('utf-8-sig')
    lines = text.split('\r\n')
    assert lines[0] == '名称,Amount,Day'
    assert lines[1] == '"\'=HYPERLINK(""x"")",12.50,2026-10-01'
    assert lines[2] == '张伟,-3,'


def test_xlsx_cells_are_typed_and_safe():
    """The manager sums money columns in Excel: numbers must be numbers, dates dates, formulas inert."""
    body = to_xlsx([('Daily: report/1', ['Name', 'Amount', 'Count', 'Day', 'At'],
                     [['@SUM(1)', Decimal('1234.50'), 3, date(2026, 10, 31), datetime(2026, 10, 31, 23, 30)],
                      ['李娜', Decimal('0.00'), 0, None, None]])])
    book = load_workbook(io.BytesIO(body))
    sheet = book.worksheets[0]
    assert sheet.title == 'Daily report1'
    assert [c.value for c in sheet[1]] == ['Name', 'Amount', 'Count', 'Day', 'At']
    assert sheet['A1'].font.bold
    assert sheet['A2'].value == "'@SUM(1)" and sheet['A2'].data_type == 's'
    assert sheet['B2'].value == 1234.5 and sheet['B2'].data_type == 'n' and sheet['B2'].number_format == '0.00'
    assert sheet['C2'].value == 3
    assert sheet['D2'].is_date and sheet['D2'].value.date() == date(2026, 10, 31)
    assert sheet['E2'].value == datetime(2026, 10, 31, 23, 30)
    assert sheet['A3'].value == '李娜' and sheet['D3'].value is None


def test_download_is_an_attachment(app):
    """The browser must save the file under its name instead of showing bytes."""
    with app.test_request_context():
        resp = download(b'x', '日报 2026-10-01.csv', 'csv')
    assert resp.mimetype == 'text/csv'
    assert 'attachment' in resp.headers['Content-Disposition']
    assert "filename*=UTF-8''" in resp.headers['Content-Disposition']


def test_xlsx_columns_fit_their_chinese_text():
    """A Chinese label or name would be cut off in Excel (columns were 10 wide whatever they held)."""
    from app.core.export import display_width
    assert display_width('营业额') == 6 and display_width('RO-1') == 4 and display_width('丰田 Toyota') == 11
    label = '深圳市鹏程物流有限公司维修保养合计'           # 17 characters, 34 widths
    body = to_xlsx([('车型', ['品牌', '车型', '台次', '金额'],
                     [[label, '凯美瑞', 3, Decimal('12345.60')], ['丰田', '汉兰达 Highlander', 12, Decimal('5.00')]])])
    sheet = load_workbook(io.BytesIO(body)).active
    width = {c: sheet.column_dimensions[c].width for c in 'ABCD'}
    assert width['A'] >= display_width(label) and width['A'] <= 60
    assert width['B'] >= display_width('汉兰达 Highlander')
    assert width['C'] < 10 and width['D'] >= len('12,345.60')
    long = to_xlsx([('s', ['备注'], [['很长的备注' * 30]])])
    assert load_workbook(io.BytesIO(long)).active.column_dimensions['A'].width == 60
