"""Aftercare's part of a customer's file (app.registry.file_sections): the customer's complaints and the calls made
to them (001: the customer file keeps the complaints, 投诉情况)."""
from app.aftercare.models import CallRecord, Complaint, FollowUpTask

FILE_ROWS = 20      # the newest on the file; older ones are on the area's own lists


def customer_sections(customer, **_context):
    complaints = list(Complaint.select().where(Complaint.customer == customer)
                      .order_by(Complaint.logged_at.desc(), Complaint.id.desc()).limit(FILE_ROWS))
    calls = list(CallRecord.select(CallRecord, FollowUpTask).join(FollowUpTask)
                 .where(CallRecord.customer == customer)
                 .order_by(CallRecord.called_at.desc(), CallRecord.id.desc()).limit(FILE_ROWS))
    return [(60, 'aftercare/_file_complaints.html', {'complaints': complaints}),
            (70, 'aftercare/_file_calls.html', {'calls': calls})]
