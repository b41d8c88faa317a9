"""The parts area's blueprint, its roles and the little its view modules share. The routes are spread over views
(the counter), catalogue_views (the catalogue, a part's stock and ledger, stock on hand), issuing_views (parts on an
order, returns, old parts), purchasing_views (suppliers, purchase orders, receiving, replenishment), count_views
(stock counts) and report_views (the clerk's reports), which all register on this one."""
from datetime import datetime, time, timedelta

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core import params
from app.core.access import ADVISOR, FOREMAN, MANAGER, PARTS
from app.core.timeutil import shop_today, to_utc
from app.parts.models import StockMove

bp = Blueprint('parts', __name__)

READERS = (PARTS, FOREMAN, MANAGER)                 # the counter's queue
STOCK_READERS = (PARTS, MANAGER, FOREMAN, ADVISOR)
STOCK_WRITERS = (PARTS, MANAGER)

KIND_LABELS = {
    StockMove.RECEIPT: _l('Receipt'),
    StockMove.ISSUE: _l('Issue to order'),
    StockMove.RETURN: _l('Return from order'),
    StockMove.TRANSFER: _l('Transfer'),
    StockMove.ADJUSTMENT: _l('Adjustment'),
    StockMove.COUNT: _l('Count'),
}


def is_manager():
    return current_user.has_role(MANAGER)


def move_or_404(move_id):
    return StockMove.get_or_none((StockMove.id == move_id) & (StockMove.shop == current_shop())) or abort(404)


def month_bounds(shop):
    """[start, end) in UTC of the ?month=YYYY-MM in the shop's time zone (this month when not given or unreadable;
    a 400 for a month no shop means, app.core.params)."""
    today = shop_today(shop)
    first = datetime.combine(params.month_arg('month', today.replace(day=1)), time())
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, to_utc(first, shop.timezone), to_utc(nxt, shop.timezone)
