"""Forms of the check-in steps. Messages say exactly what to fix, in the user's language."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateTimeLocalField, DecimalField, FloatField, HiddenField, IntegerField,
                     RadioField, SelectField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.accounts.forms import MultiCheckboxField
from app.reception.checkin import DOCUMENTS, MARK_KINDS
from app.reception.models import CHANNELS, PartLine, RepairOrder


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class VehicleStepForm(FlaskForm):
    vehicle_id = HiddenField()
    odometer = IntegerField(_l('Odometer (km)'), validators=[
        InputRequired(_l('Enter the odometer reading.')),
        NumberRange(min=0, max=2_000_000, message=_l('Enter the km shown on the odometer (0 to 2,000,000).'))])
    fuel_eighths = RadioField(_l('Fuel level'), coerce=int, default=4,
                              choices=[SelectChoice(i, '%d/8' % i) for i in range(9)],
                              validators=[InputRequired(_l('Tap the fuel level.'))])
    complaint = TextAreaField(_l("Customer's complaint, in their words"), filters=[_strip], validators=[
        DataRequired(_l("Write down what the customer says is wrong or wants done.")), Length(max=2000)])
    documents = MultiCheckboxField(_l('Documents received with the car'),
                                   choices=[SelectChoice(k, v) for k, v in DOCUMENTS.items()])

    def validate_vehicle_id(self, field):
        if not (field.data or '').isdigit():
            raise ValidationError(_l('Find the customer\'s vehicle, or add a new one.'))


class MarkForm(FlaskForm):
    view = HiddenField(default='top')
    x = FloatField(validators=[Optional()])
    y = FloatField(validators=[Optional()])
    kind = RadioField(_l('Kind'), default='scratch', choices=[SelectChoice(k, v) for k, v in MARK_KINDS.items()],
                      validators=[InputRequired(_l('Choose what kind of damage it is.'))])
    note = StringField(_l('Note'), filters=[_strip], validators=[Length(max=200)])


class PhotoForm(FlaskForm):
    photo = FileField(_l('Photo'))


class KeyForm(FlaskForm):
    tag = StringField(_l('Key tag'), filters=[_strip], validators=[
        DataRequired(_l('Scan the key tag, or type or pick its number.'))])
    hook = SelectField(_l('Hook in the key cabinet'), coerce=int, validate_choice=False)


class LineForm(FlaskForm):
    canned_job = SelectField(_l('Job from the catalogue'), coerce=int, validate_choice=False)
    description = StringField(_l('Or describe the job'), filters=[_strip], validators=[Length(max=200)])
    hours = DecimalField(_l('Labour hours'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0'), max=Decimal('200'), message=_l('Labour hours are 0 to 200.'))])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.canned_job.data:   # a free job needs its own words and hours
            if not self.description.data:
                self.description.errors.append(_l('Pick a job from the catalogue or describe it.'))
                ok = False
            if self.hours.data is None and not self.hours.errors:
                self.hours.errors.append(_l('Enter the labour hours for a job you describe.'))
                ok = False
        return ok


class PartForm(FlaskForm):
    part_number = StringField(_l('Part number'), filters=[_strip], validators=[Length(max=40)])
    name = StringField(_l('Part'), filters=[_strip], validators=[DataRequired(_l('Name the part.')), Length(max=100)])
    quantity = DecimalField(_l('Qty'), places=2, default=Decimal('1'), validators=[
        InputRequired(_l('Enter the quantity.')),
        NumberRange(min=Decimal('0.01'), max=Decimal('9999'), message=_l('The quantity must be more than 0.'))])
    unit_price = DecimalField(_l('Unit price'), places=2, default=Decimal('0'), validators=[
        InputRequired(_l('Enter the price (0 if the customer brings the part).')),
        NumberRange(min=Decimal('0'), max=Decimal('9999999'), message=_l('The price cannot be negative.'))])
    supplied_by = RadioField(_l('Supplied by'), default=PartLine.SHOP, choices=[
        SelectChoice(PartLine.SHOP, _l('Shop')), SelectChoice(PartLine.CUSTOMER, _l('Customer'))])
    origin = RadioField(_l('Part type'), default=PartLine.OEM, choices=[
        SelectChoice(PartLine.OEM, _l('OEM')), SelectChoice(PartLine.AFTERMARKET, _l('Aftermarket'))])
    key_system = BooleanField(_l('Key system (brakes, steering, airbags…)'))


ESTIMATE_METHODS = {
    RepairOrder.SYSTEM: _l('By system'),
    RepairOrder.SYMPTOM: _l('By symptom'),
    RepairOrder.ITEM: _l('By item'),
}


class EstimateForm(FlaskForm):
    method = RadioField(_l('Estimate method'), choices=[SelectChoice(k, v) for k, v in ESTIMATE_METHODS.items()],
                        validators=[InputRequired(_l('Choose how the estimate was made.'))])


class PromiseForm(FlaskForm):
    promised_at = DateTimeLocalField(_l('Promised for'), format='%Y-%m-%dT%H:%M', validators=[
        InputRequired(_l('Enter the date and time the car will be ready.'))])


class SignForm(FlaskForm):
    signer = StringField(_l('Signed by'), filters=[_strip], validators=[
        DataRequired(_l('Enter the name of the person signing.')), Length(max=100)])
    signature = HiddenField()
    signature_file = FileField(_l('Or a photo of the signed paper copy'))


class AmendForm(FlaskForm):
    version = HiddenField()   # the order's version when the page was drawn: a stale amend is refused
    promised_at = DateTimeLocalField(_l('Promised for'), format='%Y-%m-%dT%H:%M', validators=[
        InputRequired(_l('Enter the date and time the car will be ready.'))])
    advisor_notes = TextAreaField(_l('Advisor notes'), filters=[_strip], validators=[Length(max=2000)])
    reason = StringField(_l('Why is the signed order changed?'), filters=[_strip], validators=[
        DataRequired(_l('Say why the signed order is changed.')), Length(max=200)])
    # a new promised time is told to the customer (checked by the rule only when the time moves)
    told_channel = RadioField(_l('The customer was told of a new time by'), validate_choice=False,
                              choices=[SelectChoice(k, v) for k, v in CHANNELS.items()])


class DeclineForm(FlaskForm):
    """The customer declines the repair: the diagnosis or estimate fee to pay (002); checked by the rule."""
    fee = StringField(_l('Diagnosis or estimate fee (yuan, before tax)'), filters=[lambda v: (v or '').strip()],
                      validators=[Length(max=12)], render_kw={'inputmode': 'decimal', 'autocomplete': 'off'})
