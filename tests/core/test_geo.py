import math

import pytest
import shapely

from chuangwen.core.errors import InvalidInput
from chuangwen.core.geo import (
    PolygonIndex,
    area_m2,
    distance_m,
    gcj02_to_wgs84,
    parse_polygon,
    to_wgs84,
    wgs84_to_gcj02,
)


def sq(x0, y0, size=1.0):
    return shapely.box(x0, y0, x0 + size, y0 + size)


def test_locate_inside_edges_corner_hole_and_outside():
    donut = shapely.Polygon(
        [(0, 0), (4, 0), (4, 4), (0, 4)], holes=[[(1, 1), (3, 1), (3, 3), (1, 3)]]
    )
    index = PolygonIndex(["A", "B", "C"], [donut, sq(4, 0, 4), sq(1.5, 1.5, 1)])
    assert index.locate(0.5, 0.5) == "A"
    assert index.locate(5, 1) == "B"
    # a shared edge belongs to the polygon listed first, whichever side is asked
    assert index.locate(4, 2) == "A"
    # the hole's ring belongs to the donut; inside the hole only C (an island) counts
    assert index.locate(1, 2) == "A"
    assert index.locate(1.2, 1.2) is None
    assert index.locate(2, 2) == "C"
    # a shared corner of A and B
    assert index.locate(4, 4) == "A"
    assert index.locate(-0.001, 2) is None
    assert index.locate(100, 100) is None


def test_locate_many_matches_single_lookups():
    polys = [sq(i, j) for i in range(5) for j in range(5)]
    index = PolygonIndex(list(range(25)), polys)
    pts = [(0.5, 0.5), (1, 1), (4.9, 4.9), (5, 5), (5.1, 5), (-1, 0), (2.5, 3.0)]
    many = index.locate_many([p[0] for p in pts], [p[1] for p in pts])
    assert many == [index.locate(x, y) for x, y in pts]
    assert many[0] == 0 and many[3] == 24 and many[4] is None


def test_gcj02_round_trip_and_offset():
    lon, lat = 113.0, 28.2
    glon, glat = wgs84_to_gcj02(lon, lat)
    # the published offset is a few hundred metres inside China
    assert 100 < distance_m(lon, lat, glon, glat) < 1000
    back = gcj02_to_wgs84(glon, glat)
    assert distance_m(lon, lat, *back) < 0.05
    # outside China nothing moves
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


def test_to_wgs84_validates():
    assert to_wgs84("113", "28") == (113.0, 28.0)
    glon, glat = wgs84_to_gcj02(113, 28)
    x, y = to_wgs84(glon, glat, "GCJ02")
    assert math.isclose(x, 113, abs_tol=1e-6) and math.isclose(y, 28, abs_tol=1e-6)
    for bad in [("abc", 1), (None, 1), (181, 0), (0, 91), ("nan", 0)]:
        with pytest.raises(InvalidInput):
            to_wgs84(*bad)
    with pytest.raises(InvalidInput, match="坐标系"):
        to_wgs84(1, 1, "bd09")


def test_parse_polygon_rejects_bad_geometry():
    with pytest.raises(InvalidInput):
        parse_polygon({"type": "Point", "coordinates": [0, 0]})
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(InvalidInput, match="无效"):
        parse_polygon(bowtie)
    with pytest.raises(InvalidInput):
        parse_polygon({"type": "Polygon", "coordinates": "x"})


def test_area_of_a_100_metre_square():
    dlat = 100 / 110_574
    dlon = 100 / (111_320 * math.cos(math.radians(28)))
    poly = shapely.box(113, 28, 113 + dlon, 28 + dlat)
    assert abs(area_m2(poly) - 10_000) < 50
