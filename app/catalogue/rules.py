"""The labour catalogue (维修项目 / 工时): canned jobs with flat-rate hours and their usual parts.

Estimates, appointments and the settlement copy a job's name, hours and parts onto the order when it
is used, so changing or retiring a catalogue job never changes an order already written.
"""
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import fn

from app.core import errors
from app.core import audit
from app.core.db import transaction
from app.catalogue.models import CannedJob, CannedJobPart


class Refused(errors.Refused):
    """The job cannot be saved as typed; `field` names the form field the message belongs to."""


@dataclass
class PartRow:
    part_number: str
    name: str
    quantity: Decimal
    unit_price: Decimal


def jobs(shop, q='', include_inactive=False):
    """The shop's catalogue by code; `q` matches code or either name, any case."""
    query = CannedJob.for_shop(shop)
    if not include_inactive:
        query = query.where(CannedJob.active == True)  # noqa: E712 - peewee expression
    q = (q or '').strip()
    if q:
        like = '%%%s%%' % q.lower().replace('%', '').replace('_', '')
        query = query.where(fn.LOWER(CannedJob.code).contains(q.lower())
                            | fn.LOWER(CannedJob.name) ** like | fn.LOWER(CannedJob.name_en) ** like)
    return query.order_by(CannedJob.active.desc(), CannedJob.code)


def with_parts(jobs_list):
    """Each job with `usual_parts` filled, in one query for the whole list."""
    by_job = {}
    if jobs_list:
        for p in (CannedJobPart.select().where(CannedJobPart.job.in_([j.id for j in jobs_list]))
                  .order_by(CannedJobPart.id)):
            by_job.setdefault(p.job_id, []).append(p)
    for j in jobs_list:
        j.usual_parts = by_job.get(j.id, [])
    return jobs_list


def parts_of(job):
    return list(CannedJobPart.select().where(CannedJobPart.job == job).order_by(CannedJobPart.id))


def known_values(shop, column):
    """Values already used in the catalogue (systems, skills) to offer while typing."""
    return [v for (v,) in CannedJob.for_shop(shop).select(column).where(column != '').distinct()
            .order_by(column).tuples()]


def _code_taken(shop, code, job_id):
    query = CannedJob.for_shop(shop).where(fn.UPPER(CannedJob.code) == code.upper())
    if job_id:
        query = query.where(CannedJob.id != job_id)
    return query.exists()


def _snapshot(job, parts):
    return {'code': job.code, 'name': job.name, 'name_en': job.name_en, 'system': job.system,
            'category': job.category, 'hours': job.hours, 'labour_rate': job.labour_rate, 'skill': job.skill,
            'active': job.active, 'parts': [[p.part_number, p.quantity, p.unit_price] for p in parts]}


def save_job(shop, by, values, parts, job=None):
    """Create or change a catalogue job and replace its parts list, in one transaction with its audit event.

    `values`: code, name, name_en, system, category, hours, labour_rate (None: the shop's rate), skill.
    """
    code = values['code'].strip().upper()
    if _code_taken(shop, code, job.id if job else None):
        raise Refused(_l('Another job already has the code %(code)s.', code=code), 'code')
    with transaction():
        before = _snapshot(job, parts_of(job)) if job else None
        if job is None:
            job = CannedJob(shop=shop)
        for key in ('name', 'name_en', 'system', 'category', 'hours', 'labour_rate', 'skill'):
            setattr(job, key, values[key])
        job.code = code
        job.save()
        CannedJobPart.delete().where(CannedJobPart.job == job).execute()
        for p in parts:
            CannedJobPart.create(shop=shop, job=job, part_number=p.part_number, name=p.name, quantity=p.quantity,
                                 unit_price=p.unit_price)
        audit.record('catalogue.job_saved', 'canned_job', job.id, shop=shop.id, actor=by, before=before,
                     after=_snapshot(job, parts))
    return job


def set_active(shop, by, job, active):
    """Retire a job from the estimate and booking lists (or bring it back); orders that used it keep it."""
    with transaction():
        changed = (CannedJob.update(active=bool(active))
                   .where((CannedJob.id == job.id) & (CannedJob.active != bool(active))).execute())
        if changed:
            audit.record('catalogue.job_activated' if active else 'catalogue.job_retired', 'canned_job', job.id,
                         shop=shop.id, actor=by, after={'code': job.code})
    return CannedJob.get_by_id(job.id)
