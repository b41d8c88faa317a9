"""The advisor's forms: the customer's answer to added work, the progress check."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, DecimalField, HiddenField, IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from app.approvals.rules import CHANNELS, DECISIONS

LOCAL_FORMAT = '%Y-%m-%dT%H:%M'


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DecisionForm(FlaskForm):
    # the item's version when the panel was drawn
    version = HiddenField(validators=[InputRequired(), Regexp(r'^\d{1,9}$')])
    decision = RadioField(_l("Customer's answer"), choices=[SelectChoice(k, v) for k, v in DECISIONS.items()],
                          validators=[InputRequired(_l("Choose the customer's answer."))])
    channel = RadioField(_l('Contacted by'), default='phone', choices=[SelectChoice(k, v) for k, v in CHANNELS.items()],
                         validators=[InputRequired(_l('Choose how the customer was contacted.'))])
    spoke_with = StringField(_l('Who answered'), filters=[_strip], validators=[Length(max=100)])
    at = DateTimeLocalField(_l('When'), format=LOCAL_FORMAT, validators=[
        InputRequired(_l('Enter when the customer was called.'))])
    price_told = DecimalField(_l('Price told (yuan)'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0'), max=Decimal('9999999'), message=_l('The price cannot be negative.'))])
    delay_told_minutes = IntegerField(_l('Extra time told (minutes)'), validators=[
        Optional(), NumberRange(min=0, max=60 * 24 * 60, message=_l('The delay cannot be negative.'))])
    note = StringField(_l('Note'), filters=[_strip], validators=[Length(max=200)])


class ProgressForm(FlaskForm):
    # the order's version when the row was drawn
    version = HiddenField(validators=[InputRequired(), Regexp(r'^\d{1,9}$')])
    on_track = RadioField(_l('Progress'), default='yes', choices=[
        SelectChoice('yes', _l('On track')), SelectChoice('no', _l('Problem'))],
        validators=[InputRequired(_l('Say whether the job is on track.'))])
    note = StringField(_l('Note'), filters=[_strip], validators=[Length(max=200)])
    new_promised_at = DateTimeLocalField(_l('New promised time'), format=LOCAL_FORMAT, validators=[Optional()])
    reason = StringField(_l('Reason for the delay'), filters=[_strip], validators=[Length(max=200)])
    told_at = DateTimeLocalField(_l('Customer told at'), format=LOCAL_FORMAT, validators=[Optional()])
    told_channel = RadioField(_l('Told by'), default='phone', choices=[SelectChoice(k, v) for k, v in CHANNELS.items()],
                              validators=[Optional()])
