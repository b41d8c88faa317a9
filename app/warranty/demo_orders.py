"""Demo history: a finished order in the past, for the warranty, comeback and recall demos."""
from datetime import timedelta
from decimal import Decimal

from app.core import stages
from app.reception.checkin import create_signed_order
from app.reception.models import OrderLine, PartLine, RepairOrder


def history_order(shop, advisor, tech, car, checked_in, days, odometer, complaint, jobs):
    """A finished order in the past: signed at `checked_in`, ready and delivered `days` later."""
    ro = create_signed_order(shop=shop, by=advisor, customer=car.owner_id, vehicle=car, advisor=advisor,
                                     complaint=complaint, odometer=odometer, checked_in_at=checked_in,
                                     promised_at=checked_in + timedelta(days=days))
    lines = []
    for canned, description, system, hours, parts in jobs:
        hours = Decimal(hours)
        line = OrderLine.create(shop=shop, order=ro, canned_job=canned, description=description, system=system,
                                labour_hours=hours, labour_rate=Decimal('300'), labour_price=hours * Decimal('300'),
                                technician=tech, status=stages.LINE_DONE)
        for number, name, qty, price in parts:
            PartLine.create(shop=shop, order=ro, line=line, part_number=number, name=name, quantity=Decimal(qty),
                            unit_price=Decimal(price))
        lines.append(line)
    ro.stage = stages.CLOSED
    ro.delivered_at = checked_in + timedelta(days=days) - timedelta(hours=3)
    ro.save(only=[RepairOrder.stage, RepairOrder.delivered_at])
    return ro, lines
