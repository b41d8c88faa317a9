"""The pool admin's forms: how many tags (or hooks) to add; the label printer; how many labels to print."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from app.labels import brother
from app.labels.printing import MAX_COPIES
from app.labels.rules import MAX_ADD


class AddForm(FlaskForm):
    count = IntegerField(_l('How many'), default=10, validators=[
        InputRequired(_l('Enter how many to add.')),
        NumberRange(min=1, max=MAX_ADD, message=_l('Add between 1 and %(max)d at a time.'))])


MEDIA_NAMES = {'62': _l('62 mm continuous roll (DK-22205)'), '62x29': _l('62 x 29 mm labels (DK-11209)')}


class PrinterForm(FlaskForm):
    address = StringField(_l('Printer address'), validators=[Length(max=100)],
                          render_kw={'inputmode': 'url', 'autocomplete': 'off', 'spellcheck': 'false',
                                     'placeholder': '192.168.1.50'})
    model = SelectField(_l('Printer model'), choices=[SelectChoice(m, m) for m in brother.MODELS])
    media = SelectField(_l('Label roll'), choices=[SelectChoice(k, v) for k, v in MEDIA_NAMES.items()])


class PrintForm(FlaskForm):
    """One tap prints one label; bags may take more."""
    copies = IntegerField(_l('Labels'), default=1, validators=[
        InputRequired(_l('Enter how many labels to print.')),
        NumberRange(min=1, max=MAX_COPIES, message=_l('Print between 1 and %(max)d labels at a time.'))],
        render_kw={'inputmode': 'numeric', 'min': 1, 'max': MAX_COPIES})
