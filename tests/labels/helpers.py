"""Small helpers for the label tests: put a key on a tag and hook (as check-in does), read a QR back."""
import shutil
import subprocess

from app.labels.models import KeyHook, KeyTag
from app.reception.models import RepairOrder
from tests.helpers import require


def put_key_on(order, tag, hook=None):
    """What check-in does when the advisor hangs the key: the tag (and hook) point at the order and back."""
    KeyTag.update(order_id=order.id).where(KeyTag.id == tag.id).execute()
    if hook is not None:
        KeyHook.update(order_id=order.id).where(KeyHook.id == hook.id).execute()
    RepairOrder.update(key_tag=tag.id, key_hook=hook.id if hook else None).where(RepairOrder.id == order.id).execute()


def decode_qr(png, tmp_path):
    """The text of the one QR code in a PNG, read by zbarimg as a phone's scanner would."""
    zbarimg = shutil.which('zbarimg')
    require(zbarimg is not None, 'zbarimg is not installed (apt-get install zbar-tools)')
    path = tmp_path / 'label.png'
    path.write_bytes(png)
    done = subprocess.run([zbarimg, '--raw', '-q', str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, 'zbarimg found no code (exit %s): %s' % (done.returncode, done.stderr)
    codes = done.stdout.strip().splitlines()
    assert len(codes) == 1, codes
    return codes[0]
