"""The shop's list of vehicle makes and models (品牌 / 车型): what a vehicle's make and model are.

A make typed on a vehicle form ("丰田", "丰田 Toyota", "TOYOTA", "一汽丰田") is matched to one entry of the list by its
name or aliases, so the same car brand is one make in every count; a make the list does not know yet is added to it
(the manager tidies the list: renames, aliases, merges). The vehicle keeps the entry and the entry's name as its
text, so pages that print `vehicle.make` and reports that group by the entry agree.
"""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from app.core import audit
from app.core.db import transaction
from app.core.errors import Refused
from app.customers.models import Vehicle, VehicleMake, VehicleModel

# The makes most cars in a Chinese workshop carry, with their common models: (name, aliases, [(model, aliases)]).
COMMON = [
    ('丰田', 'Toyota, 一汽丰田, 广汽丰田', [('凯美瑞', 'Camry'), ('卡罗拉', 'Corolla'), ('雷凌', 'Levin'),
                                     ('汉兰达', 'Highlander'), ('RAV4荣放', 'RAV4, RAV4 荣放'), ('亚洲龙', 'Avalon'),
                                     ('bZ4X', '')]),
    ('本田', 'Honda, 广汽本田, 东风本田', [('雅阁', 'Accord'), ('思域', 'Civic'), ('CR-V', ''), ('飞度', 'Fit')]),
    ('大众', 'Volkswagen, VW, 一汽-大众, 上汽大众', [('朗逸', 'Lavida'), ('速腾', 'Sagitar'), ('帕萨特', 'Passat'),
                                           ('迈腾', 'Magotan')]),
    ('日产', 'Nissan, 东风日产', [('轩逸', 'Sylphy'), ('天籁', 'Teana'), ('奇骏', 'X-Trail')]),
    ('别克', 'Buick, 上汽通用别克', [('英朗', 'Excelle GT'), ('君威', 'Regal'), ('昂科威', 'Envision')]),
    ('宝马', 'BMW, 华晨宝马', [('3系', '3 Series'), ('5系', '5 Series'), ('X3', '')]),
    ('奔驰', 'Mercedes-Benz, Benz, 梅赛德斯-奔驰, 北京奔驰', [('C级', 'C-Class'), ('E级', 'E-Class'), ('GLC', '')]),
    ('奥迪', 'Audi, 一汽-奥迪', [('A4L', ''), ('A6L', ''), ('Q5L', '')]),
    ('比亚迪', 'BYD', [('汉', 'Han, Han EV, 汉 EV'), ('秦', 'Qin'), ('宋', 'Song'), ('元', 'Yuan')]),
    ('吉利', 'Geely, 吉利汽车', [('帝豪', 'Emgrand'), ('星越', 'Xingyue'), ('博越', 'Boyue')]),
]

_SEPARATORS = re.compile(r'[\s\-_·./]+')


class MakeRefused(Refused):
    """A change to the list that cannot be made; the message says why."""


def key(text):
    """What two spellings of one name share: width-folded, case-folded, without spaces or dashes."""
    return _SEPARATORS.sub('', unicodedata.normalize('NFKC', text or '').casefold())


def alias_list(text):
    return [a.strip() for a in re.split(r'[,，、;；]', text or '') if a.strip()]


def _keys(entry, tokens=False):
    names = [entry.name] + alias_list(entry.aliases)
    found = {key(n) for n in names}
    if tokens:   # a make's words each name it ("丰田 Toyota"); a model's do not ("3 Series" vs "5 Series")
        found |= {key(t) for n in names for t in n.split()}
    return found - {''}


def _match(entries, typed, tokens=False):
    """The entry the typed text names: its whole text first, else one of its words ("丰田 Toyota" → 丰田)."""
    whole = key(typed)
    if not whole:
        return None
    for entry in entries:
        if whole in _keys(entry, tokens):
            return entry
    words = {key(w) for w in typed.split()} - {''}
    for entry in entries:
        if words & _keys(entry, tokens):
            return entry
    return None


def makes(shop):
    """The shop's makes, by name."""
    return VehicleMake.for_shop(shop).order_by(VehicleMake.name)


def models(shop):
    """The shop's models with their make, by make and name."""
    return (VehicleModel.select(VehicleModel, VehicleMake).join(VehicleMake)
            .where(VehicleModel.shop == shop).order_by(VehicleMake.name, VehicleModel.name))


def find_make(shop, typed):
    return _match(list(makes(shop)), typed, tokens=True)


def find_model(make, typed):
    return _match(list(VehicleModel.select().where(VehicleModel.make == make).order_by(VehicleModel.name)), typed)


def _add_make(shop, by, name, aliases=''):
    make = VehicleMake.create(shop=shop, name=name[:40], aliases=aliases)
    audit.record('vehicle_make.added', 'vehicle_make', make.id, shop=shop, actor=by,
                 after={'name': make.name, 'aliases': make.aliases})
    return make


def _add_model(make, by, name, aliases=''):
    model = VehicleModel.create(shop=make.shop_id, make=make, name=name[:60], aliases=aliases)
    audit.record('vehicle_model.added', 'vehicle_model', model.id, shop=make.shop_id, actor=by,
                 after={'make': make.name, 'name': model.name, 'aliases': model.aliases})
    return model


def entries_for(shop, by, make_typed, model_typed):
    """The list's make and model for what was typed, added to the list when it has none (inside the caller's
    transaction): the one rule that turns typed text into a list entry."""
    make = find_make(shop, make_typed) or _add_make(shop, by, make_typed.strip())
    model = find_model(make, model_typed) or _add_model(make, by, model_typed.strip())
    return make, model


# --- the manager's list ------------------------------------------------------------------------------------------

def _unique_name(shop, name, exclude=None):
    name = (name or '').strip()
    if not name:
        raise MakeRefused(_l('Enter the name.'), 'name')
    same = [m for m in makes(shop) if m.id != getattr(exclude, 'id', None) and key(m.name) == key(name)]
    if same:
        raise MakeRefused(_l('%(name)s is already on the list.', name=same[0].name), 'name')
    return name


def add_make(shop, by, name, aliases=''):
    """Put a make on the shop's list."""
    with transaction():
        return _add_make(shop, by, _unique_name(shop, name), ', '.join(alias_list(aliases)))


def change_make(make, by, name, aliases=''):
    """Rename a make or change its aliases; its vehicles show the new name."""
    with transaction():
        name = _unique_name(make.shop_id, name, exclude=make)
        before = {'name': make.name, 'aliases': make.aliases}
        make.name, make.aliases = name, ', '.join(alias_list(aliases))
        make.save()
        Vehicle.update(make=make.name).where(Vehicle.make_entry == make).execute()
        old, new = audit.diff(before, {'name': make.name, 'aliases': make.aliases})
        if new:
            audit.record('vehicle_make.changed', 'vehicle_make', make.id, shop=make.shop_id, actor=by,
                         before=old, after=new)
    return make


def add_model(make, by, name, aliases=''):
    """Put a model of a make on the list."""
    name = (name or '').strip()
    if not name:
        raise MakeRefused(_l('Enter the name.'), 'model_name')
    with transaction():
        if find_model(make, name) is not None:
            raise MakeRefused(_l('%(name)s is already on the list.', name=name), 'model_name')
        return _add_model(make, by, name, ', '.join(alias_list(aliases)))


def merge_make(make, into, by):
    """One make typed two ways: its vehicles and models move to `into`, its name becomes an alias of `into`."""
    if make.id == into.id or make.shop_id != into.shop_id:
        raise MakeRefused(_l('Choose another make of the list.'), 'into')
    with transaction():
        moved = Vehicle.update(make_entry=into, make=into.name).where(Vehicle.make_entry == make).execute()
        for model in list(make.models):
            twin = find_model(into, model.name)
            if twin is None:
                VehicleModel.update(make=into).where(VehicleModel.id == model.id).execute()
            else:
                Vehicle.update(model_entry=twin, model=twin.name).where(Vehicle.model_entry == model).execute()
                model.delete_instance()
        into.aliases = ', '.join(dict.fromkeys(alias_list(into.aliases) + [make.name] + alias_list(make.aliases)))
        into.save()
        audit.record('vehicle_make.merged', 'vehicle_make', into.id, shop=into.shop_id, actor=by,
                     before={'name': make.name}, after={'into': into.name, 'vehicles': moved})
        make.delete_instance()
    return into


def counts(shop):
    """Vehicles on file per make entry id."""
    return dict(Vehicle.select(Vehicle.make_entry, fn.COUNT(Vehicle.id)).where(Vehicle.shop == shop)
                .group_by(Vehicle.make_entry).tuples())


# --- what reports group by ---------------------------------------------------------------------------------------

def make_and_model(query):
    """`query` (over Vehicle) joined to the list, and the make and model columns a report groups by: the list's
    entry, or the typed text for a vehicle put on file before it had one."""
    query = (query.join_from(Vehicle, VehicleMake, JOIN.LEFT_OUTER, on=(Vehicle.make_entry == VehicleMake.id))
             .join_from(Vehicle, VehicleModel, JOIN.LEFT_OUTER, on=(Vehicle.model_entry == VehicleModel.id)))
    return query, fn.COALESCE(VehicleMake.name, Vehicle.make), fn.COALESCE(VehicleModel.name, Vehicle.model)


# --- the common list and the demo ----------------------------------------------------------------------------------

def add_common(shop, by=None):
    """The common makes and models on a shop's list (those it has not yet)."""
    with transaction():
        for name, aliases, its_models in COMMON:
            make = find_make(shop, name) or VehicleMake.create(shop=shop, name=name, aliases=aliases)
            for model_name, model_aliases in its_models:
                if find_model(make, model_name) is None:
                    VehicleModel.create(shop=shop, make=make, name=model_name, aliases=model_aliases)


def map_vehicles(shop, by=None):
    """Every vehicle of the shop without a list entry gets one, its text the entry's name."""
    with transaction():
        for car in list(Vehicle.for_shop(shop).where(Vehicle.make_entry.is_null() | Vehicle.model_entry.is_null())):
            make, model = entries_for(shop, by, car.make, car.model)
            Vehicle.update(make_entry=make, model_entry=model, make=make.name,
                           model=model.name).where(Vehicle.id == car.id).execute()
