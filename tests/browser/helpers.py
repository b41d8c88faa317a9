"""The browser tests' own helpers: a screenshot to look at, and signing in through the login form."""
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / 'artifacts'     # tests/artifacts (git-ignored)


def shot(page, name):
    """Full-page screenshot to tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / ('%s.png' % name)
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, base, username, password='servicebay'):
    """Sign in through the login form (opens /login unless already there) and wait for the next page."""
    if '/login' not in page.url:
        page.goto(base + '/login')
    page.fill('input[name=username]', username)
    page.fill('input[name=password]', password)
    with page.expect_navigation():
        page.click('form[action$="/login"] button[type=submit]')
    page.wait_for_load_state('load')


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
