"""The parts counter's one-step answer to a parts request."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DecimalField, HiddenField, IntegerField, RadioField, SelectField,
                     StringField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from app.parts.rules import OUTCOMES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AnswerForm(FlaskForm):
    version = HiddenField(validators=[InputRequired(), Regexp(r'^\d+$')])   # the request's version when drawn
    outcome = RadioField(_l('Answer'), default='issued', choices=[SelectChoice(k, v) for k, v in OUTCOMES.items()],
                         validators=[InputRequired(_l('Choose the answer: issue, substitute, backorder or cancel.'))])
    quantity = DecimalField(_l('Qty'), places=None, validators=[
        Optional(),
        NumberRange(min=Decimal('0.01'), max=Decimal('9999'), message=_l('The quantity must be more than 0.'))])
    substitute = StringField(_l('Substitute part number'), filters=[_strip], validators=[Length(max=40)])
    expected_on = DateField(_l('Expected on'), validators=[Optional()])
    note = StringField(_l('Note'), filters=[_strip], validators=[Length(max=200)])
    override = BooleanField(_l('Manager override: allow stock below zero'))


# --- stock ----------------------------------------------------------------------------------

QTY_RANGE = NumberRange(min=Decimal('0.001'), max=Decimal('99999'), message=_l('The quantity must be more than 0.'))
MONEY_RANGE = NumberRange(min=Decimal('0'), max=Decimal('9999999'), message=_l('Enter an amount of 0 or more.'))


class PartForm(FlaskForm):
    number = StringField(_l('Part number'), filters=[_strip],
                         validators=[InputRequired(_l('Enter the part number.')), Length(max=40)])
    name_zh = StringField(_l('Name (Chinese)'), filters=[_strip],
                          validators=[InputRequired(_l('Enter the name.')), Length(max=100)])
    name_en = StringField(_l('Name (English)'), filters=[_strip], validators=[Length(max=100)])
    origin = SelectField(_l('Origin'), choices=[SelectChoice('oem', _l('OEM')), SelectChoice('aftermarket', _l('Aftermarket'))])
    supplier = SelectField(_l('Supplier'), coerce=int, choices=[], validate_choice=False)
    bin = StringField(_l('Bin'), filters=[_strip], validators=[Length(max=20)])
    unit = StringField(_l('Unit'), default='pc', filters=[_strip], validators=[InputRequired(), Length(max=10)])
    cost_price = DecimalField(_l('Cost price'), places=None, default=Decimal('0'), validators=[Optional(), MONEY_RANGE])
    sell_price = DecimalField(_l('Selling price'), places=None, default=Decimal('0'),
                              validators=[Optional(), MONEY_RANGE])
    min_qty = DecimalField(_l('Minimum'), places=None, default=Decimal('0'), validators=[Optional(), MONEY_RANGE])
    max_qty = DecimalField(_l('Maximum'), places=None, default=Decimal('0'), validators=[Optional(), MONEY_RANGE])
    active = BooleanField(_l('In the catalogue'), default=True)


class AdjustForm(FlaskForm):
    quantity = DecimalField(_l('Change (+ found, - lost)'), places=None, validators=[
        InputRequired(_l('Enter the change.')),
        NumberRange(min=Decimal('-99999'), max=Decimal('99999'), message=_l('Enter a sensible quantity.'))])
    reason = StringField(_l('Reason'), filters=[_strip],
                         validators=[InputRequired(_l('Say why the stock is adjusted.')), Length(max=200)])
    override = BooleanField(_l('Manager override: allow stock below zero'))


class ReceiveForm(FlaskForm):
    quantity = DecimalField(_l('Qty received'), places=None,
                            validators=[InputRequired(_l('Enter the quantity.')), QTY_RANGE])
    unit_cost = DecimalField(_l('Unit cost'), places=None,
                             validators=[InputRequired(_l('Enter the unit cost.')), MONEY_RANGE])
    delivery_note = StringField(_l('Delivery note'), filters=[_strip], validators=[Length(max=60)])


class ReverseForm(FlaskForm):
    reason = StringField(_l('Reason'), filters=[_strip],
                         validators=[InputRequired(_l('Say why the movement is reversed.')), Length(max=200)])
    override = BooleanField(_l('Manager override: allow stock below zero'))


class IssueForm(FlaskForm):
    part_number = StringField(_l('Scan or type the part number'), filters=[_strip],
                              validators=[InputRequired(_l('Scan or type the part number.')), Length(max=40)])
    quantity = DecimalField(_l('Qty'), places=None, default=Decimal('1'),
                            validators=[InputRequired(_l('Enter the quantity.')), QTY_RANGE])
    line = SelectField(_l('Job'), coerce=int, choices=[], validate_choice=False)
    override = BooleanField(_l('Manager override: allow stock below zero'))


class ReturnForm(FlaskForm):
    quantity = DecimalField(_l('Qty back'), places=None,
                            validators=[InputRequired(_l('Enter the quantity.')), QTY_RANGE])
    note = StringField(_l('Note'), filters=[_strip], validators=[Length(max=200)])


class SupplierForm(FlaskForm):
    name = StringField(_l('Supplier'), filters=[_strip],
                       validators=[InputRequired(_l('Enter the supplier name.')), Length(max=100)])
    contact = StringField(_l('Contact'), filters=[_strip], validators=[Length(max=60)])
    phone = StringField(_l('Phone'), filters=[_strip], validators=[Length(max=30)])
    lead_days = IntegerField(_l('Delivery days'), default=2, validators=[
        Optional(), NumberRange(min=0, max=90, message=_l('Enter 0 to 90 days.'))])


class POForm(FlaskForm):
    supplier = SelectField(_l('Supplier'), coerce=int, choices=[], validate_choice=False)
    expected_on = DateField(_l('Expected on'), validators=[Optional()])
    note = StringField(_l('Note'), filters=[_strip], validators=[Length(max=200)])


class POLineForm(FlaskForm):
    part_number = StringField(_l('Part number'), filters=[_strip],
                              validators=[InputRequired(_l('Scan or type the part number.')), Length(max=40)])
    quantity = DecimalField(_l('Qty'), places=None, validators=[InputRequired(_l('Enter the quantity.')), QTY_RANGE])
    unit_cost = DecimalField(_l('Unit cost'), places=None, validators=[Optional(), MONEY_RANGE])


class SendForm(FlaskForm):
    expected_on = DateField(_l('Expected on'), validators=[InputRequired(_l('Enter the date the delivery is expected.'))])


class CountNewForm(FlaskForm):
    bins = StringField(_l('Bins (prefixes, comma-separated; empty = all)'), filters=[_strip],
                       validators=[Length(max=100)])


class CountEntryForm(FlaskForm):
    line = HiddenField(validators=[InputRequired()])
    counted = DecimalField(_l('Counted'), places=None, validators=[
        InputRequired(_l('Enter the counted quantity.')),
        NumberRange(min=Decimal('0'), max=Decimal('999999'), message=_l('A counted quantity cannot be negative.'))])


class OldPartForm(FlaskForm):
    status = SelectField(_l('What happened to it'), choices=[])
    tag_number = StringField(_l('Tag number'), filters=[_strip], validators=[Length(max=40)])
    note = StringField(_l('Note'), filters=[_strip], validators=[Length(max=200)])
