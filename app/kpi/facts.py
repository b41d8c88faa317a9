"""The KPI facts: per order, job line, clock and settlement, what the figures need, worked out once.

The dashboard's sources used to look up, for every delivered order of the period, its first signature,
its progress checks, its first pickup notice, its settlement, its follow-up call… (about ten correlated
lookups per order, and a clocked-hours sum per line and per settlement). The facts tables
(app/kpi/models.py) hold those answers, one row per record, so a figure is one GROUP BY over a narrow
table. They are derived data: `flask kpi rebuild` makes them again from the records at any time.

Kept fresh without touching the write paths: before each computation `refresh(shop_ids)` compares the
largest id of the audit trail and of every table the facts read with the marks stored per shop
(KpiFactMark); when one moved, the orders concerned are worked out again in set-based SQL (DELETE + INSERT
… SELECT, in batches of ids), in one transaction per shop:
- orders with an audit event since the mark: every write path that changes an order, a line, a clock, a
  signature, a progress check, a notice sent, a settlement or a follow-up call records an event on the
  order's timeline (record_type 'repair_order'; follow-up calls without an order are 'followup_task');
- orders with a new row since the mark in any table the facts read (rows written without an event: the
  demo, imports, tests' factories).
Not followed: a canned job's category changed afterwards (it decides which orders are maintenance
orders) — run `flask kpi rebuild` after such a change; and, on PostgreSQL, a row written without an event
by a transaction that commits after a view already saw a larger id of the same table (ids are handed out
before commit) — every write path of the app records its event, so this concerns imports only. What depends on settings (the progress-check
window) is stored with the settings it was worked out for and counted afresh when they differ.
"""
import json

import peewee as pw
from flask import has_request_context, request
from peewee import fn

from app.aftercare.models import CallRecord, FollowUpTask
from app.core import deadlines
from app.core.db import is_sqlite, transaction, utcnow
from app.core.models import Event, Shop, Signature
from app.core.periods import epoch, seconds_between
from app.kpi import rollup
from app.kpi.models import KpiClockFact, KpiFactMark, KpiLineFact, KpiOrderFact, KpiSettlementFact
from app.kpi.sql import clocked_seconds, labour_hours_sold
from app.kpi.steps import durations, order_fact_select
from app.messages.models import Message
from app.reception.models import OrderLine, RepairOrder, WalkaroundMark
from app.settlement.models import Settlement, SettlementLine
from app.workshop.models import ProgressCheck, TimeEntry

FACTS = (KpiOrderFact, KpiLineFact, KpiClockFact, KpiSettlementFact)
BATCH = 500                 # ids per DELETE / INSERT … SELECT
FULL_ABOVE = 5000           # more changed orders than this: the shop's facts are made again in one go


def _tables():
    """(stamp name, model, its order column) of every table the facts read, the audit trail first."""
    return [('event', Event, None), ('repair_order', RepairOrder, RepairOrder.id),
            ('order_line', OrderLine, OrderLine.order), ('time_entry', TimeEntry, TimeEntry.order),
            ('settlement', Settlement, Settlement.order), ('settlement_line', SettlementLine, None),
            ('message', Message, Message.order), ('call_record', CallRecord, CallRecord.order),
            ('follow_up_task', FollowUpTask, FollowUpTask.order), ('progress_check', ProgressCheck, ProgressCheck.order),
            ('signature', Signature, Signature.order), ('walkaround_mark', WalkaroundMark, WalkaroundMark.order)]


def current_stamps():
    """{table: largest id} for every table the facts read: one query."""
    tables = _tables()
    q = pw.Select(columns=[pw.NodeList((m.select(fn.MAX(m.id)),)).alias(name) for name, m, _c in tables])
    row = Event._meta.database.execute(q).fetchone()
    return {name: int(v or 0) for (name, _m, _c), v in zip(tables, row)}


def refresh(shop_ids):
    """Bring the facts of these shops up to date (nothing to do: two small queries, once per request)."""
    ids = sorted(set(int(i) for i in shop_ids))
    if not ids:
        return
    seen = _seen_this_request()
    if seen is not None:
        if set(ids) <= seen:
            return
        seen.update(ids)
    stamps = current_stamps()
    marks = {m.shop_id: json.loads(m.stamps) for m in KpiFactMark.select().where(KpiFactMark.shop_id.in_(ids))}
    for shop_id in ids:
        if marks.get(shop_id) != stamps:
            with transaction():
                _refresh_shop(shop_id, stamps)


def _seen_this_request():
    """The shops refreshed during this web request (a page computing several figure sets checks once)."""
    if not has_request_context():
        return None
    return request.environ.setdefault('servicebay.kpi_facts_fresh', set())    # (g may outlive the request)


def rebuild(shop_ids=None):
    """Make the facts again from scratch (all shops by default); returns the number of orders."""
    ids = shop_ids or [s.id for s in Shop.select(Shop.id)]
    stamps = current_stamps()
    for shop_id in ids:
        with transaction():
            _refresh_shop(shop_id, stamps, full=True)
    return KpiOrderFact.select().where(KpiOrderFact.shop_id.in_(list(ids) or [0])).count()


def _lock_mark(shop_id):
    """The shop's mark row, locked on PostgreSQL so two refreshes of one shop run one after the other."""
    KpiFactMark.insert(shop_id=shop_id, stamps='null').on_conflict_ignore().execute()
    q = KpiFactMark.select().where(KpiFactMark.shop_id == shop_id)
    if not is_sqlite():
        q = q.for_update()
    return q.get()


def _refresh_shop(shop_id, stamps, full=False):
    mark = _lock_mark(shop_id)
    old = json.loads(mark.stamps) if mark.stamps else None    # read under the lock: another refresh may have run
    if old == stamps and not full:
        return
    if full or not old or any(name not in old for name, _m, _c in _tables()):
        _remake(shop_id, None)
    else:
        dirty = _changed_orders(shop_id, old)
        if len(dirty) > FULL_ABOVE:
            _remake(shop_id, None)
        else:
            dirty = sorted(dirty)
            for i in range(0, len(dirty), BATCH):
                _remake(shop_id, dirty[i:i + BATCH])
    KpiFactMark.update(stamps=json.dumps(stamps, sort_keys=True), refreshed_at=utcnow()) \
        .where(KpiFactMark.shop_id == shop_id).execute()


def _remake(shop_id, order_ids):
    """The facts of these orders (None: all the shop's) made again, and the days of the daily roll-up they were
    dated on, before and after, forgotten (app.kpi.rollup)."""
    if order_ids is None:
        rollup.forget(shop_id)
    else:
        days = rollup.dated_days(shop_id, order_ids)
    _delete(shop_id, order_ids)
    _insert(shop_id, order_ids)
    if order_ids is not None:
        rollup.forget(shop_id, days | rollup.dated_days(shop_id, order_ids))


def _changed_orders(shop_id, old):
    """Ids of the shop's orders with an event or a new row in a table the facts read since the mark."""
    E = Event
    since = E.id > old['event']
    # (events are not narrowed by shop: one written without it still counts; the DELETE and INSERT are the shop's)
    queries = [E.select(E.record_id).where(since & (E.record_type == 'repair_order')),
               FollowUpTask.select(FollowUpTask.order).where(FollowUpTask.id.in_(
                   E.select(E.record_id).where(since & (E.record_type == 'followup_task'))))]
    for name, model, col in _tables():
        if col is not None:
            queries.append(model.select(col).where((model.id > old[name]) & (model.shop == shop_id)))
    queries.append(Settlement.select(Settlement.order).join(SettlementLine, on=(SettlementLine.settlement == Settlement.id))
                   .where((SettlementLine.id > old['settlement_line']) & (Settlement.shop == shop_id)))
    union = queries[0]
    for q in queries[1:]:
        union = union | q
    return {r[0] for r in union.tuples() if r[0] is not None}


def _delete(shop_id, order_ids):
    for model in FACTS:
        q = model.delete().where(model.shop_id == shop_id)
        if order_ids is not None:
            q = q.where(model.order_id.in_(order_ids))
        q.execute()


def _insert(shop_id, order_ids):
    where = {RepairOrder: RepairOrder.shop == shop_id, OrderLine: OrderLine.shop == shop_id,
             TimeEntry: TimeEntry.shop == shop_id, Settlement: Settlement.shop == shop_id}
    if order_ids is not None:
        where = {RepairOrder: where[RepairOrder] & RepairOrder.id.in_(order_ids),
                 OrderLine: where[OrderLine] & OrderLine.order.in_(order_ids),
                 TimeEntry: where[TimeEntry] & TimeEntry.order.in_(order_ids),
                 Settlement: where[Settlement] & Settlement.order.in_(order_ids)}
    _insert_orders(shop_id, where[RepairOrder])
    _insert_lines(where[OrderLine])
    _insert_clocks(where[TimeEntry])
    _insert_settlements(where[Settlement])


def _insert_orders(shop_id, where):
    """What each order's compliance steps compare, from the order and its related rows (app.kpi.steps)."""
    shop = Shop.get_by_id(shop_id)
    lo, hi = deadlines.progress_window(deadlines.shop_settings(shop))
    RO = RepairOrder
    raw = order_fact_select(RO, lo, hi).where(where)
    cte = raw.cte('r', materialized=True)
    r = cte.c
    F = KpiOrderFact
    plain = ['order_id', 'shop_id', 'number', 'stage', 'advisor_id', 'accepted_by', 'delivered_at', 'checked_in_at',
             'promised_at', 'accepted_at', 'promise', 'valuables_reminded', 'walked', 'signed_at', 'checked',
             'in_window', 'win_lo', 'win_hi', 'first_notice', 'maintenance', 'ready_at', 'settled_at', 'fu_from',
             'fu_by', 'first_call']
    derived = durations(r)
    sel = RO.select(*[getattr(r, n) for n in plain], *[v.alias(n) for n, v in derived.items()]).from_(cte).with_cte(cte)
    F.insert_from(sel, [getattr(F, n) for n in plain] + [getattr(F, n) for n in derived]).execute()


def _insert_lines(where):
    OL, RO, TE = OrderLine, RepairOrder, TimeEntry
    te = TE.alias('tl')
    clocked = clocked_seconds(te, te.line == OL.id)
    sel = (OL.select(OL.id, OL.order, OL.shop, OL.technician, OL.status, RO.stage, RO.delivered_at, OL.labour_hours,
                     OL.qc_failures, clocked)
           .join(RO, on=(OL.order == RO.id)).where(where & OL.technician.is_null(False)))
    F = KpiLineFact
    F.insert_from(sel, [F.line_id, F.order_id, F.shop_id, F.technician_id, F.status, F.stage, F.delivered_at,
                        F.labour_hours, F.qc_failures, F.clocked_s]).execute()


def _insert_clocks(where):
    TE = TimeEntry
    length = pw.Case(None, [(TE.ended_at.is_null(False), seconds_between(TE.started_at, TE.ended_at))], None)
    sel = TE.select(TE.id, TE.order, TE.shop, TE.technician, TE.started_at, epoch(TE.started_at), length).where(where)
    F = KpiClockFact
    F.insert_from(sel, [F.entry_id, F.order_id, F.shop_id, F.technician_id, F.started_at, F.started_e,
                        F.clocked_s]).execute()


def _insert_settlements(where):
    RO, S, SL, TE = RepairOrder, Settlement, SettlementLine, TimeEntry
    sl, te = SL.alias('sl'), TE.alias('te')
    sel = (S.select(S.id, S.order, S.shop, RO.advisor, S.status, S.settled_at, S.labour, S.parts, S.discount,
                    labour_hours_sold(sl, S.id), clocked_seconds(te, te.order == S.order))
           .join(RO, on=(S.order == RO.id)).where(where))
    F = KpiSettlementFact
    F.insert_from(sel, [F.settlement_id, F.order_id, F.shop_id, F.advisor_id, F.status, F.settled_at, F.labour,
                        F.parts, F.discount, F.hours_sold, F.order_clocked_s]).execute()


