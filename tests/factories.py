"""Small factory functions that build the records tests need."""
import os
import random
from datetime import timedelta
from decimal import Decimal

from app.accounts.models import User
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.validators import random_mobile, random_plate, random_vin
from app.reception.checkin import create_signed_order
from app.customers.models import Customer, Vehicle
from app.reception.models import OrderLine

PASSWORD = 'correct horse'
# The tests' shops live in this time zone; scripts/test_dates.py sets Europe/Berlin for its summer-time night.
SHOP_TZ = os.environ.get('TEST_SHOP_TZ', 'Asia/Shanghai')
_rng = random.Random(7)


def make_shop(code='S1', name=None, **kw):
    kw.setdefault('timezone', SHOP_TZ)
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
        ro = create_signed_order(shop=shop, by=by, customer=vehicle.owner, vehicle=vehicle,
                                         advisor=by, complaint=complaint,
                                         promised_at=kw.pop('promised_at', utcnow() + timedelta(hours=6)), **kw)
        for i in range(lines):
            OrderLine.create(shop=shop, order=ro, description='Job %d' % (i + 1), labour_hours=Decimal('1.5'),
                             labour_price=Decimal('450.00'))
    return ro


def tiny_jpeg(colour=(200, 30, 30), size=(40, 30)):
    import io
    from PIL import Image
    buf = io.BytesIO()
    Image.new('RGB', size, colour).save(buf, 'JPEG')
    return buf.getvalue()


def tiny_png(size=(300, 100)):
    import io
    from PIL import Image, ImageDraw
    image = Image.new('RGBA', size, (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 80), (120, 20), (290, 70)], fill=(0, 0, 0, 255), width=4)
    buf = io.BytesIO()
    image.save(buf, 'PNG')
    return buf.getvalue()


def make_canned_job(shop, code='MAINT10K', name='10,000 km maintenance', hours=Decimal('1.0'), parts=()):
    from app.catalogue.models import CannedJob, CannedJobPart
    job = CannedJob.create(shop=shop, code=code, name=name, name_en=name, hours=hours, system='engine',
                           category='maintenance')
    for number, part_name, qty, price in parts:
        CannedJobPart.create(shop=shop, job=job, part_number=number, name=part_name, quantity=qty, unit_price=price)
    return job


def make_key_tags(shop, count=3, start=1):
    from app.labels.models import KeyHook, KeyTag
    tags = [KeyTag.create(shop=shop, number=start + i) for i in range(count)]
    hooks = [KeyHook.create(shop=shop, number=start + i) for i in range(count)]
    return tags, hooks


def make_checkin(shop, by, vehicle=None):
    """A draft check-in with a mark and its photo, a job with a part; and a signed order with a signature.

    Returns the sample ids the route walk needs.
    """
    from app.core import photos
    from app.reception import checkin
    from app.core.models import Photo, Signature
    from app.reception.models import PartLine, WalkaroundMark
    vehicle = vehicle or make_vehicle(shop, make_customer(shop))
    draft = checkin.start_checkin(shop, by, customer=vehicle.owner, vehicle=vehicle, complaint='异响',
                                  jobs=[(None, 'Brake check', Decimal('1'))])
    mark = WalkaroundMark.create(shop=shop, order=draft, x=Decimal('50'), y=Decimal('40'), kind='scratch')
    name, w, h = photos.store(tiny_jpeg())
    photo = Photo.create(shop=shop, record_type='walkaround_mark', record_id=mark.id, filename=name, width=w, height=h)
    line = draft.lines.get()
    part = PartLine.create(shop=shop, order=draft, line=line, name='Brake pads', quantity=1, unit_price=Decimal('300'))
    signed = make_order(shop, by, vehicle=vehicle)
    sig_name, _w, _h = photos.store(tiny_png(), fmt='PNG')
    sig = Signature.create(shop=shop, order=signed, purpose='repair_order', filename=sig_name, signer='x')
    return {'draft_id': draft.id, 'mark_id': mark.id, 'photo_id': photo.id, 'line_id': line.id, 'part_id': part.id,
            'signature_id': sig.id}
