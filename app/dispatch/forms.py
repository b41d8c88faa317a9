"""Forms of the foreman's screen and the bays page."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from app.dispatch.rules import BAY_KINDS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _int_or_none(value):
    return int(value) if value not in (None, '') else None


class AssignForm(FlaskForm):
    """A technician and (optionally) a bay for an order or a line; `version` is what the foreman saw."""
    technician = SelectField(_l('Technician'), coerce=int, validators=[InputRequired(_l('Choose a technician.'))])
    bay = SelectField(_l('Bay'), coerce=_int_or_none, validators=[Optional()])
    version = HiddenField(validators=[Optional(), Regexp(r'^\d{1,9}$')])

    def fill(self, techs, bays):
        """Choices from the shop's technicians and free-or-busy active bays."""
        self.technician.choices = [SelectChoice(t.user.id, t.user.display_name) for t in techs]
        self.bay.choices = [SelectChoice('', _l('No bay'))] + [SelectChoice(b.bay.id, b.bay.name) for b in bays]
        return self


class UnassignForm(FlaskForm):
    version = HiddenField(validators=[Optional(), Regexp(r'^\d{1,9}$')])


class BayForm(FlaskForm):
    number = IntegerField(_l('Number'), validators=[Optional(), NumberRange(min=1, max=999)])
    name = StringField(_l('Name'), filters=[_strip], validators=[InputRequired(_l('Enter a name.')), Length(max=40)])
    kind = SelectField(_l('Kind'), choices=[SelectChoice(k, v) for k, v in BAY_KINDS.items()], default='lift')


class BayEditForm(FlaskForm):
    name = StringField(_l('Name'), filters=[_strip], validators=[InputRequired(_l('Enter a name.')), Length(max=40)])
    kind = SelectField(_l('Kind'), choices=[SelectChoice(k, v) for k, v in BAY_KINDS.items()])
    active = BooleanField(_l('In use'))
    version = HiddenField(validators=[Optional(), Length(max=12)])
