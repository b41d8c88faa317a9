"""Forms of the warranty clerk (coverage, claims) and of the advisor (loaner car)."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.warranty.models import SYSTEMS, Comeback, LineCoverage, LoanerRecord


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _choices(pairs):
    return [SelectChoice(value, label) for value, label in pairs]


class VersionedForm(FlaskForm):
    """Every action carries the version of what it changes: a stale one is refused with 409."""
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired(), NumberRange(min=0)])


class CoverageForm(VersionedForm):
    kind = RadioField(_l('Who pays'), choices=lambda: _choices(LineCoverage.KINDS),
                      validators=[InputRequired(_l('Choose who pays.'))])
    system = SelectField(_l('System / fault group'), choices=lambda: _choices([('', '—')] + SYSTEMS),
                         validators=[InputRequired(_l('Choose the system or fault group.'))])
    fault_code = StringField(_l('Maker\'s fault code'), filters=[_strip], validators=[Optional(), Length(max=30)])
    reason = TextAreaField(_l('Reason'), filters=[_strip], render_kw={'rows': 2},
                           validators=[InputRequired(_l('Write the reason for the decision.')), Length(max=1000)])


class ClaimNewForm(VersionedForm):
    line = SelectField(_l('Claim for'), coerce=str, validate_choice=True)
    old_part_tag = StringField(_l('Old-part tag'), filters=[_strip], validators=[Optional(), Length(max=40)])
    note = TextAreaField(_l('Note for the maker'), filters=[_strip], render_kw={'rows': 2},
                         validators=[Optional(), Length(max=1000)])

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        whole = [('', _l('All warranty jobs of the order'))]
        self.line.choices = _choices(whole + [(str(ln.id), ln.description) for ln in lines])


class ClaimEditForm(VersionedForm):
    old_part_tag = StringField(_l('Old-part tag'), filters=[_strip], validators=[Optional(), Length(max=40)])
    note = TextAreaField(_l('Note for the maker'), filters=[_strip], render_kw={'rows': 2},
                         validators=[Optional(), Length(max=1000)])


class ClaimMoveForm(VersionedForm):
    """One form per move the claim can make; the move itself travels as the plain field `to`."""
    reason = TextAreaField(_l('Maker\'s answer'), filters=[_strip], render_kw={'rows': 2},
                           validators=[Optional(), Length(max=1000)])
    paid_amount = DecimalField(_l('Amount paid (yuan)'), places=2, validators=[
        Optional(),
        NumberRange(min=Decimal('0.01'), max=Decimal('99999999'), message=_l('Enter an amount above zero.'))])
    paid_on = DateField(_l('Paid on'), validators=[Optional()])


class LoanerForm(VersionedForm):
    kind = RadioField(_l('Given'), choices=lambda: _choices(LoanerRecord.KINDS),
                      validators=[InputRequired(_l('Choose what was given.'))])
    given_on = DateField(_l('Given on'), validators=[InputRequired(_l('Enter the date.'))])
    amount = DecimalField(_l('Amount (yuan)'), places=2, validators=[
        Optional(),
        NumberRange(min=Decimal('0'), max=Decimal('9999999'), message=_l('Enter an amount of zero or more.'))])
    note = StringField(_l('Note'), filters=[_strip], validators=[Optional(), Length(max=200)])


class ComebackForm(FlaskForm):
    """A comeback recorded at check-in: the earlier job the car came back for, and why."""
    earlier_line = IntegerField(_l('Earlier job'), validators=[
        InputRequired(_l('Choose the earlier job the car came back for.'))])
    cause = SelectField(_l('Why it came back'), choices=lambda: _choices([('', _l('Choose…'))] + Comeback.CAUSES),
                        validators=[InputRequired(_l('Choose why the car came back.'))])
    system = SelectField(_l('System'), choices=lambda: _choices([('', _l('As the earlier job'))] + SYSTEMS),
                         validators=[Optional()])
    note = StringField(_l('Note'), filters=[_strip], validators=[Optional(), Length(max=200)])
    back = HiddenField()
