"""QR codes as PNG data URIs (the CSP allows img-src data:): the status link on the printed copy, the staff pages."""
import segno


def qr_data_uri(url, scale=6):
    """A QR of `url` (error correction M, never Micro QR) as a PNG data URI with the standard quiet zone."""
    qr = segno.make(url, error='M', micro=False, boost_error=False)
    return qr.png_data_uri(scale=scale, border=4)
