"""Parts pages: the parts clerk's reports (slow-moving parts, turnover, fill rate, stock accuracy)."""
from datetime import timedelta

from app.accounts.context import current_shop
from app.core.access import allow
from app.core.db import utcnow
from app.core.i18n import current_language
from app.core.settings import get_setting
from app.core.web import render
from app.parts import reports
from app.parts.blueprint import STOCK_WRITERS, bp, month_bounds

TARGETS = ('turnover_min', 'turnover_max', 'fill_rate_target', 'stock_variance_target')


@bp.route('/parts/reports', endpoint='reports')
@allow(*STOCK_WRITERS)
def reports_page():
    """Slow-moving parts (6 and 12 months), turnover over the last 12 months, fill rate and stock accuracy
    for a month, each against its target."""
    shop = current_shop()
    first, start, end = month_bounds(shop)
    now = utcnow()
    year_ago = now - timedelta(days=365)
    return render('parts/reports.html', None, month=first, slow=reports.slow_moving_summary(shop, now),
                  turnover=reports.turnover(shop, year_ago, now), fill=reports.fill_rate(shop, start, end),
                  accuracy=reports.accuracy(shop, start, end), lang=current_language(),
                  targets={k: get_setting(shop, k) for k in TARGETS},
                  prev=(first - timedelta(days=1)).strftime('%Y-%m'),
                  next=(first + timedelta(days=32)).strftime('%Y-%m'))
