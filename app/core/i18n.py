"""Languages: the user's choice, else the session's (before login), else the browser's."""
from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

LANGUAGE_NAMES = {'zh': '中文', 'en': 'English'}


def select_locale():
    supported = current_app.config['LANGUAGES']
    if current_user.is_authenticated and current_user.language in supported:
        return current_user.language
    chosen = session.get('lang')
    if chosen in supported:
        return chosen
    # zh-CN, zh-Hans, zh-TW… all map to zh; anything unknown falls back to the shop default.
    best = request.accept_languages.best_match(['zh', 'zh-CN', 'zh-Hans', 'en'])
    if best:
        return 'zh' if best.startswith('zh') else best
    return current_app.config['BABEL_DEFAULT_LOCALE']


def current_language():
    return str(get_locale().language)


def html_lang():
    return 'zh-Hans' if current_language() == 'zh' else 'en'
