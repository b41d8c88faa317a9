"""Reports: the daily / weekly / monthly business report, per advisor and per technician, staff scorecards.

Every page is printable (A4) and downloads as CSV and XLSX with the same figures.
"""
from datetime import timedelta

from flask import Blueprint, abort, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.accounts.models import User
from app.core import periods
from app.core.access import ADMIN, FOREMAN, MANAGER, TECHNICIAN, allow
from app.core.export import download, to_csv, to_xlsx
from app.core.settings import get_setting
from app.core.timeutil import local_now, shop_today
from app.core.web import render
from app.reports import charts, exports, scorecards
from app.reports.business import business_report
from app.reports.staff import advisor_rows, technician_rows

bp = Blueprint('reports', __name__)

READERS = (MANAGER, ADMIN)
SUPERVISORS = (FOREMAN, MANAGER, ADMIN)      # the foreman supervises the technicians

TILES = [
    ('reports.index', _l('Reports'), _l('Daily, weekly and monthly business reports; per advisor and technician')),
    ('reports.scorecards_page', _l('Staff scorecards'), _l('Scores out of 100 per person and role, monthly and yearly')),
    ('reports.technicians', _l('Technician report'), _l('Job lines, sold and clocked hours, first-time QC pass')),
]

KIND_LABELS = {periods.DAY: _l('Day'), periods.WEEK: _l('Week'), periods.MONTH: _l('Month'),
               periods.YEAR: _l('Year')}


def last_closed_day(shop):
    """The day a daily report is for by default: today once the shop has closed (`workday_end`), else yesterday."""
    now = local_now(shop.timezone)
    hour, minute = (int(x) for x in get_setting(shop, 'workday_end').split(':'))
    return now.date() if (now.hour, now.minute) >= (hour, minute) else now.date() - timedelta(days=1)


def _period(shop, kinds, default_kind):
    """The period asked for in ?period=<kind>&at=<key>; a daily report defaults to the last closed day."""
    kind = request.args.get('period', default_kind)
    kind = kind if kind in kinds else default_kind
    default_day = last_closed_day(shop) if kind == periods.DAY else shop_today(shop)
    return periods.parse(kind, request.args.get('at'), shop.timezone, default_day)


def _closing_note(shop, period):
    """True while the period is not over (today before closing time): the figures are so far, not final."""
    return period.end > last_closed_day(shop) + timedelta(days=1)


def _send(name, period, sheets):
    """The download asked for with ?fmt=xlsx (else CSV): one sheet per table, or one CSV table."""
    fmt = 'xlsx' if request.args.get('fmt') == 'xlsx' else 'csv'
    filename = '%s %s.%s' % (name, period.key, fmt)
    if fmt == 'xlsx':
        return download(to_xlsx(sheets), filename, 'xlsx')
    if len(sheets) == 1:
        _title, header, rows = sheets[0]
        return download(to_csv(header, rows), filename, 'csv')
    header, rows = exports.flat(sheets)
    return download(to_csv(header, rows), filename, 'csv')


def _nav(endpoint, period, kinds, **args):
    """The period picker and the download links of a page: kinds, previous and next, CSV and XLSX."""
    return {'endpoint': endpoint, 'export': endpoint.replace('_page', '') + '_export', 'args': args,
            'period': period, 'kinds': [(k, KIND_LABELS[k]) for k in kinds],
            'prev': period.shifted(-1).key, 'next': period.shifted(1).key}


@bp.route('/reports')
@allow(*READERS)
def index():
    """The reports and scorecards, with links to each."""
    return render('reports/index.html', None)


# --- the business report --------------------------------------------------------------------------------

BUSINESS_KINDS = (periods.DAY, periods.WEEK, periods.MONTH)


@bp.route('/reports/business')
@allow(*READERS)
def business():
    """The business report for a day, a week or a month: cars, categories, revenue by payer, receivables."""
    shop = current_shop()
    period = _period(shop, BUSINESS_KINDS, periods.DAY)
    report = business_report(shop, period)
    titles = (_('Vehicles in per day'), _('Vehicles out per day'), _('Revenue per day'))
    chart_list = charts.business_charts(report, titles) if report.rows else []
    return render('reports/business.html', None, r=report, nav=_nav('reports.business', period, BUSINESS_KINDS),
                  not_closed=_closing_note(shop, period), charts=chart_list,
                  category_label=exports.category_label, payer_label=exports.payer_label)


@bp.route('/reports/business/export', endpoint='business_export')
@allow(*READERS)
def business_export():
    """The business report as a spreadsheet."""
    shop = current_shop()
    period = _period(shop, BUSINESS_KINDS, periods.DAY)
    return _send(_('Business report'), period, exports.business_sheets(business_report(shop, period)))


# --- per advisor and per technician ----------------------------------------------------------------------

STAFF_KINDS = (periods.DAY, periods.WEEK, periods.MONTH, periods.YEAR)


def _staff(rows_of):
    """The period asked for and each person's row in it."""
    shop = current_shop()
    period = _period(shop, STAFF_KINDS, periods.MONTH)
    return period, rows_of(shop, period)


@bp.route('/reports/advisors')
@allow(*READERS)
def advisors():
    """Per service advisor: orders, cars handed back on time, revenue, satisfaction, complaints."""
    period, rows = _staff(advisor_rows)
    return render('reports/advisors.html', None, rows=rows, nav=_nav('reports.advisors', period, STAFF_KINDS))


@bp.route('/reports/advisors/export', endpoint='advisors_export')
@allow(*READERS)
def advisors_export():
    """The advisor report as a spreadsheet."""
    period, rows = _staff(advisor_rows)
    return _send(_('Advisor report'), period, [exports.advisor_sheet(rows)])


@bp.route('/reports/technicians')
@allow(*SUPERVISORS)
def technicians():
    """Per technician: job lines, sold and clocked hours, efficiency, first-time QC pass."""
    period, rows = _staff(technician_rows)
    return render('reports/technicians.html', None, rows=rows, nav=_nav('reports.technicians', period, STAFF_KINDS))


@bp.route('/reports/technicians/export', endpoint='technicians_export')
@allow(*SUPERVISORS)
def technicians_export():
    """The technician report as a spreadsheet."""
    period, rows = _staff(technician_rows)
    return _send(_('Technician report'), period, [exports.technician_sheet(rows)])


# --- scorecards -------------------------------------------------------------------------------------------

SCORE_KINDS = (periods.MONTH, periods.YEAR)


def _all_cards(shop, period):
    return [(role, scorecards.ROLE_KPIS[role], scorecards.scorecards(shop, role, period)) for role in scorecards.ROLES]


@bp.route('/reports/scorecards', endpoint='scorecards_page')
@allow(*READERS)
def scorecards_page():
    """Everyone's score out of 100 and grade, role by role, for a month or a year."""
    shop = current_shop()
    period = _period(shop, SCORE_KINDS, periods.MONTH)
    return render('reports/scorecards.html', None, groups=_all_cards(shop, period),
                  nav=_nav('reports.scorecards_page', period, SCORE_KINDS))


@bp.route('/reports/scorecards/export', endpoint='scorecards_export')
@allow(*READERS)
def scorecards_export():
    """Every scorecard, KPI by KPI, as a spreadsheet."""
    shop = current_shop()
    period = _period(shop, SCORE_KINDS, periods.MONTH)
    cards = [c for _role, _kpis, group in _all_cards(shop, period) for c in group]
    return _send(_('Staff scorecards'), period, [exports.scorecard_sheet(cards)])


def _person(shop, user_id):
    """A person of this shop; the foreman may open only technicians' scorecards."""
    user = User.in_shop(shop).where(User.id == user_id).first()
    if user is None:
        abort(404)
    if not current_user.has_role(MANAGER, ADMIN) and TECHNICIAN not in user.role_names:
        abort(403)
    return user


def _person_cards(shop, user, period):
    cards = scorecards.scorecards_of(shop, user, period)
    if not current_user.has_role(MANAGER, ADMIN):
        cards = [c for c in cards if c.role == TECHNICIAN]
    return cards


@bp.route('/reports/scorecards/<int:user_id>')
@allow(*SUPERVISORS)
def scorecard(user_id):
    """One person's scorecard: each KPI with its count, target, weight and score, the total and the grade."""
    shop = current_shop()
    user = _person(shop, user_id)
    period = _period(shop, SCORE_KINDS, periods.MONTH)
    cards = _person_cards(shop, user, period)
    bars = [charts.score_bars([(str(l.kpi.label), l.score) for l in c.lines if l.kpi.weighted]) for c in cards]
    return render('reports/scorecard.html', None, person=user, cards=list(zip(cards, bars)),
                  nav=_nav('reports.scorecard', period, SCORE_KINDS, user_id=user.id))


@bp.route('/reports/scorecards/<int:user_id>/export', endpoint='scorecard_export')
@allow(*SUPERVISORS)
def scorecard_export(user_id):
    """One person's scorecard as a spreadsheet."""
    shop = current_shop()
    user = _person(shop, user_id)
    period = _period(shop, SCORE_KINDS, periods.MONTH)
    return _send('%s %s' % (_('Scorecard'), user.display_name), period,
                 [exports.scorecard_sheet(_person_cards(shop, user, period))])
