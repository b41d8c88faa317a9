"""What the KPI engine answers with: a figure for a period (Figure), a record it counts (DrillRow), and the words
both use (units, the on time / late / skipped marks of process compliance)."""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

ON_TIME, LATE, SKIPPED = 'on_time', 'late', 'skipped'
STATUSES = (ON_TIME, LATE, SKIPPED)
STATUS_LABELS = {ON_TIME: _l('On time'), LATE: _l('Late'), SKIPPED: _l('Skipped')}

PERCENT, MONEY, HOURS, COUNT, RATE, DAYS = 'percent', 'money', 'hours', 'count', 'rate', 'days'


@dataclass
class Figure:
    """One KPI for one period: how it was counted, its value, its target and whether it meets it."""
    name: str
    label: object
    numerator: object            # int or Decimal
    denominator: object          # int or Decimal; None for a plain amount
    value: object                # Decimal (a share is 0..1), or None when nothing was counted
    unit: str                    # percent, money, hours, count, rate (money per hour)
    target_op: str = None        # '>=', '<', '<=' or None when the rulebooks set no target
    target: object = None        # Decimal
    ok: object = None            # True good, False bad, None no target / nothing counted
    drill: dict = field(default_factory=dict)   # url_for arguments of its drill-down list
    parts: dict = field(default_factory=dict)   # compliance: on_time / late / skipped counts
    group: str = ''

    @property
    def percent(self):
        """A share as a percent with one decimal, for display."""
        if self.value is None or self.unit != PERCENT:
            return None
        return (self.value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)

    @property
    def target_percent(self):
        if self.target is None or self.unit != PERCENT:
            return None
        return '{:f}'.format((Decimal(self.target) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP).normalize())

    @property
    def display(self):
        """The value as text, without a currency sign (templates add it)."""
        if self.value is None:
            return '–'
        if self.unit == PERCENT:
            return '%s%%' % self.percent
        if self.unit in (MONEY, RATE, HOURS):
            return '{:,.2f}'.format(self.value)
        if self.unit == DAYS:
            return '{:,.1f}'.format(self.value)
        return '{:,}'.format(self.value)

    @property
    def numerator_display(self):
        """The counted part of a share as text: days and money to their own precision, a count as it is."""
        if self.unit == DAYS:
            return '{:,.1f}'.format(self.numerator or 0)
        if isinstance(self.numerator, Decimal) and self.numerator != self.numerator.to_integral_value():
            return '{:,.2f}'.format(self.numerator)
        return str(self.numerator)

    @property
    def target_display(self):
        if self.target is None:
            return ''
        t = '%s%%' % self.target_percent if self.unit == PERCENT else '{:f}'.format(Decimal(self.target).normalize())
        return '%s %s' % ({'>=': '≥', '<=': '≤'}.get(self.target_op, self.target_op), t)


def ratio(num, den):
    """num ÷ den as a Decimal (None without a denominator)."""
    if not den:
        return None
    return Decimal(num) / Decimal(den)


def meets(value, op, target):
    """Whether a value meets its target (None: no target, or nothing counted)."""
    if value is None or target is None or op is None:
        return None
    t = Decimal(target)
    return {'>=': value >= t, '>': value > t, '<': value < t, '<=': value <= t}[op]


@dataclass
class DrillRow:
    """One record a figure counts."""
    kind: str                    # order, settlement, line, clock, delivery, complaint, call, appointment,
                                 # added_work, claim, vehicle, part
    id: object
    ref: str                     # what people read: the order number, the claim number, the plate…
    at: object                   # UTC time (or a date) the row counts at
    order_id: object = None
    status: str = ''             # on_time / late / skipped for compliance; good / bad for a share
    good: object = None          # True / False / None
    amount: object = None
    shop_id: object = None
