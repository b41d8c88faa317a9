"""Every form field of every page is drawn by WTForms' widgets, and each of their attributes went through
`html_params`, which formats each attribute through markupsafe's escaping Formatter: about a fifth of a job card's
time. `html_params` here writes the same bytes (tests/core/test_widgets.py holds the two together over the cases
WTForms documents, and more) with plain string formatting of escaped parts, five times faster. `install()` puts it
where WTForms' widgets and labels look it up (the pinned WTForms of requirements.txt).
"""
import wtforms.widgets
from markupsafe import Markup, escape
from wtforms.widgets import core

WTFORMS_HTML_PARAMS = core.html_params


def html_params(**kwargs):
    """HTML attributes from keywords, as WTForms writes them: sorted by key, `class_` as class, `data_`/`aria_`
    keys with hyphens, True as a bare attribute, False left out, values escaped (a double quote as &quot;)."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(core.clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            params.append('%s="%s"' % (key, str.replace(escape(value), '"', '&quot;')))
    return Markup(' '.join(params))


def install():
    """Where WTForms looks `html_params` up: the widgets' module (Select, TextArea and the options call it by name),
    the classes that keep it as a static method (Input and its kinds, Button), and the package (Label)."""
    core.html_params = html_params
    wtforms.widgets.html_params = html_params
    for cls in (core.Input, core.Button):
        cls.html_params = staticmethod(html_params)
