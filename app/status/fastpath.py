"""The status page answered before Flask while nothing on it changed: 304 to its own refresh, or the page again.

An open order's page asks for itself every 30 s (static/status.js) with the version it shows (If-None-Match), and
without JavaScript it reloads itself (the <noscript> refresh); almost always nothing changed, and building the
answer through the whole application (the hooks, the session, a dozen queries, the template) costs many times a
bare request. So a thin WSGI layer in front of the app reads the page's version in one query
(app.status.queries.page_state, with the same page_version the view uses) and, while it is unchanged, answers
304 to a request that holds it, or the page the app drew for that link and version (kept per process, at most
MAX_PAGES, only pages without cookies). Anything else goes to the app untouched and is answered there: another
path, a staff member's cookies (their language and preview rules are the app's), an address over the rate limit,
an unknown, revoked or ended link (the ended page does not refresh itself), a changed page, or any doubt at all.

On PostgreSQL that one query is a round trip to another process, costing more than the rest of the answer; so the
state read is kept in the process until the database's change feed says a record it depends on changed (its order,
link, customer, vehicle or shop: app.core.changes), and most refreshes ask the database nothing. A change shows at
most a moment (the notification's way back) after its commit, well inside the refresh's 30 s.
"""
import hmac
import threading
from collections import OrderedDict
from urllib.parse import parse_qs

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie, parse_etags

from app.core import changes
from app.core.db import db, served
from app.core.i18n import browser_language
from app.reception import links
from app.status import queries, ratelimit

PREFIX = '/s/'
MAX_PAGES = 1000           # pages kept per process: ~3 KB each
MAX_STATES = 5000          # page states kept per process (PostgreSQL): ~1 KB each
# Every answer in the link space carries these (app.status.views adds them to the app's answers).
LINK_SPACE_HEADERS = {'X-Robots-Tag': 'noindex, nofollow, noarchive', 'Referrer-Policy': 'same-origin, no-referrer'}


class UnchangedPage:
    """WSGI middleware: 304, or the page kept, for a status page that has not changed."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.pages = OrderedDict()          # (token, version) -> (status, headers, body), most recent last
        self.lock = threading.Lock()
        self.states = None                  # changes.KeptReads of token hash -> PageState, on PostgreSQL

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        method = environ.get('REQUEST_METHOD')
        if path.startswith(PREFIX) and method in ('GET', 'HEAD'):
            token = path[len(PREFIX):]
            try:
                version = self._version(environ, token)
            except Exception:  # noqa: BLE001 - any doubt (database away, odd header): let the app answer
                version = None
            if version:
                if parse_etags(environ.get('HTTP_IF_NONE_MATCH')).contains_weak(version):
                    headers = [('ETag', '"%s"' % version), ('Cache-Control', 'no-store')]
                    start_response('304 NOT MODIFIED', headers + list(LINK_SPACE_HEADERS.items()))
                    return [b'']
                with self.lock:
                    kept = self.pages.get((token, version))
                    if kept is not None:
                        self.pages.move_to_end((token, version))
                if kept is not None:
                    start_response(kept[0], list(kept[1]))
                    return [kept[2] if method == 'GET' else b'']
                if method == 'GET':
                    return self._drawn(environ, start_response, (token, version))
        return self.wsgi_app(environ, start_response)

    def _drawn(self, environ, start_response, key):
        """The app's answer, kept when it is this very version of the page, for no one in particular."""
        seen = []

        def capture(status, headers, exc_info=None):
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)
        answer = self.wsgi_app(environ, capture)
        try:
            body = b''.join(answer)
        finally:
            if hasattr(answer, 'close'):
                answer.close()
        status, headers = seen
        names = {name.lower(): value for name, value in headers}
        if status.startswith('200') and names.get('etag') == '"%s"' % key[1] and 'set-cookie' not in names:
            with self.lock:
                self.pages[key] = (status, tuple(headers), body)
                while len(self.pages) > MAX_PAGES:
                    self.pages.popitem(last=False)
        return [body]

    def _version(self, environ, token):
        """The version of the page this request asks for, or None when the app must answer it."""
        app = self.app
        if not links.TOKEN_RE.match(token):
            return None
        cookies = parse_cookie(environ.get('HTTP_COOKIE', ''))
        if app.config['SESSION_COOKIE_NAME'] in cookies or app.config.get('REMEMBER_COOKIE_NAME',
                                                                           'remember_token') in cookies:
            return None
        with app.app_context():
            if ratelimit.blocked(environ.get('REMOTE_ADDR')):
                return None
            state = self._state(links.hash_token(token))
            if (state is None or state.revoked_at or state.link_expires_at or state.delivered_at
                    or state.stage in links.ENDED or not hmac.compare_digest(links.derive_token(state.nonce), token)):
                return None
            asked = (parse_qs(environ.get('QUERY_STRING', '')).get('lang') or [None])[0]
            accept = parse_accept_header(environ.get('HTTP_ACCEPT_LANGUAGE'), LanguageAccept)
            lang = queries.page_language(asked, state.customer_language, app.config['LANGUAGES'],
                                         lambda: browser_language(accept, app.config))
            return queries.page_version(state, None, lang, events=state.events)

    def _state(self, token_hash):
        """The PageState of a link, kept while the database's change feed runs (PostgreSQL), else read."""
        def read():
            with served():
                state = queries.page_state(token_hash)
            return state, state.records() if state is not None else ()
        feed = changes.feed_for(self.app, db.obj)
        if feed is None:
            return read()[0]
        with self.lock:
            if self.states is None or self.states.feed is not feed:
                self.states = changes.KeptReads(feed, MAX_STATES)
            states = self.states
        return states.get(token_hash, read)
