"""The labour catalogue pages: search the jobs, add or change one with its usual parts, retire it."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.context import current_shop
from app.catalogue import rules
from app.catalogue.forms import BLANK_PART_ROWS, CATEGORY_CHOICES, JobForm
from app.core.access import ADMIN, ADVISOR, FOREMAN, MANAGER, PARTS, allow
from app.core.web import act, render
from app.catalogue.models import CannedJob

bp = Blueprint('catalogue', __name__)

READERS = (ADVISOR, FOREMAN, PARTS, MANAGER, ADMIN)
EDITORS = (MANAGER, ADMIN)

TILES = [
    ('catalogue.jobs', _l('Labour catalogue'), _l('Jobs with flat-rate hours and their usual parts')),
]


@bp.route('/catalogue/jobs')
@allow(*READERS)
def jobs():
    """Every job of the shop's catalogue; the box searches code and names as you type."""
    q = request.args.get('q', '').strip()
    show_all = request.args.get('all') == '1'
    rows = rules.with_parts(list(rules.jobs(current_shop(), q, include_inactive=show_all).limit(500)))
    return render('catalogue/jobs.html', 'catalogue/_job_rows.html', rows=rows, q=q, show_all=show_all,
                  category_labels=dict(CATEGORY_CHOICES))


def _form_page(form, job, status=200):
    shop = current_shop()
    page = render('catalogue/job_form.html', None, form=form, job=job,
                  systems=rules.known_values(shop, CannedJob.system), skills=rules.known_values(shop, CannedJob.skill))
    page.status_code = status
    return page


def _with_blank_rows(form):
    """Room to add parts without JavaScript: the rows in use plus a few empty ones."""
    while len(form.parts.entries) < len([e for e in form.parts.entries if not e.form.is_blank()]) + BLANK_PART_ROWS:
        form.parts.append_entry()
    return form


def _save(form, job):
    values = {k: getattr(form, k).data for k in ('code', 'name', 'name_en', 'system', 'category', 'hours',
                                                  'labour_rate', 'skill')}
    values['name_en'] = values['name_en'] or ''
    values['system'], values['skill'] = values['system'] or '', values['skill'] or ''
    parts = [rules.PartRow(e.form.part_number.data, e.form.name.data, e.form.quantity.data, e.form.unit_price.data)
             for e in form.parts.entries if not e.form.is_blank()]
    return rules.save_job(current_shop(), current_user, values, parts, job=job)


def _submit(form, job):
    saved = []
    return act(lambda status, **_given: _form_page(_with_blank_rows(form), job, status),
               lambda: saved.append(_save(form, job)), form=form, form_as='_typed',
               done=lambda: _('Saved %(code)s.', code=saved[0].code),
               back=lambda: url_for('catalogue.jobs', q=saved[0].code))


@bp.route('/catalogue/jobs/new', methods=['GET', 'POST'])
@allow(*EDITORS)
def job_new():
    form = JobForm()
    if request.method == 'POST':
        return _submit(form, None)
    return _form_page(_with_blank_rows(form), None)


@bp.route('/catalogue/jobs/<int:canned_job_id>', methods=['GET', 'POST'])
@allow(*EDITORS)
def job_edit(canned_job_id):
    job = CannedJob.get_for_shop_or_404(current_shop(), canned_job_id)
    if request.method == 'POST':
        return _submit(JobForm(), job)
    form = JobForm(obj=job, parts=rules.parts_of(job))
    return _form_page(_with_blank_rows(form), job)


@bp.route('/catalogue/jobs/<int:canned_job_id>/active', methods=['POST'])
@allow(*EDITORS)
def job_active(canned_job_id):
    job = CannedJob.get_for_shop_or_404(current_shop(), canned_job_id)
    active = request.form.get('active') == '1'
    job = rules.set_active(current_shop(), current_user, job, active)
    flash(_('%(code)s is back in the catalogue.', code=job.code) if active else
          _('%(code)s is retired: new estimates and bookings no longer offer it.', code=job.code), 'success')
    return redirect(url_for('catalogue.jobs', q=job.code, all='1'))
