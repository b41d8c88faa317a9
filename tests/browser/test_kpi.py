"""The service manager opens the KPI dashboard on a tablet and on the wall screen, and drills into a number."""
import re

import pytest

from tests.browser.helpers import login, shot

pytestmark = pytest.mark.browser


INSURANCE = ('insurance_jobs', 'insurance_revenue', 'insurance_days', 'insurer_overdue')
# (name, viewport, browser language, extra context options): the tablet both ways, a phone, the office screen
SCREENS = [('tablet_landscape', (1024, 768), 'en-US', {}), ('tablet_portrait', (768, 1024), 'zh-CN', {}),
           ('phone', (390, 844), 'zh-CN', {'device_scale_factor': 2, 'is_mobile': True, 'has_touch': True}),
           ('desktop', (1920, 1080), 'en-US', {})]


def _no_horizontal_scroll(page, width):
    assert page.evaluate('document.documentElement.scrollWidth') <= width
    # nothing wider than the page either (a tile cut off by an overflow: hidden parent would not show in the above)
    assert page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')
    too_wide = page.evaluate('''() => {
        const right = document.documentElement.clientWidth;
        return [...document.querySelectorAll('.kpi-tile, .kpi-tile *')]
            .filter(e => e.getBoundingClientRect().right > right + 0.5).map(e => e.id || e.className.baseVal
                                                                              || e.className || e.tagName);
    }''')
    assert too_wide == []


@pytest.mark.parametrize('screen', SCREENS, ids=[s[0] for s in SCREENS])
@pytest.mark.parametrize('view', ['tablet', 'wall'])
def test_dashboard_fits_every_screen_with_the_insurance_figures(live_server, browser, screen, view):
    """On a tablet either way up, a phone or the office screen the manager would have to scroll sideways to read
    the insurance jobs, or would find no insurance figures, or one that leads to no rows."""
    name, (width, height), locale, extra = screen
    context = browser.new_context(viewport={'width': width, 'height': height}, locale=locale, **extra)
    try:
        page = context.new_page()
        login(page, live_server, 'manager')
        page.goto(live_server + '/kpi/?view=%s&scope=shop' % view)
        page.wait_for_load_state('load')
        for figure in INSURANCE:
            tile = page.locator('#kpi-%s' % figure)
            assert tile.count() == 1, figure
            assert tile.locator('xpath=ancestor::section[contains(@class, "kpi-group-business")]').count() == 1
            assert re.search(r'/kpi/drill\?.*name=%s(&|$)' % figure,
                             tile.locator('.kpi-value a').get_attribute('href')), figure
        # the demo leaves an insurer's bill unpaid past its month, whatever the day
        assert page.locator('#kpi-insurer_overdue .kpi-value a').inner_text() not in ('¥0.00', '–')
        _no_horizontal_scroll(page, width)
        shot(page, 'kpi_insurance_%s_%s' % (view, name))
        if view == 'tablet' and name == 'tablet_portrait':
            with page.expect_navigation():
                page.locator('#kpi-insurer_overdue .kpi-value a').click()
            page.wait_for_load_state('load')
            assert page.locator('table.kpi-rows tbody tr').count() >= 1
            _no_horizontal_scroll(page, width)
            shot(page, 'kpi_insurance_drill_%s' % name)
    finally:
        context.close()


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
