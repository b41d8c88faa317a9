"""Repair orders and vehicle files, as every member of staff sees them."""
from flask import Blueprint, request
from flask_babel import lazy_gettext as _l

from app.accounts.context import current_shop
from app.core import stages
from app.core.access import ANY_STAFF, allow
from app.core.models import Event
from app.core.web import render
from app.reception.models import Customer, RepairOrder, Vehicle

bp = Blueprint('reception', __name__)

TILES = [
    ('reception.orders', _l('Repair orders'), _l('Every order in the shop by stage')),
]


@bp.route('/orders')
@allow(ANY_STAFF)
def orders():
    """Repair orders of the current shop, open ones first, filtered by stage."""
    stage = request.args.get('stage', '')
    rows = (RepairOrder.for_shop(current_shop())
            .select(RepairOrder, Vehicle, Customer)
            .join_from(RepairOrder, Vehicle).join_from(RepairOrder, Customer)
            .order_by(RepairOrder.checked_in_at.desc()))
    if stage in stages.LABELS:
        rows = rows.where(RepairOrder.stage == stage)
    else:
        stage = ''
        rows = rows.where(RepairOrder.stage.in_(list(stages.OPEN)))
    return render('reception/orders.html', 'reception/_order_panel.html', orders=list(rows.limit(200)),
                  stage=stage, stage_list=stages.STAGES)


@bp.route('/orders/<int:order_id>')
@allow(ANY_STAFF)
def order(order_id):
    """One repair order: vehicle, complaint, lines and its timeline."""
    ro = RepairOrder.get_for_shop_or_404(current_shop(), order_id)
    timeline = Event.for_record('repair_order', ro.id).order_by(Event.at, Event.id)
    return render('reception/order.html', None, ro=ro, lines=list(ro.lines), timeline=list(timeline))


@bp.route('/vehicles/<int:vehicle_id>')
@allow(ANY_STAFF)
def vehicle(vehicle_id):
    """A vehicle's file: owner and every past repair order."""
    car = Vehicle.get_for_shop_or_404(current_shop(), vehicle_id)
    history = car.orders.order_by(RepairOrder.checked_in_at.desc())
    return render('reception/vehicle.html', None, car=car, history=list(history))
