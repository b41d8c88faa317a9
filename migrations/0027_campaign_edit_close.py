"""A recall or service campaign can be edited (a version, so a stale form is refused) and closed or reopened
(closed_at, closed_by, close_reason, close_note): app/recalls/changes.py.

Written from playhouse.migrations.template(diff_models(db, models)) against a database migrated to 0026, then frozen.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    migrator.migrate(migrator.add_column('campaign', 'version', IntegerField(default=1)))
    migrator.migrate(migrator.add_column('campaign', 'closed_at', DateTimeField(null=True)))
    migrator.migrate(migrator.add_column('campaign', 'closed_by_id', ForeignKeyField(User, field=User.id, null=True,
                                                                                     on_delete='SET NULL')))
    migrator.migrate(migrator.add_column('campaign', 'close_reason', CharField(max_length=12, default='')))
    migrator.migrate(migrator.add_column('campaign', 'close_note', TextField(default='')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('campaign', 'close_note'))
    migrator.migrate(migrator.drop_column('campaign', 'close_reason'))
    migrator.migrate(migrator.drop_column('campaign', 'closed_by_id'))
    migrator.migrate(migrator.drop_column('campaign', 'closed_at'))
    migrator.migrate(migrator.drop_column('campaign', 'version'))
