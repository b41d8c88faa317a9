"""Keep status-link tokens out of the access logs: /s/<token> is written as /s/<sha256[:12]>.

Installed on the loggers of the development server (werkzeug) and of gunicorn (gunicorn.access,
gunicorn.error) when the status blueprint is registered. The hash still lets an operator match the
lines of one link (app.reception.links.short_hash) without the log being a list of working links.

gunicorn hands its access logger a dict of "atoms" (request line, path, referrer…); the werkzeug
server a tuple of arguments. Both are rewritten in place, so any --access-logformat is covered.
A proxy in front (nginx) keeps its own log: strip the path there too, e.g.
``map $request_uri $loggable_uri { ~^/s/ /s/-; default $request_uri; }`` in its log_format.
"""
import logging
from collections.abc import MutableMapping

LOGGERS = ('werkzeug', 'gunicorn.access', 'gunicorn.error')


def _clean(value):
    from app.reception.links import redact
    if isinstance(value, str) and '/s/' in value:
        return redact(value)
    if isinstance(value, bytes) and b'/s/' in value:
        return redact(value.decode('latin-1')).encode('latin-1')
    return value


class RedactStatusTokens(logging.Filter):
    """Rewrites a log record's message and arguments; never drops a record."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = _clean(record.msg)
        args = record.args
        if isinstance(args, MutableMapping):
            for key in list(args.keys()):
                args[key] = _clean(args[key])
        elif isinstance(args, tuple):
            record.args = tuple(_clean(a) for a in args)
        return True


def install():
    """Add the filter once to each access logger (safe to call again)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactStatusTokens) for f in logger.filters):
            logger.addFilter(RedactStatusTokens())
