"""Keep the two catalogs in step with the code: extract, merge, fill English, compile.

    python scripts/i18n.py          # after adding or changing user-facing strings
    python scripts/i18n.py extract update pending compile   # also take zh from translations/pending/*.json

Source strings are English, so the English catalog's translation is the source string
itself; the Chinese catalog is translated by hand (new entries appear empty and the
translation test fails until they are filled).
"""
import os
import subprocess
import sys

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POT = os.path.join(ROOT, 'translations', 'messages.pot')
LANGS = ('zh', 'en')
KEYWORDS = ['-k', '_l', '-k', 'lazy_gettext']


def po_path(lang):
    return os.path.join(ROOT, 'translations', lang, 'LC_MESSAGES', 'messages.po')


def extract():
    subprocess.run([sys.executable, '-m', 'babel.messages.frontend', 'extract', '-F', 'babel.cfg', *KEYWORDS,
                    '-o', POT, '--no-location', '--sort-output', '--omit-header', '--project', 'ServiceBay', '.'],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def update():
    with open(POT, 'rb') as fh:
        template = read_po(fh)
    for lang in LANGS:
        path = po_path(lang)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.exists(path):
            with open(path, 'rb') as fh:
                catalog = read_po(fh, locale=lang)
        else:
            from babel.messages.catalog import Catalog
            catalog = Catalog(locale=lang, project='ServiceBay')
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if lang == 'en':
            for message in catalog:
                if message.pluralizable and not all(message.string):
                    message.string = message.id            # (singular, plural) as written in the source
                elif message.id and not message.string:
                    message.string = message.id
                message.flags.discard('fuzzy')
        with open(path, 'wb') as fh:
            write_po(fh, catalog, omit_header=False, sort_output=True, width=0, include_previous=False)


def compile_all():
    for lang in LANGS:
        with open(po_path(lang), 'rb') as fh:
            catalog = read_po(fh, locale=lang)
        with open(po_path(lang)[:-3] + '.mo', 'wb') as fh:
            write_mo(fh, catalog)


def pending():
    """Fill empty Chinese entries from translations/pending/*.json ({msgid: zh}), written by parallel work."""
    import glob
    import json
    found = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'translations', 'pending', '*.json'))):
        with open(path, encoding='utf-8') as fh:
            found.update(json.load(fh))
    path = po_path('zh')
    with open(path, 'rb') as fh:
        catalog = read_po(fh, locale='zh')
    for message in catalog:
        key = message.id[0] if message.pluralizable else message.id
        if key in found and not (all(message.string) if message.pluralizable else message.string):
            message.string = (found[key],) if message.pluralizable else found[key]
    with open(path, 'wb') as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, width=0, include_previous=False)


if __name__ == '__main__':
    steps = sys.argv[1:] or ['extract', 'update', 'compile']
    for step in steps:
        {'extract': extract, 'update': update, 'pending': pending, 'compile': compile_all}[step]()
