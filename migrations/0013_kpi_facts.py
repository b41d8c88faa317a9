"""The KPI facts (app/kpi/models.py, app/kpi/facts.py): per order, job line, clock and settlement what the
dashboard's figures need, worked out once, and per shop the marks of how far they are up to date.

Generated from the models with playhouse.migrations.template(diff_models(db, [KpiOrderFact, KpiLineFact,
KpiClockFact, KpiSettlementFact, KpiFactMark])) against a database migrated to 0012, then frozen. The tables
start empty: the first dashboard view (or `flask kpi rebuild`) fills them from the records.
"""
from peewee import *

def up(migrator, db):
    class KpiClockFact(Model):
        entry_id = IntegerField(primary_key=True)
        order_id = IntegerField(index=True, null=True)
        shop_id = IntegerField()
        technician_id = IntegerField()
        started_at = DateTimeField()
        started_e = BigIntegerField()
        clocked_s = BigIntegerField(null=True)
        class Meta:
            database = db
            table_name = 'kpi_clock_fact'
            indexes = ((('shop_id', 'started_at'), False),)
    db.create_tables([KpiClockFact])

    class KpiFactMark(Model):
        shop_id = IntegerField(primary_key=True)
        stamps = TextField(default='{}')
        refreshed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'kpi_fact_mark'
    db.create_tables([KpiFactMark])

    class KpiLineFact(Model):
        line_id = IntegerField(primary_key=True)
        order_id = IntegerField(index=True)
        shop_id = IntegerField()
        technician_id = IntegerField()
        status = CharField(max_length=20)
        stage = CharField(max_length=20)
        delivered_at = DateTimeField(null=True)
        labour_hours = DecimalField(max_digits=8, decimal_places=2, default=0)
        qc_failures = IntegerField(default=0)
        clocked_s = BigIntegerField(default=0)
        class Meta:
            database = db
            table_name = 'kpi_line_fact'
            indexes = ((('shop_id', 'delivered_at'), False),)
    db.create_tables([KpiLineFact])

    class KpiOrderFact(Model):
        order_id = IntegerField(primary_key=True)
        shop_id = IntegerField()
        number = CharField(null=True, max_length=20)
        stage = CharField(max_length=20)
        advisor_id = IntegerField(null=True)
        accepted_by = IntegerField(null=True)
        delivered_at = DateTimeField(null=True)
        checked_in_at = DateTimeField(null=True)
        promised_at = DateTimeField(null=True)
        accepted_at = DateTimeField(null=True)
        promise = DateTimeField(null=True)
        valuables_reminded = BooleanField(default=False)
        walked = IntegerField(default=0)
        signed_at = DateTimeField(null=True)
        checked = IntegerField(default=0)
        in_window = IntegerField(default=0)
        win_lo = IntegerField(default=0)
        win_hi = IntegerField(default=0)
        first_notice = DateTimeField(null=True)
        maintenance = IntegerField(default=0)
        ready_at = DateTimeField(null=True)
        settled_at = DateTimeField(null=True)
        fu_from = DateField(null=True)
        fu_by = DateField(null=True)
        first_call = DateTimeField(null=True)
        accept_s = BigIntegerField(null=True)
        promise_s = BigIntegerField(null=True)
        notice_margin_s = BigIntegerField(null=True)
        settle_s = BigIntegerField(null=True)
        first_call_e = BigIntegerField(null=True)
        fu_from_e = BigIntegerField(null=True)
        fu_by_e = BigIntegerField(null=True)
        class Meta:
            database = db
            table_name = 'kpi_order_fact'
            indexes = ((('shop_id', 'delivered_at'), False),)
    db.create_tables([KpiOrderFact])

    class KpiSettlementFact(Model):
        settlement_id = IntegerField(primary_key=True)
        order_id = IntegerField(index=True)
        shop_id = IntegerField()
        advisor_id = IntegerField(null=True)
        status = CharField(max_length=10)
        settled_at = DateTimeField(null=True)
        labour = DecimalField(max_digits=12, decimal_places=2, default=0)
        parts = DecimalField(max_digits=12, decimal_places=2, default=0)
        discount = DecimalField(max_digits=12, decimal_places=2, default=0)
        hours_sold = DecimalField(max_digits=12, decimal_places=2, default=0)
        order_clocked_s = BigIntegerField(default=0)
        class Meta:
            database = db
            table_name = 'kpi_settlement_fact'
            indexes = ((('shop_id', 'settled_at'), False),)
    db.create_tables([KpiSettlementFact])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('kpi_settlement_fact'))
    migrator.migrate(migrator.drop_table('kpi_order_fact'))
    migrator.migrate(migrator.drop_table('kpi_line_fact'))
    migrator.migrate(migrator.drop_table('kpi_fact_mark'))
    migrator.migrate(migrator.drop_table('kpi_clock_fact'))

