"""The queue counts' poll, answered before Flask when nothing changed: the board's fast path (app.board.fastpoll),
on the queue's own path.

Every screen's navigation asks every few seconds "has my queue changed since version V?". The version is the
board's: the shop's newest audit event, the minute, the shop and an HMAC binding them to the session's user. Every
change in the shop writes an audit event and a deadline passes only on a new minute, so an unchanged version means
an unchanged queue: 204, with no database work beyond the version check.
"""
from app.board import fastpoll

POLL_PATH = '/queues/poll'


class QueueFastPoll(fastpoll.FastPoll):
    """WSGI middleware: 204 for an unchanged, properly signed queue poll; everything else to the app."""
    path = POLL_PATH
