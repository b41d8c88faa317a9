"""Scanning a label: the PNG's QR holds the short URL, which opens the right order for staff and nothing for others."""
import base64
from urllib.parse import parse_qs, urlsplit

from app.core import stages
from app.labels import rules
from app.labels.models import KeyTag
from app.reception.models import RepairOrder
from tests import factories
from tests.labels.helpers import decode_qr, put_key_on


def _png(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, url
    assert resp.mimetype == 'image/png'
    return resp.data


def test_key_tag_png_scans_to_the_order_the_tag_is_on(signed_in, order, tags, hooks, tmp_path):
    """A technician scanning the key tag in his hand must land on that car's repair order."""
    tag = tags[1]
    put_key_on(order, tag, hooks[0])
    scanned = decode_qr(_png(signed_in, '/labels/keytag/%d.png' % tag.id), tmp_path)
    assert scanned == 'http://localhost/k/%s' % tag.token
    resp = signed_in.get(scanned)
    assert resp.status_code == 302
    assert urlsplit(resp.headers['Location']).path == '/orders/%d' % order.id


def test_the_same_tag_follows_its_next_car(signed_in, shop, advisor, order, tags, tmp_path):
    """A tag is reused: once on another car, the same printed label opens the new order."""
    tag = tags[0]
    scanned = decode_qr(_png(signed_in, '/labels/keytag/%d.png' % tag.id), tmp_path)
    put_key_on(order, tag)
    assert signed_in.get(scanned).headers['Location'].endswith('/orders/%d' % order.id)
    KeyTag.update(order_id=None).where(KeyTag.id == tag.id).execute()   # delivered: the tag goes back
    second = factories.make_order(shop, advisor)
    put_key_on(second, tag)
    assert signed_in.get(scanned).headers['Location'].endswith('/orders/%d' % second.id)


def test_bag_png_scans_to_its_order(signed_in, order, tmp_path):
    """The belongings bag's label must open its own repair order."""
    scanned = decode_qr(_png(signed_in, '/labels/order/%d/bag.png' % order.id), tmp_path)
    assert scanned == 'http://localhost/b/%s' % order.label_token
    resp = signed_in.get(scanned)
    assert resp.status_code == 302
    assert urlsplit(resp.headers['Location']).path == '/orders/%d' % order.id


def test_free_tag_scans_to_a_page_saying_it_is_free(signed_in, tags, tmp_path):
    """A tag in the drawer must say it is free (with its number), not open some old order."""
    tag = tags[2]
    scanned = decode_qr(_png(signed_in, '/labels/keytag/%d.png' % tag.id), tmp_path)
    resp = signed_in.get(scanned)
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert 'This tag is free' in body and 'Key tag %d is free' % tag.number in body


def test_retired_tag_says_so(signed_in, manager, tags):
    """A tag taken out of the pool must not look free to whoever finds it."""
    rules.retire_key_tag(tags[0], manager)
    body = signed_in.get('/k/%s' % tags[0].token).get_data(as_text=True)
    assert 'retired' in body and 'This tag is free' not in body


def test_bag_of_a_finished_order_explains_instead_of_opening_work(signed_in, order):
    """A bag label from a car already handed back must say so, not send someone to work on it."""
    RepairOrder.update(stage=stages.DELIVERED).where(RepairOrder.id == order.id).execute()
    resp = signed_in.get('/b/%s' % order.label_token)
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert 'This order is finished' in body and order.number in body
    assert '/orders/%d' % order.id in body


def test_anonymous_scan_leads_to_login_and_reveals_nothing(client, order, tags, hooks, tmp_path, signed_in):
    """Someone who picks up a key or a bag in the car park learns nothing about the car or its owner."""
    put_key_on(order, tags[0], hooks[0])
    tag_url = decode_qr(_png(signed_in, '/labels/keytag/%d.png' % tags[0].id), tmp_path)
    bag_url = decode_qr(_png(signed_in, '/labels/order/%d/bag.png' % order.id), tmp_path)
    signed_in.post('/logout')
    for url in (tag_url, bag_url):
        resp = client.get(url)
        assert resp.status_code == 302
        location = resp.headers['Location']
        assert urlsplit(location).path == '/login' and 'next=' in location
        page = client.get(location)
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        for secret in (order.number, order.vehicle.plate, '凯美瑞', '王芳', 'Key tag', 'free'):
            assert secret not in body, secret


def test_signing_in_after_a_scan_goes_on_to_the_order(client, advisor, order, tags):
    """After the login the scan is not lost: the advisor lands on the order at once."""
    put_key_on(order, tags[0])
    login = client.get('/k/%s' % tags[0].token).headers['Location']
    nxt = parse_qs(urlsplit(login).query)['next'][0]
    resp = client.post('/login', data={'username': 'amy', 'password': factories.PASSWORD, 'next': nxt})
    assert resp.status_code == 302 and resp.headers['Location'] == '/k/%s' % tags[0].token
    assert client.get(resp.headers['Location']).headers['Location'].endswith('/orders/%d' % order.id)


def test_another_shops_tokens_are_unknown(signed_in, other_shop):
    """A label from another shop of the group opens nothing here, exactly like a made-up address."""
    for url in ('/k/%s' % other_shop['tag'].token, '/b/%s' % other_shop['order'].label_token,
                '/k/not-a-token', '/b/not-a-token', '/k/' + 'x' * 200):
        resp = signed_in.get(url)
        assert resp.status_code == 404, url
        assert '粤Z99999' not in resp.get_data(as_text=True)


def test_scan_target_is_one_function(app, order, advisor):
    """When the technician's job card arrives, changing one function must move every scan."""
    from app.reception.keys import order_url_for_scan
    with app.test_request_context():
        assert order_url_for_scan(order, advisor) == '/orders/%d' % order.id
        order.stage = stages.CLOSED
        assert order_url_for_scan(order, advisor) is None


def test_tokens_are_random_and_at_least_128_bits(shop, manager, order):
    """A label's address must not be guessable from another one (no counting up to the next car)."""
    tokens = [t.token for t in rules.add_key_tags(shop, manager, 50)] + [order.label_token]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + '=' * (-len(token) % 4))
        assert len(raw) * 8 >= 128, token
    assert not any(t.isdigit() for t in tokens)
