"""Demo: a status link for every signed order of the demo shop, and one order with an item waiting for the customer.

The item (a finding with a photo and a pending added work) and a delay on another order are added
only when the workshop's own demo left none, so the status page has something to show in any case.
"""
import io
from datetime import timedelta
from decimal import Decimal

from PIL import Image, ImageDraw

from app.accounts.models import User
from app.core import photos, stages
from app.core.access import ADVISOR, TECHNICIAN
from app.core.db import transaction, utcnow
from app.core.models import Shop
from app.core.models import Photo
from app.reception.models import RepairOrder
from app.reception.models import StatusLink
from app.reception.links import issue_link
from app.workshop.models import AddedWork, Finding, ProgressCheck


def demo_photo():
    """A drawn 'worn brake disc' picture (no real photo ships with the demo)."""
    image = Image.new('RGB', (640, 480), (92, 96, 104))
    draw = ImageDraw.Draw(image)
    draw.ellipse((120, 40, 520, 440), fill=(150, 146, 140), outline=(60, 60, 60), width=6)
    draw.ellipse((250, 170, 390, 310), fill=(70, 72, 78))
    for r in range(150, 200, 9):
        draw.arc((320 - r, 240 - r, 320 + r, 240 + r), 200, 330, fill=(110, 80, 50), width=3)
    draw.rectangle((440, 150, 560, 330), fill=(200, 40, 40))
    buf = io.BytesIO()
    image.save(buf, 'JPEG', quality=80)
    return buf.getvalue()


def _pending_item(shop, order):
    tech = User.with_role(shop, TECHNICIAN).first()
    if tech is None:
        return
    name, w, h = photos.store(demo_photo())
    with transaction():
        finding = Finding.create(shop=shop, order=order, technician=tech, severity=Finding.RED,
                                 note='前刹车盘磨损超限 Front brake discs worn past the limit')
        Photo.create(shop=shop, record_type='finding', record_id=finding.id, filename=name, width=w, height=h,
                     uploaded_by=tech.id)
        AddedWork.create(shop=shop, order=order, finding=finding, requested_by=tech,
                         description='更换前刹车盘 Replace front brake discs', hours=Decimal('1.5'),
                         labour_price=Decimal('450.00'), parts_price=Decimal('1280.00'), delay_minutes=90, safety=True)


def _delay(shop, order):
    advisor = User.with_role(shop, ADVISOR).first()
    if advisor is None or order.promised_at is None:
        return
    with transaction():
        ProgressCheck.create(shop=shop, order=order, checked_by=advisor, on_track=False,
                             old_promised_at=order.promised_at,
                             new_promised_at=max(order.promised_at, utcnow()) + timedelta(hours=3),
                             reason='配件在途，预计下午到货 Parts on the way, due this afternoon',
                             customer_told_at=utcnow(), told_channel='phone')


def load(rng):
    shop = Shop.get_or_none(Shop.code == 'XH01')
    if shop is None or StatusLink.for_shop(shop).exists():
        return []
    orders = list(RepairOrder.for_shop(shop).where(RepairOrder.stage != stages.DRAFT).order_by(RepairOrder.id))
    for order in orders:
        issue_link(order)
    waiting = next((o for o in orders if o.stage == stages.WAITING_APPROVAL), None)
    if waiting is not None and not AddedWork.for_shop(shop).where(AddedWork.status == AddedWork.PENDING).exists():
        _pending_item(shop, waiting)
    if not ProgressCheck.for_shop(shop).where(ProgressCheck.new_promised_at.is_null(False)).exists():
        late = next((o for o in orders if o.stage == stages.WAITING_PARTS), None)
        if late is not None:
            _delay(shop, late)
    return []
