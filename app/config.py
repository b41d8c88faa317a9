"""Configuration read from the environment, with safe defaults for the demo."""
import os
from datetime import timedelta


class Config:
    SECRET_KEY = os.environ.get('SECRET_KEY')  # a random per-instance key is made if unset
    DATABASE_URL = os.environ.get('DATABASE_URL', 'sqlite:///instance/servicebay.db')
    DATABASE_BUSY_TIMEOUT = float(os.environ.get('DATABASE_BUSY_TIMEOUT', '10'))   # SQLite: wait for the write lock
    DATABASE_CONNECT_WAIT = float(os.environ.get('DATABASE_CONNECT_WAIT', '5'))    # retry while the DB restarts
    # PostgreSQL pool per process (app.core.db.pool_settings): connections, default the gunicorn worker's threads;
    # seconds after which a connection is closed and opened afresh.
    DATABASE_POOL_SIZE = os.environ.get('DATABASE_POOL_SIZE')
    DATABASE_POOL_STALE = float(os.environ.get('DATABASE_POOL_STALE', '300'))
    # PostgreSQL: one more connection per process LISTENs for changed records, so the status page's refresh is
    # answered from state kept in the process (app.core.changes); 0 reads the database on every refresh.
    CHANGE_FEED = os.environ.get('CHANGE_FEED', '1') != '0'
    # Babel: source strings are English; Simplified Chinese is the shop default.
    LANGUAGES = ('zh', 'en')
    BABEL_DEFAULT_LOCALE = 'zh'
    BABEL_DEFAULT_TIMEZONE = 'Asia/Shanghai'
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'translations')

    # CSRF tokens live as long as the session: a board or phone left open all day keeps working.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_HEADERS = ['X-CSRFToken']

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = 'Lax'
    SESSION_COOKIE_SECURE = os.environ.get('SESSION_COOKIE_SECURE', '') == '1'
    # Rolling: each request renews it, so only a session idle this long ends (then "remember me" applies).
    PERMANENT_SESSION_LIFETIME = timedelta(hours=14)
    # Behind a TLS-terminating proxy (nginx), trust its X-Forwarded-For/-Proto headers: one hop.
    TRUST_PROXY = os.environ.get('TRUST_PROXY', '') == '1'
    # A technician's phone stays signed in across a shift and a weekend, not forever.
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get('REMEMBER_DAYS', '14')))
    # A sign-in without "keep me signed in" ends this long after it began, however busy the person is: a desk
    # left signed in does not stay open overnight (UserSession.usable). "Keep me signed in" lasts REMEMBER_DAYS.
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=float(os.environ.get('SESSION_ABSOLUTE_HOURS', '12')))
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = 'Lax'
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    # Login throttling (app.accounts.models.LoginFailure). Per user name *and* address: after LOGIN_MAX_FAILURES
    # failures the next try waits LOGIN_FIRST_DELAY, doubled with each further failure up to LOGIN_MAX_DELAY, so
    # a guesser elsewhere cannot lock the real person out. Per address: LOGIN_ADDRESS_MAX_FAILURES failures (any
    # names) in LOGIN_FAILURE_WINDOW. Failures older than LOGIN_FAILURE_MEMORY are forgotten.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FIRST_DELAY = timedelta(minutes=1)
    LOGIN_MAX_DELAY = timedelta(hours=1)
    LOGIN_ADDRESS_MAX_FAILURES = 20
    LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
    LOGIN_FAILURE_MEMORY = timedelta(days=1)

    # argon2id cost; tests lower it so the suite stays fast.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536

    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # The address printed in QR labels and sent in messages, e.g. http://192.168.1.20:5000 (default: as requested).
    PUBLIC_BASE_URL = os.environ.get('PUBLIC_BASE_URL', '')
    # The time zone of the demo's shops (`flask demo --timezone`), e.g. Europe/Berlin to try a shop with summer time.
    DEMO_TIMEZONE = os.environ.get('DEMO_TIMEZONE', 'Asia/Shanghai')
