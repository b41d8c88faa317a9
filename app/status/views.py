"""The customer's read-only status page: public, GET only, nothing a visitor can change.

Everything under /s/ is never stored, never indexed and sends no referrer; failed requests (unknown, revoked,
expired tokens) are rate-limited per client address, and a viewing writes nothing. The page reads through
app.status.queries and renders; its ETag (queries.page_version) lets the page's own refresh (static/status.js)
be answered 304 while nothing it shows has changed. Links are issued and revoked with the
order (app.reception.links); the staff pages to send or renew one are the outbox's (app.messages).
"""
from flask import Blueprint, current_app, make_response, render_template, request, send_file
from flask_babel import force_locale, format_date, format_datetime
from flask_login import current_user
from markupsafe import Markup

from app.core import photos
from app.core.access import PUBLIC, allow
from app.core.i18n import current_language, select_locale
from app.core.models import Shop
from app.core.settings import get_setting
from app.reception import links as rules
from app.status import fastpath, queries, ratelimit

bp = Blueprint('status', __name__)

LINK_SPACE = '/s/'
PHOTO_MAX_AGE = 600      # thumbnails never change; kept briefly so the 30 s refresh does not fetch them again
ROBOTS = 'User-agent: *\nDisallow: /s/\n'
TIME_FORMATS = {'zh': 'M月d日 EEE HH:mm', 'en': 'EEE d MMM, HH:mm'}
DATE_FORMATS = {'zh': 'yyyy年M月d日', 'en': 'd MMM yyyy'}


@bp.record_once
def _register_log_filter(state):
    from app.status import logfilter
    logfilter.install()
    state.app.wsgi_app = fastpath.UnchangedPage(state.app, state.app.wsgi_app)


@bp.app_template_filter('status_time')
def status_time(local_dt):
    """A shop-local time as the customer reads it (status_view has already converted it)."""
    if local_dt is None:
        return ''
    return format_datetime(local_dt, TIME_FORMATS.get(current_language(), TIME_FORMATS['en']), rebase=False)


@bp.app_template_filter('status_date')
def status_date(day):
    return format_date(day, DATE_FORMATS.get(current_language(), DATE_FORMATS['en'])) if day else ''


def _strong(text, css=''):
    """Bold text inside a translated sentence (the sentence is one message, the value escaped)."""
    return Markup('<strong%s>%s</strong>') % (Markup(' class="%s"') % css if css else '', text)


def _tel(phone):
    """The shop's phone as a tap-to-call link."""
    return Markup('<a class="tel" href="tel:%s">%s</a>') % (phone.replace(' ', ''), phone)


def _in_link_space():
    return request.path.startswith(LINK_SPACE)


def _only_shop():
    """The shop of a single-shop install: its phone goes on the page of a token nobody knows."""
    shops = list(Shop.select().limit(2))
    return shops[0] if len(shops) == 1 else None


@bp.before_app_request
def _rate_limit():
    """An address over the limit of failed requests this minute: the plain page with 429, for any link."""
    if not _in_link_space() or not ratelimit.blocked(request.remote_addr) or current_user.is_authenticated:
        return None   # staff previewing a link from the shop's own network are not counted against customers
    return _too_many()


def _too_many():
    resp = _plain_page(429, _only_shop())
    resp.headers['Retry-After'] = '60'
    return resp


@bp.after_app_request
def _link_space_headers(resp):
    """Never stored, never indexed, no referrer (the last policy a browser knows wins; core asks for same-origin)."""
    if _in_link_space():
        resp.headers.setdefault('Cache-Control', 'no-store')
        resp.headers.update(fastpath.LINK_SPACE_HEADERS)
    return resp


def _language(order=None):
    """?lang= (the page's own zh/en links), else the customer's language, else the browser's."""
    customer = order.customer if order is not None and order.customer_id else None
    return queries.page_language(request.args.get('lang'), customer.language if customer is not None else None,
                                 current_app.config['LANGUAGES'], select_locale)


def _plain_page(code, shop):
    """The one page for an unknown, revoked (404) or expired (410) link, and for too many requests (429)."""
    lang = _language()
    with force_locale(lang):
        body = render_template('status/invalid.html', code=code, lang=lang,
                               shop_name=shop.display_name(lang) if shop else '', shop_phone=shop.phone if shop else '')
    resp = make_response(body, code)
    resp.headers['Cache-Control'] = 'no-store'
    return resp


def _refused(found):
    """An unknown, revoked (404) or expired (410) link: counted against the address, 429 past the limit."""
    if not current_user.is_authenticated:
        limit = get_setting(_only_shop(), 'status_link_requests_per_minute')
        if not ratelimit.count_failure(request.remote_addr, limit):
            return _too_many()
    shop = found.shop or _only_shop()
    return _plain_page(410 if found.state == rules.EXPIRED else 404, shop)


@bp.route('/s/<status_token>')
@allow(PUBLIC)
def page(status_token):
    """Where the customer's repair stands: stages, promised time, items to decide, ready, total."""
    found = rules.find(status_token)
    if found.state != rules.OK:
        return _refused(found)
    lang = _language(found.order)
    version = queries.page_version(found.order, found.expires_at, lang)   # before reading the page: a change in
    # between shows at the next refresh
    if request.if_none_match.contains_weak(version):
        resp = current_app.response_class(status=304)
    else:
        with force_locale(lang):
            view = queries.status_view(found, status_token, lang)
            body = render_template('status/page.html', v=view, lang=lang, token=status_token, version=version,
                                   strong=_strong, tel=_tel)
        resp = make_response(body)
    resp.set_etag(version)
    resp.headers['Cache-Control'] = 'no-store'     # status.js sends If-None-Match itself; the phone keeps no copy
    return resp


@bp.route('/s/<status_token>/p/<int:finding_photo_id>')
@allow(PUBLIC)
def photo(status_token, finding_photo_id):
    """A thumbnail of a technician's photo of an item waiting for this order's customer, and nothing else."""
    found = rules.find(status_token)
    if found.state != rules.OK:
        return _refused(found)
    picture = queries.pending_photo(found.order, finding_photo_id)
    if picture is None:
        return _plain_page(404, found.shop)
    path = photos.thumbnail_path(picture.filename)
    resp = send_file(path, mimetype='image/jpeg' if picture.filename.endswith('.jpg') else 'image/png',
                     conditional=True, etag=True)
    resp.headers['Cache-Control'] = 'private, max-age=%d' % PHOTO_MAX_AGE
    return resp


@bp.route('/robots.txt')
@allow(PUBLIC)
def robots():
    """Search engines stay out of the status links (the pages also say noindex)."""
    resp = make_response(ROBOTS)
    resp.mimetype = 'text/plain'
    return resp
