"""Browser tests: a real server process with the demo data, driven by Debian's Chromium via Playwright.

The server runs in its own process with its own database (not the test `app` fixture), so what
is tested is what a person gets from `flask run`. Screenshots land in tests/artifacts/ (git-ignored).
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import require

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--no-first-run', '--disable-sync']
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser is a browser test."""
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _flask(args, env, **kw):
    return subprocess.run([sys.executable, '-m', 'flask'] + args, cwd=str(ROOT), env=env,
                          capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture(scope='session')
def live_server():
    """Base URL of a freshly migrated server loaded with the demo dealer group."""
    tmp = tempfile.mkdtemp(prefix='servicebay-browser-')
    env = dict(os.environ,
               FLASK_APP='wsgi.py',
               DATABASE_URL='sqlite:///%s/servicebay.db' % tmp,
               INSTANCE_PATH='%s/instance' % tmp,
               SECRET_KEY='browser-test',
               DEMO_TIMEZONE=os.environ.get('TEST_SHOP_TZ', 'Asia/Shanghai'),
               PYTHONUNBUFFERED='1')
    env.pop('FLASK_DEBUG', None)
    for args in (['db', 'upgrade'], ['demo']):
        done = _flask(args, env)
        assert done.returncode == 0, 'flask %s failed:\n%s\n%s' % (' '.join(args), done.stdout, done.stderr)

    port = _free_port()
    base = 'http://127.0.0.1:%d' % port
    log = open(os.path.join(tmp, 'server.log'), 'w+')
    proc = subprocess.Popen([sys.executable, '-m', 'flask', 'run', '--no-reload', '--port', str(port),
                             '--host', '127.0.0.1'],
                            cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
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
                pytest.fail('the server did not answer GET /login with 200 within 20 s:\n%s' % log.read())
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


@pytest.fixture(scope='session')
def browser():
    """Debian's Chromium, headless; never a downloaded browser."""
    require(os.path.exists(CHROMIUM), 'Debian chromium is not installed (apt-get install chromium)')
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone(browser):
    """A phone page: 390x844 touch screen, browser language Chinese."""
    context = browser.new_context(viewport={'width': 390, 'height': 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale='zh-CN')
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def tablet(browser):
    """A tablet page: 1024x768, browser language English."""
    context = browser.new_context(viewport={'width': 1024, 'height': 768}, locale='en-US')
    try:
        yield context.new_page()
    finally:
        context.close()
