"""Browser tests: a real server process with the demo data, driven by Debian's Chromium via Playwright.

The server runs in its own process with its own database (not the test `app` fixture), so what
is tested is what a person gets from `flask run`. Screenshots land in tests/artifacts/ (git-ignored).
"""
import os
from pathlib import Path

import pytest

from tests.browser.helpers import serve_demo
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


@pytest.fixture(scope='session')
def live_server():
    """Base URL of a freshly migrated server loaded with the demo dealer group, shared by the files that only read
    it (a file that changes the demo's records has its own: `yield from serve_demo()` in a module fixture)."""
    yield from serve_demo()


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
