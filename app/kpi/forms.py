"""The dashboard's period chooser: a GET form (no CSRF: it changes nothing), validated like any other."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from app.core import params

SCOPES = [SelectChoice('shop', _l('This shop')), SelectChoice('group', _l('All my shops'))]
BYS = [SelectChoice('week', _l('By week')), SelectChoice('month', _l('By month'))]
VIEWS = [SelectChoice('tablet', _l('Tablet')), SelectChoice('wall', _l('Wall screen'))]


def _in_bounds(form, field):
    """A date a shop can mean (app.core.params): the year 9999 is a typo, not a period to compute."""
    problem = params.date_problem(field.data)
    if problem:
        raise ValidationError(problem)


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(_l('From'), validators=[Optional(), _in_bounds])
    last = DateField(_l('To (included)'), validators=[Optional(), _in_bounds])
    scope = SelectField(_l('Shops'), choices=SCOPES, default='shop')
    by = SelectField(_l('Trend'), choices=BYS, validators=[Optional()], validate_choice=False)
    view = SelectField(_l('Layout'), choices=VIEWS, default='tablet')

    def validate_last(self, field):
        if self.start.data and field.data:
            if field.data < self.start.data:
                raise ValidationError(_l('The end of the period is before its start.'))

    def validate_by(self, field):
        if field.data and field.data not in ('week', 'month'):
            raise ValidationError(_l('Choose a trend by week or by month.'))

    def period(self, default_start, default_end):
        """(start, end exclusive) local dates of the chosen period (a missing end is the default one), or None
        with the reason on the form when it is longer than a report may be (from 2000 to today, say)."""
        start = self.start.data or default_start
        end = (self.last.data + timedelta(days=1)) if self.last.data else default_end
        if end <= start:
            end = start + timedelta(days=1)
        problem = params.period_problem(start, end)
        if problem:
            field = self.last if self.last.data else self.start
            field.errors = list(field.errors) + [problem]
            return None
        return start, end
