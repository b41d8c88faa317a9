"""The QC inspector's checklist (竣工检验), declared once: general items for every order, plus items per
kind of job on the order's lines (by words in the line's description, else its system, its catalogue job's
system or category)."""
from flask_babel import lazy_gettext as _l

GENERAL = 'general'
# group: (label, [(item, label)])
GROUPS = {
    GENERAL: (_l('Every car'), [
        ('complaint', _l("The customer's complaint is fixed")),
        ('road_test', _l('Road test: no abnormal noise or vibration')),
        ('warning_lights', _l('No warning lights on the dashboard')),
        ('clean', _l('Covers removed, no grease marks inside or out')),
        ('nothing_left', _l('No tools, rags or old parts left in the car')),
    ]),
    'brakes': (_l('Brakes'), [
        ('pedal_feel', _l('Pedal feel firm, car does not pull')),
        ('no_noise', _l('No brake noise')),
        ('discs_pads', _l('Discs and pads fitted correctly')),
    ]),
    'engine': (_l('Engine and maintenance'), [
        ('oil_level', _l('Oil level correct')),
        ('no_leaks', _l('No leaks')),
        ('service_reset', _l('Service reminder reset')),
    ]),
    'body': (_l('Body and paint'), [
        ('colour_match', _l('Colour matches')),
        ('no_overspray', _l('No overspray')),
        ('gaps', _l('Panel gaps even')),
    ]),
    'electrical': (_l('Electrical'), [
        ('no_faults', _l('No fault codes stored')),
        ('function_test', _l('Function test passed')),
    ]),
    'chassis': (_l('Chassis and tyres'), [
        ('torque', _l('Wheel nuts torqued')),
        ('pressures', _l('Tyre pressures set')),
        ('alignment', _l('Alignment printout with the order')),
    ]),
}

# A line's system or category (reception's catalogue) -> checklist group.
SYSTEMS = {
    'brakes': 'brakes', 'brake': 'brakes',
    'engine': 'engine', 'maintenance': 'engine', 'lubrication': 'engine',
    'body': 'body', 'paint': 'body',
    'electrical': 'electrical', 'diagnosis': 'electrical', 'climate': 'electrical',
    'chassis': 'chassis', 'tyres': 'chassis', 'suspension': 'chassis', 'steering': 'chassis', 'alignment': 'chassis',
}
# Words in a line's description (Chinese and English, lower case); the first group that matches wins.
KEYWORDS = [
    ('brakes', ('刹车', '制动', 'brake')),
    ('body', ('钣金', '喷漆', '钣喷', 'paint', 'body')),
    ('chassis', ('轮胎', '定位', '底盘', '悬挂', 'tyre', 'tire', 'alignment', 'suspension')),
    ('engine', ('机油', '保养', '发动机', 'oil', 'maintenance', 'engine')),
    ('electrical', ('电', '诊断', '空调', 'electr', 'diagnos', 'a/c', 'battery')),
]


def group_of(line):
    """The checklist group of one job line, or None when nothing but the general items applies.

    Words in the description come first: they are the most specific ("brake inspection" filed under the
    chassis system is a brake job); then the line's system, its catalogue job's system and category.
    """
    text = (line.description or '').lower()
    for group, words in KEYWORDS:
        if any(w in text for w in words):
            return group
    job = line.canned_job if line.canned_job_id else None
    for value in (line.system, getattr(job, 'system', ''), getattr(job, 'category', '')):
        if (value or '').lower() in SYSTEMS:
            return SYSTEMS[value.lower()]
    return None


def checklist_for(lines):
    """[(group, label, [(key, label)])] for an order's lines: general first, then each group once."""
    groups = [GENERAL]
    for line in lines:
        g = group_of(line)
        if g and g not in groups:
            groups.append(g)
    return [(g, GROUPS[g][0], [('%s.%s' % (g, key), label) for key, label in GROUPS[g][1]]) for g in groups]


def item_keys(lines):
    return [key for _g, _label, items in checklist_for(lines) for key, _l2 in items]


def item_labels():
    """Every item's label by key, for showing a stored checklist."""
    return {'%s.%s' % (g, key): label for g, (_glabel, items) in GROUPS.items() for key, label in items}
