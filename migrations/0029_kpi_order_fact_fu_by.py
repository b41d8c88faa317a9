"""The first day a year view counts live (app.kpi.rollup: the delivered orders whose follow-up call is not yet due)
read from an index of the few orders still due instead of every delivered order: kpi_order_fact (shop_id, fu_by).
Hand-written, like 0028's."""


def up(migrator, db):
    migrator.migrate(migrator.add_index('kpi_order_fact', ('shop_id', 'fu_by'), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('kpi_order_fact', 'kpi_order_fact_shop_id_fu_by'))
