"""Brother QL label printers on the shop's network: our labels as the printers' raster commands, sent to TCP 9100.

Intake tablets cannot install a printer driver, so the server speaks the printer's own language (Brother's "Raster
Command Reference" for the QL-700/800 series): invalidate, initialize, raster mode, then for each label its print
information, cutting, margins, one `g` command per line of dots and a print command. No compression: every model
here takes plain lines, and one label is about 30 kB.
"""
import socket
from dataclasses import dataclass

from PIL import Image

from app.labels import render as draw

# The network QL models whose print head is 720 dots (90 bytes a line) wide.
MODELS = ('QL-820NWB', 'QL-810W', 'QL-720NW', 'QL-710W', 'QL-580N')
LINE_BYTES = 90
HEAD_DOTS = LINE_BYTES * 8
PORT = 9100
TIMEOUT = 3.0            # seconds to connect, and to hand over the job: a tablet user is waiting


@dataclass(frozen=True)
class Media:
    """A roll the printer holds: Brother's media type and size, its printable dots and where they sit."""
    kind: int            # 0x0A continuous tape, 0x0B die-cut labels
    width_mm: int
    length_mm: int       # 0 for continuous tape
    dots: int            # printable dots across
    rows: int            # printable lines along a die-cut label; 0 = as long as the label is drawn
    right_dots: int      # dots left blank on the head's right edge (the roll's margin)
    feed: int            # feed margin in dots


MEDIA = {
    '62': Media(0x0A, 62, 0, 696, 0, 12, 35),          # DK-22205, 62 mm continuous
    '62x29': Media(0x0B, 62, 29, 696, 271, 12, 0),     # DK-11209, 62 x 29 mm die-cut
}


class PrinterUnreachable(Exception):
    """The printer did not take the job: not on, not on the network, a wrong address, or busy past the timeout."""


def label_image(label, media):
    """A label drawn to fit the roll's printable dots (one dot = one pixel), grey."""
    per_mm = media.dots / label.width
    if media.rows:
        per_mm = min(per_mm, media.rows / label.height)
    image = draw.to_image(label, per_mm)
    rows = media.rows or image.size[1]
    page = Image.new('L', (media.dots, rows), 255)
    page.paste(image, ((media.dots - image.size[0]) // 2, (rows - image.size[1]) // 2))
    return page


def raster_lines(image, media):
    """The page as print lines: 90 bytes each, bit set = a black dot, the head's first dot on the label's right."""
    head = Image.new('L', (HEAD_DOTS, image.size[1]), 255)
    head.paste(image, (HEAD_DOTS - media.right_dots - image.size[0], 0))
    head = head.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    dots = head.point(lambda v: 255 if v < 128 else 0, mode='1')     # dark → 1 (print)
    data = dots.tobytes()
    return [data[i:i + LINE_BYTES] for i in range(0, len(data), LINE_BYTES)]


def job(images, media):
    """The whole print job for these pages (grey images as wide as the roll's printable dots): bytes to send."""
    out = bytearray(b'\x00' * 400)                   # invalidate: clears a half-received job
    out += b'\x1b@'                                  # initialize
    out += b'\x1bia\x01'                             # switch to raster mode
    for number, image in enumerate(images):
        lines = raster_lines(image, media)
        out += b'\x1biz' + bytes([0x80 | 0x02 | 0x04 | 0x08 | 0x40,   # kind, width, length, quality are given
                                  media.kind, media.width_mm, media.length_mm])
        out += len(lines).to_bytes(4, 'little') + bytes([0 if number == 0 else 1, 0])
        out += b'\x1biM\x40'                         # cut automatically,
        out += b'\x1biA\x01'                         # after every label,
        out += b'\x1biK\x08'                         # and after the last
        out += b'\x1bid' + media.feed.to_bytes(2, 'little')
        for line in lines:
            out += b'g\x00' + bytes([len(line)]) + line
        out += b'\x1a' if number == len(images) - 1 else b'\x0c'   # print (and feed); ^Z after the last
    return bytes(out)


def labels_job(labels, media):
    """The print job for these labels (app.labels.render) on this roll."""
    return job([label_image(lb, media) for lb in labels], media)


def send(host, port, data, timeout=TIMEOUT):
    """Hand the job to the printer at host:port; PrinterUnreachable when it does not take it within the timeout."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
    except (OSError, ValueError) as exc:        # refused, timed out, unknown host, no route, reset
        raise PrinterUnreachable(str(exc)) from exc
