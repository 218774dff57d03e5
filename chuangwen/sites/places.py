"""Readable addresses from the city's own data: "雨花区金桥街道青山街社区，书院路（约 40 米）".

``describe(city, lon, lat)`` = the district / street / community / grid of the point
(``org.places.area_at``: one grid-index lookup) + the nearest named site (a road's line, a
market's polygon, a bus stop's point …) within ``NEAR_M`` metres, with the distance.

The nearest-site search runs on a shapely ``STRtree`` per city over the active sites projected
to metres (a local equirectangular projection around the city, exact to well under 1 % at city
scale), bounded by ``NEAR_M`` (``query_nearest(max_distance=…)``). The index is rebuilt when the
city's sites change (count or latest ``updated_at``, checked at most once a second), so it
works the same on SQLite and PostgreSQL and needs no spatial database.
"""

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from django.db import transaction
from django.db.models import Count, Max, Model

from chuangwen.core.geo import EARTH_RADIUS_M, Coordinate, to_wgs84
from chuangwen.org.models import City
from chuangwen.org.places import Area, area_at, areas_for_grids
from chuangwen.org.services import grid_index

from .models import Site

NEAR_M = 500.0  # farther than this, a site does not help anyone find the spot


def _distance_text(metres: float) -> str:
    if metres < 10:
        return "约 10 米内"
    if metres < 1000:
        return f"约 {int(round(metres / 10.0) * 10)} 米"
    return f"约 {metres / 1000:.1f} 公里"


@dataclass(frozen=True)
class Place:
    area: Area | None
    near: str = ""
    distance_m: float | None = None

    @property
    def text(self) -> str:
        where = self.area.text if self.area else ""
        if not self.near:
            return where
        near = f"{self.near}（{_distance_text(self.distance_m or 0.0)}）"
        return f"{where}，{near}" if where else f"{near}"

    def as_dict(self) -> dict:
        a = self.area
        return {
            "text": self.text,
            "district": a.district if a else "",
            "street": a.street if a else "",
            "community": a.community if a else "",
            "grid": a.grid if a else "",
            "near": self.near,
            "distance_m": round(self.distance_m) if self.distance_m is not None else None,
        }


class _SiteIndex:
    def __init__(self, names: list[str], geoms: list[shapely.Geometry], lat0: float) -> None:
        self.names = names
        self.kx = math.pi / 180 * EARTH_RADIUS_M * math.cos(math.radians(lat0))
        self.ky = math.pi / 180 * EARTH_RADIUS_M
        self.geoms = np.asarray([self.project(g) for g in geoms], dtype=object)
        self.tree = shapely.STRtree(self.geoms)

    def project(self, geom: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geom, lambda xy: xy * np.array([self.kx, self.ky]))

    def nearest(self, lon: float, lat: float, within_m: float) -> tuple[str, float] | None:
        if not self.names:
            return None
        point = shapely.Point(lon * self.kx, lat * self.ky)
        idx, dist = self.tree.query_nearest(point, max_distance=within_m, return_distance=True)
        if len(idx) == 0:
            return None
        best = int(np.argmin(dist))
        return self.names[int(idx[best])], float(dist[best])


class _SiteIndexCache:
    recheck_s = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_city: dict[int, tuple[tuple, float, _SiteIndex]] = {}

    def get(self, city_id: int) -> _SiteIndex:
        cached = self._by_city.get(city_id)
        now = time.monotonic()
        if cached and now - cached[1] < self.recheck_s:
            return cached[2]
        stamp = Site.objects.filter(city_id=city_id, active=True).aggregate(
            n=Count("pk"), m=Max("updated_at")
        )
        version = (stamp["n"], stamp["m"])
        if cached and cached[0] == version:
            self._by_city[city_id] = (version, now, cached[2])
            return cached[2]
        with self._lock:
            rows = (
                Site.objects.filter(city_id=city_id, active=True)
                .order_by("pk")
                .values_list("name", "geometry", "lat")
            )
            names, geoms, lats = [], [], []
            for name, geometry, lat in rows:
                try:
                    geom = shapely.geometry.shape(geometry)
                except Exception:  # a malformed stored geometry must not break addresses
                    continue
                names.append(name)
                geoms.append(geom)
                lats.append(lat)
            lat0 = float(np.mean(lats)) if lats else 30.0
            index = _SiteIndex(names, geoms, lat0)
            self._by_city[city_id] = (version, now, index)
            return index

    def invalidate(self, city_id: int) -> None:
        self._by_city.pop(city_id, None)

    def clear(self) -> None:
        self._by_city.clear()


site_index = _SiteIndexCache()


def nearest_site(
    city: City | int, lon: float, lat: float, within_m: float = NEAR_M
) -> tuple[str, float] | None:
    """(name, metres) of the nearest active site within ``within_m``, or None."""
    return site_index.get(city if isinstance(city, int) else city.pk).nearest(lon, lat, within_m)


def describe(city: City | int, lon: Coordinate, lat: Coordinate, crs: str = "wgs84") -> Place:
    """The readable place of a point (bad coordinates: InvalidInput)."""
    x, y = to_wgs84(lon, lat, crs)
    city_id = city if isinstance(city, int) else city.pk
    area = area_at(city_id, x, y)
    near = nearest_site(city_id, x, y)
    return Place(area, near[0] if near else "", near[1] if near else None)


def describe_text(city: City | int, lon: float | None, lat: float | None) -> str:
    """``describe(...).text``, or "" without a (valid) point — for storing next to it."""
    if lon is None or lat is None:
        return ""
    try:
        return describe(city, lon, lat).text
    except Exception:  # InvalidInput from a stored out-of-range point: no address, no crash
        return ""


def describe_many(city_id: int, points: Sequence[tuple[float, float]]) -> list[str]:
    """``describe_text`` for many points (backfills, exports): one vectorised grid lookup and
    the grids' names in two queries, whatever the number of points."""
    if not points:
        return []
    hits = grid_index.get(city_id).locate_many([p[0] for p in points], [p[1] for p in points])
    areas = areas_for_grids(h.grid_id for h in hits if h is not None)
    index = site_index.get(city_id)
    out = []
    for (x, y), hit in zip(points, hits, strict=True):
        near = index.nearest(x, y, NEAR_M)
        area = areas.get(hit.grid_id) if hit is not None else None
        out.append(Place(area, near[0] if near else "", near[1] if near else None).text)
    return out


def fill_places(model: type[Model], *, city_id: int | None = None, batch: int = 2000) -> int:
    """Backfill ``place`` of rows with a point and no place yet (any model with ``city``,
    ``lon``, ``lat`` and ``place``: cases, check results …); returns the number filled.

    Derived data, like a counter cache: written with bulk updates, no audit rows. Rows whose
    point lies outside the city's grids and far from every site get no text and stay empty.
    """
    todo = model._default_manager.filter(lon__isnull=False, lat__isnull=False, place="")
    if city_id is not None:
        todo = todo.filter(city_id=city_id)
    filled, last = 0, 0
    while True:
        rows = list(
            todo.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "city_id", "lon", "lat")[:batch]
        )
        if not rows:
            return filled
        last = rows[-1][0]
        by_city: dict[int, list[tuple[int, float, float]]] = {}
        for pk, cid, x, y in rows:
            by_city.setdefault(cid, []).append((pk, x, y))
        changed = []
        for cid, items in by_city.items():
            texts = describe_many(cid, [(x, y) for _pk, x, y in items])
            changed += [
                model(pk=pk, place=t[:300])
                for (pk, _x, _y), t in zip(items, texts, strict=True)
                if t
            ]
        with transaction.atomic():
            model._default_manager.bulk_update(changed, ["place"], batch_size=500)
        filled += len(changed)
