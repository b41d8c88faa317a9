"""What the customer agreed, the promise the KPIs keep and when the bill was settled (repair_order: the order's own
word that it is frozen), and the settlement's records of the customer's consent to a higher bill, the manager's
approval of an internal share and a balance written off.

Existing orders: settled_at from their settlement; the promise the KPIs keep is what they used before this migration
(the first promise a progress check moved, else the current one); what the customer agreed is unknown (left empty:
no consent is asked for).
"""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('repair_order', 'original_promised_at', DateTimeField(null=True)),
        migrator.add_column('repair_order', 'agreed_total', DecimalField(max_digits=12, decimal_places=2, null=True)),
        migrator.add_column('repair_order', 'settled_at', DateTimeField(null=True)),
        migrator.add_column('settlement', 'consent_total', DecimalField(max_digits=12, decimal_places=2, null=True)),
        migrator.add_column('settlement', 'consent_at', DateTimeField(null=True)),
        migrator.add_column('settlement', 'consent_by', IntegerField(null=True)),
        migrator.add_column('settlement', 'consent_channel', CharField(max_length=12, default='')),
        migrator.add_column('settlement', 'consent_with', CharField(max_length=100, default='')),
        migrator.add_column('settlement', 'internal_approved',
                            DecimalField(max_digits=12, decimal_places=2, null=True)),
        migrator.add_column('settlement', 'internal_approved_at', DateTimeField(null=True)),
        migrator.add_column('settlement', 'internal_approved_by', IntegerField(null=True)),
        migrator.add_column('settlement', 'written_off', DecimalField(max_digits=12, decimal_places=2, default=0)),
        migrator.add_column('settlement', 'written_off_at', DateTimeField(null=True)),
        migrator.add_column('settlement', 'written_off_by', IntegerField(null=True)),
        migrator.add_column('settlement', 'write_off_reason', CharField(max_length=200, default='')),
    )
    db.execute_sql(
        "UPDATE repair_order SET settled_at = (SELECT MIN(s.settled_at) FROM settlement s "
        "WHERE s.order_id = repair_order.id AND s.status <> 'draft')")
    db.execute_sql(
        'UPDATE repair_order SET original_promised_at = COALESCE('
        '(SELECT pc.old_promised_at FROM progress_check pc WHERE pc.order_id = repair_order.id '
        ' AND pc.old_promised_at IS NOT NULL ORDER BY pc.checked_at, pc.id LIMIT 1), promised_at)')
