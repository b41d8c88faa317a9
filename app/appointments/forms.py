"""Forms for booking an appointment, reminding the customer and the status actions."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, FieldList, Form, FormField, HiddenField, RadioField, SelectField
from wtforms import SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.appointments.models import Appointment
from app.core.money import hours_text

PART_ROWS = 3


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PartRow(Form):
    """One part to order; a row left empty is ignored."""
    part_number = StringField(_l('Part number'), filters=[_strip], validators=[Length(max=40)])
    name = StringField(_l('Part name'), filters=[_strip], validators=[Length(max=100)])
    quantity = DecimalField(_l('Quantity'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0.01'), max=Decimal('9999'), message=_l('Enter a quantity above zero.'))])
    unit_price = DecimalField(_l('Unit price (yuan)'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0'), max=Decimal('9999999'), message=_l('Enter a price of zero or more.'))])

    @property
    def is_empty(self):
        return not (self.part_number.data or self.name.data or self.quantity.raw_data and self.quantity.raw_data[0]
                    or self.unit_price.raw_data and self.unit_price.raw_data[0])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.is_empty:
            return ok
        if not self.name.data:
            self.name.errors.append(_l('Enter the part\'s name.'))
            ok = False
        if self.quantity.data is None and not self.quantity.errors:
            self.quantity.errors.append(_l('Enter a quantity above zero.'))
            ok = False
        if self.unit_price.data is None and not self.unit_price.errors:
            self.unit_price.errors.append(_l('Enter the unit price.'))
            ok = False
        return ok

    def as_tuple(self):
        return (self.part_number.data or '', self.name.data, self.quantity.data, self.unit_price.data)


def deposit_method_choices():
    return [SelectChoice('', _l('No deposit'))] + [SelectChoice(k, v) for k, v in Appointment.DEPOSIT_METHOD_LABELS.items()]


class BookingForm(FlaskForm):
    # The customer and vehicle, picked together from the search results: "customer_id:vehicle_id".
    pick = RadioField(_l('Customer and vehicle'), validate_choice=False,
                      validators=[InputRequired(_l('Find the customer and tap their vehicle.'))])
    q = StringField(_l('Find the customer'), filters=[_strip], validators=[Optional(), Length(max=60)])
    date = DateField(_l('Date'), validators=[InputRequired(_l('Choose the day.'))])
    time = TimeField(_l('Time'), validators=[InputRequired(_l('Choose the time, e.g. 09:30.'))],
                     render_kw={'list': 'slot-times'})
    duration = DecimalField(_l('Expected duration (hours)'), places=2, validators=[
        Optional(),
        NumberRange(min=Decimal('0.25'), max=Decimal('24'), message=_l('Between a quarter of an hour and 24 hours.'))])
    advisor = SelectField(_l('Service advisor'), coerce=str, validate_choice=True)
    canned_jobs = MultiCheckboxField(_l('Catalogue jobs'), coerce=int, validate_choice=True)
    requested_work = TextAreaField(_l('Requested work (in the customer\'s words)'), filters=[_strip],
                                   validators=[Length(max=2000)], render_kw={'rows': 3})
    parts = FieldList(FormField(PartRow), min_entries=PART_ROWS, max_entries=PART_ROWS)
    deposit = DecimalField(_l('Deposit received (yuan)'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0'), max=Decimal('9999999'), message=_l('Enter an amount of zero or more.'))])
    deposit_method = SelectField(_l('Deposit paid by'), choices=deposit_method_choices, validate_choice=True)

    def __init__(self, *args, advisors=(), canned_jobs=(), lang='zh', **kwargs):
        super().__init__(*args, **kwargs)
        self.advisor.choices = [SelectChoice('', _l('Any advisor'))] + [SelectChoice(str(u.id), u.display_name)
                                                                         for u in advisors]
        self.canned_jobs.choices = [SelectChoice(j.id, '%s · %s h' % (j.display_name(lang), hours_text(j.hours)))
                                    for j in canned_jobs]
        self.jobs_by_id = {j.id: j for j in canned_jobs}

    def validate_requested_work(self, field):
        if not field.data and not self.canned_jobs.data:
            raise ValidationError(_l('Say what the customer wants done, or tick a catalogue job.'))

    def validate_deposit_method(self, field):
        if field.data and not self.deposit.data:
            raise ValidationError(_l('Enter the deposit amount, or choose "No deposit".'))

    def validate_pick(self, field):
        customer_id, _vehicle_id = parse_pick(field.data)
        if customer_id is None:
            raise ValidationError(_l('Find the customer and tap their vehicle.'))

    @property
    def filled_parts(self):
        return [row.form for row in self.parts if not row.form.is_empty]


def parse_pick(value):
    """'12:34' -> (12, 34); '12:' -> (12, None); anything else -> (None, None)."""
    customer, sep, vehicle = (value or '').partition(':')
    if not sep or not customer.isdigit() or (vehicle and not vehicle.isdigit()):
        return None, None
    return int(customer), (int(vehicle) if vehicle else None)


class ReminderForm(FlaskForm):
    channel = SelectField(_l('How'), choices=lambda: list(Appointment.CHANNEL_LABELS.items()), validate_choice=True,
                          default=Appointment.PHONE)
    note = StringField(_l('Note'), filters=[_strip], validators=[Length(max=200)])
    version = HiddenField()


class ActionForm(FlaskForm):
    """A status action button: only the version, so a stale page is refused."""
    version = HiddenField()
    note = StringField(_l('Reason'), filters=[_strip], validators=[Length(max=200)])
