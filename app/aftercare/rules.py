"""The aftercare rules, one module per part (every rule is one transaction and writes its audit event; a rule tied to
an order writes on ('repair_order', order.id) so the order's timeline shows it):

- app.aftercare.followups: the follow-up call tasks, the lists of calls due, the record of a call;
- app.aftercare.call_requests: requests made on a call, answered or escalated to the supervisor;
- app.aftercare.reminders: maintenance due this week, as a message or a call task;
- app.aftercare.events: shop events announced to customers;
- app.aftercare.complaints: complaints from logging to closing, and their escalation;
- app.aftercare.analysis: complaints by cause and month, answer times, satisfaction;
- app.aftercare.shared: the shop's calendar, callers and supervisors, what the others share.

Inside the area each module imports the one that holds the rule. The names other areas use (delivery schedules the
follow-ups) stay importable from here.
"""
from app.aftercare.complaints import answer_state, log_complaint  # noqa: F401
from app.aftercare.followups import due_tasks, record_call, schedule_followups  # noqa: F401
