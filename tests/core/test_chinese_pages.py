"""Every page a person can open, rendered in Chinese, shows no English words but names, codes and units."""
import html
import re

import peewee as pw

from app.accounts.models import User
from app.core.access import ANY_STAFF, PUBLIC, ROLES
from app.core.db import all_models
from app.core.models import Event
from tests.core.world import build_world, url_for_rule
from tests.helpers import sign_in

# What a reader never sees: scripts, styles, comments, <code>/<pre> (codes and raw records for managers), then tags.
_HIDDEN = re.compile(r'<(script|style|code|pre)\b.*?</\1\s*>|<!--.*?-->', re.S | re.I)
# Attributes a reader does see (a placeholder, a tooltip, a picture's words, a button's label).
_SEEN_ATTRS = re.compile(r'''\s(?:placeholder|title|alt|aria-label)\s*=\s*"([^"]*)"''', re.I)
_TAG = re.compile(r'<[^>]*>', re.S)
_ADDRESS = re.compile(r'(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+|\b[\w-]+\.(?:com|cn|net|org)\b|/[\w/.-]+')
_WORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9'’]|[._](?=[A-Za-z0-9]))*")

# Names, codes and units a Chinese page may show as they are.
ALLOWED = {
    # the product, languages, brands
    'ServiceBay', 'English', 'Toyota', 'Brother', 'QL', 'WeChat', 'iPad', 'Android', 'Wi', 'Fi',
    # codes and file types
    'VIN', 'KPI', 'RO', 'PO', 'GR', 'SC', 'CL', 'QR', 'ID', 'IP', 'CSV', 'XLSX', 'PDF', 'PNG', 'SVG', 'JPEG',
    'OEM', 'SMS', 'A4', 'Ctrl', 'Cmd', 'P', 'OK', 'localhost', 'N', 'DK',
    # units
    'km', 'kg', 'h', 'min', 'mm', 'cm', 'L', 'pc', 's', 'd',
    # the test world's signed-in device, named by its browser
    'pytest',
}
# Shop data: a user name is a name, a value typed into a form is shown as typed (the test world has English ones).
_IDENTIFIER = re.compile(r'^[a-z0-9_.:,\-]*$')
# Columns that hold codes the page must put in words, not show as typed.
_CODED = {'timezone'}
# Pages that show codes on purpose: the audit filter's example names record types an admin types; the printer's
# set-up quotes the line of its own (English) settings printout that holds its address.
_PAGE_CODES = {'/audit': {'user'}, '/labels/printer': {'Address'}}


def _data_words():
    """Words of the text the shop typed: every string column but pure identifiers (state codes) and the audit trail."""
    words = {w for (name,) in User.select(User.username).tuples() for w in _WORD.findall(name)}
    for model in all_models():
        if model is Event:
            continue
        fields = [f for f in model._meta.sorted_fields
                  if isinstance(f, (pw.CharField, pw.TextField)) and f.name not in _CODED]
        for row in model.select(*fields).tuples() if fields else ():
            for value in row:
                if value and not _IDENTIFIER.match(value):
                    words.update(_WORD.findall(value))
    return words


def english_words(body):
    """The Latin-letter words a reader sees on a page."""
    body = _HIDDEN.sub(' ', body)
    seen = ' '.join(_SEEN_ATTRS.findall(body))
    text = html.unescape(_TAG.sub(' ', body) + ' ' + seen)
    return [w for w in _WORD.findall(_ADDRESS.sub(' ', text)) if not w[0].isdigit()]


def _is_code(word):
    """A plate, VIN, part or order number, a token, a dotted name: letters mixed with digits, dots or underscores."""
    return any(c.isdigit() or c in '._' for c in word)


def _readers(audience):
    """Who opens the page: each role it is for (pages differ by role), the advisor, technician and manager for pages
    every staff member sees, nobody signed in for public pages."""
    if PUBLIC in audience:
        return (None,)
    if ANY_STAFF in audience:
        return ('advisor', 'technician', 'manager')
    return tuple(role for role in ROLES if role in audience)


def test_every_page_in_chinese_has_no_english_words(app):
    """A Chinese-speaking user would meet English labels (“Left side”, “engine”, “Asia/Shanghai”) on their pages."""
    world = build_world()
    User.update(language='zh').execute()
    User.update(skills='engine,chassis').where(User.id == world.users['technician'].id).execute()
    allowed = ALLOWED | _data_words()
    found = {}
    for rule in app.url_map.iter_rules():
        if 'GET' not in rule.methods or rule.endpoint == 'static':
            continue
        url = url_for_rule(rule, world.records)
        for who in _readers(app.view_functions[rule.endpoint].access_rule):
            client = app.test_client()
            if who:
                sign_in(client, world.users[who])
            resp = client.get(url, headers={'Accept-Language': 'zh-CN,zh;q=0.9'})
            if resp.status_code != 200 or resp.mimetype not in ('text/html', 'image/svg+xml'):
                continue
            for word in english_words(resp.get_data(as_text=True)):
                if word not in allowed and not _is_code(word) and word not in _PAGE_CODES.get(url, ()):
                    found.setdefault(word, []).append('%s (%s)' % (url, who))
    assert not found, '\n'.join('%s: %s' % (w, ' '.join(sorted(set(u))[:3])) for w, u in sorted(found.items()))


def test_car_outline_names_its_sides_in_the_papers_language(app):
    """The car outline said "Left side / Front" on Chinese pages, and a printed order showed another language."""
    world = build_world()
    from app.customers.models import Customer
    from app.reception.models import RepairOrder
    order = RepairOrder.get_by_id(world.records['order_id'])
    Customer.update(language='en').where(Customer.id == order.customer_id).execute()
    client = sign_in(app.test_client(), world.users['advisor'])
    headers = {'Accept-Language': 'zh-CN'}
    outline = client.get('/orders/%d/outline.svg' % order.id, headers=headers).get_data(as_text=True)
    assert all(side in outline for side in ('左侧', '右侧', '车头', '车尾')) and 'Left side' not in outline
    printed = client.get('/orders/%d/print' % order.id, headers=headers).get_data(as_text=True)
    assert 'outline.svg?v=%d&amp;lang=en' % order.version in printed
    english = client.get('/orders/%d/outline.svg?lang=en' % order.id, headers=headers).get_data(as_text=True)
    assert 'Left side' in english and '左侧' not in english
