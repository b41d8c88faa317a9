"""The customer-file tests' own helpers."""
from app.core.validators import make_vin


def vin(serial, prefix='LVGBE40K5M'):
    """A valid VIN ending in `serial` (6 characters)."""
    return make_vin(prefix, serial)
