"""Forms for signing in, one's own account, and user administration."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import USERNAME_MAX, User
from app.accounts.passwords import MIN_LENGTH, password_problem
from app.core.access import ADMIN, ROLE_LABELS, ROLES
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
    username = StringField(_l('User name'), filters=[_username], validators=[
        DataRequired(_l('Enter your user name.')),
        Length(max=USERNAME_MAX, message=_l('A user name has at most %(n)d characters.', n=USERNAME_MAX))])
    password = PasswordField(_l('Password'), validators=[DataRequired(_l('Enter your password.'))])
    remember = BooleanField(_l('Keep me signed in on this device (14 days)'))
    next = HiddenField()


def _password_policy(form, field):
    """app.accounts.passwords: long enough, not common, not the user name (the form's `owner`, else the name
    typed in its own username field)."""
    owner = getattr(form, 'owner', None) or (form.username.data if hasattr(form, 'username') else None)
    problem = password_problem(field.data, owner)
    if problem:
        raise ValidationError(problem)


def new_password_field(label):
    return PasswordField(label, validators=[DataRequired(_l('Enter a new password.')), _password_policy],
                         description=_l('At least %(n)d characters, not a common password, not the user name.',
                                        n=MIN_LENGTH))


class _PasswordForm(FlaskForm):
    """A form that sets a password: `owner` is the user name of the account it is for (when not typed in it)."""

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner


def confirm_field():
    return PasswordField(_l('Repeat the password'), validators=[
        EqualTo('password', message=_l('The two passwords are not the same.'))])


class AccountForm(FlaskForm):
    language = SelectField(_l('Language'), choices=language_choices, validate_choice=True)


class ChangePasswordForm(_PasswordForm):
    current = PasswordField(_l('Current password'), validators=[DataRequired(_l('Enter your current password.'))])
    password = new_password_field(_l('New password'))
    confirm = confirm_field()


class UserForm(FlaskForm):
    """A person's account as an administrator or manager edits it: the roles and shops offered are those the
    actor may grant (User.grantable_roles, User.grantable_shops)."""
    username = StringField(_l('User name'), filters=[_username], validators=[
        DataRequired(_l('Enter a user name.')),
        Length(min=2, max=USERNAME_MAX, message=_l('A user name has 2 to 50 characters.')),
        Regexp(r'^[a-z0-9._-]+$', message=_l('Use letters, digits, dot, dash or underscore only.'))])
    display_name = StringField(_l('Name'), filters=[_strip], validators=[
        DataRequired(_l('Enter the person\'s name.')), Length(max=100)])
    phone = StringField(_l('Phone'), filters=[phone_filter], validators=[Optional(), Phone()])
    skills = StringField(_l('Skills (technicians)'), filters=[_strip], validators=[Length(max=200)])
    language = SelectField(_l('Language'), choices=language_choices)
    roles = MultiCheckboxField(_l('Roles'), validate_choice=False)
    shops = MultiCheckboxField(_l('Shops'), coerce=int,
                               validators=[DataRequired(_l('Choose at least one shop.'))])

    def __init__(self, *args, actor, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._grantable = actor.grantable_roles()
        self.roles.choices = [SelectChoice(r, ROLE_LABELS[r]) for r in ROLES if r in self._grantable]
        self.shops.choices = [SelectChoice(s.id, s.name) for s in actor.grantable_shops()]
        self._editing = editing

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l('Choose at least one role.'))
        refused = set(field.data) - set(self._grantable)
        if ADMIN in refused:
            raise ValidationError(_l('Only an administrator can make someone an administrator.'))
        if refused:
            raise ValidationError(_l('Choose from the roles shown.'))

    def validate_username(self, field):
        if self._editing is not None:
            return
        if User.select().where(User.username == field.data).exists():
            raise ValidationError(_l('This user name is taken. Choose another.'))


class NewUserForm(UserForm):
    password = new_password_field(_l('Password'))
    confirm = confirm_field()


class ResetPasswordForm(_PasswordForm):
    password = new_password_field(_l('New password'))
    confirm = confirm_field()


class SettingForm(FlaskForm):
    """One setting's value on the settings page (the rule checks it against the setting's type)."""
    key = HiddenField()
    value = StringField(_l('Value'), filters=[lambda v: (v or '').strip()], validators=[Length(max=200)])
