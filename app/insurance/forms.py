"""Forms of insurance jobs: the insurer list, the claim, damage by area, the assessment and the insurer's answers."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, DecimalField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.core.params import date_problem
from app.insurance.models import CAR_AREAS, Supplement
from app.reception.models import CHANNELS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _day_in_bounds(form, field):
    problem = date_problem(field.data)
    if problem:
        raise ValidationError(problem)


class VersionForm(FlaskForm):
    version = IntegerField(validators=[InputRequired()])


class InsurerForm(VersionForm):
    name = StringField(_l('Insurer'), filters=[_strip],
                       validators=[DataRequired(message=_l("Enter the insurer's name.")), Length(max=100)])
    phone = StringField(_l('Claims phone'), filters=[_strip], validators=[Optional(), Length(max=30)])
    contact = StringField(_l('Contact (assessor or account manager)'), filters=[_strip],
                          validators=[Optional(), Length(max=100)])
    active = BooleanField(_l('On the list'), default=True)


class WaitSettingForm(FlaskForm):
    waits = BooleanField(_l("Work on an insurance job waits for the insurer's assessment"))


class ClaimForm(VersionForm):
    insurer = SelectField(_l('Insurer'), coerce=int, validators=[InputRequired(message=_l('Choose the insurer.'))])
    policy_number = StringField(_l('Policy number'), filters=[_strip],
                                validators=[DataRequired(message=_l('Enter the policy number.')), Length(max=40)])
    claim_number = StringField(_l('Claim (报案) number'), filters=[_strip],
                               validators=[DataRequired(message=_l('Enter the claim (报案) number.')),
                                           Length(max=40)])
    accident_date = DateField(_l('Accident date'), validators=[
        InputRequired(message=_l('Enter the date of the accident.')), _day_in_bounds])
    insured_name = StringField(_l('Insured'), filters=[_strip],
                               validators=[DataRequired(message=_l('Enter the name of the insured.')),
                                           Length(max=100)])
    driver_name = StringField(_l('Driver at the accident'), filters=[_strip], validators=[Optional(), Length(max=100)])


class DamageForm(FlaskForm):
    area = SelectField(_l('Area of the car'), choices=[SelectChoice('', _l('Choose…'))]
                       + [SelectChoice(k, v) for k, v in CAR_AREAS.items()],
                       validators=[DataRequired(message=_l('Choose where on the car the damage is.'))])
    note = StringField(_l('What is damaged'), filters=[_strip], validators=[Optional(), Length(max=200)])
    photo = FileField(_l('Photo'))


class AssessmentForm(VersionForm):
    """The lines come as lists (kind, description, shop, insurer per row), read by the view."""
    assessor = StringField(_l("Insurer's assessor"), filters=[_strip],
                           validators=[DataRequired(message=_l("Enter the insurer's assessor.")), Length(max=100)])
    deductible = DecimalField(_l('Deductible (免赔额), yuan'), places=2, default=0, validators=[
        InputRequired(message=_l('Enter the deductible (0 when none).')),
        NumberRange(min=0, max=1_000_000, message=_l('An amount cannot be below zero.'))])


class SupplementForm(FlaskForm):
    description = StringField(_l('More damage found'), filters=[_strip],
                              validators=[DataRequired(message=_l('Say what more damage was found.')),
                                          Length(max=200)])


ANSWERS = {Supplement.APPROVED: _l('Approved'), Supplement.DECLINED: _l('Declined')}


class AnswerForm(VersionForm):
    decision = RadioField(_l("The insurer's answer"), choices=[SelectChoice(k, v) for k, v in ANSWERS.items()],
                          validators=[InputRequired(message=_l("Choose the insurer's answer."))])
    channel = RadioField(_l('How'), choices=[SelectChoice(k, v) for k, v in CHANNELS.items()], default='phone',
                         validators=[InputRequired(message=_l('Choose how the insurer answered.'))])
    spoke_with = StringField(_l('Who answered'), filters=[_strip],
                             validators=[DataRequired(message=_l('Enter who gave the answer.')), Length(max=100)])
    note = StringField(_l('Note'), filters=[_strip], validators=[Optional(), Length(max=200)])


class PayerPaymentForm(VersionForm):
    amount = DecimalField(_l('Amount received'), places=2, validators=[
        InputRequired(message=_l('Enter the amount paid.')),
        NumberRange(min=0.01, max=10_000_000, message=_l('Enter the amount paid.'))])
    reference = StringField(_l('Transfer reference'), filters=[_strip], validators=[Optional(), Length(max=60)])
