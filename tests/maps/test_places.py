"""Readable addresses from the city's own data: area from the grid index, nearest site/road."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuangwen.core.errors import InvalidInput
from chuangwen.org import places as org_places
from chuangwen.org.actors import SYSTEM
from chuangwen.sites import places
from chuangwen.sites.services import SiteSpec, create_sites, update_site
from tests.inspections.helpers import InspectionCity, point

pytestmark = pytest.mark.django_db


@pytest.fixture
def ic(small_city):
    return InspectionCity(small_city)


def _road(ic, code, name, coords):
    line = {"type": "LineString", "coordinates": coords}
    return create_sites(ic.city, [SiteSpec(code, name, ic.zd, line)], acting_user=SYSTEM)[0]


def test_inside_a_grid_names_district_street_community_and_grid(ic):
    area = org_places.area_at(ic.city, 113.002, 28.002)
    assert (area.district, area.street, area.community) == ("甲区", "甲街道", "甲社区")
    assert area.grid == ic.grid_a.code
    assert area.text == f"甲区甲街道甲社区{ic.grid_a.code}"


def test_near_a_road_gives_its_name_and_distance(ic):
    # a road running north–south at lon 113.0025: the point is ~0.0005° ≈ 49 m east of it
    _road(ic, "ZD900", "书院路", [[113.0025, 28.0005], [113.0025, 28.0095]])
    p = places.describe(ic.city, 113.0030, 28.009)
    assert p.near == "书院路"
    assert 45 < p.distance_m < 53
    assert p.text == f"甲区甲街道甲社区{ic.grid_a.code}，书院路（约 50 米）"
    # the line, not its representative point, counts: at the road's far end it is still near
    assert places.describe(ic.city, 113.0026, 28.0093).near == "书院路"


def test_nearest_of_several_sites_wins_and_far_sites_are_not_named(ic):
    p = places.describe(ic.city, 113.0041, 28.0041)  # next to 甲市场一 (113.004, 28.004)
    assert p.near == "甲市场一" and p.distance_m < 20
    assert "约 10 米" in p.text or "约 10 米内" in p.text
    # 5 km away from everything: neither grid nor site
    far = places.describe(ic.city, 113.05, 28.05)
    assert far.area is None and far.near == "" and far.text == ""


def test_outside_any_grid_but_near_a_site(ic):
    create_sites(
        ic.city, [SiteSpec("GJ1", "车站", ic.zd, point(113.0, 28.0125))], acting_user=SYSTEM
    )
    p = places.describe(ic.city, 113.0, 28.0128)  # north of the grids (they end at lat 28.01)
    assert p.area is None
    assert p.text.startswith("车站（约 ")


def test_a_renamed_or_moved_site_is_seen_at_once(ic):
    site = ic.sites["SC001"]
    assert places.describe(ic.city, 113.0041, 28.0041).near == "甲市场一"
    update_site(site, name="青山农贸市场", acting_user=SYSTEM)
    places.site_index._by_city.clear()  # another process: the stamp changes, the index follows
    assert places.describe(ic.city, 113.0041, 28.0041).near == "青山农贸市场"


def test_bad_coordinates_are_refused_and_stored_rows_never_crash(ic):
    with pytest.raises(InvalidInput):
        places.describe(ic.city, "abc", 28)
    assert places.describe_text(ic.city, 999.0, 28.0) == ""
    assert places.describe_text(ic.city, None, None) == ""


def test_describe_many_matches_describe_and_queries_are_bounded(ic):
    pts = [(113.002, 28.002), (113.012, 28.004), (113.05, 28.05), (113.0041, 28.0041)] * 50
    places.describe(ic.city, 113.0, 28.0)  # warm the indexes
    with CaptureQueriesContext(connection) as q:
        texts = places.describe_many(ic.city.pk, pts)
    assert len(q) <= 6
    assert texts[:4] == [places.describe(ic.city, x, y).text for x, y in pts[:4]]
    assert texts[1].startswith("乙区乙街道乙社区")


def test_one_lookup_is_a_few_queries(ic):
    places.describe(ic.city, 113.0, 28.0)
    with CaptureQueriesContext(connection) as q:
        places.describe(ic.city, 113.002, 28.002)
    assert len(q) <= 4
