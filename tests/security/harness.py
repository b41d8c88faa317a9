"""The attacker's toolkit: one app and two-shop world per module, the route walk, the forms found on pages.

Nothing here lists today's routes or fields: routes come from the url_map, forms and their
fields from the pages themselves, free-text columns from the models. A new area is attacked
as soon as its blueprint is registered (its URL arguments need samples in tests/core/world.py).
"""
import itertools
import os
import re
import shutil
from dataclasses import dataclass, field
from html import unescape as html_unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import peewee as pw
from werkzeug.routing import AnyConverter

from app import create_app
from app.core import db as core_db
from app.core.access import ANY_STAFF, PUBLIC, ROLES
from tests import factories
from tests.helpers import TEST_CONFIG, TEST_DB, FreshContextClient, sign_in
from tests.core.world import build_world

WRITE_METHODS = ('POST', 'PUT', 'PATCH', 'DELETE')
# Tables that count attempts rather than hold records: an attack may add a row there.
COUNTERS = {'LoginFailure', 'StatusHit', 'IdempotencyKey'}

# The three payloads of the brief; XSS_MARKERS are what they look like if they come back unescaped.
XSS_PAYLOADS = ('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='x")
XSS_MARKERS = (re.compile(r'<script>alert\(1\)'), re.compile(r'<img src=x onerror'),
               re.compile(r"<[^<>]*\sonmouseover='x"))
FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')


# --- one app per module ----------------------------------------------------------------------

def truncate_postgres(url):
    database = core_db.open_database(url)
    database.connect()
    tables = ', '.join('"%s"' % t for t in database.get_tables() if t != 'schema_migration')
    database.execute_sql('SET session_replication_role = replica')
    database.execute_sql('TRUNCATE %s RESTART IDENTITY CASCADE' % tables)
    database.close()


def module_app(database_template, tmp_path, **config):
    """A generator for a module-scoped fixture: an app on its own database (PostgreSQL: emptied after)."""
    if TEST_DB == 'postgres':
        url = database_template
    else:
        shutil.copy(database_template, tmp_path / 'sec.db')
        url = 'sqlite:///%s' % (tmp_path / 'sec.db')
    os.environ['INSTANCE_PATH'] = str(tmp_path / 'instance')
    try:
        application = create_app(dict(TEST_CONFIG, DATABASE_URL=url, **config))
    finally:
        os.environ.pop('INSTANCE_PATH', None)
    application.test_client_class = FreshContextClient
    try:
        with application.app_context():
            core_db.db.connect(reuse_if_open=True)
            yield application
            if not core_db.db.is_closed():
                core_db.db.close()
    finally:
        if TEST_DB == 'postgres':
            truncate_postgres(url)


def attack_world():
    """build_world() plus a user of shop A holding every role (sees every page shop A has)."""
    world = build_world()
    world.users['all'] = factories.make_user('u_all', list(ROLES), [world.shop_a], display_name='All Roles')
    return world


def client_for(app, user=None, address='127.0.0.1'):
    client = app.test_client()
    client.environ_base['REMOTE_ADDR'] = address
    return sign_in(client, user) if user is not None else client


# --- routes --------------------------------------------------------------------------------

def rules(app, *methods, values=None):
    """The url_map's rules for these methods; with `values`, only those it has samples for (see unsampled)."""
    return [r for r in app.url_map.iter_rules()
            if r.endpoint != 'static' and set(methods) & set(r.methods)
            and (values is None or not id_args(r) - set(values))]


def unsampled(app, *samples):
    """Routes a walk cannot fill: their new URL arguments need samples in tests/core/world.py."""
    return sorted({'%s needs %s' % (r.rule, sorted(id_args(r) - set(values)))
                   for r in app.url_map.iter_rules() for values in samples
                   if r.endpoint != 'static' and id_args(r) - set(values)})


def audience(app, rule):
    return app.view_functions[rule.endpoint].access_rule


def may(app, rule, role_names):
    """Whether a person with these roles may use the route (no roles: a visitor, who may use public ones)."""
    aud = audience(app, rule)
    return PUBLIC in aud or bool(role_names) and (ANY_STAFF in aud or bool(aud & set(role_names)))


def choice_args(rule):
    """Arguments with a fixed set of values (<any(svg, png):fmt>): every value is walked, no sample needed."""
    return {a: sorted(c.items) for a, c in rule._converters.items() if isinstance(c, AnyConverter)}


def id_args(rule):
    return set(rule.arguments) - set(choice_args(rule))


def urls(rule, values):
    """The rule's URLs for these samples, one per value of each fixed-choice argument."""
    choices = choice_args(rule)
    for combo in itertools.product(*choices.values()):
        yield build(rule, dict(values, **dict(zip(choices, combo))))


def build(rule, values):
    values = dict({a: items[0] for a, items in choice_args(rule).items()}, **values)
    missing = set(rule.arguments) - set(values)
    assert not missing, 'add a sample id for %s (route %s) to tests/core/world.py' % (missing, rule.rule)
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]


def rule_for_path(app, path, method):
    """The url_map rule a form's action goes to, or None for another site."""
    parts = urlsplit(path)
    if parts.netloc and parts.netloc not in ('localhost', ''):
        return None
    adapter = app.url_map.bind('localhost')
    try:
        endpoint, _args = adapter.match(parts.path, method=method)
    except Exception:  # noqa: BLE001 - not a route of ours
        return None
    return next(r for r in app.url_map.iter_rules(endpoint) if method in r.methods)


# --- the database, to prove "nothing changed" ------------------------------------------------

def snapshot():
    """Every row of every table in the database (but the attempt counters), as comparable tuples."""
    skip = {m._meta.table_name for m in core_db.all_models() if m.__name__ in COUNTERS} | {'schema_migration'}
    state = {}
    for table in core_db.db.get_tables():
        if table not in skip:
            rows = core_db.db.execute_sql('SELECT * FROM "%s"' % table).fetchall()
            state[table] = sorted((tuple(str(v) for v in row) for row in rows), key=repr)
    return state


def changed_tables(before, after):
    return sorted(name for name in before if before[name] != after.get(name))


# --- forms as a browser sees them ------------------------------------------------------------

@dataclass
class Field:
    name: str
    kind: str              # text, textarea, hidden, select, checkbox, radio, file, number, date, ...
    value: str = ''
    options: list = field(default_factory=list)
    maxlength: int = 0
    checked: bool = False


@dataclass
class Form:
    page: str
    method: str
    action: str
    multipart: bool
    fields: list = field(default_factory=list)

    def text_fields(self):
        return [f for f in self.fields if f.kind in ('text', 'textarea', 'search', '')]

    def file_fields(self):
        return [f for f in self.fields if f.kind == 'file']

    def data(self, override=None, drop=(), tick=False):
        """What submitting the form as shown sends (first option of a select, ticked boxes; tick: every box)."""
        out = {}
        for f in self.fields:
            if f.name in drop or f.kind in ('file', 'submit', 'button', 'reset', 'image'):
                continue
            if f.kind in ('checkbox', 'radio'):
                if f.checked or tick and f.kind == 'checkbox' or (f.kind == 'radio' and f.name not in out):
                    out.setdefault(f.name, f.value or 'y')
                continue
            value = f.value
            if f.kind == 'select' and not value:
                value = next((o for o in f.options if o), '')
            if not value:
                value = SAMPLE_BY_KIND.get(f.kind, '')
            out.setdefault(f.name, value)
        out.update(override or {})
        return out


SAMPLE_BY_KIND = {'number': '1', 'date': '2030-01-15', 'datetime-local': '2030-01-15T10:00', 'time': '10:00',
                  'tel': '13800138000', 'email': 'someone@example.com', 'url': 'https://example.com'}


class _FormParser(HTMLParser):
    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.form = page, [], None
        self._text = self._select = self._option = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else '') for k, v in attrs}
        if tag == 'form':
            self.form = Form(self.page, (a.get('method') or 'get').upper(), a.get('action') or self.page,
                             'multipart' in a.get('enctype', ''))
            return
        if self.form is None or not a.get('name') and tag != 'option':
            return
        if tag == 'input':
            kind = (a.get('type') or 'text').lower()
            self.form.fields.append(Field(a['name'], kind, a.get('value', ''), maxlength=int(a.get('maxlength') or 0),
                                          checked='checked' in a))
        elif tag == 'button' and a.get('name'):
            self.form.fields.append(Field(a['name'], 'hidden' if not self._has(a['name']) else 'submit',
                                          a.get('value', '')))
        elif tag == 'textarea':
            self._text = Field(a['name'], 'textarea', '', maxlength=int(a.get('maxlength') or 0))
            self.form.fields.append(self._text)
        elif tag == 'select':
            self._select = Field(a['name'], 'select')
            self.form.fields.append(self._select)
        elif tag == 'option' and self._select is not None:
            self._select.options.append(a.get('value', ''))
            if 'selected' in a:
                self._select.value = a.get('value', '')

    def _has(self, name):
        return any(f.name == name for f in self.form.fields)

    def handle_data(self, data):
        if self._text is not None:
            self._text.value += data

    def handle_endtag(self, tag):
        if tag == 'textarea':
            self._text = None
        elif tag == 'select':
            self._select = None
        elif tag == 'form' and self.form is not None:
            self.forms.append(self.form)
            self.form = None


def forms_on(page, html):
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


def is_html(resp):
    return resp.mimetype in ('text/html', 'image/svg+xml', 'application/xhtml+xml', 'application/xml', 'text/xml')


class Crash:
    """Stands for the response of a page that raised (the error is kept for the report)."""
    status_code = 500
    mimetype = 'crash'
    headers = {}

    def __init__(self, url, exc):
        self.url, self.error = url, '%s: %s' % (type(exc).__name__, exc)

    def get_data(self, as_text=False):
        return '' if as_text else b''


def fetch(client, url, method='GET', **kw):
    """A request whose crash (app.testing re-raises) is returned as a Crash instead of ending the walk."""
    try:
        return client.open(url, method=method, **kw)
    except Exception as exc:  # noqa: BLE001 - reported by the caller
        if not core_db.db.is_closed() and core_db.db.in_transaction():
            core_db.db.rollback()
        return Crash(url, exc)


def walk_pages(app, client, values, role_names):
    """GET every route this person may use, filled with `values`: yields (rule, url, response)."""
    for rule in rules(app, 'GET', values=values):
        if not may(app, rule, role_names):
            continue
        for url in urls(rule, values):
            yield rule, url, fetch(client, url)


_CATALOGS = {}


def form_catalog(app, client, values, role_names, state='fresh'):
    """Every state-changing form on every page this person can open, by endpoint.

    Walked once per app (a module's world) for each person and `state` of the world: another module's
    world may have moved its records on (a stage, a version), so its forms are not reused here.
    """
    key = (id(app), TEST_DB, frozenset(role_names), tuple(sorted(values)), state)
    if key not in _CATALOGS:
        _CATALOGS[key] = _walk_forms(app, client, values, role_names)
    return _CATALOGS[key]


def _walk_forms(app, client, values, role_names):
    catalog = {}
    for _rule, url, resp in walk_pages(app, client, values, role_names):
        if resp.status_code != 200 or resp.mimetype != 'text/html':
            continue
        for form in forms_on(url, resp.get_data(as_text=True)):
            if form.method not in WRITE_METHODS:
                continue
            target = rule_for_path(app, form.action, form.method)
            if target is not None:
                catalog.setdefault(target.endpoint, []).append(form)
    return catalog


HREF = re.compile(r'href="(/[^"#]*\?[^"#]*)"')


def query_links(body):
    """Same-site links with a query string (?fmt=xlsx, ?thumb=1, ?page=2): variants the url_map does not list."""
    return {html_unescape(h) for h in HREF.findall(body) if not h.startswith('//')}


def unescaped(body):
    """The payload fragments that came back as markup (empty when everything was escaped)."""
    return [m.pattern for m in XSS_MARKERS if m.search(body)]


def free_text_fields(model):
    """Columns a person types free text into (CharField/TextField without fixed choices or a coded meaning)."""
    coded = re.compile(r'(^|_)(token|hash|nonce|filename|file|code|number|plate|vin|phone|mobile|stage|status|kind|'
                       r'state|language|lang|username|password|role|currency|unit|timezone|tz|key|method|channel|'
                       r'outcome|action|record_type|purpose|mime|format|category|system|colou?r|type|severity|'
                       r'result|decision|level|sex|gender|email|url|ip|address_hash|endpoint|locale|source|'
                       r'reference|scope|grade|side|position|slot|fuel|priority|step|template|checklist|rating)$')
    out = []
    for f in model._meta.sorted_fields:
        if not isinstance(f, (pw.CharField, pw.TextField)) or isinstance(f, pw.ForeignKeyField):
            continue
        if f.choices or f.primary_key or f.unique or coded.search(f.name):
            continue
        if isinstance(f.default, str) and f.default[:1] in ('{', '['):
            continue    # JSON kept in a text column: structure, not something typed
        out.append(f)
    return out
