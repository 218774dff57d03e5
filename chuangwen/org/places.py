"""Where a point lies in the city's own geography: district / street / community / grid.

One lookup in the grid index (``services.grid_index``, a shapely ``STRtree`` kept per city),
then the names of the grid's unit and its 块 ancestors — two small indexed queries. The
nearest site or road is added by ``chuangwen.sites.places`` (sites sit above org).

Also the boundaries of districts, streets and communities. Units carry no geometry of their
own: a unit's boundary is the union of the grids in its subtree, simplified, computed once per
``City.grid_version`` and kept in the cache (Redis in production, the database cache in the
embedded default); ``manage.py build_boundaries`` warms it after a grid import.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.core.cache import cache
from django.db.models import Max

from chuangwen.core.geo import Coordinate, to_wgs84

from .choices import UnitKind
from .models import City, Grid, Unit
from .scope import Scope
from .services import grid_index

# 块 kinds that name an area, from the largest down
DISTRICT_KINDS = (UnitKind.DISTRICT,)
STREET_KINDS = (UnitKind.STREET,)
COMMUNITY_KINDS = (UnitKind.COMMUNITY, UnitKind.VILLAGE)
AREA_LEVELS = {"district": DISTRICT_KINDS, "street": STREET_KINDS, "community": COMMUNITY_KINDS}
LAYERS = (*AREA_LEVELS, "grid")
# simplification tolerance per level, in degrees (1e-4° ≈ 10 m)
_TOLERANCE = {"district": 4e-4, "street": 2e-4, "community": 1e-4}


@dataclass(frozen=True)
class Area:
    """The administrative place of a point (names; empty where the tree has no such level)."""

    grid_id: int | None
    unit_id: int | None
    district: str = ""
    street: str = ""
    community: str = ""
    grid: str = ""

    @property
    def text(self) -> str:
        grid = self.grid
        # demo and many real grids are named after their community ("青山街社区第3网格")
        if self.community and grid.startswith(self.community):
            grid = grid[len(self.community) :]
        return f"{self.district}{self.street}{self.community}{grid}"


def _path_ids(path: str) -> list[int]:
    return [int(p) for p in path.split(".") if p]


def areas_for_grids(grid_ids: Iterable[int]) -> dict[int, Area]:
    """The Area of each grid, in two queries whatever the number of grids."""
    ids = {int(g) for g in grid_ids if g is not None}
    if not ids:
        return {}
    grids = list(
        Grid.objects.filter(pk__in=ids).values_list("pk", "name", "code", "unit_id", "unit__path")
    )
    unit_ids = {uid for *_x, path in grids for uid in _path_ids(path)}
    units = {
        pk: (name, kind)
        for pk, name, kind in Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name", "kind")
    }
    out = {}
    for pk, name, code, unit_id, path in grids:
        names: dict[str, str] = {}
        for uid in _path_ids(path):
            uname, kind = units.get(uid, ("", ""))
            for level, kinds in AREA_LEVELS.items():
                if kind in kinds:
                    names[level] = uname
        out[pk] = Area(grid_id=pk, unit_id=unit_id, grid=name or code, **names)
    return out


def area_at(city: City | int, lon: Coordinate, lat: Coordinate, crs: str = "wgs84") -> Area | None:
    """The Area containing the point, or None outside every grid (bad input: InvalidInput)."""
    x, y = to_wgs84(lon, lat, crs)
    city_id = city if isinstance(city, int) else city.pk
    hit = grid_index.get(city_id).locate(x, y)
    if hit is None:
        return None
    return areas_for_grids([hit.grid_id]).get(hit.grid_id)


# --- boundaries -----------------------------------------------------------------------------


def _boundary_key(city_id: int, version: int) -> str:
    # a renamed or moved unit changes its name/path without touching the grids
    touched = Unit.objects.filter(city_id=city_id).aggregate(m=Max("updated_at"))["m"]
    stamp = int(touched.timestamp() * 1000) if touched else 0
    return f"cw:boundaries:{city_id}:{version}:{stamp}"


def _rounded(geom: shapely.Geometry) -> shapely.Geometry:
    """Coordinates to 5 decimals (about 1 m): short JSON numbers."""
    return shapely.transform(geom, lambda xy: np.round(xy, 5))


def _compute_boundaries(city_id: int) -> dict[str, Any]:
    """{"units": [{id, name, kind, level, path, geometry}], "grids": [...]}, simplified."""
    units = list(
        Unit.objects.filter(city_id=city_id, active=True)
        .filter(kind__in=[k for kinds in AREA_LEVELS.values() for k in kinds])
        .values_list("pk", "name", "kind", "path")
    )
    grids = list(
        Grid.objects.filter(city_id=city_id).values_list(
            "pk", "code", "name", "unit__path", "geometry"
        )
    )
    shapes = [(path, shapely.geometry.shape(geom)) for _pk, _c, _n, path, geom in grids]
    level_of: dict[str, str] = {
        str(k): level for level, kinds in AREA_LEVELS.items() for k in kinds
    }
    features = []
    for pk, name, kind, path in units:
        parts = [g for p, g in shapes if p.startswith(path)]
        if not parts:
            continue
        level = level_of[kind]
        merged = shapely.union_all(parts, grid_size=1e-7)
        simple = shapely.simplify(merged, _TOLERANCE[level], preserve_topology=True)
        features.append(
            {
                "id": pk,
                "name": name,
                "level": level,
                "path": path,
                "geometry": shapely.geometry.mapping(_rounded(simple)),
            }
        )
    grid_features = [
        {
            "id": pk,
            "code": code,
            "name": name,
            "path": path,
            "geometry": shapely.geometry.mapping(_rounded(shapely.geometry.shape(geom))),
        }
        for pk, code, name, path, geom in grids
    ]
    return {"units": features, "grids": grid_features}


def boundaries(city_id: int) -> dict[str, Any]:
    """The city's unit boundaries and grid outlines, from the cache or computed once per
    grid version."""
    version = City.objects.filter(pk=city_id).values_list("grid_version", flat=True).first()
    if version is None:
        return {"units": [], "grids": []}
    key = _boundary_key(city_id, version)
    data = cache.get(key)
    if data is None:
        data = _compute_boundaries(city_id)
        cache.set(key, data, timeout=None)
    return data


def boundary_collection(
    city_id: int, *, layer: str, scope: Scope | None = None, unit_path: str = ""
) -> dict[str, Any]:
    """One base layer as a GeoJSON FeatureCollection.

    ``layer`` is district / street / community / grid. ``scope`` limits it to the units the
    user sees (their subtree and the areas above it, so a street sees its district's outline);
    None is the public view (names and outlines only — nothing personal is in these layers).
    """
    data = boundaries(city_id)
    rows = data["grids"] if layer == "grid" else [f for f in data["units"] if f["level"] == layer]
    if unit_path:
        rows = [
            f for f in rows if f["path"].startswith(unit_path) or unit_path.startswith(f["path"])
        ]
    if scope is not None and not scope.see_all:
        paths = scope.unit_paths
        rows = [
            f
            for f in rows
            if any(
                f["path"].startswith(p) or (layer != "grid" and p.startswith(f["path"]))
                for p in paths
            )
        ]
    features = [
        {
            "type": "Feature",
            "id": f["id"],
            "geometry": f["geometry"],
            # outlines only: a grid's code (its long name adds weight, not help, at this scale)
            "properties": {"code": f["code"]} if layer == "grid" else {"name": f["name"]},
        }
        for f in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def warm_boundaries(city_id: int) -> int:
    """Compute and cache the boundaries now (after a grid import); returns the feature count."""
    data = boundaries(city_id)
    return len(data["units"]) + len(data["grids"])


__all__ = [
    "AREA_LEVELS",
    "Area",
    "area_at",
    "areas_for_grids",
    "boundaries",
    "boundary_collection",
    "warm_boundaries",
]
