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


# --- a Brother QL printer on the test's own loopback: it takes jobs and gives them back as pictures ---------------

class FakePrinter:
    """A label printer on 127.0.0.1: a TCP listener in a thread that keeps every job it is sent (bytes).

    `with FakePrinter() as printer:` gives `printer.address` ('127.0.0.1:port') to type into the settings page and
    `printer.wait_jobs(n)` for what arrived. It stops itself when the block ends."""

    def __init__(self):
        import socket
        import threading
        self.jobs = []
        self._arrived = threading.Condition()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.bind(('127.0.0.1', 0))
        self._server.listen(4)
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.address = '127.0.0.1:%d' % self._server.getsockname()[1]

    def _serve(self):
        import socket
        while not self._stop.is_set():
            try:
                conn, _peer = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                chunks = []
                try:
                    while True:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        chunks.append(chunk)
                except OSError:
                    pass
            with self._arrived:
                self.jobs.append(b''.join(chunks))
                self._arrived.notify_all()

    def wait_jobs(self, count=1, timeout=10):
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.jobs) >= count, timeout=timeout)
        assert len(self.jobs) >= count, 'the printer received %d jobs, expected %d' % (len(self.jobs), count)
        return self.jobs

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()


def closed_port_address():
    """A loopback address where nothing listens: a printer that is switched off."""
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return '127.0.0.1:%d' % s.getsockname()[1]


def decode_raster(data):
    """A QL raster job read back as the printer would: a list of pages, each (print information, picture).

    Every command is checked against Brother's raster reference; a stray byte fails with its offset. The picture is
    what lands on the label (black dots black), the head's 720 dots wide."""
    from PIL import Image, ImageOps
    pos, pages, lines, info, packed, seen_init = 0, [], [], None, False, False
    while pos < len(data) and data[pos] == 0:                     # invalidate
        pos += 1
    assert pos >= 200, 'the job does not start by invalidating (%d zero bytes)' % pos
    one_byte = {b'\x1biM', b'\x1biA', b'\x1biK', b'\x1bia'}
    while pos < len(data):
        head3, byte = data[pos:pos + 3], data[pos]
        if data[pos:pos + 2] == b'\x1b@':
            seen_init, pos = True, pos + 2
        elif head3 in one_byte:
            pos += 4
        elif head3 == b'\x1biS':
            pos += 3
        elif head3 == b'\x1bid':
            pos += 5
        elif head3 == b'\x1biz':
            body = data[pos + 3:pos + 13]
            info = {'flags': body[0], 'kind': body[1], 'width_mm': body[2], 'length_mm': body[3],
                    'lines': int.from_bytes(body[4:8], 'little'), 'page': body[8]}
            pos += 13
        elif byte == ord('M'):
            packed, pos = bool(data[pos + 1] & 0x02), pos + 2
        elif byte == ord('g'):
            size = data[pos + 2]
            row, pos = data[pos + 3:pos + 3 + size], pos + 3 + size
            lines.append(_unpack(row) if packed else row)
        elif byte == ord('Z'):
            lines.append(b'\x00' * 90)
            pos += 1
        elif byte in (0x0c, 0x1a):
            assert seen_init and info is not None, 'a page printed before initialize and print information'
            assert info['lines'] == len(lines), 'print information says %d lines, %d sent' % (info['lines'], len(lines))
            assert all(len(line) == 90 for line in lines), 'a raster line is not 90 bytes'
            dots = Image.frombytes('1', (720, len(lines)), b''.join(lines))
            picture = ImageOps.invert(dots.convert('L')).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            pages.append((info, picture))
            lines, pos = [], pos + 1
            if byte == 0x1a:
                assert pos == len(data), 'bytes after the end of the job'
        else:
            raise AssertionError('unknown raster command %r at byte %d' % (data[pos:pos + 4], pos))
    assert pages and data[-1:] == b'\x1a', 'the job does not end with a print command'
    return pages


def _unpack(row):
    """TIFF PackBits, for a job sent compressed."""
    out, i = bytearray(), 0
    while i < len(row):
        n = row[i] - 256 if row[i] > 127 else row[i]
        if n >= 0:
            out += row[i + 1:i + 2 + n]
            i += 2 + n
        elif n != -128:
            out += row[i + 1:i + 2] * (1 - n)
            i += 2
        else:
            i += 1
    return bytes(out)


def png_of(picture, border=20):
    """A decoded page as PNG bytes with a white margin, for zbarimg."""
    import io
    from PIL import ImageOps
    buf = io.BytesIO()
    ImageOps.expand(picture, border=border, fill=255).save(buf, format='PNG')
    return buf.getvalue()
