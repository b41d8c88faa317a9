"""Per-device sign-in sessions (app/accounts/models.py UserSession): each phone, wall board or tablet has its
own row, so signing out on one device leaves the others signed in.

Generated from the models with playhouse.migrations.template(diff_models(db, [UserSession])) against a database
migrated to 0013, then frozen. Cookies from before this migration carry no device key, so every user's session
token is renewed: everyone signs in once more, and from then on each device has a session of its own.
"""
import secrets

from peewee import *


def up(migrator, db):
    class User(Model):
        session_token = CharField(max_length=64)
        class Meta:
            database = db
            table_name = 'user'

    class UserSession(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        key_hash = CharField(unique=True, max_length=64)
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        user_agent = CharField(max_length=200, default='')
        ip = CharField(max_length=64, default='')
        remember = BooleanField(default=False)
        ended_at = DateTimeField(null=True)
        end_reason = CharField(max_length=20, default='')
        class Meta:
            database = db
            table_name = 'user_session'
            indexes = ((('user', 'ended_at'), False),)
    db.create_tables([UserSession])

    for user_id in [u.id for u in User.select(User.id)]:
        User.update(session_token=secrets.token_hex(16)).where(User.id == user_id).execute()
