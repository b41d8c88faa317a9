"""The job card's forms. Messages say exactly what to fix, in the user's language."""
import json
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (BooleanField, DecimalField, FieldList, Form, FormField, HiddenField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.i18n import current_language
from app.workshop import rules


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _line_choices(lines):
    return [SelectChoice(ln.id, ln.description) for ln in lines]


class FindingForm(FlaskForm):
    severity = RadioField(_l('How urgent'), choices=[SelectChoice(k, v) for k, v in rules.SEVERITIES.items()],
                          validators=[InputRequired(_l('Tap red, amber or green.'))])
    line = SelectField(_l('For the job'), coerce=int, validate_choice=False, default=0)
    note = TextAreaField(_l('What you found'), filters=[_strip], validators=[
        DataRequired(_l('Say what you found.')), Length(max=2000)])
    photo = MultipleFileField(_l('Photo'))
    version = HiddenField()

    def fill(self, card, line_id=None):
        self.line.choices = [SelectChoice(0, _l('Whole car'))] + _line_choices(card.mine or card.lines)
        return self


class PartRow(Form):
    part_number = StringField(_l('Part number'), filters=[_strip], validators=[Length(max=40)])
    name = StringField(_l('Part'), filters=[_strip], validators=[Length(max=100)])
    quantity = DecimalField(_l('Qty'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0.01'), max=Decimal('999'), message=_l('Quantity 0.01 to 999.'))])
    unit_price = DecimalField(_l('Unit price'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0'), max=Decimal('1000000'), message=_l('Enter the price in yuan.'))])

    def row(self):
        """(number, name, qty, price) or None for an empty row."""
        if not (self.name.data or self.part_number.data or self.quantity.data or self.unit_price.data):
            return None
        return (self.part_number.data or '', self.name.data or '', self.quantity.data, self.unit_price.data)


class AddedWorkForm(FlaskForm):
    canned_job = SelectField(_l('Job from the catalogue'), coerce=int, validate_choice=False, default=0)
    description = StringField(_l('Or describe the work'), filters=[_strip], validators=[Length(max=200)])
    hours = DecimalField(_l('Labour hours'), places=2, validators=[
        Optional(), NumberRange(min=Decimal('0.1'), max=rules.MAX_HOURS, message=_l('Labour hours 0.1 to 200.'))])
    parts = FieldList(FormField(PartRow), min_entries=rules.MAX_ADDED_PARTS, max_entries=rules.MAX_ADDED_PARTS)
    safety = BooleanField(_l('Safety-related (brakes, steering, tyres, lights…)'))
    finding = SelectField(_l('From the finding'), coerce=int, validate_choice=False, default=0)
    version = HiddenField()

    def fill(self, card, locale=None):
        """Choices from the card: the shop's catalogue jobs (named in `locale`, the reader's language by default)
        and the order's findings."""
        locale = locale or current_language()
        self.canned_job.choices = [SelectChoice(0, _l('— none, I describe it —'))] + [
            SelectChoice(j.id, '%s · %s h' % (j.display_name(locale), j.hours)) for j in card.canned_jobs]
        self.finding.choices = [SelectChoice(0, _l('— none —'))] + [
            SelectChoice(f.id, '%s · %s' % (rules.SEVERITY_SHORT[f.severity], f.note[:40])) for f in card.findings]
        return self

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.canned_job.data:
            if not self.description.data:
                self.description.errors.append(_l('Pick a job from the catalogue or describe it.'))
                ok = False
            if self.hours.data is None and not self.hours.errors:
                self.hours.errors.append(_l('Enter the labour hours it needs.'))
                ok = False
        for sub in self.parts:
            row = sub.form.row()
            if row is None:
                continue
            if not row[1]:
                sub.form.name.errors.append(_l('Name the part.'))
                ok = False
            if row[2] is None and not sub.form.quantity.errors:
                sub.form.quantity.errors.append(_l('Enter the quantity.'))
                ok = False
            if row[3] is None and not sub.form.unit_price.errors:
                sub.form.unit_price.errors.append(_l('Enter the price.'))
                ok = False
        return ok

    def part_rows(self):
        return [r for r in (sub.form.row() for sub in self.parts) if r is not None]


class PartsRequestForm(FlaskForm):
    line = SelectField(_l('For the job'), coerce=int, validate_choice=False)
    part_number = StringField(_l('Part number'), filters=[_strip], validators=[Length(max=40)])
    name = StringField(_l('Part'), filters=[_strip], validators=[DataRequired(_l('Name the part.')), Length(max=100)])
    quantity = DecimalField(_l('Qty'), places=2, default=Decimal('1'), validators=[
        InputRequired(_l('Enter the quantity.')),
        NumberRange(min=Decimal('0.01'), max=Decimal('999'), message=_l('Quantity 0.01 to 999.'))])
    version = HiddenField()

    def fill(self, card):
        self.line.choices = _line_choices(card.mine)
        return self


class SelfCheckForm(FlaskForm):
    version = HiddenField()
    all_ok = HiddenField()      # the "all OK" button's value: every item not marked otherwise is OK

    def _fill_all_ok(self):
        if self.all_ok.data != '1':
            return
        for key, _label in rules.SELF_CHECK_ITEMS:
            state = self['sc_' + key]
            if not state.data:
                state.data, state.raw_data = rules.OK, [rules.OK]

    def items(self):
        return {key: (self['sc_' + key].data, self['sc_%s_note' % key].data) for key, _label in rules.SELF_CHECK_ITEMS}

    def rows(self):
        """(label, state field, note field) per item, in checklist order."""
        return [(label, self['sc_' + key], self['sc_%s_note' % key]) for key, label in rules.SELF_CHECK_ITEMS]

    def validate(self, extra_validators=None):
        self._fill_all_ok()
        ok = super().validate(extra_validators)
        for key, _label in rules.SELF_CHECK_ITEMS:
            if self['sc_' + key].data == rules.NOT_OK and not self['sc_%s_note' % key].data:
                self['sc_%s_note' % key].errors.append(_l('Say what is not OK.'))
                ok = False
        return ok


for _key, _label in rules.SELF_CHECK_ITEMS:
    _choices = [SelectChoice(rules.OK, _l('OK')), SelectChoice(rules.NOT_OK, _l('Not OK'))]
    if _key in rules.SELF_CHECK_OPTIONAL:
        _choices.append(SelectChoice(rules.NOT_NEEDED, _l('Not needed')))
    setattr(SelfCheckForm, 'sc_' + _key, RadioField(_label, choices=_choices,
                                                    validators=[InputRequired(_l('Answer this item.'))]))
    setattr(SelfCheckForm, 'sc_%s_note' % _key, StringField(_l('Note'), filters=[_strip], validators=[Length(max=200)]))


def self_check_form(order, formdata=None):
    """The form filled with what was saved (or what was just typed, when `formdata` is given)."""
    saved = (json.loads(order.self_check or '{}') or {}).get('items', {})
    data = {'version': str(order.version)}
    for key, _label in rules.SELF_CHECK_ITEMS:
        data['sc_' + key] = saved.get(key, {}).get('state')
        data['sc_%s_note' % key] = saved.get(key, {}).get('note', '')
    form = SelfCheckForm(formdata=formdata, data=data)
    return form
