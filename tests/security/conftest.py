"""Module-scoped attack fixtures: the two-shop world is built once per module, not once per test."""
import pytest

from tests.security import harness


@pytest.fixture(scope='module')
def sec_app(database_template, tmp_path_factory):
    """The app under attack, on its own database for this module (CSRF off, as the other suites)."""
    yield from harness.module_app(database_template, tmp_path_factory.mktemp('sec'))


@pytest.fixture(scope='module')
def world(sec_app):
    return harness.attack_world()
