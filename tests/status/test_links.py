"""Status-link tokens: random, only a hash stored, one active per order, revocable, audited."""
import base64
import hashlib

from app.core.models import Event
from app.reception import checkin
from app.reception import links as rules
from app.reception.models import StatusLink
from tests import factories


def test_token_has_128_random_bits_and_only_its_hash_is_stored(app, order, token):
    """A guessable or stored token would let a database leak or a guesser read a customer's repair."""
    assert len(token) == 22 and rules.TOKEN_RE.match(token)
    assert len(base64.urlsafe_b64decode(token + '==')) == 16            # 128 bits
    link = StatusLink.get(StatusLink.order == order)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(v) for v in link.__data__.values()]
    assert token not in ' '.join(stored)
    # nothing in the database holds the raw token: not the link, not the audit trail
    assert not Event.select().where(Event.after.contains(token) | Event.before.contains(token)).exists()
    # many links, all different, none derived from the order id
    tokens = {rules.ensure_link(factories.make_order(order.shop, order.advisor)) for _ in range(30)}
    assert len(tokens) == 30 and token not in tokens


def test_url_is_short_enough_for_an_sms(app, order, token):
    """A long link is cut in two by SMS apps and no longer opens."""
    with app.test_request_context(base_url='https://svc.example.cn'):
        url = rules.status_url(order)
    assert url == 'https://svc.example.cn/s/' + token
    assert len('/s/' + token) <= 26


def test_the_database_alone_cannot_rebuild_a_link(app, order, token):
    """A stolen backup must not be a list of working links: the server key is needed as well."""
    link = StatusLink.get(StatusLink.order == order)
    assert rules.derive_token(link.nonce) == token
    app.config['STATUS_LINK_KEY'] = 'another-key'
    assert rules.derive_token(link.nonce) != token
    assert rules.find(token).state == rules.UNKNOWN        # rotating the key stops every link at once


def test_issuing_is_idempotent_and_audited(app, order, staff):
    """Printing the order twice must not make two links; the timeline says when the link was issued."""
    first = rules.issue_link(order, staff['advisor'])
    assert rules.issue_link(order) == first == rules.ensure_link(order)
    assert StatusLink.select().where(StatusLink.order == order).count() == 1
    events = list(Event.for_record('repair_order', order.id).where(Event.action == 'status_link.issued'))
    assert len(events) == 1 and events[0].after_data == {'link': rules.short_hash(first)}


def test_revoke_and_reissue(app, order, token, staff):
    """A link sent to a wrong number must stop working at once, and the customer gets a new one."""
    new = rules.revoke_and_reissue(order, staff['advisor'])
    assert new != token
    assert rules.find(token).state == rules.REVOKED
    assert rules.find(new).state == rules.OK
    assert rules.ensure_link(order) == new
    assert Event.for_record('repair_order', order.id).where(Event.action == 'status_link.reissued').exists()


def test_a_check_in_in_progress_has_no_link(app, shop, staff):
    """The link belongs to a signed order; a half-done check-in has nothing to show."""
    car = factories.make_vehicle(shop, factories.make_customer(shop))
    draft = checkin.start_checkin(shop, staff['advisor'], customer=car.owner, vehicle=car, complaint='x')
    assert rules.ensure_link(draft) is None
    assert not StatusLink.select().exists()


def test_unknown_and_malformed_tokens(app, token):
    """A typo or a made-up address opens nothing (and costs no database search when malformed)."""
    assert rules.find('x' * 22).state == rules.UNKNOWN
    assert rules.find('abc').state == rules.UNKNOWN
    assert rules.find(token[:-1] + ('A' if token[-1] != 'A' else 'B')).state == rules.UNKNOWN


def test_redact_replaces_tokens_with_a_short_hash(app, token):
    """Logs and stored messages must not hold a working link."""
    text = 'GET /s/%s HTTP/1.1 and /s/%s/p/3' % (token, token)
    out = rules.redact(text)
    assert token not in out and out.count('/s/' + rules.short_hash(token)) == 2
    assert rules.redact(out) == out
