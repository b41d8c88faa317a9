"""The health check's form: one item at a time (the rest stays green)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from app.core.i18n import current_language
from app.inspection import rules


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ItemForm(FlaskForm):
    key = HiddenField(validators=[DataRequired(_l('Choose an item of the check.'))])
    colour = RadioField(_l('Condition'), choices=[SelectChoice(k, v) for k, v in rules.COLOURS.items()],
                        validators=[InputRequired(_l('Tap green, amber or red.'))])
    measurement = StringField(_l('Reading'), filters=[_strip], validators=[Length(max=40)])
    note = StringField(_l('What is wrong'), filters=[_strip], validators=[Length(max=200)])
    canned_job = SelectField(_l('Catalogue job that fixes it'), coerce=int, validate_choice=False, default=0)
    photo = MultipleFileField(_l('Photo'))
    version = HiddenField()

    def fill(self, jobs):
        self.canned_job.choices = [SelectChoice(0, _l('— the usual job —'))] + [
            SelectChoice(j.id, '%s · %s h' % (j.display_name(current_language()), j.hours)) for j in jobs]
        return self
