"""Status links: every signed repair order has one, printed as a QR on the customer's copy and sent by message.
Issuing and revoking a link belongs to the order; app.status is the public page that reads it.

The token
---------
A link is ``/s/<token>``: 22 URL-safe characters carrying 128 random bits, short enough for an SMS.

Only the token's SHA-256 (``token_hash``) is stored to find the link again, yet the customer's copy can be
reprinted and the link sent again days later. So the token is not stored at all but *derived*:

    nonce = secrets.token_urlsafe(16)                 # random, stored on the StatusLink row
    token = b64url(HMAC-SHA256(key, PURPOSE + nonce)[:16])   # 128 bits, 22 characters, never stored
    token_hash = sha256(token).hexdigest()            # stored, unique: what a request is looked up by

``key`` is the app's ``STATUS_LINK_KEY`` if set, else its ``SECRET_KEY``. The print view, the staff page
and the message sender recompute the token from the nonce whenever they need it. A copy of the database
alone (nonce + hash) reveals no working link: that needs the key as well, and a hash cannot be turned
back into a token. Rotating the key invalidates every printed link at once (the emergency brake);
revoking one link is ``revoke_and_reissue``. Messages store their text with the link redacted
(``redact``), and the access logs see ``/s/<sha256[:12]>`` only (app.status.logfilter).

Lifetime: a link works while its order is open and for ``status_link_days_after_delivery`` days (14)
after delivery (or cancellation); then it answers 410. A revoked or unknown token answers 404 with
the same plain page.
"""
import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import peewee as pw
from flask import current_app, has_request_context

from app.core.errors import Refused
from app.core import audit, stages
from app.core.db import db, transaction, utcnow
from app.core.models import Event
from app.core.settings import get_setting
from app.core.models import Shop
from app.customers.models import Customer
from app.reception.models import RepairOrder, StatusLink

PURPOSE = b'servicebay/status-link/v1\x00'
TOKEN_BYTES = 16
TOKEN_LENGTH = 22
TOKEN_RE = re.compile(r'^[A-Za-z0-9_-]{%d}$' % TOKEN_LENGTH)
# A token inside a path or a text (longer than the 12-character hash it is redacted to).
IN_TEXT_RE = re.compile(r'/s/([A-Za-z0-9_-]{16,64})')

class LinkError(Refused):
    """The order cannot have a status link (not signed yet)."""


# --- the token --------------------------------------------------------------------------

def _key():
    key = current_app.config.get('STATUS_LINK_KEY') or current_app.config['SECRET_KEY']
    return key.encode() if isinstance(key, str) else key


def derive_token(nonce):
    """The link's token from its stored nonce and the server key (128 bits, 22 URL-safe characters)."""
    mac = hmac.new(_key(), PURPOSE + nonce.encode(), hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(mac).rstrip(b'=').decode()


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def short_hash(token):
    """What logs and audit events show instead of a token."""
    return hash_token(token)[:12]


def token_for(link):
    return derive_token(link.nonce)


def redact(text):
    """A text with every /s/<token> replaced by /s/<sha256[:12]>: safe for logs and stored messages."""
    if not text:
        return text
    return IN_TEXT_RE.sub(lambda m: '/s/' + short_hash(m.group(1)), text)


# --- issuing and revoking ---------------------------------------------------------------

def active_link(order):
    return StatusLink.get_or_none(StatusLink.active_order == order.id)


def _create(order, by):
    """Insert a new active link; None if another request made one first."""
    nonce = secrets.token_urlsafe(TOKEN_BYTES)
    token = derive_token(nonce)
    try:
        with db.atomic():   # a savepoint: a lost race leaves the outer transaction usable
            link = StatusLink.create(shop=order.shop_id, order=order.id, nonce=nonce, token_hash=hash_token(token),
                                     active_order=order.id, created_at=utcnow(), created_by=getattr(by, 'id', None))
    except pw.IntegrityError:
        return None, None
    return link, token


def issue_link(order, by=None):
    """The order's status link token, issued now if it has none (with an audit event). Idempotent."""
    if order.stage == stages.DRAFT:
        raise LinkError('a check-in in progress has no status link yet')
    with transaction():
        link = active_link(order)
        if link is not None:
            return token_for(link)
        link, token = _create(order, by)
        if link is None:
            return token_for(active_link(order))
        audit.record('status_link.issued', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     after={'link': short_hash(token)})
        return token


def revoke_and_reissue(order, by):
    """Stop the current link (a wrong number got it, the customer asks) and issue a new one; returns its token."""
    if order.stage == stages.DRAFT:
        raise LinkError('a check-in in progress has no status link yet')
    with transaction():
        old = active_link(order)
        before = None
        if old is not None:
            (StatusLink.update(revoked_at=utcnow(), revoked_by=getattr(by, 'id', None), active_order=None)
             .where(StatusLink.id == old.id).execute())
            before = {'link': short_hash(token_for(old))}
        link, token = _create(order, by)
        if link is None:    # someone else ensured a link between the two statements: revoke that one too
            raise pw.IntegrityError('status link changed concurrently')
        audit.record('status_link.reissued', 'repair_order', order.id, shop=order.shop_id, actor=by,
                     before=before, after={'link': short_hash(token)})
        return token


def ensure_link(order):
    """The token for a signed order's link, issuing one if signing did not (older orders, imports).

    None for a check-in in progress. The print view, the staff page and the messages call this.
    """
    if order is None or order.stage == stages.DRAFT:
        return None
    link = active_link(order)
    if link is not None:
        return token_for(link)
    return issue_link(order)


def link_url(token):
    """The absolute address of a link: PUBLIC_BASE_URL, else this request's host (see app.core.web.public_url)."""
    from app.core.web import public_url
    if has_request_context():
        return public_url('status.page', status_token=token)
    base = current_app.config.get('PUBLIC_BASE_URL') or 'http://127.0.0.1:5000'
    path = current_app.url_map.bind('localhost').build('status.page', {'status_token': token})
    return base.rstrip('/') + path


def status_url(order, issue=True):
    """The order's status link as an absolute URL (issued if missing), or None for a check-in in progress.

    With issue=False nothing is written: None when the order has no link yet (previews on GET pages).
    """
    if not issue:
        link = active_link(order) if order is not None else None
        return link_url(token_for(link)) if link is not None else None
    token = ensure_link(order)
    return link_url(token) if token else None


# --- what a token opens (the public page, and the staff page showing whether the link works) ---------------

ENDED = (stages.DELIVERED, stages.CLOSED, stages.CANCELLED)

OK, UNKNOWN, REVOKED, EXPIRED = 'ok', 'unknown', 'revoked', 'expired'


# --- looking a token up -----------------------------------------------------------------

@dataclass
class Lookup:
    state: str
    link: StatusLink | None = None
    order: object = None
    expires_at: object = None

    @property
    def shop(self):
        return self.link.shop if self.link is not None else None


def ended_at(order):
    """When the order was handed back (or cancelled): the delivery time, else the time of that stage move."""
    if order.delivered_at:
        return order.delivered_at
    if order.stage not in ENDED:
        return None
    latest = None
    for event in (Event.for_record('repair_order', order.id).where(Event.action == 'order.stage')
                  .order_by(Event.at.desc(), Event.id.desc())):
        stage = (event.after_data or {}).get('stage')
        if stage in ENDED:
            latest = event.at
        elif latest is not None:
            break
    return latest or order.checked_in_at or order.created_at


def expires_at(link, order):
    if link.expires_at is not None:
        return link.expires_at
    end = ended_at(order)
    if end is None:
        return None
    return end + timedelta(days=get_setting(order.shop, 'status_link_days_after_delivery'))


def find(token, now=None):
    """What a token opens: OK with the link and order, or why not (unknown, revoked, expired)."""
    if not token or not TOKEN_RE.match(token):
        return Lookup(UNKNOWN)
    # one query: the link with its order, the order's customer (the page's language) and the shop
    link = (StatusLink.select(StatusLink, RepairOrder, Customer, Shop)
            .join(RepairOrder, on=(StatusLink.order == RepairOrder.id))
            .join(Customer, pw.JOIN.LEFT_OUTER, on=(RepairOrder.customer == Customer.id))
            .switch(StatusLink).join(Shop, on=(StatusLink.shop == Shop.id))
            .where(StatusLink.token_hash == hash_token(token)).first())
    if link is None:
        return Lookup(UNKNOWN)
    # constant-time check of what was looked up (the index found it by hash; this keeps the intent explicit)
    if not hmac.compare_digest(token_for(link), token):
        return Lookup(UNKNOWN)
    order = link.order
    if link.is_revoked:
        return Lookup(REVOKED, link, order)
    until = expires_at(link, order)
    if until is not None and (now or utcnow()) >= until:
        return Lookup(EXPIRED, link, order, until)
    return Lookup(OK, link, order, until)
