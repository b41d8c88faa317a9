"""Languages: the user's choice, else the session's (before login), else the browser's."""
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

LANGUAGE_NAMES = {'zh': '中文', 'en': 'English'}


def select_locale():
    supported = current_app.config['LANGUAGES']
    if not has_request_context():   # CLI, demo loader, background work
        return current_app.config['BABEL_DEFAULT_LOCALE']
    user = current_user._get_current_object()
    if user is not None and user.is_authenticated and user.language in supported:
        return user.language
    chosen = session.get('lang')
    if chosen in supported:
        return chosen
    return browser_language(request.accept_languages, current_app.config)


def browser_language(accept_languages, config):
    """The browser's languages in its order of preference (zh-CN, zh-Hans… all count as zh), else the default."""
    for tag, _quality in accept_languages:
        primary = tag.replace('_', '-').split('-')[0].lower()
        if primary in config['LANGUAGES']:
            return primary
    return config['BABEL_DEFAULT_LOCALE']


def customer_language(customer):
    """The language of what a customer reads (prints, messages): theirs where the shop speaks it, else the shop's."""
    if customer is not None and customer.language in current_app.config['LANGUAGES']:
        return customer.language
    return current_app.config['BABEL_DEFAULT_LOCALE']


def current_language():
    return str(get_locale().language)


def html_lang():
    return 'zh-Hans' if current_language() == 'zh' else 'en'
