"""Signing in and out, language and shop choice, the home page, user administration, the audit log."""
import math
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from app.accounts import forms
from app.accounts.context import choose_shop, current_shop, my_shops
from app.accounts.models import USERNAME_MAX, LoginFailure, User, UserSession, dummy_hash
from app.accounts.shop_settings import change_setting, setting_rows
from app.core import params
from app.core.access import ADMIN, ANY_STAFF, MANAGER, PUBLIC, allow
from app.core.db import transaction, utcnow
from app.core.models import Event, Shop
from app.core.web import act, render
from app.extensions import login_manager

bp = Blueprint('accounts', __name__)

TILES = [
    ('accounts.users', _l('Staff and roles'), _l('Add people, set roles, reset passwords, end sessions')),
    ('accounts.audit_log', _l('Audit trail'), _l('Every change: who, what, when')),
    ('accounts.settings', _l('Settings'), _l('Rulebook numbers and the shop\'s own defaults, with their sources')),
]


@bp.app_context_processor
def _offer():
    return {'my_shops': my_shops}


@login_manager.user_loader
def _load_user(session_id):
    return User.from_session_id(session_id)


@bp.record_once
def _make_dummy_hash(state):
    """The unknown-name hash is made when the app is built, so no sign-in ever pays for it."""
    dummy_hash(state.app.config)


def _safe_next(target):
    """Only same-site paths, so a crafted link cannot bounce a user to another site after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith('/') or target.startswith('//'):
        return None
    return target


def _wait_message(seconds):
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext('Too many failed attempts. Try again in %(num)d minute, or ask your manager to reset your '
                    'password.', 'Too many failed attempts. Try again in %(num)d minutes, or ask your manager to '
                    'reset your password.', minutes)


@bp.route('/login', methods=['GET', 'POST'])
@allow(PUBLIC)
def login():
    """Sign in; straight back to the page that asked for it (e.g. a scanned key tag)."""
    form = forms.LoginForm(next=request.args.get('next', ''))
    if request.method == 'GET':
        return render('accounts/login.html', None, form=form, error=None)
    if not form.validate_on_submit():
        # An over-long name (a pasted page) is refused, neither stored nor echoed in full.
        form.username.data = (form.username.data or '')[:USERNAME_MAX]
        return render('accounts/login.html', None, form=form, error=None), 400
    wait, attempt = LoginFailure.admit(form.username.data, request.remote_addr or '')
    if attempt is None:
        resp = render('accounts/login.html', None, form=form, error=_wait_message(wait))
        resp.headers['Retry-After'] = str(math.ceil(wait))
        return resp, 429
    user = User.get_or_none(User.username == form.username.data)
    # One Argon2 verify either way: the user's hash, or the process's dummy one for a name that does not exist.
    if user is None or not user.check_password(form.password.data):
        if user is None:
            User.check_nobody(form.password.data)
        return render('accounts/login.html', None, form=form, error=_('User name or password is wrong.'))
    if not user.active:
        attempt.forgive()
        return render('accounts/login.html', None, form=form, error=_('This account is disabled. Ask your manager.'))
    lang = session.get('lang')
    session.clear()  # a fresh session on every sign-in
    if lang:
        session['lang'] = lang
    # Rolling lifetime: refreshed by every request, so a page open all day keeps its CSRF token.
    session.permanent = True
    with transaction():
        attempt.forgive()
        user.last_login_at = utcnow()
        user.save(only=[User.last_login_at])
        # This device's own session: its key goes into the session and remember-me cookies.
        user.attach_device(*UserSession.start(
            user, user_agent=request.headers.get('User-Agent', ''), ip=request.remote_addr or '',
            remember=form.remember.data))
    login_user(user, remember=form.remember.data)
    return redirect(_safe_next(form.next.data) or url_for('accounts.home'))


@bp.route('/logout', methods=['POST'])
@allow(PUBLIC)
def logout():
    """Sign out of this device only: its device session ends, so a copy of its cookies is dead too; the
    user's other devices (the wall board, a second tablet) stay signed in."""
    if current_user.is_authenticated and current_user.device is not None:
        current_user.device.end(UserSession.LOGOUT)
    _sign_out_here()
    return redirect(url_for('accounts.login'))


def _sign_out_here():
    logout_user()
    session.clear()
    session['_remember'] = 'clear'  # Flask-Login then deletes the remember-me cookie too


@bp.route('/language', methods=['POST'])
@allow(PUBLIC)
def set_language():
    """Switch language; remembered on the account, or for this browser before sign-in."""
    lang = request.form.get('lang', '')
    if lang in ('zh', 'en'):
        session['lang'] = lang
        if current_user.is_authenticated:
            current_user.set_language(lang)
    return redirect(_safe_next(request.form.get('next')) or url_for('accounts.home'))


@bp.route('/shop', methods=['POST'])
@allow(ANY_STAFF)
def set_shop():
    """Switch to another shop of the user's dealer group."""
    shop = Shop.get_or_none(Shop.id == request.form.get('shop_id', type=int))
    if shop is None or not current_user.belongs_to(shop):
        abort(404)
    choose_shop(shop)
    return redirect(url_for('accounts.home'))


@bp.route('/')
@allow(ANY_STAFF)
def home():
    """Each person's start page: what needs them now (offered by app.queues), and the places they work."""
    return render('accounts/home.html', None)


def _account_page(form=None, pw_form=None):
    form = form or forms.AccountForm(prefix='acc', language=current_user.language or '')
    pw_form = pw_form or forms.ChangePasswordForm(prefix='pw', owner=current_user.username)
    return render('accounts/account.html', None, form=form, pw_form=pw_form,
                  devices=list(current_user.open_sessions()), this_device=current_user.device)


@bp.route('/account')
@allow(ANY_STAFF)
def account():
    """One's own language, password and sessions."""
    return _account_page()


@bp.route('/account/language', methods=['POST'])
@allow(ANY_STAFF)
def account_language():
    """Save one's language (empty: follow the browser)."""
    form = forms.AccountForm(prefix='acc')
    if not form.validate_on_submit():
        return _account_page(form=form), 400
    current_user.set_language(form.language.data or None)
    session.pop('lang', None)
    flash(_('Saved.'), 'ok')
    return redirect(url_for('accounts.account'))


@bp.route('/account/password', methods=['POST'])
@allow(ANY_STAFF)
def account_password():
    """Change one's password; other devices are signed out, this one stays in."""
    pw_form = forms.ChangePasswordForm(prefix='pw', owner=current_user.username)
    if pw_form.validate_on_submit() and not current_user.check_password(pw_form.current.data):
        pw_form.current.errors.append(_('The current password is wrong.'))
    elif pw_form.validate_on_submit():
        user = current_user._get_current_object()
        user.reset_password(pw_form.password.data, by=user, keep=user.device)
        # The new session token: this device (same device session) stays signed in, remembered only if it was.
        login_user(user, remember='remember_token' in request.cookies)
        flash(_('Password changed. Other devices have been signed out.'), 'ok')
        return redirect(url_for('accounts.account'))
    return _account_page(pw_form=pw_form), 400


@bp.route('/account/sign-out-everywhere', methods=['POST'])
@allow(ANY_STAFF)
def account_sign_out_everywhere():
    """End every session of one's own, on all devices (a lost phone)."""
    current_user.sign_out_everywhere(by=current_user)
    _sign_out_here()
    flash(_('You have been signed out on every device.'), 'ok')
    return redirect(url_for('accounts.login'))


@bp.route('/account/sessions/<int:device_id>/end', methods=['POST'])
@allow(ANY_STAFF)
def account_end_session(device_id):
    """Sign out one of one's own devices (the list on the account page); someone else's does not exist."""
    device = UserSession.get_or_none((UserSession.id == device_id) & (UserSession.user == current_user.id))
    if device is None:
        abort(404)
    device.end_from_account(by=current_user)
    if current_user.device is not None and current_user.device.id == device.id:
        _sign_out_here()
        return redirect(url_for('accounts.login'))
    flash(_('That device has been signed out.'), 'ok')
    return redirect(url_for('accounts.account'))


# --- user administration ----------------------------------------------------------

def _managed_user(user_id):
    """A user the actor may manage (User.may_manage, the one rule). Someone who shares none of the actor's shops
    does not exist for them (404); a colleague they may not manage (an administrator, or someone who also works
    in a shop that is not theirs, such as the group manager) is refused (403)."""
    user = User.get_or_none(User.id == user_id)
    if user is None or not user.shop_ids() & current_user.shop_ids():
        abort(404)
    if not current_user.may_manage(user):
        abort(403)
    return user


def _user_form(cls, obj=None, **kwargs):
    return cls(obj=obj, actor=current_user, editing=obj, **kwargs)


def _chosen_shops(form, user=None):
    """The shops ticked among those the actor may grant, plus the user's shops the actor cannot see (only an
    administrator reaches such a user: those shops are not theirs to remove)."""
    mine = current_user.grantable_shops()
    chosen = [s for s in mine if s.id in set(form.shops.data)]
    beyond = [s for s in user.shops() if s.id not in {m.id for m in mine}] if user else []
    return chosen + beyond


@bp.route('/admin/users')
@allow(ADMIN, MANAGER)
def users():
    """Staff of the current shop with their roles and state."""
    q = request.args.get('q', '').strip()
    people = User.in_shop(current_shop()).order_by(User.active.desc(), User.display_name)
    if q:
        people = people.where(User.display_name.contains(q) | User.username.contains(q.lower()))
    people = list(people)
    return render('accounts/users.html', 'accounts/_user_rows.html', people=people, q=q,
                  manageable={u.id for u in people if current_user.may_manage(u)})


@bp.route('/admin/users/new', methods=['GET', 'POST'])
@allow(ADMIN, MANAGER)
def user_new():
    """Add a member of staff."""
    form = _user_form(forms.NewUserForm)
    if request.method == 'GET':
        form.shops.data = [current_shop().id]
    if form.validate_on_submit():
        user = User.create_account(
            username=form.username.data, display_name=form.display_name.data, password=form.password.data,
            roles=form.roles.data, shops=_chosen_shops(form), by=current_user, language=form.language.data,
            phone=form.phone.data or '', skills=form.skills.data or '')
        flash(_('%(name)s can now sign in as %(username)s.', name=user.display_name, username=user.username), 'ok')
        return redirect(url_for('accounts.user_edit', user_id=user.id))
    return render('accounts/user_new.html', None, form=form), (400 if form.errors else 200)


@bp.route('/admin/users/<int:user_id>', methods=['GET', 'POST'])
@allow(ADMIN, MANAGER)
def user_edit(user_id):
    """Change a person's name, roles and shops."""
    user = _managed_user(user_id)
    form = _user_form(forms.UserForm, obj=user)
    if request.method == 'GET':
        return _user_page(user)
    form.username.data = user.username  # the user name never changes: it is on printed records
    if form.validate_on_submit():
        user.update_account(display_name=form.display_name.data, roles=form.roles.data,
                            shops=_chosen_shops(form, user), language=form.language.data,
                            phone=form.phone.data or '', skills=form.skills.data or '', by=current_user)
        flash(_('Saved.'), 'ok')
        return redirect(url_for('accounts.user_edit', user_id=user.id))
    return _user_page(user, form=form), (400 if form.errors else 200)


def _user_page(user, form=None, reset_form=None):
    if form is None:
        form = _user_form(forms.UserForm, obj=user)
        form.roles.data = sorted(user.role_names)
        form.shops.data = [s.id for s in user.shops()]
        form.language.data = user.language or ''
    history = (Event.for_record('user', user.id).where(Event.shop == current_shop())
               .order_by(Event.at.desc()).limit(20))
    return render('accounts/user_edit.html', None, form=form, user=user, history=list(history),
                  reset_form=reset_form or forms.ResetPasswordForm(owner=user.username),
                  open_sessions=user.open_sessions().count())


@bp.route('/admin/users/<int:user_id>/password', methods=['POST'])
@allow(ADMIN, MANAGER)
def user_password(user_id):
    """Set a new password for someone who forgot theirs; their sessions end."""
    user = _managed_user(user_id)
    reset_form = forms.ResetPasswordForm(owner=user.username)
    if reset_form.validate_on_submit():
        user.reset_password(reset_form.password.data, by=current_user)
        flash(_('New password set for %(name)s. Their other sessions have ended.', name=user.display_name), 'ok')
        return redirect(url_for('accounts.user_edit', user_id=user.id))
    return _user_page(user, reset_form=reset_form), 400


@bp.route('/admin/users/<int:user_id>/active', methods=['POST'])
@allow(ADMIN, MANAGER)
def user_active(user_id):
    """Disable or re-enable an account; disabling ends its sessions at once."""
    user = _managed_user(user_id)
    if user.id == current_user.id:
        flash(_('You cannot disable your own account.'), 'error')
    else:
        enable = request.form.get('active') == '1'
        user.set_active(enable, by=current_user)
        flash(_('Account enabled.') if enable else _('Account disabled; its sessions have ended.'), 'ok')
    return redirect(url_for('accounts.user_edit', user_id=user.id))


@bp.route('/admin/users/<int:user_id>/sign-out', methods=['POST'])
@allow(ADMIN, MANAGER)
def user_sign_out(user_id):
    """End every session of a user (a lost phone, someone leaving)."""
    user = _managed_user(user_id)
    user.sign_out_everywhere(by=current_user)
    flash(_('%(name)s is signed out on every device.', name=user.display_name), 'ok')
    return redirect(url_for('accounts.user_edit', user_id=user.id))


# --- audit trail ------------------------------------------------------------------

AUDIT_PAGE = 50


@bp.route('/audit')
@allow(ADMIN, MANAGER)
def audit_log():
    """The current shop's audit trail, newest first, filtered by kind of record or action."""
    kind = request.args.get('kind', '').strip()
    page = params.page_arg()
    events = Event.for_shop(current_shop()).order_by(Event.at.desc(), Event.id.desc())
    if kind:
        events = events.where((Event.record_type == kind) | Event.action.startswith(kind))
    rows = list(events.paginate(page, AUDIT_PAGE + 1))
    return render('accounts/audit.html', 'accounts/_audit_rows.html', events=rows[:AUDIT_PAGE],
                  has_more=len(rows) > AUDIT_PAGE, page=page, kind=kind)



# --- settings: every rulebook number and shop default, its value here, where the default comes from ----------

def _settings_page(status=200, form=None, error=None, **_given):
    resp = render('accounts/settings.html', None, rows=setting_rows(current_shop()), form=form, error=error)
    resp.status_code = status
    return resp


@bp.route('/admin/settings')
@allow(ADMIN, MANAGER)
def settings():
    """Every setting with its value, its default and its source (a rulebook line, a national rule, the shop's own)."""
    return _settings_page()


@bp.route('/admin/settings', methods=['POST'])
@allow(ADMIN, MANAGER)
def setting_change():
    """The shop's own value for one setting."""
    form = forms.SettingForm()
    return act(_settings_page, lambda: change_setting(current_shop(), current_user, form.key.data, form.value.data),
               done=_('Saved.'), back=url_for('accounts.settings', _anchor='s-' + (form.key.data or '')), form=form)
