"""Stored and reflected XSS: script and attribute payloads typed into every free-text field come back escaped.

Two ways in, both generic:
1. the real forms: every write form found on shop A's pages is submitted with the payloads in each of
   its text fields (what it answers, even a 400 with the values kept, is checked too);
2. the database: every free-text column of every shop-A row (found from the models) gets a payload,
   so pages of areas whose forms the walk cannot reach (a job card in a later stage, a report) show them too.
Then every page of the shop is opened (full page and htmx fragment, print views, labels, the status page,
exports) and must show the payloads as text only. Exports (found by their content type) must neutralise
cells that would start a formula.
"""
import csv
import io
import random
import re
from urllib.parse import parse_qs, urlsplit

import peewee as pw
import pytest

from app.core import db as core_db
from app.core.access import ROLES
from app.core.validators import random_mobile, random_plate, random_vin
from tests.security import harness

NOT_SWEPT = {'Event', 'Setting', 'Counter', 'IdempotencyKey', 'LoginFailure', 'StatusHit', 'UserRole', 'Membership'}
MAX_LINKS = 150      # per viewer: query-string variants of pages (exports as xlsx, thumbnails, pages 2...)
NUMBER = re.compile(r'^-?\d[\d,.]*%?$')
# The free-text fields the brief names, as (model, column): the forms must reach these.
NAMED = {('Customer', 'name'), ('RepairOrder', 'complaint'), ('RepairOrder', 'advisor_notes'),
         ('Belonging', 'name'), ('PartLine', 'name'), ('Claim', 'note'), ('Customer', 'note')}

_rng = random.Random(11)


def _payload(i, maxlength=0, formula=''):
    """The i-th payload that fits the field (a leading formula sign tests exports at the same time)."""
    for k in range(len(harness.XSS_PAYLOADS)):
        text = formula + harness.XSS_PAYLOADS[(i + k) % len(harness.XSS_PAYLOADS)]
        if not maxlength or len(text) <= maxlength:
            return text
    return None


def _plain_sample(name):
    """A valid value for a text field that is not under attack (a plate field wants a plate)."""
    lname = name.lower()
    if 'plate' in lname:
        return random_plate(_rng)
    if 'vin' in lname:
        return random_vin(_rng)
    if 'phone' in lname or 'mobile' in lname or 'contact' in lname:
        return random_mobile(_rng)
    if 'part_number' in lname or 'fault_code' in lname:
        return 'P0301'
    return 'Test'


def _stored_columns():
    """(model, column) pairs that hold a payload now."""
    found = set()
    for model in core_db.all_models():
        for f in harness.free_text_fields(model):
            q = model.select().where(f.contains('alert(1)') | f.contains("onmouseover='x"))
            if q.exists():
                found.add((model.__name__, f.name))
    return found


def _fresh(client, form):
    """The form as its page shows it now (hidden versions move on as other forms change the record)."""
    resp = harness.fetch(client, form.page)
    if resp.status_code == 200 and resp.mimetype == 'text/html':
        for again in harness.forms_on(form.page, resp.get_data(as_text=True)):
            if again.action == form.action and [f.name for f in again.fields] == [f.name for f in form.fields]:
                return again
    return form


# Forms that end their record's life (a check-in the customer declined): sent last, so the forms that fill that
# record in (its complaint, its jobs and parts) still find it.
LAST = {'reception.checkin_decline'}


def _submit_forms(app, world, reflected, crashes):
    """Every text field of every form gets a payload, through the form itself."""
    client = harness.client_for(app, world.users['all'])
    catalog = harness.form_catalog(app, client, world.records, ROLES)
    i = 0
    for endpoint, forms in sorted(catalog.items(), key=lambda item: (item[0] in LAST, item[0])):
        for form in forms:
            texts = form.text_fields()
            if not texts or endpoint == 'accounts.login':
                continue
            together = {f.name: _payload(i + n, f.maxlength) for n, f in enumerate(texts)}
            # Plates, VINs, phone numbers get valid values (their checks refuse the whole form), the rest payloads.
            smart = {f.name: v if _plain_sample(f.name) == 'Test' else _plain_sample(f.name)
                     for f, v in zip(texts, together.values())}
            # All fields at once (boxes as shown, then all ticked), then the careful way; else one field at a time.
            attempts = [(together, False), (together, True), (smart, True)]
            attempts += [(dict({o.name: o.value or _plain_sample(o.name) for o in texts},
                               **{f.name: _payload(i + n, f.maxlength)}), True) for n, f in enumerate(texts)]
            stale = True     # the catalog was read before other forms changed these records
            for k, (override, tick) in enumerate(attempts):
                override = {name: v for name, v in override.items() if v is not None}
                if stale:
                    form, stale = _fresh(client, form), False
                resp = harness.fetch(client, form.action, method=form.method, data=form.data(override, tick=tick))
                i += 1
                if isinstance(resp, harness.Crash):
                    crashes.append((resp.url, resp.error))
                    break
                if resp.mimetype == 'text/html' and harness.unescaped(resp.get_data(as_text=True)):
                    reflected.append((form.action, resp.status_code, harness.unescaped(resp.get_data(as_text=True))))
                if resp.status_code < 400:
                    stale = True    # the record moved on: its page shows new hidden versions
                    if k < 3:
                        break
    return catalog


def _sweep_database(world):
    """Every free-text column of every shop-A row (and shop A itself, its staff) gets a payload."""
    i = 0
    shop_a = world.shop_a
    staff_a = [u.id for u in world.users.values()]
    for model in core_db.all_models():
        if model.__name__ in NOT_SWEPT:
            continue
        fields = harness.free_text_fields(model)
        if not fields:
            continue
        if 'shop' in model._meta.fields:
            where = model.shop == shop_a
        elif model.__name__ == 'Shop':
            where = model.id == shop_a.id
        elif model.__name__ == 'User':
            where = model.id.in_(staff_a)
        else:
            continue
        values = {}
        for f in fields:
            if model.select().where(where & (f.startswith('{') | f.startswith('['))).exists():
                continue    # JSON kept in a text column
            text = _payload(i, getattr(f, 'max_length', 0) or 0, formula='=+-@'[i % 4])
            i += 1
            if text is not None:
                values[f] = text
        if values:
            try:
                with core_db.db.atomic():
                    model.update(values).where(where).execute()
            except (pw.IntegrityError, pw.InternalError, pw.OperationalError):
                pass    # an append-only table (ledger, audit): its rows never change after the fact


def _xlsx_neutralised(data):
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(data))
    return sum(1 for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
               if isinstance(cell.value, str) and cell.value[:2] in ("'=", "'+", "'-", "'@"))


def _csv_problems(body):
    rows = list(csv.reader(io.StringIO(body.lstrip('\ufeff'))))
    return [cell for row in rows for cell in row
            if cell.startswith(harness.FORMULA_STARTS) and not NUMBER.match(cell)]


def _xlsx_problems(data):
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(data))
    out = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                text = cell.value if isinstance(cell.value, str) else ''
                if cell.data_type == 'f' or text.startswith(harness.FORMULA_STARTS) and not NUMBER.match(text):
                    out.append(cell.value)
    return out


# The payloads as Jinja escapes them: seen on a page, they prove the payload reached it.
ESCAPED = ('&lt;script&gt;alert(1)', '&#34;&gt;&lt;img src=x', '&#39; onmouseover=&#39;x')
EXPORT_TYPES = ('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')


def _check(resp, url, headers, found):
    """One response: HTML-like bodies must hold no live payload, exports no live formula."""
    if isinstance(resp, harness.Crash):
        found['crashes'].append((url, resp.error))
    elif resp.mimetype in EXPORT_TYPES:
        found['exports'].append(url)
        if resp.mimetype == 'text/csv':
            body = resp.get_data(as_text=True)
            bad, neutralised = _csv_problems(body), body.count("'=") + body.count("'+") + body.count("'@")
        else:
            bad, neutralised = _xlsx_problems(resp.get_data()), _xlsx_neutralised(resp.get_data())
        found['neutralised'] += neutralised
        if bad:
            found['findings'].append((url, 'formula cells', bad[:5]))
    elif harness.is_html(resp):
        body = resp.get_data(as_text=True)
        found['shown'] += any(e in body for e in ESCAPED)
        found['links'] |= harness.query_links(body) if resp.mimetype == 'text/html' else set()
        bad = harness.unescaped(body)
        if bad:
            found['findings'].append((url, headers, bad))
    found['pages'] += 1


def _one_per_kind(app, links):
    """One link per route and kind of query (a calendar links every day; one of them is enough)."""
    kinds = {}
    for url in sorted(links):
        parts = urlsplit(url)
        rule = harness.rule_for_path(app, parts.path, 'GET')
        if rule is not None:
            # A word (fmt=xlsx, period=week) makes another kind of page; a date or a number does not.
            query = tuple(sorted((k, v[0] if v[0].isalpha() else '') for k, v in parse_qs(parts.query).items()))
            kinds.setdefault((rule.endpoint, query), url)
    return sorted(kinds.values())


def _read_everything(app, world):
    """Open every page of shop A as staff (page and fragment, then the links with a query string on them)
    and the public pages anonymously."""
    found = {'findings': [], 'exports': [], 'crashes': [], 'pages': 0, 'shown': 0, 'neutralised': 0}
    viewers = [harness.client_for(app, world.users['all']), harness.client_for(app, world.users['technician']),
               harness.client_for(app, address='10.7.0.1')]
    for client, roles in zip(viewers, (ROLES, world.users['technician'].role_names, ())):
        found['links'] = set()
        for rule in harness.rules(app, 'GET', values=world.records):
            if not harness.may(app, rule, roles):
                continue
            for url, headers in ((u, h) for u in harness.urls(rule, world.records)
                                 for h in ({}, {'HX-Request': 'true'})):
                _check(harness.fetch(client, url, headers=headers), url, headers, found)
        for url in _one_per_kind(app, found['links'])[:MAX_LINKS]:
            _check(harness.fetch(client, url), url, {}, found)
    return found


@pytest.fixture(scope='module')
def poisoned(sec_app, world):
    reflected, form_crashes = [], []
    catalog = _submit_forms(sec_app, world, reflected, form_crashes)
    via_forms = _stored_columns()
    _sweep_database(world)
    found = _read_everything(sec_app, world)
    return dict(found, reflected=reflected, via_forms=via_forms, catalog=catalog, form_crashes=form_crashes,
                all_stored=_stored_columns())


def test_forms_answer_with_the_payload_escaped(poisoned):
    """A form sent back with an error keeps what was typed, as text: a payload in it must not run."""
    assert len(poisoned['catalog']) >= 10
    assert not poisoned['reflected'], poisoned['reflected']


def test_forms_take_the_payloads_into_the_named_fields(poisoned):
    """The attack reaches customer names, complaints, notes, belongings, part names and claim notes."""
    missing = NAMED - poisoned['via_forms']
    assert not missing, 'no form stored a payload in %s (stored: %s)' % (sorted(missing), sorted(poisoned['via_forms']))


def test_every_page_shows_the_payloads_as_text(poisoned):
    """Every page, print view, label, board and status page shows typed markup as text, never runs it."""
    assert poisoned['pages'] >= 50
    assert poisoned['shown'] >= 30, 'the payloads reached only %d pages' % poisoned['shown']
    assert len(poisoned['all_stored']) >= 30
    assert not poisoned['findings'], poisoned['findings']


def test_payloads_crash_nothing(poisoned):
    """Markup typed into a field must not turn a page or a form into a server error."""
    assert not poisoned['form_crashes'], poisoned['form_crashes']
    assert not poisoned['crashes'], poisoned['crashes']


def test_exports_neutralise_formulas(poisoned, sec_app, world):
    """A CSV or XLSX export opened in Excel must not run a cell typed as =HYPERLINK(...) or +cmd."""
    # Exports found on the walk (by content type) were checked there; the shared writer is checked directly too.
    if poisoned['exports']:
        # Exports exist: the payload names (each starting with = + - @) must have reached them, neutralised.
        assert poisoned['neutralised'] >= 1, 'no payload reached the exports %s' % sorted(set(poisoned['exports']))
    from app.core import export
    rows = [['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '-12.50', 42, None]]
    assert not _csv_problems(export.to_csv(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], rows).decode('utf-8'))
    assert not _xlsx_problems(export.to_xlsx([('s', ['=bad', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], rows)]))
