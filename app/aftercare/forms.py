"""Forms for follow-up calls, requests, reminders, shop events and complaints."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.aftercare.models import CallRecord, Complaint



def _choices(pairs):
    return [SelectChoice(value, label) for value, label in pairs]


SATISFACTION = [('', _l('Not asked')), ('5', _l('5 · Very satisfied')), ('4', _l('4 · Satisfied')),
                ('3', _l('3 · Neutral')), ('2', _l('2 · Dissatisfied')), ('1', _l('1 · Very dissatisfied'))]
SERVICE_FAULT = [('', _l('Not decided yet')), ('yes', _l('Yes: service\'s fault')), ('no', _l('No'))]
LOCAL_FORMAT = ['%Y-%m-%dT%H:%M', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M']


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _score(value):
    return int(value) if value not in (None, '', 'None') else None


class VersionForm(FlaskForm):
    """An action on a record that may be edited by two people at once: carries the version read."""
    version = IntegerField(validators=[InputRequired()])


class CallForm(VersionForm):
    outcome = RadioField(_l('How did the call go?'), choices=_choices(CallRecord.OUTCOMES.items()),
                         validators=[InputRequired(message=_l('Choose how the call went.'))])
    call_back_at = DateTimeLocalField(_l('Call back at'), format=LOCAL_FORMAT, validators=[Optional()])
    satisfaction = SelectField(_l('Satisfaction with the service'), choices=_choices(SATISFACTION), default='',
                               coerce=_score, validate_choice=False)
    notes = TextAreaField(_l('Notes'), filters=[_strip], validators=[Length(max=2000)])
    request = TextAreaField(_l('Customer\'s request'), filters=[_strip], validators=[Length(max=2000)])
    answer = TextAreaField(_l('Answered during the call'), filters=[_strip], validators=[Length(max=2000)])

    def validate_call_back_at(self, field):
        if self.outcome.data == CallRecord.CALL_BACK and field.data is None:
            raise ValidationError(_l('Enter when to call back.'))

    def validate_satisfaction(self, field):
        if field.data is not None and field.data not in range(1, 6):
            raise ValidationError(_l('Satisfaction is a score from 1 to 5.'))

    def validate_answer(self, field):
        if field.data and not self.request.data:
            raise ValidationError(_l('Write the request the answer belongs to.'))


class AssignForm(VersionForm):
    assigned_to = SelectField(_l('Caller'), choices=[], validate_choice=False)


class AnswerForm(VersionForm):
    answer = TextAreaField(_l('What the customer was told'), filters=[_strip],
                           validators=[DataRequired(message=_l('Write what the customer was told.')), Length(max=2000)])
    told_channel = SelectField(_l('How'), choices=_choices(Complaint.CHANNELS.items()), default='phone')


class EscalateForm(VersionForm):
    to = SelectField(_l('Supervisor'), choices=[], validate_choice=False)
    note = StringField(_l('Note'), filters=[_strip], validators=[Length(max=200)])


class EventForm(FlaskForm):
    title = StringField(_l('Title (Chinese)'), filters=[_strip],
                        validators=[DataRequired(message=_l('Give the event a title.')), Length(max=120)])
    title_en = StringField(_l('Title (English)'), filters=[_strip], validators=[Length(max=120)])
    starts_on = DateField(_l('Date'), validators=[InputRequired(message=_l('Enter the date.'))])
    description = TextAreaField(_l('Description'), filters=[_strip], validators=[Length(max=2000)])


class ComplaintForm(FlaskForm):
    channel = SelectField(_l('Came in by'), choices=_choices(Complaint.CHANNELS.items()), default='phone')
    contact = StringField(_l('Who complained (name and phone, as given)'), filters=[_strip],
                          validators=[Length(max=120)])
    order_number = StringField(_l('Repair order number (if any)'), filters=[_strip], validators=[Length(max=20)])
    customer_id = HiddenField()
    severity = SelectField(_l('How serious'), choices=_choices(Complaint.SEVERITIES.items()), default=Complaint.NORMAL)
    content = TextAreaField(_l('What is the complaint?'), filters=[_strip],
                            validators=[DataRequired(message=_l('Write down what the customer complains about.')),
                                        Length(max=4000)])
    received_at = DateTimeLocalField(_l('Received at (if not just now)'), format=LOCAL_FORMAT, validators=[Optional()])


class HandoverForm(VersionForm):
    to_user = SelectField(_l('Hand it to'), choices=[], validate_choice=False)
    note = StringField(_l('Why / what they need to know'), filters=[_strip], validators=[Length(max=200)])


class InvestigateForm(VersionForm):
    investigation = TextAreaField(_l('Investigation notes'), filters=[_strip], validators=[Length(max=4000)])
    cause_category = SelectField(_l('Cause'),
                                 choices=_choices([('', _l('Not decided yet'))] + list(Complaint.CAUSES.items())),
                                 default='')
    service_fault = SelectField(_l('Service\'s fault?'), choices=_choices(SERVICE_FAULT), default='')
    severity = SelectField(_l('How serious'), choices=_choices(Complaint.SEVERITIES.items()), default=Complaint.NORMAL)

    @property
    def fault_value(self):
        return {'yes': True, 'no': False}.get(self.service_fault.data)


class FirstAnswerForm(VersionForm):
    answer = TextAreaField(_l('First answer given to the customer'), filters=[_strip],
                           validators=[DataRequired(message=_l('Write what the customer was told.')), Length(max=2000)])
    told_channel = SelectField(_l('How'), choices=_choices(Complaint.CHANNELS.items()), default='phone')


class ResolveForm(VersionForm):
    resolution = TextAreaField(_l('Resolution'), filters=[_strip],
                               validators=[DataRequired(message=_l('Write down the resolution.')), Length(max=4000)])
    told_channel = SelectField(_l('Customer told by'), choices=_choices(Complaint.CHANNELS.items()), default='phone')
    satisfaction = SelectField(_l('Satisfaction with the answer'), choices=_choices(SATISFACTION), default='',
                               coerce=_score, validate_choice=False)

    def validate_satisfaction(self, field):
        if field.data is not None and field.data not in range(1, 6):
            raise ValidationError(_l('Satisfaction is a score from 1 to 5.'))


class ActionForm(VersionForm):
    pass

