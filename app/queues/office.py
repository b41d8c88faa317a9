"""The office's queues: the warranty clerk (claims to file or resubmit, loaner cars owed), customer service
(follow-up calls due today and overdue, complaints before their first-answer or handling deadline, customers' requests) and
what waits for the service manager's own approval (discounts and the shop's own share over the advisor's limit,
stock counts, requests and complaints escalated to him). Each list is the owning area's own query."""
from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from peewee import JOIN

from app.aftercare.followups import due_tasks
from app.aftercare.models import CallRecord, Complaint, FollowUpTask
from app.core import deadlines
from app.customers.models import Customer
from app.parts.models import StockCount
from app.queues.front import requests
from app.queues.items import plate
from app.reception.models import RepairOrder
from app.settlement.models import Discount, Settlement
from app.settlement.rules import discounts_waiting, internal_waiting
from app.settlement.totals import order_money
from app.warranty.claims import claims
from app.warranty.models import Claim
from app.warranty.tracker import open_long_repairs


# --- warranty --------------------------------------------------------------------------------------------

def warranty(ctx):
    """Claims still to file, claims the maker rejected, and long repairs owing a loaner car."""
    for status, kind in ((Claim.DRAFT, 'claim_file'), (Claim.REJECTED, 'claim_rejected')):
        for c in claims(ctx.shop, status):
            yield ctx.item(kind, c.id, plate(c.order), url_for('warranty.claim', claim_id=c.id),
                           since=c.decided_at or c.created_at, detail=c.order.number or '')
    for info in open_long_repairs(ctx.shop, ctx.now):
        if any(f.code in ('loaner_owed', 'loaner_maybe') for f in info.flags):
            yield ctx.item('loaner', info.order.id, plate(info.order),
                           url_for('warranty.order', order_id=info.order.id), overdue=True,
                           detail=_l('%(n)d days in the workshop', n=info.days))


# --- customer service ------------------------------------------------------------------------------------

def calls(ctx):
    """Follow-up calls due today or overdue (mine and nobody's): late once their last day has passed."""
    query = (due_tasks(ctx.shop, ctx.today).select(FollowUpTask, Customer)
             .join(Customer, on=(FollowUpTask.customer == Customer.id)))
    if ctx.mine:
        query = query.where(FollowUpTask.assigned_to.is_null() | (FollowUpTask.assigned_to == ctx.user.id))
    for t in query:
        if t.call_back_at is not None:
            due = t.call_back_at
        else:
            due = ctx.end_of_day(t.due_by)       # deadlines.followup_late: late after its last day
        yield ctx.item('call', t.id, t.customer.name, url_for('aftercare.task', task_id=t.id), due=due,
                       detail=t.kind_label, window=due - ctx.end_of_day(t.due_from - timedelta(days=1)),
                       rule=_l('call window %(first)s to %(last)s', first=t.due_from.strftime('%m-%d'),
                               last=t.due_by.strftime('%m-%d')))


def complaints(ctx):
    """Complaints without a first answer, and major problems not yet handled (mine, or every one for the
    manager): due by the first response (24 h) or, once answered, by the handling deadline (48 h), as
    app.core.deadlines.complaint_dues set them."""
    C = Complaint
    query = C.for_shop(ctx.shop).where(
        (C.first_answer_at.is_null() & (C.status == C.OPEN))
        | (C.handled_due_at.is_null(False) & C.status.in_((C.OPEN, C.ANSWERED))))
    if ctx.mine:
        query = query.where(C.owner == ctx.user.id)
    answer, handled = deadlines.complaint_answer_limit(ctx.setting), deadlines.complaint_handled_limit(ctx.setting)
    for c in query:
        if c.first_answer_at is None:
            due, window, rule = c.first_answer_due_at, answer, _l('first answer within %(n)d hours',
                                                                  n=int(answer.total_seconds() // 3600))
        else:
            due, window, rule = c.handled_due_at, handled, _l('major problem handled within %(n)d hours',
                                                              n=int(handled.total_seconds() // 3600))
        yield ctx.item('complaint', c.id, c.contact, url_for('aftercare.complaint', complaint_id=c.id),
                       due=due, since=c.logged_at, detail=c.content[:80], window=window, rule=rule)


def customer_service(ctx):
    yield from calls(ctx)
    yield from complaints(ctx)
    yield from requests(ctx, advisor=False)


# --- the manager's approvals -----------------------------------------------------------------------------

def _drafts_asking(ctx):
    """Draft settlements that may need the manager: an unapproved discount, or someone other than the customer
    paying. Each is then asked the settlement's own rule."""
    with_discount = Discount.select(Discount.settlement).where(Discount.approved_at.is_null())
    return (Settlement.for_shop(ctx.shop).select(Settlement, RepairOrder)
            .join(RepairOrder, on=(Settlement.order == RepairOrder.id))
            .where((Settlement.status == Settlement.DRAFT)
                   & (Settlement.id.in_(with_discount) | Settlement.payers.contains('internal'))))


def approvals(ctx):
    for s in _drafts_asking(ctx):
        order = s.order
        statement = order_money(order, s)
        url = url_for('settlement.order', order_id=order.id)
        if discounts_waiting(statement):
            yield ctx.item('discount', order.id, order.number or plate(order), url, since=s.created_at)
        if internal_waiting(statement):
            yield ctx.item('internal', order.id, order.number or plate(order), url, since=s.created_at)
    for sheet in StockCount.for_shop(ctx.shop).where(StockCount.status == StockCount.SUBMITTED):
        yield ctx.item('count', sheet.id, sheet.number, url_for('parts.count', count_id=sheet.id),
                       since=sheet.submitted_at)
    for c in (CallRecord.for_shop(ctx.shop).select(CallRecord, RepairOrder)
              .join(RepairOrder, JOIN.LEFT_OUTER, on=(CallRecord.order == RepairOrder.id))
              .where((CallRecord.request_status == CallRecord.R_ESCALATED)
                     & (CallRecord.escalated_to == ctx.user.id))):
        yield ctx.item('escalated_request', c.id, c.order.number if c.order_id else '#%d' % c.id,
                       url_for('aftercare.call', call_id=c.id), since=c.escalated_at, detail=c.request[:80])
    for c in Complaint.for_shop(ctx.shop).where((Complaint.escalated_to == ctx.user.id)
                                                & Complaint.status.in_([Complaint.OPEN, Complaint.ANSWERED])):
        yield ctx.item('escalated_complaint', c.id, c.contact, url_for('aftercare.complaint', complaint_id=c.id),
                       since=c.escalated_at, detail=c.content[:80], overdue=c.first_answer_at is None)
