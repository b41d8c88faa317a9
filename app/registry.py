"""The workflow areas, in one list: their blueprints, models and demo loaders."""
import importlib

import peewee as pw

# Order matters for the demo: later areas build on earlier areas' data.
AREAS = ['accounts', 'reception', 'customers', 'appointments', 'labels', 'workshop', 'dispatch', 'board',
         'approvals', 'qc', 'parts', 'status', 'messages', 'settlement', 'aftercare', 'warranty']
AREAS += ['reports']   # reports and staff scorecards (issue 7)
AREAS += ['kpi']       # the KPI engine and the manager's dashboard (issue 7)
AREAS += ['catalogue']  # the labour catalogue: canned jobs and their usual parts
AREAS += ['inspection']  # the vehicle health check and the diagnosis report (issue 16)
AREAS += ['queues']     # each role's work queue on its home page, with counts on the navigation (issue 15)
AREAS += ['recalls']    # recalls and service campaigns, claimed-part checks (issue 16)
AREAS += ['insurance']  # accident and insurance repairs: claims, damage assessment, the insurer's share (issue 16)


def area_module(area, name):
    try:
        return importlib.import_module('app.%s.%s' % (area, name))
    except ModuleNotFoundError as exc:
        if exc.name == 'app.%s.%s' % (area, name):
            return None
        raise


def blueprints():
    return [area_module(a, 'views').bp for a in AREAS if area_module(a, 'views')]


def models():
    """Every model class, core first, in dependency order."""
    found = []
    for mod in ['app.core.models'] + ['app.%s.models' % a for a in AREAS]:
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, pw.Model) and value.__module__ == mod
                    and value not in found and not value.__dict__.get('ABSTRACT')):   # a base for others
                found.append(value)
    return pw.sort_models(found)


def demo_loaders():
    return [m.load for m in (area_module(a, 'demo') for a in AREAS) if m is not None]


def file_sections(kind, record, **context):
    """What the areas show on a customer's (`kind` 'customer') or a vehicle's ('vehicle') file: [(template, dict)],
    ordered by each section's position.

    The customer file sits below the areas that know about the customer (orders, the three-guarantee tracker,
    calls and complaints), so each of those offers its own pieces from `app/<area>/files.py`
    (`customer_sections(customer, **context)`, `vehicle_sections(vehicle, **context)` returning
    [(position, template, dict)]) instead of the file importing them.
    """
    found = []
    for area in AREAS:
        offer = getattr(area_module(area, 'files'), kind + '_sections', None)
        if offer is not None:
            found.extend(offer(record, **context) or [])
    return [(template, values) for _position, template, values in sorted(found, key=lambda s: s[0])]


def _hooks(name):
    return [hook for hook in (getattr(area_module(a, 'hooks'), name, None) for a in AREAS) if hook is not None]


def bill_plans(order):
    """How the areas above the settlement split an unsettled order's bill (app.settlement.totals.live_items calls
    it): each area's `app/<area>/hooks.py` may offer `bill_plan(order)` returning None, or an object with
    `default_payer` (the payer of the order's jobs unless one is chosen) and `items(items)` (more unsaved
    SettlementLine rows moving money between payers)."""
    return [plan for plan in (hook(order) for hook in _hooks('bill_plan')) if plan is not None]


def order_declined(order, by):
    """The customer declined the repair (app.reception.declined.decline_repair calls it inside its transaction):
    each area's `hooks.py` may offer `order_declined(order, by)`; the settlement bills the diagnosis fee."""
    for hook in _hooks('order_declined'):
        hook(order, by)


def work_holds(order):
    """Why work on an order may not start yet (app.workshop.rules.clock_on asks): each area's `hooks.py` may offer
    `work_hold(order)` returning a message or None."""
    return [said for said in (hook(order) for hook in _hooks('work_hold')) if said]


def tiles_for(user):
    """The home page's tiles for a user: each area's views module lists its own (endpoint, label, description)."""
    from app.core.access import may_use
    return [tile for area in AREAS
            for tile in getattr(area_module(area, 'views'), 'TILES', ())
            if may_use(tile[0], user)]
