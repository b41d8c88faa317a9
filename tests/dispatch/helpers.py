"""A small workshop floor for the dispatch and board tests: staff, bays, a catalogue job with a skill, orders."""
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from app.core.db import transaction, utcnow
from app.catalogue.models import CannedJob
from app.reception.models import OrderLine
from app.workshop.models import Bay
from tests import factories


@dataclass
class Floor:
    shop: object
    foreman: object
    manager: object
    advisor: object
    techs: list
    bays: list
    job: object
    orders: list = field(default_factory=list)


def build_floor(shop, orders=1):
    foreman = factories.make_user('fred', ['foreman'], [shop], display_name='Fred Foreman')
    manager = factories.make_user('mia', ['manager'], [shop], display_name='Mia Manager')
    advisor = factories.make_user('amy', ['advisor'], [shop], display_name='Amy Advisor')
    techs = [factories.make_user('tom', ['technician'], [shop], display_name='Tom Body', skills='body,paint'),
             factories.make_user('tia', ['technician'], [shop], display_name='Tia Engine', skills='engine,maintenance')]
    bays = [Bay.create(shop=shop, number=1, name='Lift 1', kind='lift'),
            Bay.create(shop=shop, number=2, name='Body bay', kind='body')]
    job = CannedJob.create(shop=shop, code='PAINT1', name='Body and paint', name_en='Body and paint', system='body',
                           hours=Decimal('3'), skill='paint')
    floor = Floor(shop, foreman, manager, advisor, techs, bays, job)
    for i in range(orders):
        floor.orders.append(make_waiting_order(floor, i))
    return floor


def make_waiting_order(floor, i=0, lines=2, **kw):
    """A checked-in order with a painting job (skill 'paint') and an engine job (system 'engine')."""
    customer = factories.make_customer(floor.shop, name='王秘密%d' % i, phone='+86138%08d' % (10000000 + i))
    vehicle = factories.make_vehicle(floor.shop, customer, model='凯美瑞 Camry')
    kw.setdefault('promised_at', utcnow() + timedelta(hours=8))
    order = factories.make_order(floor.shop, floor.advisor, vehicle=vehicle, complaint='秘密投诉内容', lines=0, **kw)
    with transaction():
        OrderLine.create(shop=floor.shop, order=order, canned_job=floor.job, description='Paint the door',
                         system='body', labour_hours=Decimal('3'), position=0)
        if lines > 1:
            OrderLine.create(shop=floor.shop, order=order, description='Oil change', system='engine',
                             labour_hours=Decimal('0.8'), position=1)
    return order
