"""A customer who declines the repair (002): the fee to pay, then the exit notice (app.reception.declined)."""
from flask import flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.context import current_shop
from app.core.access import ADVISOR, MANAGER, allow
from app.core.i18n import customer_language
from app.core.idempotency import idempotent
from app.core.web import act, render
from app.reception import declined
from app.reception.blueprint import bp
from app.reception.forms import DeclineForm
from app.reception.models import RepairOrder


def _page(status=200, **context):
    resp = render('reception/decline.html', None, **context)
    resp.status_code = status
    return resp


@bp.route('/checkin/<int:draft_id>/decline', methods=['GET', 'POST'])
@allow(ADVISOR, MANAGER)
@idempotent(replay=lambda draft_id: redirect(url_for('reception.declined_exit_notice', order_id=draft_id)))
def checkin_decline(draft_id):
    """The customer read the order and will not have the repair: the diagnosis fee, then the exit notice."""
    order = RepairOrder.get_for_shop_or_404(current_shop(), draft_id)
    if order.declined_at is not None:
        return redirect(url_for('reception.declined_exit_notice', order_id=order.id))
    if order.is_signed:
        flash(_('This order is signed: the customer agreed to the repair.'), 'warn')
        return redirect(url_for('reception.order', order_id=order.id))
    form = DeclineForm()
    if request.method == 'GET':
        form.fee.data = str(declined.default_fee(order.shop))
    piece = lambda status=200, **given: _page(status, **{'order': order, 'form': form, **given})  # noqa: E731
    if request.method == 'GET':
        return piece()
    return act(piece, lambda: declined.decline_repair(order, current_user, fee=form.fee.data),
               done=_('The customer declined the repair. Print the exit notice.'),
               back=url_for('reception.declined_exit_notice', order_id=order.id), form=form)


@bp.route('/orders/<int:order_id>/declined-exit-notice')
@allow(ADVISOR, MANAGER)
def declined_exit_notice(order_id):
    """The exit notice (出厂通知单) of a declined repair, with the diagnosis fee to pay at the cashier."""
    ro = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    if ro.declined_at is None:
        flash(_('The customer has not declined this repair.'), 'warn')
        return redirect(url_for('reception.order', order_id=ro.id))
    with force_locale(customer_language(ro.customer)):
        return render('reception/print_exit_notice_declined.html', None, ro=ro, t=declined.fee_bill(ro))
