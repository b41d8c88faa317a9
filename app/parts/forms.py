"""The parts counter's one-step answer to a parts request."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.parts.rules import OUTCOMES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AnswerForm(FlaskForm):
    version = HiddenField(validators=[InputRequired()])   # the request's version when the row was drawn
    outcome = RadioField(_l('Answer'), default='issued', choices=[SelectChoice(k, v) for k, v in OUTCOMES.items()],
                         validators=[InputRequired(_l('Choose the answer: issue, substitute, backorder or cancel.'))])
    quantity = DecimalField(_l('Qty'), places=None, validators=[
        Optional(),
        NumberRange(min=Decimal('0.01'), max=Decimal('9999'), message=_l('The quantity must be more than 0.'))])
    substitute = StringField(_l('Substitute part number'), filters=[_strip], validators=[Length(max=40)])
    expected_on = DateField(_l('Expected on'), validators=[Optional()])
    note = StringField(_l('Note'), filters=[_strip], validators=[Length(max=200)])
