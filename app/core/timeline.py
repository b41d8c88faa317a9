"""Audit events as people read them: "Dispatched → In progress", not `order.stage {"stage": ...}`.

Every area records its events with a dotted code (`app.core.audit.record`); this is the one table
that names them in both languages. An unknown code still shows, as its code, so nothing is hidden.
"""
import json

from flask_babel import lazy_gettext as _l

from app.core import stages
from app.core.access import ADMIN, MANAGER

ACTIONS = {
    # the repair order
    'order.created': _l('Order created'),
    'order.signed': _l('Order signed by the customer'),
    'order.amended': _l('Order amended'),
    'order.stage': _l('Stage changed'),
    'order.accepted': _l('Accepted by the foreman'),
    'order.progress_checked': _l('Progress checked'),
    'order.final_check': _l('Final check'),
    'order.washed': _l('Washed'),
    'order.delivered': _l('Handed back to the customer'),
    'order.closed': _l('Order closed'),
    'order.declined': _l('Customer declined the repair'),
    'setting.changed': _l('Setting changed'),
    # check-in
    'checkin.started': _l('Check-in started'),
    'checkin.vehicle': _l('Check-in: customer and vehicle'),
    'checkin.walkaround': _l('Check-in: walk-around'),
    'checkin.belongings': _l('Check-in: belongings'),
    'checkin.key': _l('Check-in: key tag'),
    'checkin.estimate': _l('Check-in: estimate'),
    'checkin.promise': _l('Check-in: promised time'),
    'checkin.line_added': _l('Job added'),
    'checkin.line_removed': _l('Job removed'),
    'checkin.part_added': _l('Part added'),
    'checkin.part_removed': _l('Part removed'),
    'checkin.mark_added': _l('Damage mark added'),
    'checkin.mark_removed': _l('Damage mark removed'),
    'checkin.photo_added': _l('Photo added'),
    # the workshop floor
    'dispatch.order_assigned': _l('Dispatched'),
    'dispatch.line_assigned': _l('Job assigned'),
    'dispatch.line_unassigned': _l('Job unassigned'),
    'line.status': _l('Job status'),
    'clock.on': _l('Clock on'),
    'clock.off': _l('Clock off'),
    'finding.added': _l('Finding recorded'),
    'self_check.saved': _l("Technician's self-check"),
    'qc.passed': _l('Quality check passed'),
    'health.item': _l('Health check item recorded'),
    'health.finished': _l('Health check finished'),
    'qc.failed': _l('Quality check failed'),
    # added work
    'added_work.requested': _l('Added work asked for'),
    'added_work.approved': _l('Added work approved'),
    'added_work.declined': _l('Added work declined'),
    'added_work.unreachable': _l('Customer not reached'),
    # parts
    'parts.requested': _l('Parts requested'),
    'parts.issued': _l('Parts issued'),
    'parts.substituted': _l('Parts substituted'),
    'parts.backordered': _l('Parts backordered'),
    'parts.cancelled': _l('Parts request cancelled'),
    'parts.returned': _l('Parts returned to stock'),
    'parts.old_part': _l('Old part recorded'),
    # money
    'settlement.payers': _l('Payers set'),
    'settlement.discount_added': _l('Discount given'),
    'settlement.discount_approved': _l('Discount approved'),
    'settlement.discount_removed': _l('Discount removed'),
    'settlement.settled': _l('Settled'),
    'settlement.payment': _l('Payment received'),
    'settlement.payer_payment': _l("Insurer's payment received"),
    'insurance.claim_opened': _l('Insurance claim opened'),
    'insurance.claim_changed': _l('Insurance claim corrected'),
    'insurance.damage_added': _l('Damage recorded'),
    'insurance.assessed': _l('Insurer\'s assessment recorded'),
    'insurance.assessment_changed': _l('Assessment corrected'),
    'insurance.supplement_requested': _l('Supplementary assessment asked'),
    'insurance.supplement_answered': _l("Insurer's answer recorded"),
    'insurance.insurer_added': _l('Insurer added'),
    'insurance.insurer_changed': _l('Insurer changed'),
    'settings.changed': _l('Setting changed'),
    'settlement.credit_note': _l('Credit note issued'),
    'settlement.consent': _l('The customer agreed to a higher bill'),
    'settlement.internal_approved': _l('The shop\'s share approved'),
    'settlement.written_off': _l('Balance written off'),
    # the customer
    'status_link.issued': _l('Status link issued'),
    'status_link.reissued': _l('Status link replaced'),
    'message.sent': _l('Message sent'),
    'message.failed': _l('Message not sent'),
    'followup.scheduled': _l('Follow-up calls scheduled'),
    'followup.assigned': _l('Follow-up call assigned'),
    'followup.call': _l('Follow-up call'),
    'followup.request_answered': _l("Customer's request answered"),
    'followup.request_escalated': _l("Customer's request escalated"),
    'complaint.logged': _l('Complaint logged'),
    'complaint.handed_over': _l('Complaint handed over'),
    'complaint.first_answer': _l('Complaint: first answer'),
    'complaint.investigated': _l('Complaint investigated'),
    'complaint.resolved': _l('Complaint resolved'),
    'complaint.escalated': _l('Complaint escalated'),
    'complaint.closed': _l('Complaint closed'),
    # warranty
    'warranty.coverage': _l('Warranty decision'),
    'warranty.loaner': _l('Loaner car or transport recorded'),
    'claim.opened': _l('Warranty claim opened'),
    'claim.edited': _l('Warranty claim edited'),
    'claim.submitted': _l('Warranty claim submitted'),
    'claim.approved': _l('Warranty claim approved'),
    'claim.rejected': _l('Warranty claim rejected'),
    'claim.paid': _l('Warranty claim paid'),
    'warranty.comeback': _l('Comeback recorded'),
    'recalls.campaign': _l('Campaign entered'),
    'recalls.added': _l('Campaign work added (the maker pays)'),
    'recalls.calls': _l('Campaign calls made'),
    'recalls.campaign_edited': _l('Campaign changed'),
    'recalls.campaign_closed': _l('Campaign closed'),
    'recalls.campaign_reopened': _l('Campaign reopened'),
    'recalls.part_check': _l('Claimed-part check call made'),
    # the parts store
    'parts.part_created': _l('Part added to the catalogue'),
    'parts.part_changed': _l('Part changed'),
    'parts.supplier_added': _l('Supplier added'),
    'parts.received': _l('Goods received'),
    'parts.adjusted': _l('Stock adjusted'),
    'parts.transferred': _l('Stock transferred'),
    'parts.reversed': _l('Stock movement reversed'),
    'parts.rejected_returned': _l('Rejected goods returned'),
    'parts.po_created': _l('Purchase order created'),
    'parts.po_sent': _l('Purchase order sent'),
    'parts.po_cancelled': _l('Purchase order cancelled'),
    'parts.count_opened': _l('Stock count started'),
    'parts.count_submitted': _l('Stock count submitted'),
    'parts.count_approved': _l('Stock count approved'),
    'parts.count_cancelled': _l('Stock count cancelled'),
    # the shop's records
    'appointment.booked': _l('Appointment booked'),
    'appointment.reminded': _l('Appointment reminder'),
    'appointment.arrived': _l('Customer arrived'),
    'appointment.no_show': _l('No-show'),
    'appointment.cancelled': _l('Appointment cancelled'),
    'customer.created': _l('Customer added'),
    'customer.updated': _l('Customer changed'),
    'vehicle.created': _l('Vehicle added'),
    'vehicle.updated': _l('Vehicle changed'),
    'vehicle_make.added': _l('Make added to the list'),
    'vehicle_make.changed': _l('Make changed'),
    'vehicle_make.merged': _l('Makes merged'),
    'vehicle_model.added': _l('Model added to the list'),
    'vehicle.owner_changed': _l('New owner'),
    'bay.added': _l('Bay added'),
    'bay.updated': _l('Bay changed'),
    'key_tags.added': _l('Key tags added'),
    'key_tag.retired': _l('Key tag retired'),
    'label_printer.set': _l('Label printer set up'),  # app.labels.rules.set_printer
    'key_hooks.added': _l('Key hooks added'),
    'aftercare.event_added': _l('Customer event added'),
    'aftercare.event_notice': _l('Event invitation'),
    'aftercare.maintenance_reminder': _l('Maintenance reminder'),
    'settlement.guarantee_terms': _l('Quality guarantee terms changed'),
    'catalogue.job_saved': _l('Catalogue job saved'),
    'catalogue.job_retired': _l('Catalogue job retired'),
    'catalogue.job_activated': _l('Catalogue job brought back'),
    'user.created': _l('User added'),
    'user.updated': _l('User changed'),
    'user.disabled': _l('User disabled'),
    'user.enabled': _l('User enabled'),
    'user.password_reset': _l('Password reset'),
    'user.signed_out_everywhere': _l('Signed out everywhere'),
    'user.session_ended': _l('Signed out one device'),
}


def _load(text):
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def title(event):
    """The event's name in the current language (its code when this table does not know it)."""
    return ACTIONS.get(event.action, event.action)


# Events that move a record from one state to another: the key in before/after and the states' names.
MOVES = {'order.stage': ('stage', stages.LABELS), 'line.status': ('status', stages.LINE_LABELS)}


def detail(event):
    """A short "from → to" for stage and job-status changes; '' when the title says it all."""
    if event.action not in MOVES:
        return ''
    key, labels = MOVES[event.action]
    before, after = _load(event.before) or {}, _load(event.after) or {}
    new, old = labels.get(after.get(key)), labels.get(before.get(key))
    if new is None:
        return ''
    return '%s → %s' % (old, new) if old else str(new)


# --- the details under an event: words for everyone, the stored record for managers and admins ------------

RAW_ROLES = frozenset({MANAGER, ADMIN})      # they audit the stored record

# What a stored key means, in words; a key not listed is left out of the sentence (never shown raw).
FIELDS = {
    'stage': _l('stage'), 'status': _l('job status'), 'description': _l('job'), 'hours': _l('labour hours'),
    'tag': _l('key tag'), 'tag_number': _l('key tag'), 'hook': _l('hook'), 'odometer': _l('odometer (km)'),
    'fuel_eighths': _l('fuel (eighths)'), 'complaint': _l("customer's words"), 'promised_at': _l('promised time'),
    'advisor_notes': _l('notes'), 'part': _l('part'), 'qty': _l('quantity'), 'quantity': _l('quantity'),
    'price': _l('price'), 'amount': _l('amount'), 'name': _l('name'), 'phone': _l('phone'), 'plate': _l('plate'),
    'make': _l('make'), 'model': _l('model'), 'mileage': _l('mileage'), 'reasons': _l('reasons'),
    'channel': _l('how the customer was told'), 'signer': _l('signed by'), 'title': _l('title'),
    'supplied_by': _l('parts supplied by'), 'origin': _l('part origin'), 'method': _l('estimate method'),
    'documents': _l('documents'), 'valuables': _l('valuables'), 'count': _l('how many'),
    'number': _l('number'), 'kind': _l('kind'), 'result': _l('result'), 'duration': _l('duration'),
}
# Keys whose value is plain words or a number a person reads (ids and codes are not).
SHOWN_VALUES = {'description', 'hours', 'tag', 'tag_number', 'hook', 'odometer', 'complaint', 'advisor_notes',
                'part', 'qty', 'quantity', 'price', 'amount', 'name', 'plate', 'make', 'model', 'mileage',
                'reasons', 'signer', 'title', 'count', 'number'}
LABELLED_VALUES = {'stage': stages.LABELS, 'status': stages.LINE_LABELS}


def shows_raw(user):
    """Whether `user` sees the stored record under an event (managers and admins audit it; others read words)."""
    return bool(getattr(user, 'role_names', None)) and bool(set(user.role_names) & RAW_ROLES)


def _value(key, value):
    if key in LABELLED_VALUES:
        return str(LABELLED_VALUES[key].get(value, ''))
    if key in SHOWN_VALUES and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    return ''


def sentence(event):
    """What the event changed, in words of the reader's language: "key tag: 12; hook: 3". '' when nothing
    stored can be said in words (the title then says it all)."""
    before, after = _load(event.before) or {}, _load(event.after) or {}
    parts = []
    for key in after:
        if key not in FIELDS:
            continue
        new, old = _value(key, after.get(key)), _value(key, before.get(key))
        if new and old and old != new:
            parts.append('%s: %s → %s' % (FIELDS[key], old, new))
        elif new:
            parts.append('%s: %s' % (FIELDS[key], new))
        else:
            parts.append(str(FIELDS[key]))
    return '; '.join(parts)
