"""The shop's list of vehicle makes and models (app/customers/makes.py): vehicle_make, vehicle_model, and each
vehicle's entries (vehicle.make_entry_id, vehicle.model_entry_id).

Generated from the models with playhouse.migrations.template(diff_models(db, models)) against a database migrated to
0016, then frozen. Existing shops get the common makes and models; every vehicle's typed make and model are mapped
to an entry ("丰田", "丰田 Toyota" and "TOYOTA" to one make 丰田) and take its name; a make or model the list does not
know becomes an entry as typed. The matching is a frozen copy of app.customers.makes at the time of writing.
"""
import re
import unicodedata
from datetime import datetime, timezone

from peewee import *

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


def _key(text):
    return _SEPARATORS.sub('', unicodedata.normalize('NFKC', text or '').casefold())


def _keys(name, aliases, tokens):
    names = [name] + [a.strip() for a in re.split(r'[,，、;；]', aliases or '') if a.strip()]
    found = {_key(n) for n in names}
    if tokens:
        found |= {_key(t) for n in names for t in n.split()}
    return found - {''}


def _match(entries, typed, tokens):
    """entries: [(id, name, aliases)] -> the (id, name) the typed text names, or None."""
    whole = _key(typed)
    if not whole:
        return None
    for entry_id, name, aliases in entries:
        if whole in _keys(name, aliases, tokens):
            return entry_id, name
    words = {_key(w) for w in typed.split()} - {''}
    for entry_id, name, aliases in entries:
        if words & _keys(name, aliases, tokens):
            return entry_id, name
    return None


def up(migrator, db):
    class Shop(Model):
        class Meta:
            database = db
            table_name = 'shop'

    class VehicleMake(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        name = CharField(max_length=40)
        aliases = CharField(max_length=200, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'vehicle_make'
            indexes = ((('shop', 'name'), True),)
    db.create_tables([VehicleMake])

    class VehicleModel(Model):
        shop = ForeignKeyField(Shop, on_delete='RESTRICT')
        make = ForeignKeyField(VehicleMake, on_delete='CASCADE')
        name = CharField(max_length=60)
        aliases = CharField(max_length=200, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'vehicle_model'
            indexes = ((('make', 'name'), True),)
    db.create_tables([VehicleModel])

    migrator.migrate(migrator.add_column('vehicle', 'make_entry_id', ForeignKeyField(VehicleMake, field=VehicleMake.id, null=True, on_delete='SET NULL')))
    migrator.migrate(migrator.add_column('vehicle', 'model_entry_id', ForeignKeyField(VehicleModel, field=VehicleModel.id, null=True, on_delete='SET NULL')))

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for (shop_id,) in db.execute_sql('SELECT id FROM shop ORDER BY id').fetchall():
        makes, models = [], {}
        for name, aliases, its_models in COMMON:
            make_id = VehicleMake.insert(shop=shop_id, name=name, aliases=aliases, created_at=now).execute()
            makes.append((make_id, name, aliases))
            models[make_id] = []
            for model_name, model_aliases in its_models:
                model_id = VehicleModel.insert(shop=shop_id, make=make_id, name=model_name, aliases=model_aliases,
                                               created_at=now).execute()
                models[make_id].append((model_id, model_name, model_aliases))
        cars = db.execute_sql('SELECT id, make, model FROM vehicle WHERE shop_id = %s ORDER BY id' % int(shop_id))
        for car_id, make_text, model_text in cars.fetchall():
            found = _match(makes, make_text, tokens=True)
            if found is None:
                typed = (make_text or '').strip()[:40] or '?'
                found = (VehicleMake.insert(shop=shop_id, name=typed, aliases='', created_at=now).execute(), typed)
                makes.append((found[0], found[1], ''))
                models[found[0]] = []
            make_id, make_name = found
            model = _match(models[make_id], model_text, tokens=False)
            if model is None:
                typed = (model_text or '').strip()[:60] or '?'
                model = (VehicleModel.insert(shop=shop_id, make=make_id, name=typed, aliases='',
                                             created_at=now).execute(), typed)
                models[make_id].append((model[0], model[1], ''))
            db.execute_sql('UPDATE vehicle SET make_entry_id = %s, model_entry_id = %s, make = %s, model = %s '
                           'WHERE id = %s' % ((db.param,) * 5), (make_id, model[0], make_name, model[1], car_id))
