"""The login throttle per user name *and* address (app/accounts/models.py LoginFailure): its two questions,
"how many failures for this name from this address lately" and "how many from this address in the window", each
read one index instead of scanning every row of a name or an address.

Generated with playhouse.migrations.template(diff_models(db, models)) against a database migrated to 0014, then
frozen. Nothing else in the accounts' security work changes the schema: the absolute session lifetime is read
from user_session.created_at and .remember, which 0014 already has.
"""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index('login_failure', ('address', 'at')))
    migrator.migrate(migrator.add_index('login_failure', ('username', 'address', 'at')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('login_failure', 'login_failure_username_address_at'))
    migrator.migrate(migrator.drop_index('login_failure', 'login_failure_address_at'))
