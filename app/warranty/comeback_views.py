"""Comebacks: the possible comebacks shown at check-in and on the order (included through a context helper), the
comeback recorded with its cause, and the first-time fix and comeback rates per technician, advisor and job type.
The routes join the warranty blueprint (app.warranty.views adds ROUTES)."""
from functools import partial

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.context import current_shop
from app.core import periods
from app.core.access import ADVISOR, FOREMAN, MANAGER, WARRANTY, allow, may_use
from app.core.idempotency import idempotent
from app.core.timeutil import shop_today
from app.core.web import act, render, replay
from app.reception.models import RepairOrder
from app.warranty import comebacks, forms
from app.warranty.models import SYSTEM_LABELS, Comeback

RECORDERS = (ADVISOR, MANAGER, WARRANTY, FOREMAN)
READERS = (MANAGER, WARRANTY, FOREMAN, ADVISOR)


def helpers():
    """The check-in, order and job card pages' helper: the order's possible comebacks, for those who may record."""
    def comeback_check(order):
        if order is None or order.vehicle_id is None or not may_use('warranty.comeback_record'):
            return []
        return comebacks.candidates(order)
    return {'comeback_check': comeback_check, 'comeback_causes': Comeback.CAUSES,
            'comeback_system_labels': SYSTEM_LABELS}


def _back(order):
    if request.form.get('back') == 'checkin' and not order.is_signed:
        return url_for('reception.checkin_resume', draft_id=order.id)
    return url_for('reception.order', order_id=order.id)


def _page(order, status=200, form=None, error=None, **_given):
    return render('warranty/comeback.html', None, ro=order, form=form, error=error, back=_back(order),
                  found=comebacks.candidates(order)), status


def _order(order_id):
    return RepairOrder.get_for_shop_or_404(current_shop(), order_id)


def _replay(order_id):
    order = _order(order_id)
    return replay(partial(_page, order), _back(order))


@allow(*RECORDERS)
@idempotent(replay=_replay)
def comeback_record(order_id):
    """Record that the car came back for an earlier job, and why."""
    order = _order(order_id)
    form = forms.ComebackForm()
    return act(partial(_page, order), lambda: comebacks.record(
        order, current_user, earlier_line_id=form.earlier_line.data, cause=form.cause.data,
        system=form.system.data or None, note=form.note.data), form=form,
        done=_('Comeback recorded.'), back=lambda: _back(order))


@allow(*READERS)
def comeback_list():
    """Comebacks recorded, and first-time fix and comeback rates per technician, advisor and job type (of the jobs
    on orders delivered in the period: ?kind=month|year&at=2026-12, the month by default)."""
    shop = current_shop()
    period = periods.parse(request.args.get('kind', periods.MONTH), request.args.get('at'), shop.timezone,
                           shop_today(shop))
    tables = [(key, label, comebacks.rates(shop, period.start_utc, period.end_utc, key))
              for key, label in comebacks.BY.items()]
    return render('warranty/comebacks.html', None, rows=comebacks.recent(shop), tables=tables, period=period,
                  window=comebacks.window(shop))


ROUTES = [
    ('/warranty/orders/<int:order_id>/comebacks', 'comeback_record', comeback_record, ['POST']),
    ('/warranty/comebacks', 'comebacks', comeback_list, ['GET']),
]
