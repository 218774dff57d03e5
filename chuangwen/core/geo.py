"""Geo helpers: coordinate systems, distances, and a point-in-polygon index.

Coordinates are stored in WGS-84 (longitude, latitude). Chinese map SDKs (AMap, Tencent)
report GCJ-02, which is WGS-84 with a published, non-linear offset; ``gcj02_to_wgs84`` inverts
it iteratively to well under a metre inside China.
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext
from shapely.geometry import shape

from .errors import InvalidInput

WGS84 = "wgs84"
GCJ02 = "gcj02"
_A = 6378245.0
_EE = 0.00669342162296594323
EARTH_RADIUS_M = 6371008.8


def _out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lon, lat):
        return lon, lat
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Invert the GCJ-02 offset by fixed-point iteration (error < 1e-7 degrees)."""
    if _out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(8):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < 1e-9 and abs(dlat) < 1e-9:
            break
    return wlon, wlat


Coordinate = float | str | None  # as it arrives from a form, a query string or JSON


def to_wgs84(lon: Coordinate, lat: Coordinate, crs: str = WGS84) -> tuple[float, float]:
    """Validate a coordinate pair and return it in WGS-84."""
    try:
        lon, lat = float(lon), float(lat)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidInput(gettext("经纬度必须是数字"), code="bad_coordinates") from exc
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or math.isnan(lon) or math.isnan(lat):
        raise InvalidInput(
            gettext("经纬度超出范围（经度 -180~180，纬度 -90~90）"), code="bad_coordinates"
        )
    crs = (crs or WGS84).lower()
    if crs == GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if crs != WGS84:
        raise InvalidInput(gettext("坐标系只能是 wgs84 或 gcj02"), code="bad_crs")
    return lon, lat


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


# GEOS explains an invalid geometry in English; the office reads Chinese
_INVALID_REASONS = {
    "Ring Self-intersection": "边界环自相交",
    "Self-intersection": "边界自相交（线段相互交叉）",
    "Too few points": "点数太少，不能构成面",
    "Hole lies outside shell": "内环（洞）位于外环之外",
    "Nested holes": "内环（洞）相互嵌套",
    "Interior is disconnected": "内部被分割成不相连的部分",
    "Nested shells": "多个面相互嵌套",
    "Duplicate Rings": "存在重复的环",
    "Invalid Coordinate": "坐标值无效",
    "Ring is not closed": "边界环没有闭合（首尾点须相同）",
}


def invalid_reason(geom: shapely.Geometry) -> str:
    """Why GEOS finds ``geom`` invalid, in Chinese, with the place when GEOS names one."""
    reason = shapely.is_valid_reason(geom) or ""
    text = next(
        (zh for en, zh in _INVALID_REASONS.items() if reason.startswith(en)), "几何图形不合法"
    )
    place = reason[reason.find("[") + 1 : reason.rfind("]")].split() if "[" in reason else []
    if len(place) >= 2:
        text += f"，位置约在 经度 {place[0]}、纬度 {place[1]}"
    return text


def json_error(exc: Exception) -> str:
    """A JSON/GeoJSON file that does not parse, explained in Chinese (where, not the parser's
    English)."""
    if isinstance(exc, UnicodeDecodeError):
        return "文件不是 UTF-8 编码的文本"
    if isinstance(exc, RecursionError):
        return "嵌套层数过深"
    lineno, colno = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    if lineno is not None:
        return f"不是有效的 JSON（第 {lineno} 行第 {colno} 列附近）"
    return "不是有效的 JSON"


def parse_polygon(geojson: Any) -> shapely.Geometry:
    """A valid Polygon/MultiPolygon from a GeoJSON geometry dict, or InvalidInput.

    Every coordinate must be a finite longitude (-180~180) and latitude (-90~90).
    """
    if not isinstance(geojson, dict) or geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        raise InvalidInput(
            gettext("几何图形必须是 GeoJSON Polygon 或 MultiPolygon"), code="bad_geometry"
        )
    try:
        geom = shape(geojson)
    except RecursionError:
        raise InvalidInput(gettext("几何图形嵌套层数过深"), code="bad_geometry") from None
    except Exception as exc:  # shapely raises several types for malformed input
        raise InvalidInput(
            gettext("几何图形格式错误：坐标须是 [经度, 纬度] 数组，每个环至少 4 个点且首尾相同"),
            code="bad_geometry",
        ) from exc
    if geom.is_empty:
        raise InvalidInput(gettext("几何图形无效：没有坐标"), code="bad_geometry")
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise InvalidInput(gettext("几何图形无效：坐标值无效"), code="bad_geometry")
    lons, lats = coords[:, 0], coords[:, 1]
    if lons.min() < -180 or lons.max() > 180 or lats.min() < -90 or lats.max() > 90:
        raise InvalidInput(
            gettext("几何图形坐标超出范围（经度 -180~180，纬度 -90~90，顺序为 [经度, 纬度]）"),
            code="bad_coordinates",
        )
    if not geom.is_valid:
        raise InvalidInput(
            gettext("几何图形无效：%(detail)s") % {"detail": invalid_reason(geom)},
            code="bad_geometry",
        )
    return geom


def area_m2(geom: shapely.Geometry) -> float:
    """Area in square metres, on a local equirectangular projection (fine at city scale)."""
    lat0 = math.radians(geom.centroid.y)
    k = math.pi / 180 * EARTH_RADIUS_M
    projected = shapely.transform(geom, lambda xy: xy * np.array([k * math.cos(lat0), k]))
    return float(projected.area)


class PolygonIndex:
    """Point → polygon lookup over a fixed set of polygons, with a shapely 2 ``STRtree``.

    A point on a shared edge belongs to the polygon listed first (callers list polygons in a
    stable order, e.g. by code); a point in a hole or outside all polygons answers ``None``.
    """

    def __init__(self, keys: Sequence[Any], geometries: Sequence[shapely.Geometry]):
        self.keys = list(keys)
        self.geometries = np.asarray(geometries, dtype=object)
        for geom in self.geometries:
            shapely.prepare(geom)
        self.tree = shapely.STRtree(self.geometries)

    def __len__(self) -> int:
        return len(self.keys)

    def locate(self, lon: float, lat: float) -> Any:
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        return self.keys[int(hits.min())]

    def locate_many(self, lons: Sequence[float], lats: Sequence[float]) -> list[Any]:
        """Vectorised lookup: one key (or None) per input point."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        best = np.full(len(points), -1, dtype=np.int64)
        if len(point_idx):
            # several hits only on shared edges: keep the first polygon (lowest index)
            order = np.lexsort((geom_idx, point_idx))
            point_idx, geom_idx = point_idx[order], geom_idx[order]
            first = np.ones(len(point_idx), dtype=bool)
            first[1:] = point_idx[1:] != point_idx[:-1]
            best[point_idx[first]] = geom_idx[first]
        return [self.keys[i] if i >= 0 else None for i in best.tolist()]


Bounds = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def inside_bounds(geom: shapely.Geometry, bounds: Bounds) -> bool:
    x0, y0, x1, y1 = geom.bounds
    return bounds[0] <= x0 and bounds[1] <= y0 and x1 <= bounds[2] and y1 <= bounds[3]


def overlap_tolerance_m2(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """How much two neighbouring polygons may overlap: digitised shared edges are never
    exact, so 1 % of the smaller one's area, and at least 10 m²."""
    return max(10.0, 0.01 * min(area_m2(a), area_m2(b)))


def overlaps(
    new: Sequence[tuple[Any, shapely.Geometry]],
    fixed: Sequence[tuple[Any, shapely.Geometry]] = (),
) -> list[tuple[Any, Any, float]]:
    """Pairs that overlap beyond ``overlap_tolerance_m2``: each of ``new`` against the others
    of ``new`` and against every one of ``fixed``, as (new key, other key, area in m²)."""
    everything = [*new, *fixed]
    if not new or len(everything) < 2:
        return []
    geoms = np.asarray([g for _k, g in everything], dtype=object)
    tree = shapely.STRtree(geoms)
    found = []
    for i, (key, geom) in enumerate(new):
        for j in sorted(int(j) for j in tree.query(geom, predicate="intersects")):
            if j == i or (j < len(new) and j < i):  # itself, or a pair of new ones seen already
                continue
            shared = area_m2(shapely.intersection(geom, geoms[j]))
            if shared > overlap_tolerance_m2(geom, geoms[j]):
                found.append((key, everything[j][0], shared))
    return found
