"""Who uses the shop during the load test (locust users), as their devices really talk to the server.

- Technician (phone): opens the job card of one of their cars, taps clock on or clock off (htmx, with the
  card's version and a fresh idempotency key), now and then adds a finding (some with a photo); the open
  card polls its cheap state every 5 s. Acts every 10-20 s.
- Advisor (tablet): customer search, an order page, the approvals queue and an item, and now and then
  records "could not reach" on an item of their own share of the queue (a real write that keeps it pending).
- Board (wall screen): draws the board once, then polls every 3 s as board.js does (204, or the new board).
- Customer (phone): the status link page, refreshed every 30 s, from the customer's own address (the
  server runs behind a proxy, TRUST_PROXY=1, so each phone is counted by the link space's rate limit alone).

Every request is named by its kind (`tech_tap`, `board_poll`, ...) for the per-kind percentiles. PACE
scales every think time: 1 in the paced scenario, 0 in the saturation phase (same users, no waiting).
"""
import collections
import io
import itertools
import json
import random
import re
import uuid
from datetime import datetime, timedelta

import gevent
from locust import FastHttpUser, task
from locust.exception import StopUser

DATA = {}
PACE = {'factor': 1.0}
_counters = {}
_dealt = collections.Counter()      # login -> how many users of this phase were dealt it

FORM_RE = re.compile(r'<form\b[^>]*\baction="([^"]+)"[^>]*>(.*?)</form>', re.S)
INPUT_RE = re.compile(r'<input\b[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"', re.S)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CARD_RE = re.compile(r'href="/jobs/(\d+)"')
VERSION_RE = re.compile(r'data-version="([^"]+)"')
LINE_ACTION_RE = re.compile(r'^/jobs/\d+/lines/\d+/(clock-on|clock-off)$')
CARD_STATE_RE = re.compile(r'/jobs/\d+/state\?v=([^"&]+)')


def load_data(path):
    with open(path) as fh:
        DATA.update(json.load(fh))


def next_index(kind):
    """The n-th user of a kind gets the n-th login / link (users of a kind are spawned one by one)."""
    counter = _counters.setdefault(kind, itertools.count())
    return next(counter)


def shop_for(n):
    """The n-th user's shop (its data) and the user's place in it: users are dealt to a dealer group's shops in turn
    (bench/load/setup_data.py --shops); a single shop's data is its own shop."""
    shops = DATA.get('shops') or [DATA]
    return shops[n % len(shops)], n // len(shops)


def reset_counters():
    _counters.clear()
    _dealt.clear()


def pause(seconds):
    gevent.sleep(seconds * PACE['factor'])


def tiny_jpeg():
    from PIL import Image
    buf = io.BytesIO()
    Image.new('RGB', (64, 48), (random.randint(0, 255), 40, 40)).save(buf, 'JPEG')
    return buf.getvalue()


def forms_in(html):
    """{action: {field: value}} of every form on a page."""
    return {action: dict(INPUT_RE.findall(body)) for action, body in FORM_RE.findall(html)}


class Staff(FastHttpUser):
    abstract = True
    kind = 'staff'
    logins = ()

    def on_start(self):
        self.data, k = shop_for(next_index(self.kind))
        names = self.data[self.logins]
        self.username = names[k % len(names)]
        _dealt[self.username] += 1
        with self.client.get('/login', name='login_page', catch_response=True) as resp:
            token = CSRF_RE.search(resp.text or '')
            if not token:
                resp.failure('no CSRF token on the login page')
                raise StopUser()
        with self.client.post('/login', name='login', catch_response=True, data={
                'csrf_token': token.group(1), 'username': self.username, 'password': DATA['password']}) as resp:
            if resp.status_code != 200 or 'name="password"' in (resp.text or ''):
                resp.failure('sign-in as %s failed (%s)' % (self.username, resp.status_code))
                raise StopUser()
            found = CSRF_RE.search(resp.text or '')
            self.csrf = found.group(1) if found else token.group(1)

    def shared(self):
        """Past the shops set up, a step deals the same logins again: two phones as one person on the same jobs
        (either may be the one that tapped second)."""
        return _dealt[self.username] > 1

    def htmx(self, **extra):
        headers = {'HX-Request': 'true', 'X-CSRFToken': self.csrf}
        headers.update(extra)
        return headers


class Technician(Staff):
    """A phone on the workshop floor: card, tap, sometimes a finding; the open card polls every 5 s."""
    kind = 'technician'
    logins = 'technicians'

    def on_start(self):
        super().on_start()
        resp = self.client.get('/jobs', name='tech_my_jobs')
        self.cards = sorted(set(int(x) for x in CARD_RE.findall(resp.text or '')))
        self.state = None

    @task
    def act(self):
        if not self.cards:
            pause(15)
            resp = self.client.get('/jobs', name='tech_my_jobs')
            self.cards = sorted(set(int(x) for x in CARD_RE.findall(resp.text or '')))
            return
        order_id = random.choice(self.cards)
        card_url = '/jobs/%d' % order_id
        resp = self.client.get(card_url, name='tech_card')
        html = resp.text or ''
        state = CARD_STATE_RE.search(html)
        self.state = (order_id, state.group(1)) if state else None
        forms = forms_in(html)
        taps = [(a, f) for a, f in forms.items() if LINE_ACTION_RE.match(a)]
        if random.random() < 0.15 and '/jobs/%d/findings' % order_id in forms:   # the card offers the form
            self.finding(order_id, forms['/jobs/%d/findings' % order_id])
        elif taps:
            action, fields = random.choice(taps)
            line_id = action.split('/')[4]
            data = {'version': fields.get('version', ''), 'idem': uuid.uuid4().hex, 'csrf_token': self.csrf}
            with self.client.post(action, data=data, name='tech_tap', catch_response=True, headers=self.htmx(**{
                    'HX-Target': 'line-%s' % line_id, 'HX-Current-URL': self.host + card_url})) as resp:
                if resp.status_code == 409 and self.shared():
                    resp.success()    # the other phone tapped this line first: the app's right answer
        self.wait_polling(random.uniform(10, 20))

    def finding(self, order_id, fields):
        data = dict(fields, severity=random.choice(['red', 'amber', 'green']), line='0', csrf_token=self.csrf,
                    note='Load test: brake pad wear %d mm' % random.randint(2, 9))
        files = {'photo': ('finding.jpg', tiny_jpeg(), 'image/jpeg')} if random.random() < 0.3 else None
        self.client.post('/jobs/%d/findings' % order_id, data=data, files=files, name='tech_finding',
                         headers=self.htmx(**{'HX-Target': 'findings'}))

    def wait_polling(self, seconds):
        """The card stays open: its state poll every 5 s until the next action."""
        left = seconds
        while left > 0:
            step = min(5.0, left)
            pause(step)
            left -= step
            if self.state and PACE['factor']:
                order_id, version = self.state
                self.client.get('/jobs/%d/state?v=%s' % (order_id, version), name='tech_card_poll',
                                headers=self.htmx())


class Advisor(Staff):
    """An advisor's tablet: search, order page, approvals; a "could not reach" on their own items."""
    kind = 'advisor'
    logins = 'advisors'

    def on_start(self):
        super().on_start()
        me = self.data['advisors'].index(self.username)
        self.items = self.data['added_work'][me::len(self.data['advisors'])]

    @task(4)
    def search(self):
        q = random.choice(self.data['searches'])
        self.client.get('/customers', params={'q': q}, name='advisor_search')
        pause(random.uniform(3, 8))

    @task(3)
    def order_page(self):
        self.client.get('/orders/%d' % random.choice(self.data['orders']), name='advisor_order')
        pause(random.uniform(3, 8))

    @task(2)
    def approvals(self):
        self.client.get('/approvals', name='advisor_approvals')
        if not self.items:
            pause(random.uniform(3, 8))
            return
        item = random.choice(self.items)
        resp = self.client.get('/approvals/%d' % item, name='advisor_approval_item')
        fields = forms_in(resp.text or '').get('/approvals/%d/decide' % item)
        if fields and random.random() < 0.3 and 'version' in fields:
            at = (datetime.utcnow() + timedelta(hours=8) - timedelta(minutes=2)).strftime('%Y-%m-%dT%H:%M')
            data = {'csrf_token': self.csrf, 'version': fields['version'], 'decision': 'unreachable',
                    'channel': 'phone', 'at': at, 'note': 'no answer', 'idem': uuid.uuid4().hex}
            self.client.post('/approvals/%d/decide' % item, data=data, name='advisor_decide',
                             headers=self.htmx(**{'HX-Target': 'approval-item'}))
        pause(random.uniform(3, 8))


class Board(Staff):
    """A wall screen: the board once, then a poll every 3 seconds with the version it shows."""
    kind = 'board'
    logins = 'boards'

    def on_start(self):
        super().on_start()
        self.token = None

    @task
    def poll(self):
        if self.token is None:
            resp = self.client.get('/board', name='board_page')
            found = VERSION_RE.search(resp.text or '')
            self.token = found.group(1) if found else ''
        with self.client.get('/board/poll', params={'view': 'wall', 'since': self.token}, name='board_poll',
                             headers=self.htmx(), catch_response=True) as resp:
            if resp.status_code == 200:
                found = VERSION_RE.search(resp.text or '')
                if found:
                    self.token = found.group(1)
            elif resp.status_code == 204:
                resp.success()
        pause(3)


class Customer(FastHttpUser):
    """A customer's phone with the status link open: the page again every 30 s, from its own address."""
    kind = 'customer'

    def on_start(self):
        n = next_index(self.kind)
        data, k = shop_for(n)
        tokens = data['status_tokens']
        self.token = tokens[k % len(tokens)]
        self.address = '198.18.%d.%d' % (n // 250, n % 250 + 1)   # a header only: the benchmarking range, no traffic
        pause(random.uniform(0, 30))    # the links were opened at different times

    @task
    def refresh(self):
        if not PACE['factor']:     # flat out, one phone would hit the link space's rate limit: many phones instead
            n = next_index('customer')
            self.address = '198.18.%d.%d' % (n // 250 % 250, n % 250 + 1)
        self.client.get('/s/%s' % self.token, name='status_page', headers={'X-Forwarded-For': self.address})
        pause(30)


class Bare(FastHttpUser):
    """The baseline: a Flask app doing nothing but answer 204, served the same way."""
    kind = 'bare'

    @task
    def nothing(self):
        self.client.get('/', name='bare')
