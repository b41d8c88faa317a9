"""The catalogue job form: the job itself and a few rows for its usual parts (blank rows are ignored)."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, FieldList, Form, FormField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.catalogue.models import CannedJob

CATEGORY_CHOICES = [(CannedJob.MAINTENANCE, _l('Maintenance')), (CannedJob.MINOR, _l('Minor repair')),
                    (CannedJob.MAJOR, _l('Major or assembly repair'))]
CATEGORY_OPTIONS = [SelectChoice(k, v) for k, v in CATEGORY_CHOICES]
BLANK_PART_ROWS = 3


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PartRowForm(Form):
    """One usual part; all four filled or all empty."""
    part_number = StringField(_l('Part number'), filters=[_strip], validators=[Optional(), Length(max=40)])
    name = StringField(_l('Part name'), filters=[_strip], validators=[Optional(), Length(max=100)])
    quantity = DecimalField(_l('Quantity'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0.01'), max=Decimal('999'), message=_l('Enter a quantity from 0.01 to 999.'))])
    unit_price = DecimalField(_l('Unit price (yuan)'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0'), max=Decimal('9999999'), message=_l('Enter a price of 0 or more.'))])

    def is_blank(self):
        return not (self.part_number.data or self.name.data or self.quantity.raw_data and self.quantity.raw_data[0]
                    or self.unit_price.raw_data and self.unit_price.raw_data[0])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.is_blank():
            return ok
        for f, message in ((self.part_number, _l('Enter the part number.')), (self.name, _l('Enter the part name.')),
                           (self.quantity, _l('Enter the quantity.')), (self.unit_price, _l('Enter the unit price.'))):
            if f.data in (None, '') and not f.errors:
                f.errors = list(f.errors) + [message]
                ok = False
        return ok


class JobForm(FlaskForm):
    code = StringField(_l('Code'), filters=[_strip], validators=[
        DataRequired(_l('Enter a short code, e.g. M10K.')), Length(max=20),
        Regexp(r'^[A-Za-z0-9][A-Za-z0-9_-]*$', message=_l('Use letters, digits, - or _ only.'))])
    name = StringField(_l('Name (Chinese)'), filters=[_strip], validators=[
        DataRequired(_l('Enter the job name.')), Length(max=100)])
    name_en = StringField(_l('Name (English)'), filters=[_strip], validators=[Optional(), Length(max=100)])
    category = SelectField(_l('Guarantee category'), choices=CATEGORY_OPTIONS, validators=[InputRequired()])
    system = StringField(_l('System'), filters=[_strip], validators=[Optional(), Length(max=30)],
                         render_kw={'list': 'known-systems'})
    skill = StringField(_l('Skill needed'), filters=[_strip], validators=[Optional(), Length(max=30)],
                        render_kw={'list': 'known-skills'})
    hours = DecimalField(_l('Flat-rate hours'), places=2, validators=[
        InputRequired(_l('Enter the flat-rate hours.')),
        NumberRange(min=Decimal('0.1'), max=Decimal('200'), message=_l('Enter hours from 0.1 to 200.'))])
    labour_rate = DecimalField(_l('Labour rate (yuan per hour)'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0'), max=Decimal('100000'), message=_l('Enter a rate of 0 or more.'))])
    parts = FieldList(FormField(PartRowForm), min_entries=BLANK_PART_ROWS)
