"""Two languages: every message translated in both catalogs; the right one chosen per person."""
import os

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEYWORDS = {'_': None, 'gettext': None, 'ngettext': (1, 2), 'lazy_gettext': None, '_l': None}


def _source_messages():
    ids = set()
    method_map = [('app/**.py', 'python'), ('templates/**.html', 'jinja2')]
    for _file, _line, message, _comments, _ctx in extract_from_dir(ROOT, method_map, keywords=KEYWORDS):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _catalog(lang, ext):
    path = os.path.join(ROOT, 'translations', lang, 'LC_MESSAGES', 'messages.' + ext)
    with open(path, 'rb') as fh:
        return read_po(fh, locale=lang) if ext == 'po' else read_mo(fh)


def test_every_message_is_translated_in_both_catalogs():
    """A screen with one untranslated English phrase in the Chinese UI (or an empty label) looks broken."""
    source = _source_messages()
    assert len(source) > 150
    for lang in ('zh', 'en'):
        po = _catalog(lang, 'po')
        def untranslated(m):
            entry = po.get(m)
            return entry is None or entry.fuzzy or not (all(entry.string) if entry.pluralizable else entry.string)
        missing = sorted(str(m) for m in source if untranslated(m))
        assert not missing, '%s catalog lacks: %s (run python scripts/i18n.py)' % (lang, missing[:10])


def test_compiled_catalogs_match_their_sources():
    """An edited .po that was not compiled would show the old text."""
    for lang in ('zh', 'en'):
        po, mo = _catalog(lang, 'po'), _catalog(lang, 'mo')
        for message in po:
            if message.id:
                compiled = mo.get(message.id)
                # plural entries come back as a list from .mo and a tuple from .po
                same = compiled is not None and (tuple(compiled.string) == tuple(message.string)
                                                 if message.pluralizable else compiled.string == message.string)
                assert same, (lang, message.id)


def test_placeholders_survive_translation():
    """A translation that drops %(name)s would crash the page or lose the value."""
    import re
    po = _catalog('zh', 'po')
    for message in po:
        if message.id:
            ids = message.id if message.pluralizable else (message.id,)
            strings = message.string if message.pluralizable else (message.string,)
            wanted = set(re.findall(r'%\(\w+\)[sd]', ' '.join(ids)))
            for text in strings:
                assert set(re.findall(r'%\(\w+\)[sd]', text)) <= wanted, message.id
                assert wanted - {'%(num)d'} <= set(re.findall(r'%\(\w+\)[sd]', text)), message.id


def test_browser_language_is_the_fallback(client):
    """A Chinese phone sees Chinese, an English browser English, before anyone signs in."""
    zh = client.get('/login', headers={'Accept-Language': 'zh-CN,zh;q=0.9,en;q=0.5'}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in zh and '登录' in zh
    en = client.get('/login', headers={'Accept-Language': 'en-GB,en;q=0.8'}).get_data(as_text=True)
    assert '<html lang="en">' in en and 'Sign in' in en


def test_choice_before_login_is_kept_for_the_browser(client):
    """Switching language on the login page must stick for the next page."""
    client.post('/language', data={'lang': 'zh', 'next': '/login'}, headers={'Accept-Language': 'en'})
    assert '<html lang="zh-Hans">' in client.get('/login', headers={'Accept-Language': 'en'}).get_data(as_text=True)


def test_users_choice_wins_over_browser_and_is_remembered(app, client, make_user):
    """A technician who chose English sees English on any phone after signing in."""
    make_user('tech1', ['technician'], language='en')
    client.post('/login', data={'username': 'tech1', 'password': 'correct horse'})
    body = client.get('/', headers={'Accept-Language': 'zh-CN'}).get_data(as_text=True)
    assert '<html lang="en">' in body
    client.post('/language', data={'lang': 'zh', 'next': '/'})
    other = app.test_client()
    other.post('/login', data={'username': 'tech1', 'password': 'correct horse'})
    assert '<html lang="zh-Hans">' in other.get('/', headers={'Accept-Language': 'en'}).get_data(as_text=True)


def test_language_switch_next_cannot_leave_the_site(client):
    """The switch's return address must stay on this site."""
    resp = client.post('/language', data={'lang': 'en', 'next': 'https://evil.example/'})
    assert resp.headers['Location'] in ('/', '/login') or resp.headers['Location'].startswith('/')
    assert 'evil' not in resp.headers['Location']


def test_templates_translate_with_the_catalogue_of_the_render(app):
    """The templates' gettext is bound to the catalogue once per render (app.core.i18n.template_gettext): the same
    words, plurals, escaping and placeholders as Flask-Babel's, in the language in force when the render starts, also
    inside force_locale (a print in the customer's language)."""
    from flask import render_template_string, session
    from flask_babel import force_locale

    page = ("{{ _('Job card') }}|{{ _('%(n)s marks', n='<b>') }}|{{ ngettext('%(num)d part', '%(num)d parts', 3) }}"
            "|{{ gettext('Job card') }}")
    with app.app_context(), app.test_request_context('/'):      # its own app context: Flask-Babel keeps the locale in g
        session['lang'] = 'zh'
        assert render_template_string(page) == '工单|&lt;b&gt; 处标记|3 个配件|工单'
        with force_locale('en'):
            assert render_template_string(page) == 'Job card|&lt;b&gt; marks|3 parts|Job card'
        assert render_template_string(page) == '工单|&lt;b&gt; 处标记|3 个配件|工单'
    with app.app_context(), app.test_request_context('/', headers={'Accept-Language': 'en'}):
        assert render_template_string("{{ ngettext('%(num)d part', '%(num)d parts', 1) }}") == '1 part'
