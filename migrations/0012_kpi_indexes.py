"""Indexes the KPI dashboard reads by (app/kpi/models.py declares them on the models).

- repair_order (shop_id, delivered_at): orders are counted by the local day they were delivered;
- time_entry (shop_id, started_at): hours clocked and days present in a period;
- order_line (added_work_id): "added work decided before it was done" finds the job line an approved
  added work became, for every added work of the period (without it, a scan of all job lines each);
- parts_request (shop_id, requested_at): the fill rate counts the requests of a period.
"""

INDEXES = [
    ('repair_order', ('shop_id', 'delivered_at')),
    ('time_entry', ('shop_id', 'started_at')),
    ('order_line', ('added_work_id',)),
    ('parts_request', ('shop_id', 'requested_at')),
]


def up(migrator, db):
    migrator.migrate(*[migrator.add_index(table, columns, False) for table, columns in INDEXES])


def down(migrator, db):
    migrator.migrate(*[migrator.drop_index(table, '%s_%s' % (table, '_'.join(columns)))
                       for table, columns in INDEXES])
