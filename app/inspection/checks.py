"""What a health check looks at, declared once: the items in groups, and which groups each kind of job gets.

Each item says what is measured (its unit and the range a reading can have), whether a photo matters for it, and
the catalogue job (by code) that usually fixes it, offered first when the item is amber or red.
"""
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Item:
    key: str
    label: object
    unit: str = ''                 # '' : no number, the technician's words only
    low: Decimal = Decimal('0')
    high: Decimal = Decimal('0')
    photo: bool = False            # a photo shows the customer what the words cannot
    job_code: str = ''             # the catalogue job offered for it
    safety: bool = False           # red here is a safety item (flagged when declined)


GROUPS = [
    ('brakes', _l('Brakes'), [
        Item('brake_pads_front', _l('Front brake pads'), 'mm', Decimal('0'), Decimal('20'), True, 'BRKF', True),
        Item('brake_pads_rear', _l('Rear brake pads'), 'mm', Decimal('0'), Decimal('20'), True, 'BRKR', True),
        Item('brake_fluid', _l('Brake fluid (water content)'), '%', Decimal('0'), Decimal('10'), False, 'BFLUID', True),
    ]),
    ('tyres', _l('Tyres (tread depth)'), [
        Item('tyre_fl', _l('Tyre front left'), 'mm', Decimal('0'), Decimal('15'), True, 'TYRE', True),
        Item('tyre_fr', _l('Tyre front right'), 'mm', Decimal('0'), Decimal('15'), True, 'TYRE', True),
        Item('tyre_rl', _l('Tyre rear left'), 'mm', Decimal('0'), Decimal('15'), True, 'TYRE', True),
        Item('tyre_rr', _l('Tyre rear right'), 'mm', Decimal('0'), Decimal('15'), True, 'TYRE', True),
    ]),
    ('fluids', _l('Fluids'), [
        Item('engine_oil', _l('Engine oil'), job_code='M5K'),
        Item('coolant', _l('Coolant'), job_code='COOL'),
    ]),
    ('electrical', _l('Battery and lights'), [
        Item('battery', _l('Battery (resting voltage)'), 'V', Decimal('0'), Decimal('16'), False, 'BATT'),
        Item('lights', _l('Lights'), photo=True, job_code='BULB', safety=True),
    ]),
    ('visibility', _l('Wipers and washers'), [
        Item('wipers', _l('Wiper blades'), job_code='WIPER'),
    ]),
    ('underbody', _l('Leaks and underbody'), [
        Item('leaks', _l('Oil and fluid leaks'), photo=True, job_code='DIAG'),
        Item('suspension', _l('Suspension and steering'), photo=True, job_code='ALIGN', safety=True),
    ]),
]
GROUP_LABELS = {key: label for key, label, _items in GROUPS}
ITEMS = {it.key: it for _key, _label, items in GROUPS for it in items}
EVERY_GROUP = [key for key, _label, _items in GROUPS]

# The groups each catalogue system gets; a maintenance job (or a job of no known system) gets the full check.
SYSTEM_GROUPS = {
    'brakes': ['brakes', 'tyres', 'underbody'],
    'chassis': ['tyres', 'brakes', 'underbody'],
    'electrical': ['electrical', 'visibility'],
    'climate': ['electrical', 'fluids'],
    'body': ['electrical', 'visibility'],
}


def groups_for(systems, categories=()):
    """The groups to check for an order whose jobs are of these catalogue systems (and guarantee categories)."""
    systems = [s for s in systems if s]
    if not systems or 'maintenance' in categories or any(s not in SYSTEM_GROUPS for s in systems):
        return list(EVERY_GROUP)
    wanted = {g for s in systems for g in SYSTEM_GROUPS[s]}
    return [g for g in EVERY_GROUP if g in wanted]


def items_of(groups):
    """[(group key, group label, [Item])] for these groups, in the order they are checked at the car."""
    return [(key, label, items) for key, label, items in GROUPS if key in groups]
