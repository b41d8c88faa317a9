"""Languages: the user's choice, else the session's (before login), else the browser's."""
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

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


def template_gettext():
    """The templates' gettext and ngettext for one render, bound to the catalogue in force when it starts (a page is
    drawn in one language). Flask-Babel's own look the catalogue up again for every string, about ninety on a job
    card. Formatted as jinja2's newstyle gettext does: always a format string, escaped first when autoescaping."""
    catalogue = get_translations()

    def formatted(context, text, variables):
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    @pass_context
    def gettext(context, string, **variables):
        return formatted(context, catalogue.ugettext(string), variables)

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault('num', num)
        return formatted(context, catalogue.ungettext(singular, plural, num), variables)

    return {'gettext': gettext, 'ngettext': ngettext}
