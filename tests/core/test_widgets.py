"""app.core.widgets.html_params writes what WTForms' own html_params writes, and the forms draw with it."""
from markupsafe import Markup

from app.core import widgets

CASES = [
    {},
    {'name': 'text1', 'id': 'f', 'class_': 'text'},
    {'checked': True, 'readonly': False, 'name': 'text1', 'abc': 'hello'},
    {'data_attr': 'user.name', 'aria_labeledby': 'name', 'data_hx_get': '/x?a=1&b=2'},
    {'value': 'Brake "pads" <b> & \'discs\'', 'placeholder': '备注，不正常时填写', 'required': True},
    {'value': Markup('already <b>safe</b> "quoted"'), 'for_': 'x'},
    {'value': 0, 'min': 0.5, 'max': 999, 'step': None, 'disabled': False},
    {'onclick': 'alert("x")', 'style': 'a:b;', 'title': '\x00\u2028'},
]


def test_the_same_attributes_as_wtforms_writes():
    for kwargs in CASES:
        ours = widgets.html_params(**kwargs)
        theirs = widgets.WTFORMS_HTML_PARAMS(**kwargs)
        assert ours == theirs, kwargs
        assert isinstance(ours, Markup)


def test_the_forms_draw_with_it(app):
    """Installed by the app: inputs, selects and labels draw through it (and a lazy label is translated)."""
    from flask_babel import lazy_gettext as _l
    from flask_wtf import FlaskForm
    from wtforms import SelectField, StringField
    from flask import session
    from wtforms import widgets as wtforms_widgets
    from wtforms.fields.choices import SelectChoice
    from wtforms.widgets import core

    class Form(FlaskForm):
        note = StringField(_l('Note'))
        kind = SelectField(_l('Job'), choices=[SelectChoice('a', 'A "1"'), SelectChoice('b', 'B')], default='b')

    assert core.html_params is widgets.html_params and wtforms_widgets.html_params is widgets.html_params
    with app.app_context(), app.test_request_context('/'):      # its own app context: Flask-Babel keeps the locale in g
        session['lang'] = 'zh'
        form = Form(formdata=None, meta={'csrf': False}, note='x "y"')
        assert str(form.note()) == '<input id="note" name="note" type="text" value="x &#34;y&#34;">'
        assert str(form.kind()) == ('<select id="kind" name="kind"><option value="a">A &#34;1&#34;</option>'
                                    '<option selected value="b">B</option></select>')
        assert str(form.note.label) == '<label for="note">备注</label>'
