"""The words a shop uses for a trade (a technician's skill, a job's system): stored as typed, shown in the reader's
language when it is one of the common ones ("engine" → 发动机), as typed otherwise."""
from flask_babel import lazy_gettext as _l

TRADES = {
    'engine': _l('Engine'), 'maintenance': _l('Maintenance'), 'lubrication': _l('Lubrication'),
    'chassis': _l('Chassis'), 'brakes': _l('Brakes'), 'brake': _l('Brakes'), 'tyres': _l('Tyres'),
    'tires': _l('Tyres'), 'alignment': _l('Alignment'), 'suspension': _l('Suspension'), 'steering': _l('Steering'),
    'transmission': _l('Transmission'), 'electrical': _l('Electrical'), 'diagnosis': _l('Diagnosis'),
    'climate': _l('Air conditioning'), 'air_conditioning': _l('Air conditioning'), 'body': _l('Body'),
    'paint': _l('Paint'),
}


def trade_label(word):
    """A skill or system in the reader's words."""
    return TRADES.get((word or '').strip().lower(), word)
