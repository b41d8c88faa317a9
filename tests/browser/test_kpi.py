"""The service manager opens the KPI dashboard on a tablet and on the wall screen, and drills into a number."""
import re

import pytest

from tests.browser.helpers import login, shot

pytestmark = pytest.mark.browser


def _no_horizontal_scroll(page, width):
    assert page.evaluate('document.documentElement.scrollWidth') <= width


def test_dashboard_on_tablet_and_wall_screen(live_server, browser, tablet):
    """The manager would see a broken or cut-off dashboard, or a number that leads nowhere."""
    login(tablet, live_server, 'manager')
    tablet.goto(live_server + '/kpi/?last=&start=&scope=shop&view=tablet')
    assert tablet.locator('.kpi-tile').count() >= 20
    assert tablet.locator('.kpi-tile svg.kpi-chart').count() >= 20
    _no_horizontal_scroll(tablet, 1024)
    shot(tablet, 'kpi_dashboard_tablet')

    # A year by month for the group, printed as it would be on paper.
    tablet.goto(live_server + '/kpi/?scope=group&by=month&start=%s-01-01' % tablet.evaluate('new Date().getFullYear()'))
    assert tablet.locator('#kpi-timeliness').count() == 1
    tablet.emulate_media(media='print')
    shot(tablet, 'kpi_dashboard_print')
    tablet.emulate_media(media='screen')

    # Every number is a link to the rows it counts.
    link = tablet.locator('#kpi-compliance_acceptance .kpi-value a')
    href = link.get_attribute('href')
    assert re.search(r'/kpi/drill\?.*name=compliance_acceptance', href)
    with tablet.expect_navigation():
        link.click()
    tablet.wait_for_load_state('load')
    assert tablet.locator('table.kpi-rows tbody tr').count() >= 1
    shot(tablet, 'kpi_drill_tablet')

    context = browser.new_context(viewport={'width': 1920, 'height': 1080}, locale='zh-CN')
    try:
        wall = context.new_page()
        login(wall, live_server, 'manager')
        wall.goto(live_server + '/kpi/?view=wall&scope=group')
        assert wall.locator('.kpi-tile').count() >= 20
        _no_horizontal_scroll(wall, 1920)
        wall.screenshot(path=str(shot(wall, 'kpi_dashboard_wall_full')).replace('_full', ''), full_page=False)
    finally:
        context.close()
