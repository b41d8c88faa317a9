"""The manager's KPI dashboard: every figure for a shop or all the manager's shops, its trend, its rows."""
from datetime import timedelta
from urllib.parse import quote_plus

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core.access import ADMIN, MANAGER, allow
from app.core.periods import month_start, next_month
from app.core.timeutil import shop_today
from app.core.web import render
from app.kpi import charts, engine
from app.kpi.figure import STATUS_LABELS, STATUSES
from app.kpi.forms import PeriodForm
from app.kpi.specs import COMPLIANCE_STEPS, GROUPS, SPEC_BY_NAME, SPECS
from app.parts import reports as parts_reports

bp = Blueprint('kpi', __name__, url_prefix='/kpi')

READERS = (MANAGER, ADMIN)
DRILL_LIMIT = 500

TILES = [
    ('kpi.dashboard', _l('KPI dashboard'),
     _l('Targets, trends and process compliance for the shop or the group, with the orders behind each number')),
]


def _shops(scope):
    shop = current_shop()
    if scope == 'group':
        return list(current_user.shops())
    return [shop] if shop is not None else []


def _quick_periods(today):
    """Links for the usual periods: (label, start, last day included)."""
    month = month_start(today)
    last_month = (month - timedelta(days=1)).replace(day=1)
    return [
        (_l('This month'), month, today),
        (_l('Last month'), last_month, month - timedelta(days=1)),
        (_l('This year'), today.replace(month=1, day=1), today),
        (_l('Last 12 months'), next_month(today).replace(year=today.year - 1), today),
    ]


def _args(form, period_start, period_end, **extra):
    """The query arguments that keep the chosen period, scope and layout on every link (extra ones win)."""
    out = {'start': period_start.isoformat(), 'last': (period_end - timedelta(days=1)).isoformat(),
           'scope': form.scope.data or 'shop', 'view': form.view.data or 'tablet'}
    out.update(extra)
    return out


def _drill_url(form, period_start, period_end):
    """drill_url(**extra): a drill-down link keeping the period (hundreds on a page: the route is resolved once, and
    each key and value quoted once, as urlencode quotes them)."""
    base, fixed, quoted = url_for('kpi.drill'), _args(form, period_start, period_end), {}

    def q(text):
        if text not in quoted:
            quoted[text] = quote_plus(text)
        return quoted[text]
    return lambda **extra: '%s?%s' % (base, '&'.join('%s=%s' % (q(str(k)), q(str(v)))
                                                     for k, v in {**fixed, **extra}.items()))


def _default_period(today):
    """The current month so far, as a local-date period (end exclusive: tomorrow)."""
    return month_start(today), today + timedelta(days=1)


def _period(form, shop):
    """(today, start, end) of the chosen period; (today, None, None) when it is too long (reason on the form)."""
    today = shop_today(shop)
    chosen = form.period(*_default_period(today))
    return (today,) + (chosen or (None, None))


@bp.route('/')
@allow(*READERS)
def dashboard():
    """Every figure for the chosen period with its target, mark, trend and a link to its rows."""
    form = PeriodForm(request.args)
    shop = current_shop()
    if shop is None:
        abort(404)
    valid = form.validate() if request.args else True
    today = shop_today(shop)
    if valid:
        today, start, end = _period(form, shop)
        valid = start is not None
        if valid:
            # the chooser shows the period on screen, also when it is the default one
            form.start.data, form.last.data = start, end - timedelta(days=1)
    if not valid:
        start, end = _default_period(today)
    by = form.by.data if form.by.data in ('week', 'month') else ('week' if (end - start).days <= 92 else 'month')
    form.by.data = by
    shops = _shops(form.scope.data)
    data = engine.series([s.id for s in shops], start, end, by) if valid else {}
    groups = []
    for key, label in GROUPS:
        tiles = []
        for spec in SPECS:
            if spec.group != key or spec.name not in data:
                continue
            fig, points = data[spec.name]
            tiles.append({'spec': spec, 'fig': fig, 'chart': charts.trend_chart(points, by, end), 'points': points})
        if tiles:
            groups.append((key, label, tiles))
    resp = render('kpi/dashboard.html', 'kpi/_figures.html', form=form, groups=groups, start=start, end=end,
                  last=end - timedelta(days=1), by=by, shops=shops, quick=_quick_periods(today),
                  args=lambda **extra: _args(form, start, end, **extra), wall=form.view.data == 'wall',
                  drill_url=_drill_url(form, start, end),
                  steps=COMPLIANCE_STEPS, status_labels=STATUS_LABELS, valid=valid,
                  safety=[(s, parts_reports.safety_stock(s)) for s in shops])
    if not valid:
        resp.status_code = 400
    return resp


@bp.route('/drill')
@allow(*READERS)
def drill():
    """The orders, calls or rows one figure counts over the period, each marked good or bad."""
    name = request.args.get('name', '')
    if not name:
        return redirect(url_for('kpi.dashboard'))
    spec = SPEC_BY_NAME.get(name)
    if spec is None:
        abort(404)
    form = PeriodForm(request.args)
    shop = current_shop()
    if shop is None:
        abort(404)
    _today, start, end = _period(form, shop) if form.validate() else (None, None, None)
    if start is None:
        return render('kpi/drill.html', None, form=form, spec=spec, rows=[], fig=None, start=None, end=None,
                      status='', args=lambda **e: {}, valid=False, shops=[], limit=DRILL_LIMIT,
                      status_labels=STATUS_LABELS), 400
    status = request.args.get('status', '')
    if status not in ('',) + STATUSES + ('good', 'bad'):
        status = ''
    shops = _shops(form.scope.data)
    ids = [s.id for s in shops]
    fig = engine.compute(ids, start, end, [name]).get(name)
    rows = engine.drill(ids, name, start, end, status or None)
    return render('kpi/drill.html', None, form=form, spec=spec, fig=fig, rows=rows[:DRILL_LIMIT], total=len(rows),
                  limit=DRILL_LIMIT, start=start, end=end, last=end - timedelta(days=1), status=status,
                  shops=shops, shop_names={s.id: s for s in shops}, valid=True,
                  status_labels=STATUS_LABELS,
                  args=lambda **extra: _args(form, start, end, **extra))

