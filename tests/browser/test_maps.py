"""Maps in a browser: the 随手拍 spot picked on a phone, the cases map's clusters and heat map."""

import os
from pathlib import Path

import pytest

from chuangwen.cases.models import Case
from tests.browser.conftest import failed_requests, log_in
from tests.cases.conftest import CaseCity
from tests.factories import PASSWORD, SmallCity
from tests.inspections.helpers import InspectionCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("CW_SHOTS", "/tmp/cw-shots"))


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def _point_on_map(page, selector, lon, lat):
    """Page coordinates of (lon, lat) on the Leaflet map in ``selector``."""
    box = page.locator(selector).bounding_box()
    pt = page.evaluate(
        f"() => document.querySelector('{selector}').cwMap.latLngToContainerPoint([{lat}, {lon}])"
    )
    return box["x"] + pt["x"], box["y"] + pt["y"]


def test_citizen_picks_the_spot_on_the_map_on_a_phone_and_submits(live_server, browser):
    ic = InspectionCity(SmallCity())
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    # the page must not ask for the phone's position unless the citizen taps for it
    page.add_init_script(
        """window.__geo = 0; if (navigator.geolocation) { const g = navigator.geolocation;
        g.getCurrentPosition = () => { window.__geo++; };
        g.watchPosition = () => { window.__geo++; }; }"""
    )
    failed, errors = failed_requests(page), []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{live_server.url}/cases/report/{ic.city.code}/")
        page.wait_for_function(
            "() => document.getElementById('report-map').dataset.baseCommunity === '2'"
        )
        page.locator("#report-map").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        # tap next to 甲市场一 (113.004, 28.004), inside 甲社区's grid
        x, y = _point_on_map(page, "#report-map", 113.0042, 28.0042)
        page.touchscreen.tap(x, y)
        picked = page.locator("[data-testid=picked-place]")
        picked.filter(has_text="甲区甲街道甲社区").wait_for()
        assert "甲市场一" in picked.inner_text()
        _shot(page, "report-map-phone")
        lon = float(page.input_value("[name=lon]"))
        lat = float(page.input_value("[name=lat]"))
        assert abs(lon - 113.0042) < 0.0005 and abs(lat - 28.0042) < 0.0005
        # a second tap moves the one marker
        x2, y2 = _point_on_map(page, "#report-map", 113.0062, 28.0058)
        page.touchscreen.tap(x2, y2)
        picked.filter(has_text="甲市场二").wait_for()
        assert page.locator(".leaflet-marker-icon").count() == 1
        assert page.evaluate("window.__geo") == 0
        page.fill("[name=description]", "农贸市场门口垃圾堆放无人清理")
        page.fill("[name=phone]", "13812345678")
        page.click("button:has-text('提交')")
        page.wait_for_url("**/cases/track/*/?new=1")
        case = Case.objects.get()
        assert abs(case.lon - 113.0062) < 0.0005 and abs(case.lat - 28.0058) < 0.0005
        assert case.grid_id == ic.grid_a.pk
        assert case.place.startswith("甲区甲街道甲社区") and "甲市场二" in case.place
        assert failed == [] and errors == []
    finally:
        context.close()


def test_cases_map_shows_clusters_and_switches_to_heat(live_server, page):
    sc = SmallCity()
    cc = CaseCity(sc)
    for i in range(40):  # two groups of 20, 60 m apart (no 并单): clusters at the fitted zoom
        x0, y0 = (113.002, 28.002) if i % 2 else (113.013, 28.005)
        k = i // 2
        cc.intake(
            f"第{i}号问题：路面破损需要修补", point=(x0 + (k % 5) * 6e-4, y0 + (k // 5) * 6e-4)
        )
    assert Case.objects.count() == 40
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, sc.office.user.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/map/")
    page.wait_for_function("() => document.getElementById('case-map').dataset.loaded === '40'")
    page.locator(".marker-cluster").first.wait_for()
    page.wait_for_function("() => document.querySelectorAll('.marker-cluster').length >= 2")
    page.wait_for_timeout(800)  # the fit-to-cases zoom and the clusters' animation settle
    page.wait_for_function("() => document.getElementById('case-map').dataset.baseDistrict === '2'")
    _shot(page, "cases-map-clusters")
    page.click("label[for=view-heat]")
    page.wait_for_function("() => document.getElementById('case-map').dataset.view === 'heat'")
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
    assert page.locator(".marker-cluster").count() == 0
    _shot(page, "cases-map-heat")
    # the list's filters narrow the map without leaving the page
    page.click("summary:has-text('筛选条件')")
    # the unit filter is a search picker: type part of the name, pick the unit
    page.locator("#id_unit-ts-control").click()
    page.locator("#id_unit-ts-control").fill(sc.district_a.name[:1])
    page.locator(".ts-dropdown .option", has_text=sc.district_a.name).first.click()
    page.locator("#id_unit").dispatch_event("change")
    page.wait_for_function("() => document.getElementById('case-map').dataset.loaded === '20'")
    assert "unit=" in page.url
    page.click("label[for=view-cluster]")
    page.locator(".marker-cluster").first.wait_for()
    # the layer switcher lists the city's own base layers
    page.locator(".leaflet-control-layers").hover()
    text = page.locator(".leaflet-control-layers").inner_text()
    assert "区县边界" in text and "街道边界" in text and "网格" in text and "点位" in text
    _shot(page, "cases-map-layers")
    assert errors == []


def test_site_map_and_case_detail_draw_the_citys_own_layers(live_server, browser):
    ic = InspectionCity(SmallCity())
    res = CaseCity(ic.sc).intake("市场门口垃圾堆放", point=(113.0041, 28.0041))
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        log_in(page, live_server, ic.office.user.username, PASSWORD)
        page.goto(f"{live_server.url}/sites/map/")
        page.wait_for_function("() => document.getElementById('site-map').dataset.loaded === '5'")
        assert (
            "农贸市场" in page.inner_text("#site-legend")
            or page.locator("#site-legend span").count() == 2
        )
        page.wait_for_function("() => document.getElementById('site-map').dataset.baseStreet")
        page.wait_for_timeout(500)
        _shot(page, "site-map-phone")
        page.goto(f"{live_server.url}/cases/{res.case.pk}/")
        page.wait_for_function("() => document.getElementById('map').dataset.baseSites === '5'")
        page.wait_for_function("() => document.getElementById('map').dataset.baseGrid === '2'")
        assert "甲市场一" in page.inner_text("body")  # the place in words, next to the address
        page.locator("#map").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        _shot(page, "case-detail-phone")
        assert errors == []
    finally:
        context.close()
