"""A campaign changed after it was entered: edited (its columns, checked as when entered, and its VIN list: entries
added, typed or from the maker's file again, and entries removed), closed by the shop and reopened.

- An edit changes the campaign from now on: the work already added to orders (CampaignJob lines, their hours, parts
  and coverage) stays as it was added. Every change is written only if the campaign is still at the version the form
  was drawn with (a stale form is refused with the fresh one), and audited with what it was before and after.
- A closed campaign (completed, withdrawn by the maker, or another reason with a note) is no recall of any car:
  Campaign.running leaves it out, so no page shows its open recall and no order can get its work. Its open call
  tasks are cancelled and unlinked from it; reopening makes none again by itself: the "make call tasks" button does,
  for the cars still not done.
"""
import json

from flask_babel import lazy_gettext as _l

from app.aftercare.followups import TASKS
from app.aftercare.models import FollowUpTask
from app.core import audit
from app.core.db import transaction, utcnow
from app.core.errors import Refused
from app.recalls.models import Campaign, CampaignCall, CampaignVin
from app.recalls.rules import check_code_free, checked_fields, forget_entries, no_vins, parse_rows

AUDITED = ('code', 'title', 'kind', 'work', 'system', 'labour_hours', 'parts', 'starts_on', 'ends_on', 'note')


def _entry(vin_from, vin_to):
    """An entry as it is typed: one VIN, or a range FROM-TO."""
    return vin_from if vin_from == vin_to else '%s-%s' % (vin_from, vin_to)


def update_campaign(campaign, by, *, expected_version, vin_rows=(), remove=(), **typed):
    """Change the campaign's columns (`typed`: checked_fields' keywords), add the entries of `vin_rows`, remove the
    entries whose ids are in `remove`; all or nothing. A campaign keeps at least one entry."""
    fields = checked_fields(**typed)
    added = parse_rows(vin_rows)
    with transaction():
        entries = list(CampaignVin.select().where(CampaignVin.campaign == campaign).order_by(CampaignVin.id))
        gone = [v for v in entries if v.id in set(remove)]
        kept = {(v.vin_from, v.vin_to) for v in entries if v not in gone}
        new = [pair for pair in added if pair not in kept]
        if not kept and not new:
            raise no_vins()
        check_code_free(campaign.shop_id, fields['code'], campaign)
        before = {k: getattr(campaign, k) for k in AUDITED}
        campaign.update_versioned(expected_version, **fields)
        changed = [k for k in AUDITED if str(before[k]) != str(getattr(campaign, k))]
        if gone:
            CampaignVin.delete().where(CampaignVin.id.in_([v.id for v in gone])).execute()
        if new:
            CampaignVin.insert_many([dict(shop=campaign.shop_id, campaign=campaign, vin_from=a, vin_to=b)
                                     for a, b in new]).execute()
        audit.record('recalls.campaign_edited', 'campaign', campaign.id, shop=campaign.shop_id, actor=by,
                     before=dict({k: before[k] for k in changed},
                                 vins_removed=[_entry(v.vin_from, v.vin_to) for v in gone]),
                     after=dict({k: getattr(campaign, k) for k in changed}, vins_added=[_entry(a, b) for a, b in new]))
    forget_entries()
    return campaign


def close_campaign(campaign, by, *, reason, note, expected_version):
    """Close the campaign (no open recall anywhere from now on) and cancel its open call tasks."""
    note = (note or '').strip()
    if campaign.closed_at is not None:
        raise Refused(_l('This campaign is closed already.'))
    if reason not in Campaign.CLOSE_REASON_LABELS:
        raise Refused(_l('Choose why the campaign is closed.'), 'reason')
    if reason == Campaign.OTHER and not note:
        raise Refused(_l('Say why the campaign is closed.'), 'note')
    now = utcnow()
    with transaction():
        campaign.update_versioned(expected_version, where=Campaign.closed_at.is_null(), closed_at=now,
                                  closed_by=getattr(by, 'id', by), close_reason=reason, close_note=note)
        calls = list(CampaignCall.select(CampaignCall, FollowUpTask).join(FollowUpTask)
                     .where((CampaignCall.campaign == campaign) & (FollowUpTask.status == FollowUpTask.OPEN)))
        said = str(_l('campaign closed'))
        for call in calls:
            TASKS.move(call.task, FollowUpTask.CANCELLED, done_at=now,
                       note=('%s · %s' % (call.task.note, said))[:200])
        if calls:
            # the car is no longer "called" for this campaign: reopened, the button makes its call again
            CampaignCall.delete().where(CampaignCall.id.in_([c.id for c in calls])).execute()
        audit.record('recalls.campaign_closed', 'campaign', campaign.id, shop=campaign.shop_id, actor=by,
                     after={'reason': reason, 'note': note, 'cancelled_tasks': [c.task_id for c in calls]})
    forget_entries()
    return len(calls)


def reopen_campaign(campaign, by, *, expected_version):
    """Open a closed campaign again: its cars not done have their open recall again (no call task is made)."""
    if campaign.closed_at is None:
        raise Refused(_l('This campaign is not closed.'))
    before = {'reason': campaign.close_reason, 'note': campaign.close_note, 'closed_at': campaign.closed_at}
    with transaction():
        campaign.update_versioned(expected_version, where=Campaign.closed_at.is_null(False), closed_at=None,
                                  closed_by=None, close_reason='', close_note='')
        audit.record('recalls.campaign_reopened', 'campaign', campaign.id, shop=campaign.shop_id, actor=by,
                     before=before, after={'reason': '', 'closed_at': None})
    forget_entries()
    return campaign


def form_data(campaign):
    """The edit form's fields as the campaign has them now (a fresh form, also after a stale one was refused)."""
    parts = '\n'.join('%s; %s; %s; %s' % (p['part_number'], p['name'], p['quantity'], p['unit_price'])
                      for p in json.loads(campaign.parts or '[]'))
    return dict(code=campaign.code, title=campaign.title, kind=campaign.kind, work=campaign.work,
                system=campaign.system, hours=campaign.labour_hours, parts=parts, starts_on=campaign.starts_on,
                ends_on=campaign.ends_on, note=campaign.note, version=campaign.version)
