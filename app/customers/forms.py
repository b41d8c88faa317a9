"""Forms for customer files and vehicles; reception check-in uses them too."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from markupsafe import Markup, escape
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from app.accounts.context import current_shop
from app.core.i18n import LANGUAGE_NAMES
from app.core.timeutil import shop_today
from app.customers.makes import alias_list, makes, models
from app.core.validators import VIN, Phone, Plate, phone_filter, plate_filter, vin_filter

MAX_MILEAGE = 2_000_000
FIRST_MODEL_YEAR = 1950


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class WholeNumberField(IntegerField):
    """An integer field whose "not a number" message is ours (and says what to type)."""

    def __init__(self, label=None, validators=None, invalid=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid = invalid or _l('Enter a whole number, digits only.')

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        text = str(valuelist[0]).strip().replace(',', '').replace(' ', '')
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(str(self.invalid)) from None


class DayField(DateField):
    """A date field with a clear message for what the browser lets through."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l('Enter the date as year-month-day, e.g. 2024-05-31.'))) from None


class ListedInput(TextInput):
    """A text box that offers the shop's list (a <datalist>): pick an entry, or type and it is matched to one."""

    def __init__(self, options):
        super().__init__()
        self.options = options           # callable: [(value, label)] of the current shop

    def __call__(self, field, **kwargs):
        list_id = '%s-list' % field.id
        kwargs.update(list=list_id, autocomplete='off')
        options = ''.join('<option value="%s">%s</option>' % (escape(value), escape(label))
                          for value, label in self.options())
        return Markup('%s<datalist id="%s">%s</datalist>') % (super().__call__(field, **kwargs), list_id,
                                                               Markup(options))


def _make_options():
    shop = current_shop()
    return [(m.name, ' '.join(alias_list(m.aliases)[:1])) for m in makes(shop)] if shop else []


def _model_options():
    shop = current_shop()
    return [(m.name, m.make.name) for m in models(shop)] if shop else []


def _today():
    """Today in the signed-in user's shop (the server's own date may still be yesterday)."""
    shop = current_shop()
    return shop_today(shop) if shop is not None else date.today()


def _model_year(form, field):
    if field.data is None:
        return
    latest = _today().year + 1
    if not FIRST_MODEL_YEAR <= field.data <= latest:
        raise ValidationError(_l('Enter a model year between %(first)d and %(last)d.',
                                 first=FIRST_MODEL_YEAR, last=latest))


def _not_in_future(form, field):
    if field.data and field.data > _today():
        raise ValidationError(_l('The sale date cannot be in the future.'))


class CustomerForm(FlaskForm):
    kind = RadioField(_l('Customer is'),
                      choices=[SelectChoice('person', _l('A person')), SelectChoice('company', _l('A company'))],
                      default='person', validators=[DataRequired(_l('Choose person or company.'))])
    name = StringField(_l('Name'), filters=[_strip], validators=[
        DataRequired(_l('Enter the customer\'s name.')),
        Length(max=100, message=_l('A name can have at most %(max)d characters.'))])
    phone = StringField(_l('Phone'), filters=[_strip, phone_filter], validators=[
        DataRequired(_l('Enter a phone number.')), Phone()],
        render_kw={'type': 'tel', 'inputmode': 'tel', 'autocomplete': 'off'})
    phone2 = StringField(_l('Second phone (optional)'), filters=[_strip, phone_filter], validators=[
        Optional(), Phone()], render_kw={'type': 'tel', 'inputmode': 'tel', 'autocomplete': 'off'})
    address = StringField(_l('Address'), filters=[_strip], validators=[
        Length(max=200, message=_l('An address can have at most %(max)d characters.'))])
    language = SelectField(_l('Preferred language'),
                           choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()], default='zh')
    consent_contact = BooleanField(_l('Agrees to be contacted (reminders, follow-up calls, surveys)'),
                                   default=True)
    wishes = TextAreaField(_l('Service the customer hopes for'), filters=[_strip], validators=[
        Length(max=2000, message=_l('This can have at most %(max)d characters.'))], render_kw={'rows': 2})
    note = TextAreaField(_l('Note'), filters=[_strip], validators=[
        Length(max=2000, message=_l('A note can have at most %(max)d characters.'))], render_kw={'rows': 3})

    def rule_fields(self):
        """The form's values as keyword arguments for create_customer / update_customer."""
        return dict(kind=self.kind.data, name=self.name.data, phone=self.phone.data,
                    phone2=self.phone2.data or '', address=self.address.data or '', language=self.language.data,
                    consent_contact=self.consent_contact.data, wishes=self.wishes.data or '',
                    note=self.note.data or '')


class VehicleForm(FlaskForm):
    vin = StringField(_l('VIN'), filters=[_strip, vin_filter], validators=[
        DataRequired(_l('Enter the VIN (17 characters).')), VIN()],
        render_kw={'autocomplete': 'off', 'autocapitalize': 'characters', 'spellcheck': 'false', 'class': 'mono'})
    plate = StringField(_l('Plate'), filters=[_strip, plate_filter], validators=[
        DataRequired(_l('Enter the plate number.')), Plate()],
        render_kw={'autocomplete': 'off', 'autocapitalize': 'characters', 'spellcheck': 'false'})
    make = StringField(_l('Make'), filters=[_strip], widget=ListedInput(_make_options), validators=[
        DataRequired(_l('Enter the make, e.g. Toyota.')),
        Length(max=40, message=_l('At most %(max)d characters.'))])
    model = StringField(_l('Model'), filters=[_strip], widget=ListedInput(_model_options), validators=[
        DataRequired(_l('Enter the model, e.g. Camry.')),
        Length(max=60, message=_l('At most %(max)d characters.'))])
    year = WholeNumberField(_l('Model year'), validators=[Optional(), _model_year],
                            invalid=_l('Enter the model year as four digits, e.g. 2021.'),
                            render_kw={'inputmode': 'numeric'})
    colour = StringField(_l('Colour'), filters=[_strip], validators=[
        Optional(), Length(max=30, message=_l('At most %(max)d characters.'))])
    sale_date = DayField(_l('Sale date'), validators=[Optional(), _not_in_future], render_kw={'type': 'date'})
    mileage = WholeNumberField(_l('Odometer (km)'), default=0, validators=[
        Optional(),
        NumberRange(min=0, max=MAX_MILEAGE,
                    message=_l('The odometer reading must be between 0 and %(max)s km.', max='2,000,000'))],
        invalid=_l('Enter the odometer reading in km, digits only.'), render_kw={'inputmode': 'numeric'})

    def rule_fields(self):
        """The form's values as keyword arguments for create_vehicle / update_vehicle."""
        return dict(vin=self.vin.data, plate=self.plate.data, make=self.make.data, model=self.model.data,
                    year=self.year.data, colour=self.colour.data or '', sale_date=self.sale_date.data,
                    mileage=self.mileage.data or 0)


class MakeForm(FlaskForm):
    """A make on the shop's list: its name and the other spellings people type."""
    name = StringField(_l('Make'), filters=[_strip], validators=[
        DataRequired(_l('Enter the name.')), Length(max=40, message=_l('At most %(max)d characters.'))])
    aliases = StringField(_l('Other spellings'), filters=[_strip], validators=[
        Length(max=200, message=_l('At most %(max)d characters.'))])


class ModelForm(FlaskForm):
    """A model of a make on the shop's list."""
    model_name = StringField(_l('Model'), filters=[_strip], validators=[
        DataRequired(_l('Enter the name.')), Length(max=60, message=_l('At most %(max)d characters.'))])
    model_aliases = StringField(_l('Other spellings'), filters=[_strip], validators=[
        Length(max=200, message=_l('At most %(max)d characters.'))])


class MergeForm(FlaskForm):
    """The same make typed two ways: move its vehicles to the other."""
    into = SelectField(_l('Merge into'), coerce=int, validate_choice=False)
