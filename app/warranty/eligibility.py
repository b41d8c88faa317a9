"""Warranty eligibility: the numbers a shop's warranty rules use, the maker's warranty and the three-guarantee
periods of a repair, and the early-failure window.

How things are counted (DOMAIN.md "Warranty"; the numbers are settings, see `limits()`):

- Periods run from the sale date (the purchase invoice). As in the Civil Code (arts. 201-203) the sale
  day itself is not counted and a period of years ends on the same calendar day N years later (29 Feb:
  28 Feb), so a car sold on 2024-03-10 is inside a 2-year period up to and including 2026-03-10 and
  outside from 2026-03-11. Distance limits are "whichever comes first" and inclusive: 50,000 km is
  inside, 50,001 km outside. The order's check-in day (shop's local calendar) and its odometer decide.
- Early failure (steering, brakes, body, fuel system within 60 days / 3,000 km): same counting, day 60
  and 3,000 km inside.

Who may do what, and the order lock every warranty write takes, are here too: the area's other rule modules
(coverage, claims, tracker, kpis) build on this one.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import stages
from app.core.access import ADVISOR, MANAGER, WARRANTY
from app.core.db import is_sqlite
from app.core.errors import IllegalMove
from app.core.settings import DEFAULTS, get_setting, own_value
from app.core.timeutil import add_months, to_local
from app.reception.models import RepairOrder

# --- settings-like constants: a shop may store its own value in Setting under the same key -----------------

NEAR_DEFAULTS = {key: DEFAULTS[key][0] for key in
                 ('lemon_near_days', 'lemon_near_repairs', 'first_maintenance_months', 'first_maintenance_km')}
LEMON_NEAR_DAYS = NEAR_DEFAULTS['lemon_near_days']
LEMON_NEAR_REPAIRS = NEAR_DEFAULTS['lemon_near_repairs']
FIRST_MAINTENANCE_MONTHS = NEAR_DEFAULTS['first_maintenance_months']
FIRST_MAINTENANCE_KM = NEAR_DEFAULTS['first_maintenance_km']

CLERKS = (WARRANTY, MANAGER)              # decide coverage, file and follow claims
LOANER_RECORDERS = (ADVISOR, MANAGER)     # the advisor records what the customer was given


def require_role(by, roles):
    if not (by.role_names & set(roles)):
        raise IllegalMove(_l('Your role may not do this.'))


# Orders that never were a repair (a check-in abandoned, an order cancelled) count for nothing.
NOT_A_REPAIR = (stages.DRAFT, stages.CANCELLED)


def _local_setting(shop, key):
    value = own_value(shop, key)
    return int(value) if value is not None else NEAR_DEFAULTS[key]


@dataclass(frozen=True)
class Limits:
    warranty_years: int
    warranty_km: int
    three_guarantee_years: int
    three_guarantee_km: int
    lemon_days: int
    lemon_near_days: int
    lemon_repairs: int
    lemon_near_repairs: int
    loaner_after_days: int
    early_days: int
    early_km: int
    first_maintenance_months: int
    first_maintenance_km: int
    first_approval_target: Decimal
    first_maintenance_target: Decimal


def limits(shop):
    """Every number the warranty rules use, for this shop."""
    s = lambda key: get_setting(shop, key)  # noqa: E731
    return Limits(
        warranty_years=s('warranty_years'), warranty_km=s('warranty_km'),
        three_guarantee_years=s('three_guarantee_years'), three_guarantee_km=s('three_guarantee_km'),
        lemon_days=s('lemon_repair_days'), lemon_near_days=_local_setting(shop, 'lemon_near_days'),
        lemon_repairs=s('lemon_same_problem_repairs'), lemon_near_repairs=_local_setting(shop, 'lemon_near_repairs'),
        loaner_after_days=s('loaner_after_days'), early_days=s('early_failure_days'), early_km=s('early_failure_km'),
        first_maintenance_months=_local_setting(shop, 'first_maintenance_months'),
        first_maintenance_km=_local_setting(shop, 'first_maintenance_km'),
        first_approval_target=s('claim_first_approval_target'),
        first_maintenance_target=s('first_maintenance_return_target'))


# --- dates --------------------------------------------------------------------------------------------

def add_years(day, years):
    return add_months(day, 12 * years)


def local_day(shop, at):
    """The shop's calendar day of a stored (naive UTC) time."""
    return to_local(at, shop.timezone).date()


def km_text(n):
    """12,345: a distance as the documents print it."""
    return '{:,}'.format(n)


# --- eligibility --------------------------------------------------------------------------------------

class Eligibility(tuple):
    """(within_warranty, within_three_guarantee, explanation), plus the period ends for display."""

    def __new__(cls, within_warranty, within_three_guarantee, explanation, warranty_end=None, three_guarantee_end=None):
        self = super().__new__(cls, (within_warranty, within_three_guarantee, explanation))
        self.warranty_end, self.three_guarantee_end = warranty_end, three_guarantee_end
        return self

    within_warranty = property(lambda self: self[0])
    within_three_guarantee = property(lambda self: self[1])
    explanation = property(lambda self: self[2])


def _period_text(name, end, km_limit, at_date, odometer):
    if at_date > end:
        return _('%(name)s: ended on %(end)s.', name=name, end=end.isoformat())
    if odometer > km_limit:
        return _('%(name)s: ended at %(km)s km (odometer %(odo)s km).', name=name, km=km_text(km_limit),
                 odo=km_text(odometer))
    return _('%(name)s: covered, until %(end)s or %(km)s km.', name=name, end=end.isoformat(),
             km=km_text(km_limit))


def eligibility(vehicle, at_date, odometer, shop):
    """Whether a repair on `at_date` at `odometer` km is inside the maker's warranty (包修期) and the
    three-guarantee period (三包有效期), with a sentence saying why. Pure: reads only the shop's settings."""
    lim = limits(shop)
    odometer = odometer or 0
    if vehicle.sale_date is None:
        return Eligibility(False, False, _('No sale date on file for this vehicle: enter it on the vehicle before '
                                           'deciding warranty.'))
    sold = vehicle.sale_date
    w_end = add_years(sold, lim.warranty_years)
    tg_end = add_years(sold, lim.three_guarantee_years)
    within_w = at_date <= w_end and odometer <= lim.warranty_km
    within_tg = at_date <= tg_end and odometer <= lim.three_guarantee_km
    text = ' '.join([
        _('Sold on %(sold)s; repair on %(day)s at %(odo)s km.', sold=sold.isoformat(), day=at_date.isoformat(),
          odo=km_text(odometer)),
        _period_text(_('Warranty (%(y)d years / %(km)s km)', y=lim.warranty_years, km=km_text(lim.warranty_km)),
                     w_end, lim.warranty_km, at_date, odometer),
        _period_text(_('Three-guarantee (%(y)d years / %(km)s km)', y=lim.three_guarantee_years,
                       km=km_text(lim.three_guarantee_km)), tg_end, lim.three_guarantee_km, at_date, odometer),
    ])
    return Eligibility(within_w, within_tg, text, w_end, tg_end)


def order_day(order):
    """The local day a repair counts from: the customer's signature, else the day the order was opened."""
    return local_day(order.shop, order.checked_in_at or order.created_at)


def order_eligibility(order):
    if order.vehicle_id is None:
        return Eligibility(False, False, _('This order has no vehicle.'))
    return eligibility(order.vehicle, order_day(order), order.odometer, order.shop)


def is_early(vehicle, at_date, odometer, shop):
    """Within the early-failure window (60 days / 3,000 km of sale, both inclusive)."""
    if vehicle.sale_date is None:
        return False
    lim = limits(shop)
    return at_date <= vehicle.sale_date + timedelta(days=lim.early_days) and (odometer or 0) <= lim.early_km


def lock_order(order):
    """Serialise warranty writes on one order (SQLite already serialises writers)."""
    if not is_sqlite():
        list(RepairOrder.select(RepairOrder.id).where(RepairOrder.id == order.id).for_update())
