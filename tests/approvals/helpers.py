"""The advisor's desk tests' own helpers: a technician's added-work request on an order."""
from decimal import Decimal

from app.workshop.models import AddedWork, AddedWorkPart


def make_work(order, technician, description='更换前刹车片 Front brake pads', safety=False, delay=90,
              parts=(('04465-33471', '前刹车片 Brake pads', '1', '680'),), **kw):
    work = AddedWork.create(shop=order.shop_id, order=order, requested_by=technician, description=description,
                            hours=kw.pop('hours', Decimal('1.2')), labour_price=kw.pop('labour_price', Decimal('360')),
                            parts_price=sum((Decimal(q) * Decimal(p) for _n, _m, q, p in parts), Decimal(0)),
                            delay_minutes=delay, safety=safety, **kw)
    for number, name, qty, price in parts:
        AddedWorkPart.create(shop=order.shop_id, added_work=work, part_number=number, name=name,
                             quantity=Decimal(qty), unit_price=Decimal(price))
    return work
