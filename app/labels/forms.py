"""The pool admin's one form: how many tags (or hooks) to add."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from app.labels.rules import MAX_ADD


class AddForm(FlaskForm):
    count = IntegerField(_l('How many'), default=10, validators=[
        InputRequired(_l('Enter how many to add.')),
        NumberRange(min=1, max=MAX_ADD, message=_l('Add between 1 and %(max)d at a time.'))])
