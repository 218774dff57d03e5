"""Every write of the site registry: create, update, 包保, imports (Excel / GeoJSON).

Services take explicit arguments and a keyword-only ``acting_user`` (a user, or
``chuangwen.org.actors.SYSTEM`` for management commands and the demo builder). Only the office
writes.
"""

import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape

from chuangwen.core import audit
from chuangwen.core.errors import ImportFailed, InvalidInput, RowError
from chuangwen.core.geo import area_m2, distance_m, invalid_reason, json_error
from chuangwen.core.models import AuditEvent
from chuangwen.core.xlsx import ErrorCollector, max_lengths, read_rows
from chuangwen.indicators.models import SiteType
from chuangwen.org.actors import actor_user, require_office
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import City, Unit
from chuangwen.org.services import locate_points

from .choices import GEOJSON_KIND, AssignmentRole, GeometryKind
from .models import Site, SiteAssignment
from .places import site_index

SITE_FIELDS = [
    "code",
    "name",
    "site_type",
    "geometry_kind",
    "lon",
    "lat",
    "length_m",
    "area_m2",
    "address",
    "grid",
    "area_unit",
    "district",
    "owner",
    "attributes",
    "active",
]
SITE_COLUMNS = [
    "点位编码",
    "点位名称",
    "点位类型",
    "位置GeoJSON",
    "经度",
    "纬度",
    "地址",
    "责任单位编码",
    "包保单位编码",
    "属性JSON",
    "责任单位",  # the names, for reading (the import takes the codes)
    "包保单位",
    "所在区域",  # district … grid of the site, for reading (org.places)
]


# --- geometry --------------------------------------------------------------------------------


@dataclass
class Measured:
    kind: str
    geometry: dict[str, Any]
    lon: float
    lat: float
    length_m: float
    area_m2: float


def line_length_m(geom: shapely.Geometry) -> float:
    """Length of a (multi)line in metres: great-circle distance between consecutive vertices."""
    parts = geom.geoms if geom.geom_type == "MultiLineString" else [geom]
    total = 0.0
    for part in parts:
        coords = list(part.coords)
        for (x1, y1, *_a), (x2, y2, *_b) in itertools.pairwise(coords):
            total += distance_m(x1, y1, x2, y2)
    return total


def measure(geometry: Any) -> Measured:
    """Validate a GeoJSON Point / LineString / Polygon (or Multi-) in WGS-84 and measure it."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOJSON_KIND:
        raise InvalidInput(
            _("位置必须是 GeoJSON Point、LineString 或 Polygon（含 Multi）"), code="bad_geometry"
        )
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed input
        raise InvalidInput(
            _(
                "位置格式错误：坐标须是 [经度, 纬度]，线至少 2 个点，"
                "面的每个环至少 4 个点且首尾相同"
            ),
            code="bad_geometry",
        ) from exc
    if geom.is_empty or not geom.is_valid:
        raise InvalidInput(
            _("位置无效：%(detail)s") % {"detail": invalid_reason(geom)}, code="bad_geometry"
        )
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidInput(_("经纬度超出范围（需要 WGS-84 经纬度）"), code="bad_coordinates")
    kind = GEOJSON_KIND[geometry["type"]]
    length = area = 0.0
    if kind == GeometryKind.LINE:
        length = line_length_m(geom)
        rep = geom.interpolate(0.5, normalized=True)
    elif kind == GeometryKind.POLYGON:
        area = area_m2(geom)
        rep = geom.centroid if geom.centroid.within(geom) else geom.representative_point()
    else:
        rep = geom
    return Measured(
        kind, mapping(geom), round(rep.x, 7), round(rep.y, 7), round(length, 1), round(area, 1)
    )


def _as_geojson(value: Any) -> Any:
    return json.loads(json.dumps(value))  # tuples → lists, as stored


# --- places: grid → 块 unit → 区县 ------------------------------------------------------------


class UnitLookup:
    """The city's units by id and code, and each unit's 区县 ancestor (one query)."""

    def __init__(self, city_id: int) -> None:
        rows = Unit.objects.filter(city_id=city_id).values_list("pk", "code", "kind", "path")
        self.by_id = {pk: (code, kind, path) for pk, code, kind, path in rows}
        self.by_code = {code: pk for pk, (code, _k, _p) in self.by_id.items()}

    def path(self, unit_id: int | None) -> str:
        return self.by_id[unit_id][2] if unit_id in self.by_id else ""

    def district(self, unit_id: int | None) -> int | None:
        if unit_id not in self.by_id:
            return None
        for part in reversed(self.by_id[unit_id][2].strip(".").split(".")):
            pk = int(part)
            if pk in self.by_id and self.by_id[pk][1] == UnitKind.DISTRICT:
                return pk
        return None


def _place(sites: Sequence[Site], units: UnitLookup) -> None:
    """Grid of each site's representative point (vectorised), its 块 unit and 区县."""
    hits = locate_points(sites[0].city_id, [(s.lon, s.lat) for s in sites]) if sites else []
    for site, hit in zip(sites, hits, strict=True):
        site.grid_id = hit.grid_id if hit else None
        site.area_unit_id = hit.unit_id if hit else None
        site.area_path = units.path(site.area_unit_id)
        site.owner_path = units.path(site.owner_id)
        site.district_id = units.district(site.area_unit_id) or units.district(site.owner_id)


# --- writes ----------------------------------------------------------------------------------


@dataclass
class SiteSpec:
    code: str
    name: str
    site_type: SiteType
    geometry: dict[str, Any]
    owner: Unit | None = None
    baobao: Sequence[tuple[Unit, str]] = ()  # (unit, AssignmentRole)
    address: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


def _check_spec(city: City, spec: SiteSpec) -> Measured:
    spec.code, spec.name = (spec.code or "").strip(), (spec.name or "").strip()
    if not spec.code or not spec.name:
        raise InvalidInput(_("点位编码和名称不能为空"), code="required")
    if spec.site_type is None or spec.site_type.city_id != city.pk:
        raise InvalidInput(_("点位类型不存在或不属于本城市"), code="bad_site_type")
    if spec.owner is not None and spec.owner.city_id != city.pk:
        raise InvalidInput(_("责任单位不属于本城市"), code="bad_unit")
    for unit, role in spec.baobao:
        if unit.city_id != city.pk:
            raise InvalidInput(
                _("包保单位「%(unit_name)s」不属于本城市") % {"unit_name": unit.name},
                code="bad_unit",
            )
        if role not in AssignmentRole.values:
            raise InvalidInput(_("包保角色「%(role)s」无效") % {"role": role}, code="bad_role")
    if not isinstance(spec.attributes, dict):
        raise InvalidInput(_("属性必须是 JSON 对象"), code="bad_attributes")
    return measure(spec.geometry)


@transaction.atomic
def create_sites(city: City, specs: Sequence[SiteSpec], *, acting_user: Any) -> list[Site]:
    """Create many sites at once (import, demo): validated, placed, one audit row each."""
    require_office(acting_user, city)
    measured = [_check_spec(city, s) for s in specs]
    codes = [s.code for s in specs]
    dupes = {c for c in codes if codes.count(c) > 1} if len(set(codes)) != len(codes) else set()
    if dupes:
        raise InvalidInput(
            _("点位编码重复：%(dupes)s") % {"dupes": ", ".join(sorted(dupes))},
            code="duplicate_code",
        )
    taken = set(Site.objects.filter(city=city, code__in=codes).values_list("code", flat=True))
    if taken:
        raise InvalidInput(
            _("点位编码已存在：%(taken)s") % {"taken": ", ".join(sorted(taken))},
            code="duplicate_code",
        )
    sites = []
    for spec, m in zip(specs, measured, strict=True):
        attrs = dict(spec.attributes)
        if m.kind == GeometryKind.LINE:
            attrs.setdefault("长度（米）", m.length_m)
        sites.append(
            Site(
                city=city,
                code=spec.code,
                name=spec.name,
                site_type=spec.site_type,
                geometry=m.geometry,
                geometry_kind=m.kind,
                lon=m.lon,
                lat=m.lat,
                length_m=m.length_m,
                area_m2=m.area_m2,
                address=(spec.address or "")[:300],
                owner=spec.owner,
                attributes=_as_geojson(attrs),
            )
        )
    _place(sites, UnitLookup(city.pk))
    Site.objects.bulk_create(sites, batch_size=500)
    SiteAssignment.objects.bulk_create(
        [
            SiteAssignment(site=site, unit=unit, unit_path=unit.path, role=role)
            for site, spec in zip(sites, specs, strict=True)
            for unit, role in dict((u, r) for u, r in spec.baobao).items()
        ],
        batch_size=500,
    )
    user = actor_user(acting_user)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                city=city,
                actor=user,
                code="sites.site.created",
                object_type="sites.site",
                object_id=str(site.pk),
                summary=f"{site.code} {site.name}"[:300],
                after={
                    **audit.snapshot(site, SITE_FIELDS),
                    "baobao": [[u.pk, r] for u, r in spec.baobao],
                },
            )
            for site, spec in zip(sites, specs, strict=True)
        ],
        batch_size=500,
    )
    transaction.on_commit(lambda: site_index.invalidate(city.pk))
    return sites


def create_site(city: City, spec: SiteSpec, *, acting_user: Any) -> Site:
    return create_sites(city, [spec], acting_user=acting_user)[0]


@transaction.atomic
def update_site(
    site: Site,
    *,
    acting_user: Any,
    name: str | None = None,
    site_type: SiteType | None = None,
    geometry: dict | None = None,
    owner: Unit | bool | None = False,
    address: str | None = None,
    attributes: dict | None = None,
    active: bool | None = None,
) -> Site:
    """Change a site; ``owner=None`` clears the owner (``False``, the default, keeps it)."""
    site = Site.objects.select_for_update().get(pk=site.pk)
    require_office(acting_user, site.city)
    before = audit.snapshot(site, SITE_FIELDS)
    fields = ["updated_at"]
    if name is not None:
        if not name.strip():
            raise InvalidInput(_("点位名称不能为空"), code="required")
        site.name = name.strip()
        fields.append("name")
    if site_type is not None:
        if site_type.city_id != site.city_id:
            raise InvalidInput(_("点位类型不属于本城市"), code="bad_site_type")
        site.site_type = site_type
        fields.append("site_type")
    if owner is not False:
        if owner is not None and owner.city_id != site.city_id:  # type: ignore[union-attr]
            raise InvalidInput(_("责任单位不属于本城市"), code="bad_unit")
        site.owner = owner  # type: ignore[assignment]
        fields += ["owner"]
    if address is not None:
        site.address = address.strip()[:300]
        fields.append("address")
    if attributes is not None:
        if not isinstance(attributes, dict):
            raise InvalidInput(_("属性必须是 JSON 对象"), code="bad_attributes")
        site.attributes = _as_geojson(attributes)
        fields.append("attributes")
    if active is not None:
        site.active = bool(active)
        fields.append("active")
    if geometry is not None:
        m = measure(geometry)
        site.geometry, site.geometry_kind = m.geometry, m.kind
        site.lon, site.lat, site.length_m, site.area_m2 = m.lon, m.lat, m.length_m, m.area_m2
        fields += ["geometry", "geometry_kind", "lon", "lat", "length_m", "area_m2"]
    if geometry is not None or owner is not False:
        _place([site], UnitLookup(site.city_id))
        fields += ["grid", "area_unit", "area_path", "district", "owner_path"]
    site.save(update_fields=list(dict.fromkeys(fields)))
    b, a = audit.changes(before, audit.snapshot(site, SITE_FIELDS))
    audit.record(
        "sites.site.updated", site, actor=acting_user, before=b, after=a, summary=site.code
    )
    transaction.on_commit(lambda: site_index.invalidate(site.city_id))
    return site


@transaction.atomic
def set_assignments(
    site: Site, assignments: Iterable[tuple[Unit, str]], *, acting_user: Any
) -> list[SiteAssignment]:
    """Replace the 包保 units of a site."""
    site = Site.objects.select_for_update().get(pk=site.pk)
    require_office(acting_user, site.city)
    wanted = dict((u, r) for u, r in assignments)
    for unit, role in wanted.items():
        if unit.city_id != site.city_id:
            raise InvalidInput(
                _("包保单位「%(unit_name)s」不属于本城市") % {"unit_name": unit.name},
                code="bad_unit",
            )
        if role not in AssignmentRole.values:
            raise InvalidInput(_("包保角色「%(role)s」无效") % {"role": role}, code="bad_role")
    before = sorted([u, r] for u, r in site.assignments.values_list("unit_id", "role"))
    site.assignments.all().delete()
    rows = SiteAssignment.objects.bulk_create(
        [SiteAssignment(site=site, unit=u, unit_path=u.path, role=r) for u, r in wanted.items()]
    )
    after = sorted([u.pk, r] for u, r in wanted.items())
    audit.record(
        "sites.site.assigned",
        site,
        actor=acting_user,
        before={"baobao": before},
        after={"baobao": after},
        summary=site.code,
    )
    return rows


# --- imports ---------------------------------------------------------------------------------


def _type_lookup(city: City) -> dict[str, SiteType]:
    out: dict[str, SiteType] = {}
    for t in SiteType.objects.filter(city=city):
        out[t.code] = t
        out[t.name] = t
    return out


def _rows_from_geojson(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailed(
            [RowError(None, "", _("GeoJSON 格式错误：%(exc)s") % {"exc": json_error(exc)})]
        ) from exc
    except RecursionError:
        raise ImportFailed(
            [RowError(None, "", _("GeoJSON 嵌套层数过深，不是有效的点位文件"))]
        ) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportFailed([RowError(None, "", _("GeoJSON 必须是 FeatureCollection"))])
    known = {
        "code": "点位编码",
        "name": "点位名称",
        "type": "点位类型",
        "address": "地址",
        "owner_code": "责任单位编码",
        "baobao": "包保单位编码",
    }
    rows = []
    for i, feature in enumerate(doc.get("features") or [], start=1):
        feature = feature if isinstance(feature, dict) else {}
        props = dict(feature.get("properties") or {})
        row: dict[str, Any] = {"位置GeoJSON": feature.get("geometry")}
        for key, header in known.items():
            value = props.pop(key, None)
            value = props.pop(header, value)
            if isinstance(value, list):
                value = ",".join(str(v) for v in value)
            row[header] = str(value).strip() if value not in (None, "") else None
        row["属性JSON"] = props
        rows.append((i, row))
    return rows


def _geometry_of(row: dict[str, Any], number: int, errors: ErrorCollector) -> Any:
    geometry = row.get("位置GeoJSON")
    if isinstance(geometry, str):
        try:
            return json.loads(geometry)
        except (json.JSONDecodeError, RecursionError):
            errors.add(number, "位置GeoJSON", _("不是有效的 JSON（或嵌套层数过深）"))
            return None
    if geometry is None and row.get("经度") is not None and row.get("纬度") is not None:
        try:
            return {"type": "Point", "coordinates": [float(row["经度"]), float(row["纬度"])]}
        except (TypeError, ValueError):
            errors.add(number, "经度", _("经纬度必须是数字"))
            return None
    if geometry is None:
        errors.add(number, "位置GeoJSON", _("请填写位置 GeoJSON，或经度和纬度"))
    return geometry


@transaction.atomic
def import_sites(
    city: City, file: IO[bytes] | bytes, *, fmt: str = "xlsx", acting_user: Any
) -> int:
    """Create or update sites (by 点位编码) from Excel or a GeoJSON FeatureCollection.

    Excel columns: 点位编码, 点位名称, 点位类型 (code or name), 位置GeoJSON (or 经度 + 纬度),
    地址, 责任单位编码, 包保单位编码 (comma separated, the first leads), 属性JSON. GeoJSON
    features carry ``code``, ``name``, ``type``, ``owner_code``, ``baobao``, ``address``;
    other properties become attributes. All or nothing: every bad row is named.
    """
    require_office(acting_user, city)
    data = file if isinstance(file, bytes) else file.read()
    if fmt == "geojson":
        errors = ErrorCollector("GeoJSON")
        rows: Iterable[tuple[int, dict[str, Any]]] = _rows_from_geojson(data)
    else:
        errors = ErrorCollector("点位")
        rows = read_rows(
            data,
            ["点位编码", "点位名称", "点位类型"],
            ["位置GeoJSON", "经度", "纬度", "地址", "责任单位编码", "包保单位编码", "属性JSON"],
        )
    types = _type_lookup(city)
    units = {u.code: u for u in Unit.objects.filter(city=city)}
    existing = {s.code: s for s in Site.objects.filter(city=city)}
    seen: dict[str, int] = {}
    creates: list[SiteSpec] = []
    updates: list[tuple[Site, SiteSpec]] = []
    limits = max_lengths(Site, 点位编码="code", 点位名称="name", 地址="address")
    for number, row in rows:
        code = str(row.get("点位编码") or "")
        if not code:
            errors.add(number, "点位编码", _("不能为空"))
            continue
        if not errors.check_lengths(number, row, limits):
            continue
        if code in seen:
            errors.add(
                number,
                "点位编码",
                _("「%(code)s」与第 %(row)s 行重复") % {"code": code, "row": seen[code]},
            )
            continue
        seen[code] = number
        if not row.get("点位名称"):
            errors.add(number, "点位名称", _("不能为空"))
        site_type = types.get(str(row.get("点位类型") or ""))
        if site_type is None:
            errors.add(
                number,
                "点位类型",
                _("「%(site_type)s」不是本市的点位类型") % {"site_type": row.get("点位类型") or ""},
            )
        owner = None
        if row.get("责任单位编码"):
            owner = units.get(str(row["责任单位编码"]))
            if owner is None:
                errors.add(
                    number,
                    "责任单位编码",
                    _("单位「%(code)s」不存在") % {"code": row["责任单位编码"]},
                )
        baobao = []
        for k, ucode in enumerate(re.split(r"[,，;；\s]+", str(row.get("包保单位编码") or ""))):
            if not ucode:
                continue
            unit = units.get(ucode)
            if unit is None:
                errors.add(number, "包保单位编码", _("单位「%(code)s」不存在") % {"code": ucode})
            else:
                baobao.append((unit, AssignmentRole.LEAD if k == 0 else AssignmentRole.SUPPORT))
        attrs = row.get("属性JSON") or {}
        if isinstance(attrs, str):
            try:
                attrs = json.loads(attrs)
            except (json.JSONDecodeError, RecursionError):
                errors.add(number, "属性JSON", _("不是有效的 JSON（或嵌套层数过深）"))
                attrs = {}
        if not isinstance(attrs, dict):
            errors.add(number, "属性JSON", _("必须是 JSON 对象"))
            attrs = {}
        geometry = _geometry_of(row, number, errors)
        if geometry is not None:
            try:
                measure(geometry)
            except InvalidInput as exc:
                errors.add(number, "位置GeoJSON", str(exc.message))
        if site_type is None or geometry is None:
            continue
        spec = SiteSpec(
            code=code,
            name=str(row.get("点位名称") or ""),
            site_type=site_type,
            geometry=geometry,
            owner=owner,
            baobao=baobao,
            address=str(row.get("地址") or ""),
            attributes=attrs,
        )
        if code in existing:
            updates.append((existing[code], spec))
        else:
            creates.append(spec)
    if not seen and not errors:
        errors.add(None, "", _("文件中没有点位"))
    errors.raise_if_any()
    if creates:
        create_sites(city, creates, acting_user=acting_user)
    for site, spec in updates:
        update_site(
            site,
            name=spec.name,
            site_type=spec.site_type,
            geometry=spec.geometry,
            owner=spec.owner,
            address=spec.address,
            attributes=spec.attributes or site.attributes,
            acting_user=acting_user,
        )
        if spec.baobao:
            set_assignments(site, spec.baobao, acting_user=acting_user)
    n = len(creates) + len(updates)
    audit.record(
        "sites.sites.imported",
        city,
        actor=acting_user,
        city=city,
        after={"created": len(creates), "updated": len(updates), "format": fmt},
        summary=f"导入点位 {n} 个",
    )
    return n


def export_sites(qs: Any) -> bytes:
    from chuangwen.core.xlsx import Sheet, write_workbook
    from chuangwen.org.places import areas_for_grids

    areas = areas_for_grids(
        qs.filter(grid__isnull=False).values_list("grid_id", flat=True).order_by().distinct()
    )
    rows = (
        [
            s.code,
            s.name,
            s.site_type.code,
            json.dumps(s.geometry, ensure_ascii=False),
            s.lon,
            s.lat,
            s.address,
            s.owner.code if s.owner else "",
            ",".join(a.unit.code for a in s.assignments.all()),
            json.dumps(s.attributes, ensure_ascii=False) if s.attributes else "",
            s.owner.name if s.owner else "",
            "、".join(a.unit.name for a in s.assignments.all()),
            areas[s.grid_id].text if s.grid_id in areas else "",
        ]
        for s in qs.select_related("site_type", "owner").prefetch_related("assignments__unit")
    )
    return write_workbook([Sheet("点位", SITE_COLUMNS, rows)])
