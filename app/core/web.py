"""Page-or-fragment rendering, the one shape of an action view, security headers, cookies and error pages shared
by every area. htmx's headers are read and written through flask-htmx (`htmx`, `make_response`)."""
import inspect
from functools import partial, wraps

import flask
from flask import current_app, flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_htmx import make_response as htmx_response
from flask_login import current_user

from app.core.errors import IllegalMove, Refused, StaleRecord
from app.core.idempotency import idempotent
from app.extensions import htmx


def public_url(endpoint, **values):
    """An absolute URL for printing (QR labels, messages): PUBLIC_BASE_URL if set, else this request's host.

    Labels printed from 127.0.0.1 would not open on a phone, so a shop sets its LAN or public address.
    """
    base = current_app.config.get('PUBLIC_BASE_URL')
    if base:
        return base.rstrip('/') + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def wants_fragment():
    """True for a real htmx request; false for boosted navigation and history restore (full page)."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template_name, fragment, **context):
    """Render the full page, or only its swappable piece for htmx; both vary on HX-Request."""
    template = fragment if (fragment and wants_fragment()) else template_name
    return vary(current_app.make_response(render_template(template, **context)))


def vary(resp):
    """A response that differs for htmx and for a full page: caches must keep the two apart."""
    resp.vary.add('HX-Request')
    return resp


STALE_MESSAGE = lambda: _('Someone else changed this a moment ago. Here it is as it is now: check it and try again.')  # noqa: E731


def act(piece, run, *, done, back, form=None, form_as='form', after=None):
    """The one shape of an action view: POST → rule → the piece again, or its page.

    `piece(status, **given)` draws the swappable piece (its page without htmx) with anything given: the form as
    typed (under `form_as`), `error` (or the message on the form's field the refusal names), `refused` (the
    refusal itself), `done`. `run()` calls the rule: one transaction, raising Refused when it refuses. A form that does not validate, or a refusal, gives the piece again with what was typed and the message
    (400, or the refusal's status); a stale form (someone changed the record since the page was drawn) gives the
    fresh piece with a 409 and says so, everywhere alike. Done: the piece with `done` for htmx, else `back` with a
    flash (a plain form works without JavaScript). `done` and `back` may be callables, called once the rule has
    run (to name what it made). `after`: what the piece shows once done (a fresh form…).
    """
    given = {form_as: form} if form is not None else {}
    if form is not None and not form.validate_on_submit():
        return piece(400, **given)
    try:
        run()
    except StaleRecord:
        return piece(409, error=STALE_MESSAGE())
    except Refused as exc:
        if _takes(piece, 'refused'):
            given['refused'] = exc
        field = getattr(form, exc.field, None) if (form is not None and exc.field) else None
        if field is not None and hasattr(field, 'errors'):
            field.errors = list(field.errors) + [str(exc)]     # said on the field it is about
            return piece(exc.status, **given)
        return piece(exc.status, error=str(exc), **given)
    done = done() if callable(done) else done     # a callable reads what the rule made (a number, an id)
    if wants_fragment():
        return piece(200, done=done, **(after or {}))
    flash(done, 'ok')
    return redirect(back() if callable(back) else back)


def _takes(function, name):
    """Whether a piece names a keyword itself (a piece that passes **given on may draw a page that does not)."""
    try:
        params = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return name in params


def replay(piece, back):
    """The answer to a repeated submit (a double tap, a retry on flaky Wi-Fi; app.core.idempotency): the piece as
    it is now for htmx, else back to the page. Nothing is done twice."""
    if wants_fragment():
        return piece(200)
    return redirect(back)


def replays(page, load, endpoint):
    """`@idempotent(replay=…)` for an action on a record's page: a repeat gets that page as it is now."""
    return lambda **view_args: replay(partial(page, load(*view_args.values())), url_for(endpoint, **view_args))


def replays_piece(piece, back, load=None):
    """`@idempotent(replay=…)`: a repeat gets `piece(*view_args)` as it is now, or `back` (an endpoint without
    arguments, like a list, or a function of the view's arguments giving the URL). `load(*view_args)` first, when
    given: a record of another shop is not found, even on a repeat."""
    def answer(**view_args):
        args = tuple(view_args.values())
        if load is not None:
            load(*args)
        return replay(partial(piece, *args), back(*args) if callable(back) else url_for(back))
    return answer


def record_action(load, page, endpoint, *, form=None, form_as='form', back=None):
    """Make `view(found, form)` an action on one record's page (`act` with a repeat answered by `replays`).

    `load(*view_args)` finds the record (or 404s), `page(found, status, **given)` draws its page or piece,
    `endpoint` is that page (back to it when done, unless `back(found)` says where), `form` the form class sent.
    The view calls the rule (raising Refused when it refuses) and returns what to say once it is done.
    """
    def decorate(view):
        @wraps(view)
        def action(**view_args):
            found = load(*view_args.values())
            typed = form() if form is not None else None
            said = []
            return act(partial(page, found), lambda: said.append(view(found, typed)), done=lambda: said[0],
                       back=(lambda: back(found)) if back else url_for(endpoint, **view_args),
                       form=typed, form_as=form_as)
        return idempotent(replay=replays(page, load, endpoint))(action)
    return decorate


class Response(flask.Response):
    """The app's response: every cookie it sets (session, remember-me, their deletion) is Secure when the request
    came over HTTPS, directly or through TRUST_PROXY's X-Forwarded-Proto, so a shop behind TLS needs no setting;
    SESSION_COOKIE_SECURE=1 still forces it for every request."""

    def set_cookie(self, key, *args, **kwargs):
        if has_request_context() and request.is_secure:
            kwargs['secure'] = True
        return super().set_cookie(key, *args, **kwargs)


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


def security_headers(resp):
    resp.headers.setdefault('Content-Security-Policy', CSP)
    resp.headers.setdefault('Referrer-Policy', 'same-origin')
    resp.headers.setdefault('X-Content-Type-Options', 'nosniff')
    resp.headers.setdefault('X-Frame-Options', 'DENY')
    resp.headers.setdefault('Permissions-Policy', 'geolocation=(), microphone=()')
    if request.is_secure:
        # HTTPS only (browsers ignore it over HTTP, and a shop's plain-HTTP LAN address must keep working).
        resp.headers.setdefault('Strict-Transport-Security', 'max-age=31536000')
    # Staff pages carry customer data: never kept by shared caches or the back-forward cache of another user. (The
    # user is looked at last: a static file or robots.txt loads nobody from the database.)
    if 'Cache-Control' not in resp.headers and resp.mimetype == 'text/html' and current_user.is_authenticated:
        resp.headers['Cache-Control'] = 'private, no-store'
    return resp


ERRORS = {
    400: lambda: (_('Bad request'), _('The request could not be understood. Go back and try again.')),
    401: lambda: (_('Please sign in'), _('Your session has ended. Sign in again to continue.')),
    403: lambda: (_('Not allowed'), _('Your role does not give access to this page. Ask your manager if you need it.')),
    404: lambda: (_('Not found'), _('This page or record does not exist, or it belongs to another shop.')),
    405: lambda: (_('Not allowed'), _('This action cannot be done that way.')),
    409: lambda: (_('Changed by someone else'), _('Someone else changed this record a moment ago. Reload to see the latest and try again.')),
    413: lambda: (_('File too large'), _('The file is too large to upload.')),
    429: lambda: (_('Too many attempts'), _('Too many attempts. Wait a few minutes and try again.')),
    500: lambda: (_('Something went wrong'), _('The server could not finish this. Nothing was half-saved; please try again.')),
    503: lambda: (_('Busy, try again'), _('The system is busy for a moment. Please try again in a few seconds.')),
}


def error_page(code, message=None):
    if code >= 500:
        _forget_user()
    title, text = ERRORS.get(code, ERRORS[500])()
    resp = current_app.make_response(render(
        'errors/error.html', 'errors/_error.html', code=code, title=title, text=message or text))
    resp.status_code = code
    if wants_fragment():
        # Show the message where the user acted instead of swapping nothing.
        resp = htmx_response(resp, retarget='#flash', reswap='innerHTML')
    return resp


def _forget_user():
    """Render a server-error page as for a visitor: loading the user would hit the failing database again."""
    from flask import g
    from flask_login import AnonymousUserMixin
    g._login_user = AnonymousUserMixin()
    g.shop = None


def register_error_pages(app):
    from werkzeug.exceptions import HTTPException
    import peewee as pw

    @app.errorhandler(HTTPException)
    def _http(exc):
        resp = error_page(exc.code, getattr(exc, 'description_override', None))
        if exc.code == 429 and getattr(exc, 'retry_after', None):
            resp.headers['Retry-After'] = str(exc.retry_after)
        return resp

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        resp = error_page(400, _('This page was open too long or you were signed out. Reload the page and try again.'))
        if wants_fragment():
            resp = htmx_response(resp, refresh=True)   # a fresh page brings a fresh token
        return resp

    @app.errorhandler(StaleRecord)
    def _stale(exc):
        return error_page(409)

    @app.errorhandler(IllegalMove)
    def _illegal(exc):
        return error_page(400, str(exc))

    @app.errorhandler(Refused)
    def _refused(exc):
        # a view that did not catch its rule's refusal still answers in words, never with a 500
        return error_page(exc.status, str(exc))

    @app.errorhandler(pw.OperationalError)
    @app.errorhandler(pw.InterfaceError)
    def _db_down(exc):
        app.logger.warning('database unavailable: %s', exc)
        resp = error_page(503)
        resp.headers['Retry-After'] = '5'     # nothing was saved; the next try connects afresh
        return resp

    @app.errorhandler(Exception)
    def _crash(exc):
        if isinstance(exc, HTTPException):
            return _http(exc)
        if app.testing and not app.config.get('FRIENDLY_ERRORS_IN_TESTS'):
            raise exc  # tests see the real traceback
        app.logger.exception('unhandled error')
        return error_page(500)
