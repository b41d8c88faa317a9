"""Small builders for the status-link tests: an item waiting for the customer with a photo, an order's token."""
import shutil
import subprocess
from decimal import Decimal

from app.core import photos
from app.core.models import Photo
from app.reception import links as rules
from app.workshop.models import AddedWork, Finding
from tests import factories
from tests.helpers import require


def pending_item(order, technician, *, description='Replace front brake discs', labour='450.00', parts='1280.00',
                 status=AddedWork.PENDING, safety=True):
    """A finding with a photo and the added work it asks for; returns (added_work, photo)."""
    finding = Finding.create(shop=order.shop_id, order=order, technician=technician, severity=Finding.RED,
                             note='worn discs')
    name, w, h = photos.store(factories.tiny_jpeg(size=(400, 300)))
    photo = Photo.create(shop=order.shop_id, record_type='finding', record_id=finding.id, filename=name,
                         width=w, height=h)
    work = AddedWork.create(shop=order.shop_id, order=order, finding=finding, requested_by=technician,
                            description=description, labour_price=Decimal(labour), parts_price=Decimal(parts),
                            status=status, safety=safety)
    return work, photo


def token_of(order):
    return rules.ensure_link(order)


def decode_qr_png(png, tmp_path):
    """The text of the one QR code in a PNG, read by zbarimg as a phone's scanner would."""
    zbarimg = shutil.which('zbarimg')
    require(zbarimg is not None, 'zbarimg is not installed (apt-get install zbar-tools)')
    path = tmp_path / 'qr.png'
    path.write_bytes(png)
    done = subprocess.run([zbarimg, '--raw', '-q', str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, 'zbarimg found no code (exit %s): %s' % (done.returncode, done.stderr)
    codes = done.stdout.strip().splitlines()
    assert len(codes) == 1, codes
    return codes[0]


def world_samples(world):
    """Status-link samples for the route walk: shop A's link and a photo on it; shop B's link revoked.

    The link is public, so a working shop-B link would open for anyone; the 'foreign' sample is a
    revoked one, which must answer 404 like any id of another shop.
    """
    from app.reception.models import RepairOrder
    from app.core.stages import DRAFT
    a_order = RepairOrder.get_by_id(world.records['order_id'])
    _work, photo = pending_item(a_order, world.users['technician'])
    for order in RepairOrder.select().where(RepairOrder.stage != DRAFT):
        rules.ensure_link(order)       # every signed order has its link, as after signing
    b_order = RepairOrder.get_by_id(world.foreign['order_id'])
    b_token = rules.revoke_and_reissue(b_order, None)
    rules.revoke_and_reissue(b_order, None)
    world.records.update(status_token=token_of(a_order), finding_photo_id=photo.id)
    world.foreign.update(status_token=b_token, finding_photo_id=photo.id)
