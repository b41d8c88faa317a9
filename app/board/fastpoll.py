"""The board's poll, answered before Flask when nothing changed.

Every board screen asks every three seconds "has anything changed since version V?". Almost always the
answer is "no" (204, no body), and going through the whole application for it (a database connection,
loading the user and the shop, the rolling session) costs twenty times a bare request. So a thin WSGI
layer in front of the app answers that "no" itself, and passes everything else through untouched:

- the version the screen holds is `<event>.<minute>.<shop>.<sig>`: the shop's newest audit event id,
  the minute it was drawn in, the shop, and an HMAC (the app's secret key) binding shop and session
  user, issued by the board view to the signed-in user who drew it;
- the fast path answers 204 only if the request carries a validly signed session cookie for that same
  user, the minute is still the current one, and the shop's newest event id is still the one in the
  version (read from the database, at most `BOARD_VERSION_TTL` seconds old, 0.5 s by default);
- anything else (another minute, a change, a missing or foreign session, a malformed version) goes to
  the Flask view, which checks the session fully, renews it, and answers 204 or the new board.

A 204 says nothing but "unchanged", and the minute bound sends every screen through the full view at
least once a minute, so a session ended elsewhere reaches the board within that minute. The version
itself lives in the database, so every worker and server agrees on it.
"""
import hashlib
import hmac
import threading
import time
from urllib.parse import parse_qs

from itsdangerous import BadSignature
from werkzeug.http import parse_cookie

from app.board import queries
from app.core.db import served

POLL_PATH = '/board/poll'
DEFAULT_TTL = 0.5


def _key(app):
    secret = app.secret_key
    return secret.encode() if isinstance(secret, str) else secret


def signature(app, shop_id, user_key):
    """Binds a board version to a shop and the session's user (flask-login's "id:token")."""
    msg = ('board-poll|%s|%s' % (shop_id, user_key or '')).encode()
    return hmac.new(_key(app), msg, hashlib.sha256).hexdigest()[:16]


def make_token(app, newest, minute, shop_id, user_key):
    return '%d.%d.%d.%s' % (newest, minute, shop_id, signature(app, shop_id, user_key))


def parse_token(token):
    """(newest, minute, shop_id, sig) or None."""
    parts = (token or '').split('.')
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2]), parts[3]


class _Versions:
    """Each shop's newest event id, as read from the database at most `ttl` seconds ago (per process)."""

    def __init__(self):
        self._seen = {}
        self._lock = threading.Lock()

    def newest(self, shop_id, ttl):
        now = time.monotonic()
        hit = self._seen.get(shop_id)
        if hit is not None and now - hit[1] < ttl:
            return hit[0]
        with served():
            value = queries.newest_event_id(shop_id)
        with self._lock:
            self._seen[shop_id] = (value, now)
        return value


class FastPoll:
    """WSGI middleware: 204 for an unchanged, properly signed board poll; everything else to the app."""
    path = POLL_PATH       # a subclass answers another poll the same way (app.queues.fastpoll)

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.versions = _Versions()

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO') == self.path and environ.get('REQUEST_METHOD') == 'GET':
            try:
                unchanged = self._unchanged(environ)
            except Exception:  # noqa: BLE001 - any doubt (database away, odd cookie): let the app answer
                unchanged = False
            if unchanged:
                start_response('204 No Content', [('Cache-Control', 'private, no-store'),
                                                  ('Vary', 'HX-Request, Cookie'), ('Content-Length', '0')])
                return [b'']
        return self.wsgi_app(environ, start_response)

    def _unchanged(self, environ):
        args = parse_qs(environ.get('QUERY_STRING', ''))
        parsed = parse_token((args.get('since') or [''])[0])
        if parsed is None:
            return False
        newest, minute, shop_id, sig = parsed
        if minute != queries.clock_bucket():
            return False
        user_key = self._session_user(environ)
        if not user_key or not hmac.compare_digest(sig, signature(self.app, shop_id, user_key)):
            return False
        ttl = float(self.app.config.get('BOARD_VERSION_TTL', DEFAULT_TTL))
        return self.versions.newest(shop_id, ttl) == newest

    def _session_user(self, environ):
        """The signed session's user ("id:token"), verified as Flask itself would open the session."""
        app = self.app
        value = parse_cookie(environ.get('HTTP_COOKIE', '')).get(app.config['SESSION_COOKIE_NAME'])
        if not value:
            return None
        serializer = app.session_interface.get_signing_serializer(app)
        if serializer is None:
            return None
        try:
            data = serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return None
        return data.get('_user_id')
