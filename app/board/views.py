"""The live progress board: every open order in its stage column, on the wall and on a tablet.

Each screen polls a tiny endpoint every three seconds with the version it shows; while nothing in the
shop changed the answer is an empty 204, otherwise the new board. The version lives in the database
(the shop's newest audit event), so any number of workers and servers agree on it. The unchanged case
is answered in front of Flask by app.board.fastpoll; this view answers everything else.
"""
from flask import Blueprint, abort, current_app, request, session
from flask_babel import lazy_gettext as _l

from app.accounts.context import current_shop
from app.board import fastpoll, layout, queries
from app.core.access import ANY_STAFF, allow
from app.core.db import utcnow
from app.core.timeutil import shop_today
from app.core.web import render, vary

bp = Blueprint('board', __name__)

TILES = [
    ('board.wall', _l('Progress board'), _l('Every car in the workshop by stage, live; for the wall screen')),
    ('board.tablet', _l('Progress board (tablet)'), _l('The same live board, compact for a tablet')),
]

VIEWS = ('wall', 'tablet')
POLL_SECONDS = 3


def time_left_text(delta):
    """Short enough for a wall card: '45m', '3h05m', '19h'; negative once the promised time has passed."""
    if delta is None:
        return ''
    minutes = int(delta.total_seconds() // 60)
    sign = '-' if minutes < 0 else ''
    minutes = abs(minutes)
    if minutes < 60:
        return '%s%dm' % (sign, minutes)
    if minutes < 600:
        return '%s%dh%02dm' % (sign, minutes // 60, minutes % 60)
    return '%s%dh' % (sign, minutes // 60)


@bp.record_once
def _install_fast_poll(state):
    state.app.wsgi_app = fastpoll.FastPoll(state.app, state.app.wsgi_app)


def _token(shop):
    """The version this user's screen will hold, signed for them (see app.board.fastpoll)."""
    newest, minute = queries.board_version(shop)
    return fastpoll.make_token(current_app, newest, minute, shop.id, session.get('_user_id'))


def _shop():
    shop = current_shop()
    if shop is None:
        abort(404)      # a user who belongs to no shop has no board
    return shop


def _board(view, token=None):
    shop = _shop()
    token = token or _token(shop)
    cols = queries.board(shop)
    # the wall shows every car: big cards, else small ones on more lanes, else it turns its own pages
    fit = layout.fit([c.total for c in cols]) if view == 'wall' else None
    page = 'board/%s.html' % view
    return render(page, 'board/_board.html', view=view, token=token, columns=cols, now=utcnow(),
                  today=shop_today(shop), fit=fit, page_seconds=layout.PAGE_SECONDS,
                  total=sum(c.total for c in cols), late=sum(c.late for c in cols),
                  time_left_text=time_left_text, poll_seconds=POLL_SECONDS)


@bp.route('/board')
@allow(ANY_STAFF)
def wall():
    """The wall screen (1920x1080): large type, high contrast, no customer names or phones."""
    return _board('wall')


@bp.route('/board/tablet')
@allow(ANY_STAFF)
def tablet():
    """The same board, compact, for the foreman's tablet."""
    return _board('tablet')


@bp.route('/board/poll')
@allow(ANY_STAFF)
def poll():
    """204 while the shop's board version equals the one the screen shows; else the new board fragment."""
    token = _token(_shop())
    if request.args.get('since') == token:
        resp = current_app.response_class(status=204)
        resp.headers['Cache-Control'] = 'private, no-store'
        return vary(resp)
    view = request.args.get('view')
    return _board(view if view in VIEWS else 'wall', token)
