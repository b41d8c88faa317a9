"""The board defines no table of its own; it declares the index its version check needs.

The board's poll asks "what is the newest audit event of this shop?" every few seconds from every
screen: max(event.id) where shop_id = ?. PostgreSQL answers that from an index on (shop_id, id) by
reading one entry; with only the foreign-key index on shop_id it walks the primary key backwards
past other shops' events. Migration 0005_dispatch creates the index; declaring it here keeps the
models and the migrated schema equal (tests/core/test_migrations.py). It belongs in
Event.Meta.indexes in app/core/models.py and should move there when the core is next changed.
"""
from app.core.models import Event

if not any(getattr(i, '_name', None) == 'event_shop_id_id' for i in Event._meta.indexes):
    Event.add_index(Event.index(Event.shop, Event.id, name='event_shop_id_id'))
