"""Access rules in one place: every route declares who may use it, and one hook enforces it.

    @bp.route('/x')
    @allow(ADVISOR, MANAGER)
    def x(): ...

A view without a declaration is refused (and the route-by-role test fails),
so a new route cannot slip out unguarded.
"""
from flask import abort, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_htmx import make_response as htmx_response
from flask_login import current_user

from app.extensions import htmx

ADVISOR = 'advisor'
FOREMAN = 'foreman'
TECHNICIAN = 'technician'
QC = 'qc'
PARTS = 'parts'
WARRANTY = 'warranty'
CUSTOMER_SERVICE = 'customer_service'
MANAGER = 'manager'
ADMIN = 'admin'

ROLES = (ADVISOR, FOREMAN, TECHNICIAN, QC, PARTS, WARRANTY, CUSTOMER_SERVICE, MANAGER, ADMIN)

ROLE_LABELS = {
    ADVISOR: _l('Service advisor'),
    FOREMAN: _l('Workshop foreman'),
    TECHNICIAN: _l('Technician'),
    QC: _l('QC inspector'),
    PARTS: _l('Parts clerk'),
    WARRANTY: _l('Warranty clerk'),
    CUSTOMER_SERVICE: _l('Customer service'),
    MANAGER: _l('Service manager'),
    ADMIN: _l('Administrator'),
}

# Special audiences.
PUBLIC = 'public'          # anyone, signed in or not (login page, customer status link)
ANY_STAFF = 'any_staff'    # any signed-in, active user

EXEMPT_ENDPOINTS = {'static'}


def allow(*audience):
    """Declare who may use a view: role names, ANY_STAFF or PUBLIC."""
    unknown = set(audience) - set(ROLES) - {PUBLIC, ANY_STAFF}
    if not audience or unknown:
        raise ValueError('allow() needs known roles, got %r' % (audience,))

    def decorate(view):
        view.access_rule = frozenset(audience)
        return view
    return decorate


def rule_for(endpoint):
    view = current_app.view_functions.get(endpoint)
    return getattr(view, 'access_rule', None) if view else None


def may(user, audience):
    """Whether a user fits an audience (used by the hook and by templates to hide what is refused)."""
    if PUBLIC in audience:
        return True
    if not getattr(user, 'is_authenticated', False):
        return False
    if ANY_STAFF in audience:
        return True
    return bool(set(user.role_names) & set(audience))


def may_use(endpoint, user=None):
    rule = rule_for(endpoint)
    return rule is not None and may(user or current_user, rule)


def enforce():
    """before_request hook: apply the endpoint's rule."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in EXEMPT_ENDPOINTS:
        return None
    rule = rule_for(endpoint)
    if rule is None:
        abort(403)
    if PUBLIC in rule:
        return None
    if not current_user.is_authenticated:
        if htmx:
            # htmx follows redirects silently; tell it to load the login page in full.
            return htmx_response('', 401, redirect=url_for('accounts.login', next=request.full_path))
        return redirect(url_for('accounts.login', next=_safe_next()))
    if not may(current_user, rule):
        abort(403)
    return None


def _safe_next():
    path = request.full_path if request.query_string else request.path
    return path

