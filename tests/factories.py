"""Small factory functions that build the records tests need."""
import random
from datetime import timedelta
from decimal import Decimal

from app.accounts.models import User
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.validators import random_mobile, random_plate, random_vin
from app.reception.models import Customer, OrderLine, RepairOrder, Vehicle

PASSWORD = 'correct horse'
_rng = random.Random(7)


def make_shop(code='S1', name=None, **kw):
    return Shop.get_or_none(Shop.code == code) or Shop.create(code=code, name=name or 'Shop %s' % code, **kw)


def make_user(username, roles, shops, by=None, **kw):
    return User.create_account(username=username, display_name=kw.pop('display_name', username.title()),
                               password=kw.pop('password', PASSWORD), roles=list(roles), shops=list(shops),
                               by=by, **kw)


def make_customer(shop, name='张伟', **kw):
    return Customer.create(shop=shop, name=name, phone=kw.pop('phone', random_mobile(_rng)), **kw)


def make_vehicle(shop, owner, **kw):
    kw.setdefault('vin', random_vin(_rng))
    kw.setdefault('plate', random_plate(_rng))
    return Vehicle.create(shop=shop, owner=owner, make=kw.pop('make', '丰田 Toyota'),
                          model=kw.pop('model', '凯美瑞 Camry'), **kw)


def make_order(shop, by, vehicle=None, complaint='刹车异响', lines=1, **kw):
    with transaction():
        vehicle = vehicle or make_vehicle(shop, make_customer(shop))
        ro = RepairOrder.create_numbered(shop=shop, by=by, customer=vehicle.owner, vehicle=vehicle,
                                         advisor=by, complaint=complaint,
                                         promised_at=kw.pop('promised_at', utcnow() + timedelta(hours=6)), **kw)
        for i in range(lines):
            OrderLine.create(shop=shop, order=ro, description='Job %d' % (i + 1), labour_hours=Decimal('1.5'),
                             labour_price=Decimal('450.00'))
    return ro
