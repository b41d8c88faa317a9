"""The work queues on each person's home page, and their counts on the navigation of every page.

The home page (accounts.home) opens on "what needs me now": its template asks `work_queue()`; the navigation asks
`queue_nav()`. Both are offered here, so the lower areas import nothing of the queues. The counts stay current
without a reload: the navigation polls `queues.poll` with the version it shows; an unchanged version is answered
204 in front of Flask (app.queues.fastpoll), a changed one with the fresh counts (and, on the home page, the
fresh list as an out-of-band swap).
"""
from collections import OrderedDict

from flask import Blueprint, current_app, g, render_template, request, session
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.context import current_shop
from app.board import fastpoll as board_fastpoll
from app.board.queries import board_version
from app.core.access import ANY_STAFF, allow
from app.core.db import utcnow
from app.core.timeutil import to_local
from app.core.web import vary
from app.queues import fastpoll, rules
from app.queues.items import LATE

bp = Blueprint('queues', __name__)

POLL_SECONDS = 10
LIST_LIMIT = 60          # items drawn on the home page, the most urgent; the rest counted below them
_CACHE_SIZE = 2000
_counts_seen = OrderedDict()      # (session user, shop) -> (version, counts): the navigation of other pages


@bp.record_once
def _install_fast_poll(state):
    state.app.wsgi_app = fastpoll.QueueFastPoll(state.app, state.app.wsgi_app)


def _token(shop):
    newest, minute = board_version(shop)
    return board_fastpoll.make_token(current_app, newest, minute, shop.id, session.get('_user_id'))


class Nav:
    """What the navigation shows: [(role, label, count, late)], the version it holds, and whether to poll for
    the home page's list too."""

    def __init__(self, token, counts, with_list=False):
        self.token, self.counts, self.with_list = token, counts, with_list

    @property
    def total(self):
        return sum(c for _r, _l, c, _late in self.counts) if self.counts is not None else None


def _counts(found):
    return [(role, label, len(items), sum(1 for i in items if i.state == LATE)) for role, label, items in found]


def _remember(token, counts):
    key = (session.get('_user_id'), current_shop().id)
    _counts_seen[key] = (token, counts)
    _counts_seen.move_to_end(key)
    while len(_counts_seen) > _CACHE_SIZE:
        _counts_seen.popitem(last=False)


def _found():
    """This request's queues (read once), for the home page."""
    if 'work_queues' not in g:
        g.work_queues = rules.queues(current_shop(), current_user, utcnow())
    return g.work_queues


def _on_home():
    return request.endpoint == 'accounts.home'


def queue_nav():
    """The navigation's counts: read with the home page, else the ones this person's screen last fetched while
    the shop is unchanged; otherwise None (the navigation fetches them once the page has loaded)."""
    shop = current_shop()
    if shop is None or not current_user.is_authenticated or not rules.roles_of(current_user):
        return None
    if _on_home():
        token = _token(shop)
        counts = _counts(_found())
        _remember(token, counts)
        return Nav(token, counts, with_list=True)
    seen = _counts_seen.get((session.get('_user_id'), shop.id))
    if seen is None:        # nothing this screen could show: no version to read either
        return Nav('', None)
    token = _token(shop)
    if seen[0] == token:
        return Nav(token, seen[1])
    return Nav('', None)


def work_queue():
    """The home page's queue: (the queues [(role, label, items)], the role shown or None for all, its items)."""
    found = _found()
    role = request.args.get('role')
    shown = [q for q in found if q[0] == role] if role else found
    if role and not shown:
        role, shown = None, found
    return found, role, rules.merged(shown)


def _span(m):
    """A length of time in minutes as a person says it: '12 min', '3 h 05 min', '2 days'."""
    if m >= 2 * 24 * 60:
        return ngettext('%(num)d day', '%(num)d days', m // (24 * 60))
    if m >= 60:
        hours, minutes = divmod(m, 60)
        return _('%(h)d h %(m)02d min', h=hours, m=minutes) if minutes else ngettext('%(num)d h', '%(num)d h', hours)
    return ngettext('%(num)d min', '%(num)d min', m)


def left_words(item):
    """'12 min left', '35 min late', '3 h 05 min late', '2 days late'."""
    if item.minutes is None:
        return ''
    text = _span(abs(item.minutes))
    return _('%(time)s late', time=text) if item.minutes < 0 else _('%(time)s left', time=text)


def waited_words(item):
    """'waiting 40 min', 'waiting 3 h 05 min', 'waiting 108 days' (never '2606 h')."""
    return _('waiting %(time)s', time=_span(item.waited))


def due_words(item):
    """The deadline in the shop's time: the time today, else the day and time."""
    if item.due is None:
        return ''
    tz = current_shop().timezone
    due, now = to_local(item.due, tz), to_local(item.now, tz)
    return due.strftime('%H:%M') if due.date() == now.date() else due.strftime('%m-%d %H:%M')


@bp.app_context_processor
def _offer():
    return {'queue_nav': queue_nav, 'work_queue': work_queue, 'queue_left': left_words, 'queue_due': due_words,
            'queue_waited': waited_words,
            'queue_poll_seconds': POLL_SECONDS, 'queue_list_limit': LIST_LIMIT}


@bp.route('/queues/poll')
@allow(ANY_STAFF)
def poll():
    """204 while the shop is as the screen last saw it; else the navigation's counts (and with `list`, the home
    page's list out of band)."""
    shop = current_shop()
    token = _token(shop) if shop is not None else ''
    if shop is None or request.args.get('since') == token:
        resp = current_app.response_class(status=204)
        resp.headers['Cache-Control'] = 'private, no-store'
        return vary(resp)
    found = _found()
    counts = _counts(found)
    _remember(token, counts)
    with_list = request.args.get('list') == '1'
    html = render_template('queues/_poll.html', nav=Nav(token, counts, with_list), with_list=with_list)
    resp = vary(current_app.make_response(html))
    resp.headers['Cache-Control'] = 'private, no-store'
    return resp
