"""The KPI dashboard's daily roll-up (app/kpi/rollup.py): per shop, fact source and local day, the sums a year view
adds up instead of reading every order.

Generated from the models with playhouse.migrations.template(diff_models(db, all_models())) against a database
migrated to 0020, then frozen. The table starts empty: the first long period viewed (or `flask kpi rebuild`) fills it.
"""
from peewee import *


def up(migrator, db):
    class KpiDay(Model):
        shop_id = IntegerField()
        source = CharField(max_length=20)
        day = DateField()
        made_for = CharField(max_length=64)
        sums = TextField(default='{}')
        class Meta:
            database = db
            table_name = 'kpi_day'
            indexes = ((('shop_id', 'source', 'day'), True),)
    db.create_tables([KpiDay])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('kpi_day'))
