"""Photos from tablets and phones: checked by content, re-encoded without metadata, stored with generated names.

A photo is never served as uploaded: decoding and re-encoding drops EXIF (GPS, device),
anything appended to the file, and any script a crafted file might carry.
"""
import base64
import io
import os
import secrets
import time
from contextlib import contextmanager

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 12 * 1024 * 1024
MAX_PIXELS = 40_000_000          # a 40-megapixel photo; anything larger is a decompression bomb
MAX_SIDE = 2048                  # stored size: plenty for a scratch on a bumper
THUMB_SIDE = 360
ALLOWED_FORMATS = {'JPEG', 'PNG', 'WEBP', 'HEIF', 'MPO'}
ORPHAN_AGE = 3600                # seconds: no request holds a stored photo this long before committing its row


class PhotoRejected(ValueError):
    """The upload is not a usable photo; the message says why, in the user's language."""


def photo_dir():
    path = os.path.join(current_app.instance_path, 'photos')
    os.makedirs(path, exist_ok=True)
    return path


def _decode(data):
    if not data:
        raise PhotoRejected(_l('The file is empty.'))
    if len(data) > MAX_BYTES:
        raise PhotoRejected(_l('The photo is larger than %(mb)d MB.', mb=MAX_BYTES // (1024 * 1024)))
    try:
        probe = Image.open(io.BytesIO(data))
        if probe.format not in ALLOWED_FORMATS:
            raise PhotoRejected(_l('Only photos (JPEG, PNG or WebP) can be uploaded.'))
        if probe.width * probe.height > MAX_PIXELS:
            raise PhotoRejected(_l('The picture has too many pixels.'))
        probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoRejected(_l('This file is not a photo the system can read.'))
    return image


def signature_png(data_url):
    """The PNG a signature pad posts as a data URL (data:image/png;base64,…), or None when it is not one."""
    data_url = data_url or ''
    if not data_url.startswith('data:image/png;base64,'):
        return None
    try:
        return base64.b64decode(data_url.split(',', 1)[1], validate=True)
    except ValueError:
        return None


def store(data, *, max_side=MAX_SIDE, fmt='JPEG'):
    """Validate, re-encode and save; returns (filename, width, height). Raises PhotoRejected."""
    image = _decode(data)
    image = ImageOps.exif_transpose(image)          # keep the photo upright once EXIF is gone
    if fmt == 'JPEG':
        image = image.convert('RGB')
    image.thumbnail((max_side, max_side))
    image.info = {}    # Pillow writes a JPEG comment, ICC or XMP kept here back out: none of the upload's survives
    name = secrets.token_hex(16) + ('.jpg' if fmt == 'JPEG' else '.png')
    path = os.path.join(photo_dir(), name)
    tmp = path + '.part'
    # Written aside and renamed: a crash mid-write never leaves a half file under a real name.
    with open(tmp, 'wb') as fh:
        image.save(fh, fmt, quality=85, optimize=True) if fmt == 'JPEG' else image.save(fh, fmt, optimize=True)
    os.replace(tmp, path)
    return name, image.width, image.height


def thumbnail_path(filename):
    """A small copy for lists and the customer's page, made on first use."""
    thumb = os.path.join(photo_dir(), 'thumb-' + filename)
    if not os.path.exists(thumb):
        with Image.open(os.path.join(photo_dir(), filename)) as image:
            image.thumbnail((THUMB_SIDE, THUMB_SIDE))
            image.info = {}
            tmp = thumb + '.part'
            image.save(tmp, 'JPEG' if filename.endswith('.jpg') else 'PNG', quality=80)
            os.replace(tmp, thumb)
    return thumb


@contextmanager
def stored(uploads):
    """The uploads stored, [(filename, width, height)], for the block to write their rows; when the block fails the
    files are removed again, so no file is left that no row names."""
    kept = []
    try:
        for data in uploads:
            kept.append(store(data))
        yield kept
    except BaseException:
        for filename, _w, _h in kept:
            remove(filename)
        raise


def remove(filename):
    for name in (filename, 'thumb-' + filename):
        try:
            os.remove(os.path.join(photo_dir(), name))
        except FileNotFoundError:
            pass


def referenced_files():
    """Every file name a row refers to (the `filename` field of any model: photos, signatures)."""
    from app.core.db import all_models
    names = set()
    for model in all_models():
        field = model._meta.fields.get('filename')
        if field is not None:
            names.update(name for (name,) in model.select(field).tuples())
    return names


def sweep_orphans(max_age=ORPHAN_AGE):
    """Remove files no row refers to, and half-written `.part` files, older than `max_age` seconds.

    A photo is saved before the transaction that records it, so a row never names a missing file; a
    server killed between the two (or an upload whose transaction failed and could not clean up) leaves
    a file nobody refers to. `flask backup` and `flask photos-sweep` run this. Returns the names removed.
    """
    folder = photo_dir()
    keep = referenced_files()
    cutoff = time.time() - max_age
    removed = []
    for name in sorted(os.listdir(folder)):
        base = name[len('thumb-'):] if name.startswith('thumb-') else name
        if base in keep and not base.endswith('.part'):
            continue
        path = os.path.join(folder, name)
        try:
            if os.path.getmtime(path) > cutoff or not os.path.isfile(path):
                continue
            os.remove(path)
        except FileNotFoundError:
            continue
        removed.append(name)
    return removed
