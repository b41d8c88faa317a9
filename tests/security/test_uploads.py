"""Uploads: every form with a file field (found on the pages) refuses what is not a photo, and what it keeps
is served re-encoded, without metadata, as an image that cannot run."""
import io
import os
from datetime import timedelta

import pytest
from PIL import Image

from app.core import photos
from app.core.access import ROLES
from app.core.stages import DISPATCHED, LINE_ASSIGNED
from app.core.db import utcnow
from app.labels.models import KeyTag
from app.reception.models import OrderLine, RepairOrder
from tests.security import harness

# What a refusal says (English UI): the user must learn why, not just see the form again.
CLEAR = ('not a photo', 'Only photos', 'larger than', 'too many pixels', 'too large', 'File too large',
         'could not be read')


def _jpeg_with_secrets():
    """A phone photo with the maker, GPS position and a script in the comment, and HTML appended after it."""
    exif = Image.Exif()
    exif[0x010F] = 'SpyCam'
    exif[0x8825] = {1: 'N', 2: (22.0, 33.0, 44.0), 3: 'E', 4: (113.0, 1.0, 2.0)}
    buf = io.BytesIO()
    Image.new('RGB', (64, 48), (10, 200, 30)).save(buf, 'JPEG', exif=exif, comment=b'<script>alert(1)</script>')
    return buf.getvalue() + b'<html><script>alert(1)</script></html>'


def _pixel_bomb():
    """A few kilobytes that decode to 144 million pixels."""
    buf = io.BytesIO()
    Image.new('1', (12000, 12000)).save(buf, 'PNG')
    return buf.getvalue()


def _png():
    buf = io.BytesIO()
    Image.new('RGB', (30, 20), (1, 2, 3)).save(buf, 'PNG')
    return buf.getvalue()


BAD_FILES = {
    'non-image': ('notes.jpg', b'<html><body><script>alert(1)</script></body></html>', 'image/jpeg'),
    'svg with script': ('photo.svg', b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                        'image/svg+xml'),
    'pdf named jpg': ('scan.jpg', b'%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF', 'image/jpeg'),
    'oversized': ('big.jpg', b'\xff\xd8\xff\xe0' + b'0' * (photos.MAX_BYTES + 1024), 'image/jpeg'),
    'pixel bomb': ('bomb.png', _pixel_bomb(), 'image/png'),
}


@pytest.fixture(scope='module')
def upload_forms(sec_app, world):
    """Forms with a file field on any page of shop A, for the person with every role (the order's jobs are
    dispatched to them, so their job card shows its forms)."""
    order = RepairOrder.get_by_id(world.records['order_id'])
    OrderLine.update(technician=world.users['all'].id, status=LINE_ASSIGNED).where(
        OrderLine.order == order.id).execute()
    RepairOrder.update(stage=DISPATCHED).where(RepairOrder.id == order.id).execute()
    # The draft check-in ready for the customer's signature (its upload takes a photo of a signed paper copy).
    tag = KeyTag.create(shop=world.shop_a, number=77)
    RepairOrder.update(valuables_reminded=True, key_tag=tag.id, promised_at=utcnow() + timedelta(hours=5)).where(
        RepairOrder.id == world.records['draft_id']).execute()
    found = {}
    client = harness.client_for(sec_app, world.users['all'])
    for endpoint, forms in harness.form_catalog(sec_app, client, world.records, ROLES,
                                                state='dispatched, ready to sign').items():
        for form in forms:
            if form.file_fields():
                found.setdefault(endpoint, ('all', form))
    return found


def _photo_files():
    return set(os.listdir(photos.photo_dir()))


def _send(sec_app, world, who, form, name, data, mimetype):
    client = harness.client_for(sec_app, world.users[who])
    payload = form.data({f.name: f.value.strip() or 'Test' for f in form.text_fields()}, tick=True)
    for f in form.file_fields():
        payload[f.name] = (io.BytesIO(data), name, mimetype)
    return client.open(form.action, method=form.method, data=payload, content_type='multipart/form-data')


def test_upload_forms_are_found(upload_forms):
    """The walk finds the photo and signature uploads (else the tests below would attack nothing)."""
    assert {'reception.checkin_mark_photo', 'workshop.finding_add'} <= set(upload_forms), sorted(upload_forms)


@pytest.mark.filterwarnings('ignore::PIL.Image.DecompressionBombWarning')
@pytest.mark.parametrize('kind', sorted(BAD_FILES))
def test_bad_files_are_refused_with_a_clear_message(sec_app, world, upload_forms, kind):
    """A web page, a scripted SVG, a PDF, a huge file or a pixel bomb is refused, saying why; nothing is kept."""
    name, data, mimetype = BAD_FILES[kind]
    wrong = []
    for endpoint, (who, form) in sorted(upload_forms.items()):
        files, before = _photo_files(), harness.snapshot()
        resp = _send(sec_app, world, who, form, name, data, mimetype)
        body = resp.get_data(as_text=True)
        if resp.status_code not in (400, 413) or not any(c in body for c in CLEAR):
            wrong.append((endpoint, resp.status_code, 'no clear refusal'))
        if _photo_files() != files or harness.changed_tables(before, harness.snapshot()):
            wrong.append((endpoint, 'kept something', harness.changed_tables(before, harness.snapshot())))
    assert not wrong, wrong


def test_request_over_the_size_limit_is_refused(sec_app, world, upload_forms):
    """A file bigger than the whole request limit gets the 'file too large' page, not a crash or a hang."""
    who, form = upload_forms['reception.checkin_mark_photo']
    limit = sec_app.config['MAX_CONTENT_LENGTH']
    resp = _send(sec_app, world, who, form, 'huge.jpg', b'\xff\xd8' + b'0' * limit, 'image/jpeg')
    assert resp.status_code == 413
    assert 'File too large' in resp.get_data(as_text=True)


def test_photo_with_a_wrong_name_is_kept_only_as_a_clean_image(sec_app, world, upload_forms):
    """A real photo named .html (or with GPS in it) is stored re-encoded under a name of our own, no metadata."""
    wrong = []
    for endpoint, (who, form) in sorted(upload_forms.items()):
        files = _photo_files()
        for name, data in (('photo.html', _jpeg_with_secrets()), ('picture.jpg', _png())):
            resp = _send(sec_app, world, who, form, name, data, 'text/html' if name.endswith('html') else 'image/jpeg')
            if resp.status_code >= 500:
                wrong.append((endpoint, name, resp.status_code))
        for new in _photo_files() - files:
            path = os.path.join(photos.photo_dir(), new)
            raw = open(path, 'rb').read()
            with Image.open(path) as image:
                meta = {k for k in image.info if k in ('exif', 'comment', 'icc_profile', 'xmp')}
                if image.getexif() or meta:
                    wrong.append((endpoint, new, 'metadata kept', meta))
            if not new.endswith(('.jpg', '.png')) or b'SpyCam' in raw or b'<script' in raw or b'<html' in raw:
                wrong.append((endpoint, new, 'kept as uploaded'))
    assert not wrong, wrong


def test_served_images_cannot_run_and_carry_no_metadata(sec_app, world, upload_forms):
    """Every served image (photo, thumbnail, signature, label, status photo) is nosniff, runs nothing, has no GPS."""
    who, form = upload_forms['workshop.finding_add']
    assert _send(sec_app, world, who, form, 'p.jpg', _jpeg_with_secrets(), 'image/jpeg').status_code < 400
    from app.core.models import Photo
    newest = Photo.select().order_by(Photo.id.desc()).get()
    samples = dict(world.records, photo_id=newest.id)
    wrong, images = [], 0
    for client, roles in ((harness.client_for(sec_app, world.users['all']), ROLES),
                          (harness.client_for(sec_app, address='10.8.0.1'), ())):
        for rule in harness.rules(sec_app, 'GET', values=samples):
            if not harness.may(sec_app, rule, roles):
                continue
            for url in harness.urls(rule, samples):
                for suffix in ('', '?thumb=1'):
                    resp = client.get(url + suffix)
                    if not resp.mimetype.startswith('image/'):
                        break    # not an image route: no thumbnail variant either
                    images += 1
                    csp = resp.headers.get('Content-Security-Policy', '')
                    if resp.headers.get('X-Content-Type-Options') != 'nosniff' or "script-src 'self'" not in csp \
                            and 'sandbox' not in csp and "default-src 'none'" not in csp:
                        wrong.append((url + suffix, 'headers'))
                    if resp.mimetype == 'image/svg+xml':
                        if '<script' in resp.get_data(as_text=True).lower():
                            wrong.append((url, 'script in svg'))
                        continue
                    with Image.open(io.BytesIO(resp.get_data())) as image:
                        if image.getexif() or 'exif' in image.info or 'comment' in image.info:
                            wrong.append((url + suffix, 'metadata'))
                        if Image.MIME.get(image.format) != resp.mimetype:
                            wrong.append((url + suffix, 'served as %s, is %s' % (resp.mimetype, image.format)))
    assert images >= 5, images
    assert not wrong, wrong
