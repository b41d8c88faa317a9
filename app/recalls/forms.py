"""Forms of recalls and campaigns: a campaign (typed, or with the maker's file), its edit and close, and the one-tap
add."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.fields.choices import SelectChoice
from wtforms import (DateField, DecimalField, HiddenField, IntegerField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.accounts.forms import MultiCheckboxField
from app.recalls.models import Campaign
from app.warranty.models import SYSTEMS


class CampaignForm(FlaskForm):
    code = StringField(_l('Campaign number'), validators=[DataRequired(_l('Enter the maker\'s campaign number.')),
                                                          Length(max=30)])
    title = StringField(_l('Title'), validators=[DataRequired(_l('Enter a title.')), Length(max=120)])
    kind = SelectField(_l('Kind'), choices=lambda: [SelectChoice(k, v) for k, v in Campaign.KINDS], default=Campaign.RECALL)
    work = StringField(_l('Work to do'), validators=[DataRequired(_l('Say what work is done on each car.')),
                                                     Length(max=150)])
    system = SelectField(_l('System'), choices=lambda: [SelectChoice(k, v) for k, v in SYSTEMS], default='other')
    hours = DecimalField(_l('Flat-rate hours'), places=2, default=0,
                         validators=[InputRequired(_l('Enter the hours (0 if none).')), NumberRange(0, 99)])
    parts = TextAreaField(_l('Parts, one a line: part number; name; quantity; unit price'), validators=[Optional()],
                          render_kw={'rows': 3})
    starts_on = DateField(_l('Starts on'), validators=[InputRequired(_l('Enter the day it starts.'))])
    ends_on = DateField(_l('Ends on'), validators=[Optional()])
    note = TextAreaField(_l('Note'), validators=[Optional(), Length(max=2000)])
    vins = TextAreaField(_l('VINs, one a line (a range as FROM-TO)'), validators=[Optional()], render_kw={'rows': 8})
    file = FileField(_l('Or the maker\'s file (CSV or XLSX)'))

    def validate_file(self, field):
        upload = field.data
        name = getattr(upload, 'filename', '') or ''
        if name and not name.lower().endswith(('.csv', '.xlsx')):
            raise ValidationError(_l('Only a CSV or XLSX file: this file could not be read.'))


class VersionForm(FlaskForm):
    version = IntegerField(validators=[InputRequired()])


class EditCampaignForm(CampaignForm):
    """The campaign as entered, changed: VINs typed or in the file are added, the entries ticked are removed."""
    vins = TextAreaField(_l('VINs to add, one a line (a range as FROM-TO)'), validators=[Optional()],
                         render_kw={'rows': 4})
    remove = MultiCheckboxField(_l('Entries to remove'), coerce=int, validate_choice=False, choices=[])
    version = IntegerField(validators=[InputRequired()])


class CloseForm(VersionForm):
    reason = RadioField(_l('Why is it closed?'), choices=lambda: [SelectChoice(k, v) for k, v in Campaign.CLOSE_REASONS],
                        validators=[InputRequired(_l('Choose why the campaign is closed.'))])
    note = TextAreaField(_l('Note'), validators=[Optional(), Length(max=2000)], render_kw={'rows': 2})


class PartCheckForm(FlaskForm):
    due_on = DateField(validators=[InputRequired()])
    vehicle = HiddenField(validators=[InputRequired()])
