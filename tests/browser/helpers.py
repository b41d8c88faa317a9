"""The browser tests' own helpers: a server with the demo, a screenshot to look at, signing in through the form."""
import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

ARTIFACTS = Path(__file__).resolve().parents[1] / 'artifacts'     # tests/artifacts (git-ignored)
ROOT = Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _run(commands, env):
    for cmd in commands:
        done = subprocess.run([sys.executable] + list(cmd), cwd=str(ROOT), env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, '%s failed:\n%s\n%s' % (cmd, done.stdout, done.stderr[-3000:])


def _env(folder):
    env = dict(os.environ, FLASK_APP='wsgi.py', DATABASE_URL='sqlite:///%s/servicebay.db' % folder,
               INSTANCE_PATH='%s/instance' % folder, SECRET_KEY='browser-test',
               DEMO_TIMEZONE=os.environ.get('TEST_SHOP_TZ', 'Asia/Shanghai'), PYTHONUNBUFFERED='1')
    env.pop('FLASK_DEBUG', None)
    return env


def _loaded_demo():
    """The demo migrated and loaded once per test run (shared by pytest-xdist's workers under a lock), for each
    server to copy: loading it is the slow part of starting one."""
    run = os.environ.get('PYTEST_XDIST_TESTRUNUID') or str(os.getpid())
    cache = Path(tempfile.gettempdir()) / ('servicebay-demo-%s' % run)
    with open('%s.lock' % cache, 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / 'loaded').exists():
            _forget_old_copies(os.fstat(lock.fileno()).st_mtime, '%s.lock' % cache)
            shutil.rmtree(cache, ignore_errors=True)
            cache.mkdir()
            _run([['-m', 'flask', 'db', 'upgrade'], ['-m', 'flask', 'demo']], _env(cache))
            (cache / 'loaded').touch()
    return cache


def _forget_old_copies(now, mine):
    """Earlier runs' demos, a few hours old and no longer locked. `now` is a file's own time: under faketime (the
    date run) the clock and the files' times differ, so only file times are compared."""
    for lock_path in Path(tempfile.gettempdir()).glob('servicebay-demo-*.lock'):
        if str(lock_path) == mine or now - lock_path.stat().st_mtime < 6 * 3600:
            continue
        with open(lock_path) as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue            # a run still building it
            shutil.rmtree(str(lock_path)[:-len('.lock')], ignore_errors=True)
            lock_path.unlink(missing_ok=True)


def serve_demo(prefix='servicebay-browser-', then=()):
    """Yield the base URL of a server with the demo dealer group (and `then`: more `python` argument lists run on
    its database before it starts), in its own process and files, as `flask run` gives a person; stopped and
    removed afterwards. Each server has its own copy of the demo. For a fixture: `yield from serve_demo()`."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    shutil.copytree(_loaded_demo(), tmp, dirs_exist_ok=True)
    env = _env(tmp)
    _run(then, env)
    port = _free_port()
    base = 'http://127.0.0.1:%d' % port
    log = open(os.path.join(tmp, 'server.log'), 'w+')
    proc = subprocess.Popen([sys.executable, '-m', 'flask', 'run', '--no-reload', '--port', str(port),
                             '--host', '127.0.0.1'], cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail('the server exited (code %s):\n%s' % (proc.returncode, log.read()))
            try:
                with urllib.request.urlopen(base + '/login', timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                log.seek(0)
                pytest.fail('the server did not answer GET /login with 200 within 30 s:\n%s' % log.read())
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def shot(page, name):
    """Full-page screenshot to tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / ('%s.png' % name)
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, base, username, password='servicebay'):
    """Sign in through the login form (opens /login unless already there) and wait for the next page."""
    for _attempt in range(3):
        # a login page drawn before the cookies were cleared carries a stale form token; a machine under load may
        # answer "busy, try again" (503): a fresh page and another try, as a person would
        if '/login' not in page.url or _attempt:
            try:
                page.goto(base + '/login')
            except PlaywrightError:      # the page's own poll navigated at the same moment
                page.goto(base + '/login')
        page.fill('input[name=username]', username)
        page.fill('input[name=password]', password)
        with page.expect_navigation():
            page.click('form[action$="/login"] button[type=submit]')
        page.wait_for_load_state('load')
        if '/login' not in page.url:
            return
    raise AssertionError('%s could not sign in: %s\n%s' % (username, page.url, page.inner_text('main')[:300]))


def follow_the_browser(page, base):
    """Set the signed-in user's stored language to "follow the browser" (the demo's default), so what the test sees
    depends on its own browser's language, not on what another test left on the shared demo account."""
    page.goto(base + '/account')
    page.select_option('select[name="acc-language"]', '')
    with page.expect_navigation():
        page.click('form[action$="/account/language"] button[type=submit]')
    page.wait_for_load_state('load')


class Counter:
    """Counts what a person does: taps, clicks and fields filled (the issue's "interactions")."""

    def __init__(self, page):
        self.page, self.n = page, 0

    def tap(self, locator):
        self.n += 1
        locator.click()

    def type(self, locator, text):
        self.n += 1
        locator.fill(text)

    def other(self, n=1):
        """An interaction done by hand (a drawn signature, a tap on the car outline, a choice in a list)."""
        self.n += n


def sign_pad(page):
    """Draw a signature on the check-in's pad with the pointer."""
    page.locator('.sigpad canvas').scroll_into_view_if_needed()
    box = page.locator('.sigpad canvas').bounding_box()
    page.mouse.move(box['x'] + 40, box['y'] + 120)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box['x'] + 40 + i * 40, box['y'] + 120 + (30 if i % 2 else -30))
    page.mouse.up()
