"""The KPI area defines no table of its own; it declares the indexes its queries read by.

Migration 0012_kpi_indexes creates them; declaring them here keeps the models and the migrated
schema equal (tests/core/test_migrations.py), as app/board/models.py does for the board's index.
"""
from app.reception.models import OrderLine, RepairOrder
from app.workshop.models import PartsRequest, TimeEntry

INDEXES = [
    (RepairOrder, (RepairOrder.shop, RepairOrder.delivered_at), 'repair_order_shop_id_delivered_at'),
    (TimeEntry, (TimeEntry.shop, TimeEntry.started_at), 'time_entry_shop_id_started_at'),
    (OrderLine, (OrderLine.added_work_id,), 'order_line_added_work_id'),
    (PartsRequest, (PartsRequest.shop, PartsRequest.requested_at), 'parts_request_shop_id_requested_at'),
]

for model, fields, name in INDEXES:
    if not any(getattr(i, '_name', None) == name for i in model._meta.indexes):
        model.add_index(model.index(*fields, name=name))


# --- the KPI facts: what the per-order figures need, worked out once per order (app/kpi/facts.py) --------------
# Derived data, rebuilt from the records at any time (`flask kpi rebuild`); kept fresh incrementally from the
# audit trail before each computation. Plain integer ids (no foreign keys): a fact row never blocks a delete.

import peewee as pw  # noqa: E402

from app.core.db import BaseModel  # noqa: E402


class _Fact(BaseModel):
    """What every fact table has: the shop it belongs to, and a place among the derived tables."""
    ABSTRACT = True         # no table of its own (app.registry.models)
    shop_id = pw.IntegerField()

    class Meta:
        derived = True      # rebuilt from the records, not data (tests/core/test_access.py skips it)


class KpiOrderFact(_Fact):
    """One row per repair order: its times, its owners and what each compliance step compares."""
    order_id = pw.IntegerField(primary_key=True)
    number = pw.CharField(max_length=20, null=True)
    stage = pw.CharField(max_length=20)
    advisor_id = pw.IntegerField(null=True)
    accepted_by = pw.IntegerField(null=True)
    delivered_at = pw.DateTimeField(null=True)
    checked_in_at = pw.DateTimeField(null=True)
    promised_at = pw.DateTimeField(null=True)
    accepted_at = pw.DateTimeField(null=True)
    promise = pw.DateTimeField(null=True)                # the original promise (before a progress check moved it)
    valuables_reminded = pw.BooleanField(default=False)
    walked = pw.IntegerField(default=0)                  # walk-around checklist or a mark recorded
    signed_at = pw.DateTimeField(null=True)              # the customer's first signature of the order
    checked = pw.IntegerField(default=0)                 # any progress check
    in_window = pw.IntegerField(default=0)               # a progress check in [win_lo, win_hi] % of the duration
    win_lo = pw.IntegerField(default=0)                  # the window (percent) in_window was worked out for
    win_hi = pw.IntegerField(default=0)
    first_notice = pw.DateTimeField(null=True)
    maintenance = pw.IntegerField(default=0)
    ready_at = pw.DateTimeField(null=True)
    settled_at = pw.DateTimeField(null=True)
    fu_from = pw.DateField(null=True)
    fu_by = pw.DateField(null=True)
    first_call = pw.DateTimeField(null=True)
    accept_s = pw.BigIntegerField(null=True)             # check-in to foreman acceptance, seconds
    promise_s = pw.BigIntegerField(null=True)            # check-in to the original promise
    notice_margin_s = pw.BigIntegerField(null=True)      # first notice to the (latest) promise
    settle_s = pw.BigIntegerField(null=True)             # ready (or check-in) to settled
    first_call_e = pw.BigIntegerField(null=True)         # epoch seconds of the first call
    fu_from_e = pw.BigIntegerField(null=True)
    fu_by_e = pw.BigIntegerField(null=True)

    class Meta:
        # (shop_id, fu_by): the orders whose follow-up is not yet due (app.kpi.rollup's first live day), migration 0029
        indexes = ((('shop_id', 'delivered_at'), False), (('shop_id', 'fu_by'), False))


class KpiLineFact(_Fact):
    """One row per job line with a technician: its order's delivery, its sold and clocked hours, its QC."""
    line_id = pw.IntegerField(primary_key=True)
    order_id = pw.IntegerField(index=True)
    technician_id = pw.IntegerField()
    status = pw.CharField(max_length=20)
    stage = pw.CharField(max_length=20)
    delivered_at = pw.DateTimeField(null=True)
    labour_hours = pw.DecimalField(max_digits=8, decimal_places=2, default=0)
    qc_failures = pw.IntegerField(default=0)
    clocked_s = pw.BigIntegerField(default=0)

    class Meta:
        indexes = ((('shop_id', 'delivered_at'), False),)


class KpiClockFact(_Fact):
    """One row per time clock entry, with its length and start as whole seconds."""
    entry_id = pw.IntegerField(primary_key=True)
    order_id = pw.IntegerField(null=True, index=True)
    technician_id = pw.IntegerField()
    started_at = pw.DateTimeField()
    started_e = pw.BigIntegerField()
    clocked_s = pw.BigIntegerField(null=True)            # None while running

    class Meta:
        indexes = ((('shop_id', 'started_at'), False),)


class KpiSettlementFact(_Fact):
    """One row per settlement: its money, its sold hours and the hours clocked on its order."""
    settlement_id = pw.IntegerField(primary_key=True)
    order_id = pw.IntegerField(index=True)
    advisor_id = pw.IntegerField(null=True)
    status = pw.CharField(max_length=10)
    settled_at = pw.DateTimeField(null=True)
    labour = pw.DecimalField(max_digits=12, decimal_places=2, default=0)
    parts = pw.DecimalField(max_digits=12, decimal_places=2, default=0)
    discount = pw.DecimalField(max_digits=12, decimal_places=2, default=0)
    hours_sold = pw.DecimalField(max_digits=12, decimal_places=2, default=0)
    order_clocked_s = pw.BigIntegerField(default=0)

    class Meta:
        indexes = ((('shop_id', 'settled_at'), False),)


class KpiFactMark(BaseModel):
    """Per shop: how far the facts are up to date (the last event and the last row of each source table)."""
    shop_id = pw.IntegerField(primary_key=True)
    stamps = pw.TextField(default='{}')                  # JSON {table: max id} when last refreshed
    refreshed_at = pw.DateTimeField(null=True)

    class Meta:
        derived = True      # rebuilt from the records, not data (tests/core/test_access.py skips it)


class KpiDay(_Fact):
    """One shop's sums of one fact source over one local calendar day (app/kpi/rollup.py): a year of the dashboard
    reads 365 of these per source instead of every order. `made_for`: the settings and rules they were counted
    with (counted again when those differ); a day whose facts change is deleted by the facts' refresh."""
    source = pw.CharField(max_length=20)
    day = pw.DateField()
    made_for = pw.CharField(max_length=64)
    sums = pw.TextField(default='{}')                    # JSON {column: value}; Decimals as strings "D:…"

    class Meta:
        indexes = ((('shop_id', 'source', 'day'), True),)
