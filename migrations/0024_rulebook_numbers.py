"""The rulebook numbers read right (issue 16): a complaint's severity and, for a major problem, when it must be
handled (003: first response within 24 h, major problems handled within 48 h); the customer file's address and
wishes (001); a repair the customer declined, with its diagnosis fee (002).

Generated with playhouse.migrations.template(diff_models(db, models)) against a database migrated to 0020, then
frozen.
"""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('customer', 'address', CharField(max_length=200, default='')))
    migrator.migrate(migrator.add_column('customer', 'wishes', TextField(default='')))
    migrator.migrate(migrator.add_column('repair_order', 'declined_at', DateTimeField(null=True)))
    migrator.migrate(migrator.add_column('repair_order', 'diagnosis_fee',
                                         DecimalField(max_digits=10, decimal_places=2, null=True)))
    migrator.migrate(migrator.add_column('complaint', 'severity', CharField(max_length=8, default='normal')))
    migrator.migrate(migrator.add_column('complaint', 'handled_due_at', DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('complaint', 'handled_due_at'))
    migrator.migrate(migrator.drop_column('complaint', 'severity'))
    migrator.migrate(migrator.drop_column('repair_order', 'diagnosis_fee'))
    migrator.migrate(migrator.drop_column('repair_order', 'declined_at'))
    migrator.migrate(migrator.drop_column('customer', 'wishes'))
    migrator.migrate(migrator.drop_column('customer', 'address'))
