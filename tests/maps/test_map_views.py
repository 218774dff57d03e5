"""Map endpoints: base layers scoped, simplified and bounded; the case map's filters; the
site map; the readable place for staff and for the 随手拍 page (public, rate-limited)."""

import json

import pytest
import shapely
from django.core.cache import cache
from django.urls import reverse

from chuangwen.cases.models import Case
from chuangwen.org import places as org_places
from chuangwen.org import services as org
from chuangwen.org.actors import SYSTEM
from tests.cases.conftest import CaseCity
from tests.factories import grid
from tests.inspections.helpers import InspectionCity

pytestmark = pytest.mark.django_db


@pytest.fixture
def ic(small_city):
    cache.clear()
    return InspectionCity(small_city)


def _layer(c, name):
    r = c.get(reverse("org:layer", args=[name]))
    assert r.status_code == 200
    return r.json()


def test_unit_boundaries_are_the_union_of_their_grids(ic, client_for):
    # a second grid in 甲社区, east-adjacent to its first: the community is one 2×1 rectangle
    grid(ic.city, ic.community_a, 113.0, 28.01)
    data = org_places.boundaries(ic.city.pk)
    by_name = {f["name"]: f for f in data["units"]}
    assert set(by_name) == {"甲区", "甲街道", "甲社区", "乙区", "乙街道", "乙社区"}
    a = shapely.geometry.shape(by_name["甲社区"]["geometry"])
    assert a.geom_type == "Polygon"  # dissolved: no inner edge left
    assert a.bounds == pytest.approx((113.0, 28.0, 113.01, 28.02), abs=1e-6)
    assert len(a.exterior.coords) <= 6  # simplified: the shared corners are gone


def test_layers_are_scoped_to_the_users_units(ic, client_for):
    office = client_for(ic.office)
    assert {f["properties"]["name"] for f in _layer(office, "district")["features"]} == {
        "甲区",
        "乙区",
    }
    assert len(_layer(office, "grid")["features"]) == 2
    # 甲区's liaison: its own district, street, community and grids only
    a = client_for(ic.liaison_a)
    assert [f["properties"]["name"] for f in _layer(a, "district")["features"]] == ["甲区"]
    assert [f["properties"]["name"] for f in _layer(a, "community")["features"]] == ["甲社区"]
    assert [f["properties"]["code"] for f in _layer(a, "grid")["features"]] == [ic.grid_a.code]
    # a grid worker of 甲社区 sees the areas above it (outline of its district) too
    gw = client_for(ic.grid_worker_a)
    assert [f["properties"]["name"] for f in _layer(gw, "district")["features"]] == ["甲区"]
    assert client_for(ic.office).get(reverse("org:layer", args=["roads"])).status_code == 404
    assert client_for(ic.office).get(reverse("org:layer", args=["grid"]))["Cache-Control"]


def test_layers_follow_grid_changes_and_renames(ic, client_for):
    office = client_for(ic.office)
    assert len(_layer(office, "grid")["features"]) == 2
    grid(ic.city, ic.community_b, 113.01, 28.01)
    assert len(_layer(office, "grid")["features"]) == 3
    org.update_unit(ic.district_a, name="雨花区", acting_user=SYSTEM)
    names = {f["properties"]["name"] for f in _layer(office, "district")["features"]}
    assert "雨花区" in names


def test_layers_stay_small(ic, client_for):
    # a city of 400 grids in 4 streets: the district layer is a few outlines, not 400 cells
    for i in range(20):
        for j in range(20):
            grid(
                ic.city,
                ic.community_a if i < 10 else ic.community_b,
                112.5 + i * 0.01,
                27.5 + j * 0.01,
            )
    office = client_for(ic.office)
    body = office.get(reverse("org:layer", args=["district"])).content
    assert len(body) < 4000
    assert len(json.loads(body)["features"]) == 2


def test_case_map_points_share_the_list_filters(ic, client_for):
    cc = CaseCity(ic.sc)
    cc.intake("甲区的问题一号描述文字", point=(113.005, 28.005))
    cc.intake("乙区的问题二号完全不同", point=(113.015, 28.005))
    c = client_for(ic.office)
    page = c.get(reverse("cases:map"))
    assert page.status_code == 200 and 'data-testid="map-filter"' in page.content.decode()
    pts = c.get(reverse("cases:points")).json()
    assert len(pts["features"]) == 2 and pts["limit"] > 0
    assert pts["features"][0]["properties"]["place"].startswith("乙区乙街道乙社区")
    only_b = c.get(reverse("cases:points"), {"unit": ic.district_b.pk}).json()
    assert len(only_b["features"]) == 1
    assert c.get(reverse("cases:points"), {"state": "closed"}).json()["features"] == []
    # scope: 乙区's liaison never sees 甲区's points
    assert len(client_for(ic.liaison_b).get(reverse("cases:points")).json()["features"]) == 1
    assert Case.objects.count() == 2


def test_site_map_page_and_filters(ic, client_for):
    c = client_for(ic.office)
    r = c.get(reverse("sites:map"), {"site_type": ic.sc_type.pk})
    assert r.status_code == 200 and "site-map" in r.content.decode()
    data = c.get(reverse("sites:geojson"), {"site_type": ic.sc_type.pk}).json()
    assert {f["properties"]["name"] for f in data["features"]} == {"甲市场一", "甲市场二", "乙市场"}
    assert data["features"][0]["properties"]["url"].startswith("/sites/")
    detail = c.get(reverse("sites:detail", args=[ic.sites["SC001"].pk])).content.decode()
    assert f"甲区甲街道甲社区{ic.grid_a.code}" in detail


def test_place_endpoint_for_staff(ic, client_for):
    c = client_for(ic.office)
    d = c.get(reverse("sites:place"), {"lon": 113.0041, "lat": 28.0041}).json()
    assert d["community"] == "甲社区" and d["near"] == "甲市场一" and d["distance_m"] < 20
    assert c.get(reverse("sites:place"), {"lon": "x", "lat": 1}).status_code == 400
    assert c.get(reverse("sites:place"), {"lon": 500, "lat": 1}).status_code == 400


def test_public_layers_and_place_are_open_rate_limited_and_impersonal(ic, client):
    code = ic.city.code
    r = client.get(reverse("cases:public_layer", args=[code, "community"]))
    assert r.status_code == 200 and len(r.json()["features"]) == 2
    grids = client.get(reverse("cases:public_layer", args=[code, "grid"])).json()
    assert set(grids["features"][0]["properties"]) == {"code"}  # no workers, no people
    assert client.get(reverse("cases:public_layer", args=[code, "x"])).status_code == 404
    assert client.get(reverse("cases:public_layer", args=["nope", "grid"])).status_code == 404
    p = client.get(reverse("cases:public_place", args=[code]), {"lon": 113.0041, "lat": 28.0041})
    assert p.json()["text"].endswith("甲市场一（约 10 米）") and p.json()["inside"] is True
    bad = client.get(reverse("cases:public_place", args=[code]), {"lon": "abc", "lat": 1})
    assert bad.status_code == 400
    statuses = [
        client.get(reverse("cases:public_place", args=[code]), {"lon": 113, "lat": 28}).status_code
        for _ in range(125)
    ]
    assert statuses.count(429) >= 1 and statuses[0] == 200
