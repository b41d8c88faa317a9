"""Forms for signing in, one's own account, and user administration."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import MIN_PASSWORD_LENGTH, User
from app.core.access import ROLE_LABELS, ROLES
from app.core.i18n import LANGUAGE_NAMES
from app.core.validators import Phone, phone_filter


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _username(value):
    return value.strip().lower() if isinstance(value, str) else value


def language_choices():
    return [SelectChoice('', _l('Follow the browser'))] + [SelectChoice(k, v) for k, v in LANGUAGE_NAMES.items()]


class LoginForm(FlaskForm):
    username = StringField(_l('User name'), filters=[_username], validators=[DataRequired(_l('Enter your user name.'))])
    password = PasswordField(_l('Password'), validators=[DataRequired(_l('Enter your password.'))])
    remember = BooleanField(_l('Keep me signed in on this device (14 days)'))
    next = HiddenField()


def new_password_field(label):
    return PasswordField(label, validators=[
        DataRequired(_l('Enter a new password.')),
        Length(min=MIN_PASSWORD_LENGTH, max=128,
               message=_l('A password needs at least %(n)d characters.', n=MIN_PASSWORD_LENGTH))])


def confirm_field():
    return PasswordField(_l('Repeat the password'), validators=[
        EqualTo('password', message=_l('The two passwords are not the same.'))])


class AccountForm(FlaskForm):
    language = SelectField(_l('Language'), choices=language_choices, validate_choice=True)


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l('Current password'), validators=[DataRequired(_l('Enter your current password.'))])
    password = new_password_field(_l('New password'))
    confirm = confirm_field()


class UserForm(FlaskForm):
    username = StringField(_l('User name'), filters=[_username], validators=[
        DataRequired(_l('Enter a user name.')),
        Length(min=2, max=50, message=_l('A user name has 2 to 50 characters.')),
        Regexp(r'^[a-z0-9._-]+$', message=_l('Use letters, digits, dot, dash or underscore only.'))])
    display_name = StringField(_l('Name'), filters=[_strip], validators=[
        DataRequired(_l('Enter the person\'s name.')), Length(max=100)])
    phone = StringField(_l('Phone'), filters=[phone_filter], validators=[Optional(), Phone()])
    skills = StringField(_l('Skills (technicians)'), filters=[_strip], validators=[Length(max=200)])
    language = SelectField(_l('Language'), choices=language_choices)
    roles = MultiCheckboxField(_l('Roles'), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
                               validate_choice=True)
    shops = MultiCheckboxField(_l('Shops'), coerce=int,
                               validators=[DataRequired(_l('Choose at least one shop.'))])

    def __init__(self, *args, allowed_shops=(), may_grant_admin=False, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shops.choices = [SelectChoice(s.id, s.name) for s in allowed_shops]
        self._may_grant_admin = may_grant_admin
        self._editing = editing

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l('Choose at least one role.'))
        had_admin = self._editing is not None and 'admin' in self._editing.role_names
        if 'admin' in field.data and not had_admin and not self._may_grant_admin:
            raise ValidationError(_l('Only an administrator can make someone an administrator.'))

    def validate_username(self, field):
        if self._editing is not None:
            return
        if User.select().where(User.username == field.data).exists():
            raise ValidationError(_l('This user name is taken. Choose another.'))


class NewUserForm(UserForm):
    password = new_password_field(_l('Password'))
    confirm = confirm_field()


class ResetPasswordForm(FlaskForm):
    password = new_password_field(_l('New password'))
    confirm = confirm_field()
