"""User text shown by JavaScript (Leaflet tooltips, ECharts tooltips) is text, never markup."""

import pytest

from chuangwen.org import services as org
from tests.browser.conftest import log_in
from tests.cases.conftest import IN_A, CaseCity
from tests.factories import PASSWORD, SmallCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<img src=x onerror="window.__xss=1">'


def _watch(page):
    """Count <img> elements added anywhere in the page (an injected tag shows up here even if
    its onerror would be blocked)."""
    page.add_init_script(
        """window.__imgs = 0; new MutationObserver((ms) => ms.forEach((m) => m.addedNodes.forEach(
        (n) => { if (n.nodeType === 1 && (n.tagName === "IMG" || n.querySelector?.("img")))
        window.__imgs++; }))).observe(document, {childList: true, subtree: true});"""
    )


def test_a_unit_name_with_markup_is_shown_as_text_in_the_grid_map_tooltip(live_server, page):
    city = SmallCity()
    org.update_unit(city.community_a, name=PAYLOAD, acting_user=city.office.user)
    _watch(page)
    log_in(page, live_server, city.office.user.username, PASSWORD)
    page.goto(f"{live_server.url}/org/grids/map/")
    page.wait_for_function("() => document.getElementById('map').dataset.loaded === '2'")
    page.wait_for_function("() => !document.querySelector('#map.leaflet-zoom-anim')")
    page.wait_for_timeout(500)  # the fit-to-grids zoom has settled
    box = page.locator("#map").bounding_box()
    # the map fits both grids side by side: grid_a (community_a) is the western half
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(state="attached")
    assert PAYLOAD in tooltip.inner_text()
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__imgs") == 0


def test_a_unit_name_with_markup_is_text_in_the_case_summary_chart_tooltip(live_server, page):
    cc = CaseCity(SmallCity())
    org.update_unit(cc.community_a, name=PAYLOAD, acting_user=cc.office.user)
    cc.dispatched(point=IN_A)
    _watch(page)
    log_in(page, live_server, cc.office.user.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/summary/?group=unit")
    chart = page.locator("#group-chart")
    chart.locator("canvas").first.wait_for()
    box = chart.bounding_box()
    for fx in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):  # sweep across the bars
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.6)
        page.wait_for_timeout(100)
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__imgs") == 0
