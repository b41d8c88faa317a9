"""The reports as tables for CSV and XLSX: the same figures the pages show, one row per fact."""
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

from app.core.access import ROLE_LABELS
from app.settlement.models import CATEGORIES

PAYER_KEYS = ('customer', 'warranty', 'insurance', 'internal')


def category_label(key):
    return {'major': _('Major or assembly repair'), 'maintenance': _('Maintenance'),
            'minor': _('Minor and other repairs')}.get(key, key)


def payer_label(key):
    return {'customer': _('Customer'), 'warranty': _('Warranty (maker)'), 'insurance': _('Insurance'),
            'internal': _('Internal')}.get(key, key)


def business_sheets(report):
    """[(sheet, header, rows)] of a business report: summary, per day, vehicle types, categories."""
    r, rev = report, report.revenue
    summary = [
        (_('Vehicles in'), r.vehicles_in.count),
        (_('Vehicles out'), r.vehicles_out.count),
        (_('Settlements'), rev['settlements']),
        (_('Labour'), rev['labour']),
        (_('Parts'), rev['parts']),
        (_('Discount'), rev['discount']),
        (_('Tax'), rev['tax']),
        (_('Revenue'), rev['total']),
    ] + [(_('Revenue: %(payer)s', payer=payer_label(p)), rev[p]) for p in PAYER_KEYS] + [
        (_('Credit notes'), rev['credited']),
        (_('Money taken'), r.payments_total),
        (_('Customer receivables at the end'), r.receivable),
        (_('Unpaid bills at the end'), r.receivable_count),
    ]
    sheets = [(_('Summary'), [_('Figure'), _('Actual')], summary)]
    if r.rows:
        sheets.append((_('By day'), [_('Day'), _('Vehicles in'), _('Vehicles out'), _('Revenue')],
                       [(d.day, d.vehicles_in, d.vehicles_out, d.revenue) for d in r.rows]))
    types = [(_('In'), make, model, n) for make, model, n in r.vehicles_in.by_type]
    types += [(_('Out'), make, model, n) for make, model, n in r.vehicles_out.by_type]
    sheets.append((_('Vehicle types'), [_('Direction'), _('Make'), _('Model'), _('Vehicles')], types))
    sheets.append((_('Repair categories'), [_('Category'), _('Vehicles in'), _('Vehicles out')],
                   [(category_label(c), r.vehicles_in.by_category.get(c, 0), r.vehicles_out.by_category.get(c, 0))
                    for c in CATEGORIES]))
    return sheets


def flat(sheets):
    """One CSV table from several sheets: the sheet's name first on every row."""
    width = max(len(h) for _t, h, _r in sheets)
    header = [_('Section')] + [''] * width
    rows = []
    for title, head, body in sheets:
        rows.append([title] + list(head))
        rows.extend([title] + list(row) for row in body)
    return header, rows


def advisor_sheet(rows):
    header = [_('Advisor'), _('Orders received'), _('Cars handed back'), _('On time'), _('Settlements'),
              _('Revenue'), _('Average order'), _('Satisfaction answers'), _('Satisfied'), _('Complaints (service fault)')]
    return (_('Advisors'), header, [(r.user.display_name, r.received, r.delivered, r.on_time, r.settlements, r.revenue,
                                     r.average_order, r.answers, r.satisfied, r.complaints) for r in rows])


def technician_sheet(rows):
    header = [_('Technician'), _('Job lines'), _('First-time QC pass'), _('Sold hours'), _('Clocked on these lines'),
              _('Efficiency'), _('Labour value'), _('Clocked in the period')]
    return (_('Technicians'), header, [(r.user.display_name, r.lines, r.first_pass, r.sold_hours, r.line_hours,
                                        _share(r.efficiency), r.labour, r.clocked_hours) for r in rows])


def _share(value):
    return None if value is None else Decimal(value).quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP)


def scorecard_sheet(cards):
    header = [_('Role'), _('Person'), _('KPI'), _('Numerator'), _('Denominator'), _('Actual'), _('Target'),
              _('Weight'), _('Score'), _('Total'), _('Grade')]
    rows = []
    for c in cards:
        for line in c.lines:
            rows.append((str(ROLE_LABELS[c.role]), c.user.display_name, str(line.kpi.label), line.numerator,
                         line.denominator, _share(line.value), line.target, line.weight, line.score, c.total,
                         str(c.grade_label)))
    return (_('Scorecards'), header, rows)

