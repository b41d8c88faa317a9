"""Customer files (客户档案): the search box, customers, their vehicles and a vehicle's history."""
from functools import partial

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.core.access import ADVISOR, CUSTOMER_SERVICE, FOREMAN, MANAGER, WARRANTY, allow
from app.core.timeutil import shop_today
from app.core.validators import format_phone, normalize_plate, plate_problem
from app.core.web import act, record_action, render
from app.customers import rules
from app.customers import makes as make_list
from app.customers.forms import CustomerForm, MakeForm, MergeForm, ModelForm, VehicleForm
from app.customers.search import find_customers, phone_prefixes, search
from app.customers.models import Customer, Vehicle, VehicleMake
from app.registry import file_sections

bp = Blueprint('customers', __name__)

# Staff who deal with customers read the files; advisors and the manager open and change them.
READERS = (ADVISOR, MANAGER, CUSTOMER_SERVICE, WARRANTY, FOREMAN)
WRITERS = (ADVISOR, MANAGER)

TILES = [
    ('customers.index', _l('Customers and vehicles'), _l('Find a customer by plate, phone, VIN or name')),
    ('customers.makes', _l('Makes and models'), _l('The list of vehicle makes and models the vehicle form offers')),
]

RESULTS = 20


@bp.app_template_filter('phone')
def _phone(value):
    """A stored E.164 number as people read it (138 1234 5678)."""
    return format_phone(value)


def _next():
    """Where to go once the file is complete (e.g. back to a check-in): same-site paths only."""
    target = request.args.get('next', '')
    parts = urlsplit(target)
    if not target.startswith('/') or target.startswith('//') or parts.scheme or parts.netloc:
        return None
    return target


def with_vehicle(target, vehicle_id):
    """`target` with vehicle=<id> in its query: how the page that sent us learns which vehicle was chosen."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != 'vehicle'] + [('vehicle', str(vehicle_id))]
    return urlunsplit(parts._replace(query=urlencode(query)))


@bp.route('/customers')
@allow(*READERS)
def index():
    """One search box: plate (with or without province), phone, VIN or its last 6, or name."""
    q = request.args.get('q', '').strip()
    found = search(current_shop(), q, limit=RESULTS + 1) if q else []
    return render('customers/index.html', 'customers/_results.html', q=q, matches=found[:RESULTS],
                  more=len(found) > RESULTS, new_hint=_new_customer_hint(q))


def _new_customer_hint(q):
    """What a "new customer" link can carry over from the search box: a phone or a name."""
    if not q:
        return {}
    if phone_prefixes(q):
        return {'phone': q}
    if plate_problem(normalize_plate(q)) is None:
        return {}
    return {'name': q}


# --- customers --------------------------------------------------------------------------

@bp.route('/customers/new', methods=['GET', 'POST'])
@allow(*WRITERS)
def customer_new():
    """Open a customer file (the seeds allow two days; we do it at once)."""
    form = CustomerForm()
    if request.method == 'GET':
        form.phone.data = request.args.get('phone', '')[:30]
        form.name.data = request.args.get('name', '')[:100]
    page = lambda status=200, **_given: _page('customers/customer_form.html', status,  # noqa: E731
                                                form=form, customer=None, next=_next())
    if request.method == 'GET':
        return page()
    made = []
    return act(page, lambda: made.append(rules.create_customer(current_shop(), current_user, **form.rule_fields())),
               form=form, done=lambda: _('Customer file opened for %(name)s. Add their vehicle next.', name=made[0].name),
               back=lambda: url_for('customers.vehicle_new', customer_id=made[0].id, next=_next()))


@bp.route('/customers/<int:customer_id>')
@allow(*READERS)
def customer(customer_id):
    """A customer's file: details, vehicles, vehicles they once had, past repair orders."""
    person = Customer.get_for_shop_or_404(current_shop(), customer_id)
    vehicles = list(Vehicle.select().where(Vehicle.owner == person).order_by(Vehicle.plate))
    return render('customers/customer.html', None, customer=person, vehicles=vehicles,
                  former=list(rules.former_vehicles(person)), sections=file_sections('customer', person))


@bp.route('/customers/<int:customer_id>/edit', methods=['GET', 'POST'])
@allow(*WRITERS)
def customer_edit(customer_id):
    """Change a customer's details."""
    person = Customer.get_for_shop_or_404(current_shop(), customer_id)
    form = CustomerForm(obj=person)
    if request.method == 'GET':
        # Shown as people read them; the form stores them back as E.164.
        form.phone.data, form.phone2.data = format_phone(person.phone), format_phone(person.phone2)
    page = lambda status=200, **_given: _page('customers/customer_form.html', status,  # noqa: E731
                                                form=form, customer=person)
    if request.method == 'GET':
        return page()
    return act(page, lambda: rules.update_customer(person, current_user, **form.rule_fields()), done=_('Saved.'),
               back=url_for('customers.customer', customer_id=person.id), form=form)


# --- vehicles ---------------------------------------------------------------------------

def _page(template, status=200, **context):
    resp = render(template, None, **context)
    resp.status_code = status
    return resp


def _vehicle_form_page(form, owner, car=None, status=200, refused=None, **_given):
    """The vehicle form; a VIN or plate already on file (said on its field) offers that vehicle instead."""
    duplicate = refused if isinstance(refused, rules.DuplicateVehicle) else None
    back = _next()
    use_url = with_vehicle(back, duplicate.vehicle.id) if (duplicate and back) else None
    return _page('customers/vehicle_form.html', status, form=form, owner=owner, car=car, duplicate=duplicate,
                 next=back, use_url=use_url)


@bp.route('/customers/<int:customer_id>/vehicles/new', methods=['GET', 'POST'])
@allow(*WRITERS)
def vehicle_new(customer_id):
    """Put a customer's vehicle on file; a VIN or plate already on file offers that vehicle instead."""
    owner = Customer.get_for_shop_or_404(current_shop(), customer_id)
    form = VehicleForm()
    page = partial(_vehicle_form_page, form, owner)
    if request.method == 'GET':
        return page()
    made, back = [], _next()
    return act(lambda status, refused=None, **given: page(status=status, refused=refused, **given),
               lambda: made.append(rules.create_vehicle(current_shop(), current_user, owner, **form.rule_fields())),
               form=form, form_as='_typed', done=lambda: _('%(plate)s is on file.', plate=made[0].plate),
               back=lambda: with_vehicle(back, made[0].id) if back else url_for('customers.vehicle',
                                                                                vehicle_id=made[0].id))


@bp.route('/vehicles/<int:vehicle_id>')
@allow(*READERS)
def vehicle(vehicle_id):
    """A vehicle's file: owner and past owners, odometer history, every repair order,
    declined recommendations and the next maintenance due."""
    car = Vehicle.get_for_shop_or_404(current_shop(), vehicle_id)
    return render('customers/vehicle.html', None, car=car, owner=Customer.get_by_id(car.owner_id),
                  owners=list(rules.ownership_history(car)), readings=list(rules.mileage_history(car).limit(50)),
                  sections=file_sections('vehicle', car, today=shop_today(current_shop())))


@bp.route('/vehicles/<int:vehicle_id>/edit', methods=['GET', 'POST'])
@allow(*WRITERS)
def vehicle_edit(vehicle_id):
    """Correct a vehicle's details or enter a new odometer reading."""
    car = Vehicle.get_for_shop_or_404(current_shop(), vehicle_id)
    owner = Customer.get_by_id(car.owner_id)
    form = VehicleForm(obj=car)
    if request.method == 'GET':
        return _vehicle_form_page(form, owner, car)
    return act(lambda status, refused=None, **given: _vehicle_form_page(form, owner, car, status=status,
                                                                      refused=refused, **given),
               lambda: rules.update_vehicle(car, current_user, **form.rule_fields()), done=_('Saved.'),
               back=url_for('customers.vehicle', vehicle_id=car.id), form=form, form_as='_typed')


@bp.route('/vehicles/<int:vehicle_id>/owner', methods=['GET', 'POST'])
@allow(*WRITERS)
def vehicle_owner(vehicle_id):
    """The vehicle changes hands: pick the new owner among the shop's customers."""
    shop = current_shop()
    car = Vehicle.get_for_shop_or_404(shop, vehicle_id)
    owner = Customer.get_by_id(car.owner_id)
    error = None
    if request.method == 'POST':
        chosen = Customer.get_for_shop_or_404(shop, request.form.get('customer_id', type=int) or 0)
        try:
            rules.change_owner(car, chosen, current_user)
        except rules.InvalidFile as exc:
            error = str(exc.message)
        else:
            flash(_('%(plate)s now belongs to %(name)s; its history stays with the vehicle.',
                    plate=car.plate, name=chosen.name), 'ok')
            back = _next()
            return redirect(with_vehicle(back, car.id) if back else url_for('customers.vehicle', vehicle_id=car.id))
    q = request.args.get('q', '').strip()
    candidates = [c for c in find_customers(shop, q) if c.id != owner.id] if q else []
    preset = request.args.get('customer_id', type=int)
    if preset:
        picked = Customer.get_or_none((Customer.id == preset) & (Customer.shop == shop))
        if picked is not None and picked.id != owner.id:
            candidates = [picked] + [c for c in candidates if c.id != picked.id]
    resp = render('customers/vehicle_owner.html', 'customers/_owner_candidates.html', car=car, owner=owner,
                  q=q, candidates=candidates, error=error, next=_next())
    return resp, (400 if error else 200)



# --- the shop's list of makes and models -------------------------------------------------------------------------

def _makes_page(status=200, make_form=None, model_form=None, merge_form=None, make_id=None, error=None, **_given):
    """The list page; a form that was refused is drawn again under the make it is about, with what was typed."""
    shop = current_shop()
    counts = make_list.counts(shop)
    listed = sorted(make_list.makes(shop), key=lambda m: (-counts.get(m.id, 0), m.name))   # the shop's usual first
    resp = render('customers/makes.html', None, makes=listed, models=list(make_list.models(shop)), counts=counts,
                  open_id=make_id, error=error,
                  add_form=make_form if (make_form and make_id is None) else MakeForm(formdata=None),
                  make_form=make_form or MakeForm(formdata=None), model_form=model_form or ModelForm(formdata=None),
                  merge_form=merge_form or MergeForm(formdata=None))
    resp.status_code = status
    return resp


@bp.route('/vehicle-makes')
@allow(MANAGER)
def makes():
    """The makes and models the shop keeps: the vehicle form offers them, reports count by them."""
    return _makes_page()


@bp.route('/vehicle-makes', methods=['POST'])
@allow(MANAGER)
def make_add():
    """Put a make on the list."""
    form = MakeForm()
    return act(partial(_makes_page, make_form=form),
               lambda: make_list.add_make(current_shop(), current_user, form.name.data, form.aliases.data),
               form=form, form_as='make_form', done=_('Saved.'), back=url_for('customers.makes'))


def _make(make_id):
    return VehicleMake.get_for_shop_or_404(current_shop(), make_id)


def _make_page(make, status=200, **given):
    return _makes_page(status, make_id=make.id, **given)


# An action on one make of the list: the list again, with the make open where a form was refused.
_make_action = partial(record_action, _make, _make_page, 'customers.makes', back=lambda _m: url_for('customers.makes'))


@bp.route('/vehicle-makes/<int:make_id>', methods=['POST'])
@allow(MANAGER)
@_make_action(form=MakeForm, form_as='make_form')
def make_change(make, form):
    """Rename a make or change its other spellings."""
    make_list.change_make(make, current_user, form.name.data, form.aliases.data)
    return _('Saved.')


@bp.route('/vehicle-makes/<int:make_id>/models', methods=['POST'])
@allow(MANAGER)
@_make_action(form=ModelForm, form_as='model_form')
def model_add(make, form):
    """Put a model of a make on the list."""
    make_list.add_model(make, current_user, form.model_name.data, form.model_aliases.data)
    return _('Saved.')


@bp.route('/vehicle-makes/<int:make_id>/merge', methods=['POST'])
@allow(MANAGER)
@_make_action(form=MergeForm, form_as='merge_form')
def make_merge(make, form):
    """One make typed two ways: its vehicles and models move to the other make."""
    into = _make(form.into.data or 0) if request.form.get('into') else make
    make_list.merge_make(make, into, current_user)
    return _('Merged.')
