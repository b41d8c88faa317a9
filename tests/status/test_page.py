"""The customer's status page: what it shows, what it never shows, in both languages."""
import re
from datetime import timedelta

from app.core import stages
from app.core.db import utcnow
from app.reception.models import RepairOrder
from app.workshop.models import AddedWork, ProgressCheck
from tests import factories
from tests.helpers import reload
from tests.helpers import mid_minute
from tests.status.helpers import pending_item, token_of


def _move(order, *path, by):
    order = reload(order)
    for to in path:
        stages.move(order, to, by=by)
    return order


def test_page_shows_the_car_and_never_the_customer(client, order, token, shop, staff):
    """The link may be forwarded or seen over a shoulder: no name, phone, VIN or other order on it."""
    other = factories.make_order(shop, staff['advisor'], vehicle=factories.make_vehicle(
        shop, factories.make_customer(shop, name='李路人', phone='+8613800000001'), plate='粤B99887',
        vin='LFV2A21K3G4012345'))
    token_of(other)
    body = client.get('/s/' + token).get_data(as_text=True)
    assert '凯美瑞 Camry' in body and '粤B·***45' in body and order.number in body
    for secret in ('王秘密', '13912345678', '+8613912345678', 'LVGBE40K8GP123457', '123457', '粤B12345',
                   '李路人', '粤B99887', other.number, staff['advisor'].display_name, '刹车异响'):
        assert secret not in body, secret
    assert '<form' not in body and ' style=' not in body
    # the one script is the page's own refresher, from the shop's static files (no inline code)
    assert re.findall(r'<script[^>]*>', body) == ['<script src="/static/status.js" defer>']


def test_stages_with_times_in_both_languages(client, order, token, staff):
    """The customer reads where the car is, in their language, and can switch."""
    _move(order, stages.DISPATCHED, stages.IN_PROGRESS, by=staff['boss'])
    zh = client.get('/s/' + token).get_data(as_text=True)      # the customer's language: zh
    assert '已接车' in zh and '维修中' in zh and 'lang="zh-Hans"' in zh
    en = client.get('/s/%s?lang=en' % token).get_data(as_text=True)
    assert 'Received at reception' in en and 'Being repaired' in en and 'Quality inspection' in en
    assert 'lang="en"' in en
    steps = en[en.index('class="steps"'):]
    assert steps.index('Received at reception') < steps.index('Being repaired') < steps.index('Quality inspection')
    assert '/s/%s?lang=zh' % token in en and '/s/%s?lang=en' % token in zh
    assert 'Set-Cookie' not in client.get('/s/%s?lang=en' % token).headers


def test_open_order_refreshes_itself_and_shows_the_promise(client, order, token):
    """A customer waiting in the lounge sees the page move on by itself."""
    body = client.get('/s/%s?lang=en' % token).get_data(as_text=True)
    assert 'data-refresh="30"' in body and 'status.js' in body      # puts new content in place, no reload
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in body      # without JavaScript
    assert 'Promised for' in body


def test_pending_items_with_photos_served_only_for_that_order(client, shop, order, token, staff):
    """The customer sees what the technician found and its price; photos of other orders stay private."""
    work, photo = pending_item(order, staff['tech'], description='Replace front brake discs')
    pending_item(order, staff['tech'], description='Decided already', status=AddedWork.APPROVED)
    other = factories.make_order(shop, staff['advisor'])
    _w, other_photo = pending_item(other, staff['tech'], description='Other car item')
    other_token = token_of(other)
    body = client.get('/s/%s?lang=en' % token).get_data(as_text=True)
    assert 'Replace front brake discs' in body and '¥1,954.90' in body and 'will call you' in body
    assert 'Decided already' not in body and 'Other car item' not in body
    assert 'Safety-related' in body
    url = '/s/%s/p/%d' % (token, photo.id)
    assert url in body and 'loading="lazy"' in body
    resp = client.get(url)
    assert resp.status_code == 200 and resp.mimetype == 'image/jpeg'
    from PIL import Image
    import io
    assert max(Image.open(io.BytesIO(resp.get_data())).size) <= 360        # a thumbnail, not the photo
    assert client.get('/s/%s/p/%d' % (token, other_photo.id)).status_code == 404
    assert client.get('/s/%s/p/%d' % (other_token, photo.id)).status_code == 404
    # once decided, the photo is no longer served
    AddedWork.update(status=AddedWork.APPROVED).where(AddedWork.id == work.id).execute()
    assert client.get(url).status_code == 404


def test_late_order_shows_new_time_and_reason(client, order, token, staff):
    """A late car is announced with the new time and why, not left at a promise already passed."""
    ProgressCheck.create(shop=order.shop, order=order, checked_by=staff['advisor'], on_track=False,
                         old_promised_at=order.promised_at, new_promised_at=order.promised_at + timedelta(hours=5),
                         reason='Parts arrive at 3 pm')
    body = client.get('/s/%s?lang=en' % token).get_data(as_text=True)
    assert 'New pickup time' in body and 'Parts arrive at 3 pm' in body and 'sorry' in body


def test_overdue_without_new_time_says_the_advisor_will_call(client, order, token):
    """Past the promise with no new time yet, the page does not pretend the old time still holds."""
    RepairOrder.update(promised_at=utcnow() - timedelta(hours=1)).where(RepairOrder.id == order.id).execute()
    body = client.get('/s/%s?lang=en' % token).get_data(as_text=True)
    assert 'Running late' in body and 'Promised for' not in body


def test_ready_for_pickup_shows_opening_hours(client, order, token, staff, shop):
    """When the car is ready the customer knows when to come."""
    shop.opening_hours = '08:30-18:00'
    shop.save()
    _move(order, stages.DISPATCHED, stages.IN_PROGRESS, stages.READY_FOR_QC, stages.READY_FOR_WASH,
          stages.READY_FOR_PICKUP, by=staff['boss'])
    body = client.get('/s/%s?lang=en' % token).get_data(as_text=True)
    assert 'Your car is ready for pickup' in body and '08:30-18:00' in body


def test_after_delivery_total_and_guarantee_and_no_refresh(client, order, token, staff):
    """After pickup the customer sees what they paid and how long the work is guaranteed."""
    _move(order, stages.DISPATCHED, stages.IN_PROGRESS, stages.READY_FOR_QC, stages.READY_FOR_WASH,
          stages.READY_FOR_PICKUP, stages.DELIVERED, by=staff['boss'])
    RepairOrder.update(delivered_at=utcnow()).where(RepairOrder.id == order.id).execute()
    body = client.get('/s/%s?lang=en' % token).get_data(as_text=True)
    assert '¥508.50' in body                      # 450.00 labour + 13 % tax
    assert 'Quality guarantee: 10 days or 2,000 km' in body
    assert 'http-equiv="refresh"' not in body and 'data-refresh' not in body and 'status.js' not in body
    zh = client.get('/s/%s?lang=zh' % token).get_data(as_text=True)
    assert '已交车' in zh


def test_after_delivery_the_total_is_what_the_settlement_charged(client, order, token, staff):
    """A customer given a discount would see the undiscounted price on their phone and call to complain."""
    from app.settlement import rules as settlement
    from app.settlement.models import Discount
    order = _move(order, stages.DISPATCHED, stages.IN_PROGRESS, stages.READY_FOR_QC, stages.READY_FOR_WASH,
                  stages.READY_FOR_PICKUP, by=staff['boss'])
    settlement.add_discount(order, staff['boss'], kind=Discount.AMOUNT, value='50', reason='老客户', version=0)
    settlement.settle(reload(order), staff['boss'], version=1)
    _move(order, stages.DELIVERED, by=staff['boss'])
    RepairOrder.update(delivered_at=utcnow()).where(RepairOrder.id == order.id).execute()
    body = client.get('/s/%s?lang=en' % token).get_data(as_text=True)
    assert '¥452.00' in body                      # (450.00 labour - 50.00 discount) + 13 % tax
    assert '¥508.50' not in body


def test_expired_link_410_revoked_404_same_plain_page(client, order, token, staff, shop):
    """An old or revoked link says so plainly, with the shop's phone, and shows nothing of the order."""
    shop.phone = '+86 755 1234 5678'
    shop.save()
    from app.reception import links as rules
    new = rules.revoke_and_reissue(reload(order), staff['advisor'])
    revoked = client.get('/s/%s?lang=en' % token)
    unknown = client.get('/s/%s?lang=en' % ('A' * 22))
    assert revoked.status_code == 404 and unknown.status_code == 404
    assert revoked.get_data() == unknown.get_data()        # the single-shop install: the very same page
    text = revoked.get_data(as_text=True)
    assert 'no longer valid' in text and '+86 755 1234 5678' in text and order.number not in text
    RepairOrder.update(stage=stages.DELIVERED, delivered_at=utcnow() - timedelta(days=15)).where(
        RepairOrder.id == order.id).execute()
    expired = client.get('/s/%s?lang=en' % new)
    assert expired.status_code == 410
    assert expired.get_data() == revoked.get_data()
    RepairOrder.update(delivered_at=utcnow() - timedelta(days=13)).where(RepairOrder.id == order.id).execute()
    assert client.get('/s/' + new).status_code == 200


def test_expiry_days_is_a_setting(client, order, token):
    """A shop that keeps links longer after delivery sets the number of days."""
    from app.core.models import Setting
    Setting.create(shop=order.shop, key='status_link_days_after_delivery', value='30')
    RepairOrder.update(stage=stages.DELIVERED, delivered_at=utcnow() - timedelta(days=20)).where(
        RepairOrder.id == order.id).execute()
    assert client.get('/s/' + token).status_code == 200


def test_headers_keep_the_page_private(client, token):
    """No cache, no search engine, no referrer carries the link to another site."""
    for url in ('/s/' + token, '/s/' + 'B' * 22, '/s/%s/p/999' % token):
        resp = client.get(url)
        assert resp.headers['Cache-Control'] == 'no-store', url
        assert 'noindex' in resp.headers['X-Robots-Tag']
        # the last policy a browser understands wins: no-referrer
        assert resp.headers['Referrer-Policy'].split(',')[-1].strip() == 'no-referrer'
    body = client.get('/s/' + token).get_data(as_text=True)
    assert '<meta name="referrer" content="no-referrer">' in body
    assert 'http://' not in body and 'https://' not in body and '//' not in body.replace('://', '')


def test_robots_txt_keeps_crawlers_out_of_links(client):
    """A link indexed by a search engine would publish a customer's repair."""
    resp = client.get('/robots.txt')
    assert resp.status_code == 200 and resp.mimetype == 'text/plain'
    assert 'Disallow: /s/' in resp.get_data(as_text=True)


def test_no_route_under_the_link_space_accepts_a_write(app):
    """Strictly read-only: nothing a visitor (or a forged form) can do to the order."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith('/s/')]
    assert len(rules) >= 2
    for rule in rules:
        assert rule.methods <= {'GET', 'HEAD', 'OPTIONS'}, rule
        assert 'public' in app.view_functions[rule.endpoint].access_rule


def test_post_to_a_link_changes_nothing(client, token):
    """A POST to the link is refused."""
    assert client.post('/s/' + token).status_code == 405


def test_rate_limit_per_client(client, order, token):
    """Someone trying tokens one after another is stopped after the limit, other visitors are not."""
    from app.core.models import Setting
    Setting.create(shop=order.shop, key='status_link_requests_per_minute', value='5')
    # the counts are per clock minute: seven requests that straddle a new minute start over half-way (this failed
    # in CI once), so the clock stands still in the middle of a minute
    with mid_minute():
        here = {'REMOTE_ADDR': '10.1.2.3'}
        assert [client.get('/s/' + token, environ_base=here).status_code for _ in range(7)] == [200] * 7
        codes = [client.get('/s/' + 'C%021d' % i, environ_base=here).status_code for i in range(7)]
        assert codes[:5] == [404] * 5 and codes[5:] == [429, 429]
        resp = client.get('/s/' + token, environ_base=here)      # a lucky guess past the limit shows nothing either
        assert resp.status_code == 429 and resp.headers['Retry-After'] == '60'
        assert 'Too many requests' in client.get('/s/x?lang=en', environ_base=here).get_data(as_text=True)
        assert client.get('/s/' + token, environ_base={'REMOTE_ADDR': '10.9.9.9'}).status_code == 200


def test_rate_limit_counters_are_shared_and_pruned(app):
    """Several workers share one count; old minutes do not pile up."""
    from app.status import ratelimit
    from app.status.models import StatusHit
    with app.test_request_context():
        assert all(ratelimit.count_failure('10.0.0.1', 3, now=600.0) for _ in range(3))
        assert not ratelimit.count_failure('10.0.0.1', 3, now=600.0)
        assert ratelimit.blocked('10.0.0.1', now=630.0) and not ratelimit.blocked('10.0.0.2', now=630.0)
        assert ratelimit.count_failure('10.0.0.1', 3, now=660.0)           # a new minute
        assert not ratelimit.blocked('10.0.0.1', now=660.0)
        assert ratelimit.count_failure('10.0.0.1', 3, now=6000.0)
    assert StatusHit.select().where(StatusHit.minute < 98).count() == 0
    assert '10.0.0.1' not in ' '.join(h.address_hash for h in StatusHit.select())


def test_page_weight_under_50_kb(app, client, order, token, staff):
    """A cheap phone on a slow connection loads the page fast: HTML, CSS and images it references (photos aside)."""
    import re
    pending_item(order, staff['tech'])
    body = client.get('/s/' + token).get_data()
    total = len(body)
    html = body.decode()
    refs = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html))
    assert refs, 'the page references its stylesheet'
    for ref in refs:
        resp = client.get(ref)
        assert resp.status_code == 200, ref
        total += len(resp.get_data())
        resp.close()
    assert re.findall(r'src="(/s/[^"]+)"', html)             # photos: lazy, not counted
    assert total < 50 * 1024, total


def test_access_log_lines_carry_only_a_hashed_token(app, token):
    """Viewing the link must not leave working links in the server's logs."""
    import logging
    from app.reception import links as rules
    from app.status.logfilter import RedactStatusTokens
    werkzeug_logger = logging.getLogger('werkzeug')
    assert any(isinstance(f, RedactStatusTokens) for f in werkzeug_logger.filters)
    record = logging.LogRecord('werkzeug', logging.INFO, __file__, 1, '%s - - "%s" %s %s',
                               ('127.0.0.1', 'GET /s/%s?lang=en HTTP/1.1' % token, '200', '-'), None)
    assert werkzeug_logger.filters[0].filter(record)
    assert token not in record.getMessage() and '/s/' + rules.short_hash(token) in record.getMessage()
    # gunicorn passes a dict of atoms
    atoms = {'r': 'GET /s/%s HTTP/1.1' % token, 'U': '/s/%s' % token, 'f': 'https://x/s/%s' % token, 's': '200'}
    record = logging.LogRecord('gunicorn.access', logging.INFO, __file__, 1, '%(r)s %(U)s %(f)s', (atoms,), None)
    RedactStatusTokens().filter(record)
    assert token not in record.getMessage()
