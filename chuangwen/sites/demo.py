"""Demo sites for the demo city: about 500 sites of every site type, reproducible from a seed."""

import math
import random
from collections.abc import Callable
from typing import Any

from chuangwen.indicators.models import EvaluationSystem, SiteType
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import City, Grid, Unit
from chuangwen.org.places import warm_boundaries

from .choices import AssignmentRole
from .services import SiteSpec, create_sites

# site type code → (how many, geometry, owning department name or "" for the street)
PLAN: dict[str, tuple[int, str, str]] = {
    "ZCGD": (40, "line", "市城市管理和综合执法局"),
    "BJXX": (80, "line", ""),
    "NMSC": (25, "polygon", "市商务局"),
    "SQ": (60, "point", ""),
    "XQ": (60, "polygon", ""),
    "GCGY": (15, "polygon", "市园林绿化中心"),
    "XXZB": (30, "point", "市教育局"),
    "JTLK": (40, "point", "市公安局交通警察支队"),
    "GJZD": (60, "point", "市公共交通集团"),
    "CKDW": (40, "point", "市政务服务和大数据局"),
    "JZGD": (20, "polygon", "市住房和城乡建设局"),
    "YY": (15, "point", "市卫生健康委员会"),
    "JQ": (8, "polygon", "市文化旅游广电体育局"),
    "WB": (20, "point", "市文化旅游广电体育局"),
}
ROAD_WORDS = ["路", "大道", "街", "巷", "里"]
M_LAT = 1 / 110_574.0


def _m_lon(lat: float) -> float:
    return 1 / (111_320.0 * math.cos(math.radians(lat)))


def ensure_site_types(city: City, log: Callable[[str], Any]) -> None:
    """The sites need the evaluation system's site types; load the shipped seed if missing."""
    if SiteType.objects.filter(city=city).exists():
        return
    from chuangwen.indicators.services import load_evaluation_system

    if not EvaluationSystem.objects.filter(city=city).exists():
        load_evaluation_system(city, activate=True, acting_user=SYSTEM)
        log("点位：未找到测评体系，已载入内置种子版本。")


def build_demo(city: City, seed: int, log: Callable[[str], Any]) -> int:
    ensure_site_types(city, log)
    rng = random.Random(f"sites:{seed}")
    types = {t.code: t for t in SiteType.objects.filter(city=city)}
    grids: list[tuple[float, float, int, str]] = [
        (float(x or 0), float(y or 0), u, n)
        for x, y, u, n in Grid.objects.filter(city=city, centroid_lon__isnull=False)
        .order_by("code")
        .values_list("centroid_lon", "centroid_lat", "unit_id", "name")
    ]
    if not grids or not types:
        log("点位：没有网格或点位类型，跳过。")
        return 0
    units = {u.pk: u for u in Unit.objects.filter(city=city).order_by("code")}
    by_name = {u.name: u for u in units.values()}
    departments = [u for u in units.values() if u.kind == UnitKind.DEPARTMENT]
    lons = [g[0] for g in grids]
    lats = [g[1] for g in grids]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    specs: list[SiteSpec] = []
    for code, (count, kind, owner_name) in PLAN.items():
        site_type = types.get(code)
        if site_type is None:
            continue
        for k in range(count):
            lon, lat, unit_id, grid_name = rng.choice(grids)
            community = units[unit_id]
            street = units.get(community.parent_id) if community.parent_id else community
            geometry: dict[str, Any]
            if kind == "line":
                length = rng.uniform(600, 1500) if code == "ZCGD" else rng.uniform(150, 400)
                horizontal = rng.random() < 0.5
                if horizontal:
                    dx = length * _m_lon(lat)
                    x0 = min(max(lon - dx / 2, west), east - dx)
                    coords: list[list[float]] = [
                        [x0, lat],
                        [x0 + dx / 2, lat + rng.uniform(-20, 20) * M_LAT],
                        [x0 + dx, lat],
                    ]
                else:
                    dy = length * M_LAT
                    y0 = min(max(lat - dy / 2, south), north - dy)
                    coords = [
                        [lon, y0],
                        [lon + rng.uniform(-20, 20) * _m_lon(lat), y0 + dy / 2],
                        [lon, y0 + dy],
                    ]
                geometry = {
                    "type": "LineString",
                    "coordinates": [[round(x, 7), round(y, 7)] for x, y in coords],
                }
                word = community.name[:2]
                name = f"{word}{rng.choice(ROAD_WORDS)}" if code == "BJXX" else f"{word}大道"
                name += f"（{k + 1}段）"
            elif kind == "polygon":
                half = rng.uniform(25, 60)
                dx, dy = half * _m_lon(lat), half * M_LAT
                ring = [
                    [lon - dx, lat - dy],
                    [lon + dx, lat - dy],
                    [lon + dx, lat + dy],
                    [lon - dx, lat + dy],
                ]
                ring.append(ring[0])
                geometry = {
                    "type": "Polygon",
                    "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]],
                }
                name = f"{community.name[:-2]}{site_type.name}{k + 1}"
            else:
                jitter_x = rng.uniform(-30, 30) * _m_lon(lat)
                jitter_y = rng.uniform(-30, 30) * M_LAT
                geometry = {
                    "type": "Point",
                    "coordinates": [round(lon + jitter_x, 7), round(lat + jitter_y, 7)],
                }
                name = (
                    community.name
                    if code == "SQ"
                    else f"{community.name[:-2]}{site_type.name}{k + 1}"
                )
            owner = by_name.get(owner_name) if owner_name else street
            if code == "SQ":
                owner = community
            baobao = [(rng.choice(departments), AssignmentRole.LEAD)]
            if rng.random() < 0.4:
                baobao.append((rng.choice(departments), AssignmentRole.SUPPORT))
            specs.append(
                SiteSpec(
                    code=f"{code}{k + 1:03d}",
                    name=name,
                    site_type=site_type,
                    geometry=geometry,
                    owner=owner,
                    baobao=baobao,
                    address=f"{street.name if street else ''}{grid_name}",
                    attributes={"来源": "演示数据"},
                )
            )
    sites = create_sites(city, specs, acting_user=SYSTEM)
    log(f"点位：已生成 {len(sites)} 个点位（{len(types)} 类）。")
    # the maps' base layers (district/street/community outlines from the grids), ready at once
    n = warm_boundaries(city.pk)
    log(f"地图：已由网格合成 {n} 个边界/网格要素。")
    return len(sites)
