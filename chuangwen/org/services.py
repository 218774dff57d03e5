"""Every write of the organisation: units, people, grids, pairs, imports; and point → grid.

Services take explicit arguments and a keyword-only ``acting_user`` (a user, or
``chuangwen.org.actors.SYSTEM`` for management commands and the demo builder).
"""

import json
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

import shapely
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import (
    ImportFailed,
    InvalidInput,
    InvalidTransition,
    PermissionDenied,
    RowError,
)
from chuangwen.core.geo import (
    Bounds,
    Coordinate,
    PolygonIndex,
    area_m2,
    inside_bounds,
    json_error,
    overlaps,
    parse_polygon,
    to_wgs84,
)
from chuangwen.core.text import is_mobile
from chuangwen.core.tree import child_path, move_subtree, rebase_paths
from chuangwen.core.xlsx import ErrorCollector, max_lengths, read_rows

from .actors import is_system, require_office
from .choices import DEFAULT_AXIS, PAIR_COMMUNITY_KINDS, Axis, Mechanism, Role, UnitKind
from .models import City, Grid, Membership, Pair, Person, Unit
from .registry import unit_path_copies

User = get_user_model()

UNIT_FIELDS = ["code", "name", "kind", "axis", "parent", "active"]
PERSON_FIELDS = ["name", "phone", "title", "active"]
GRID_FIELDS = ["code", "name", "unit", "area_m2"]


# --- city and units ---------------------------------------------------------------------


@transaction.atomic
def create_city(
    *,
    code: str,
    name: str,
    level: str = "prefecture",
    center: tuple[float, float] | None = None,
    acting_user: Any,
) -> City:
    if not is_system(acting_user) and not acting_user.is_superuser:
        raise PermissionDenied(_("只有平台超级管理员可以新建城市"))
    if City.objects.filter(code=code).exists():
        raise InvalidInput(_("城市代码「%(code)s」已存在") % {"code": code}, code="duplicate_code")
    city = City.objects.create(
        code=code,
        name=name,
        level=level,
        center_lon=center[0] if center else None,
        center_lat=center[1] if center else None,
    )
    audit.record(
        "org.city.created",
        city,
        actor=acting_user,
        city=city,
        after={"code": code, "name": name},
        summary=name,
    )
    return city


def _clean_unit_fields(kind: str, axis: str) -> str:
    if kind not in UnitKind.values:
        raise InvalidInput(_("单位类型「%(kind)s」无效") % {"kind": kind}, code="bad_kind")
    axis = axis or DEFAULT_AXIS.get(UnitKind(kind), "")
    if axis and axis not in Axis.values:
        raise InvalidInput(_("条/块「%(axis)s」无效") % {"axis": axis}, code="bad_axis")
    return axis


@transaction.atomic
def create_unit(
    city: City,
    *,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    axis: str = "",
    acting_user: Any,
) -> Unit:
    require_office(acting_user, city)
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise InvalidInput(_("单位编码和名称不能为空"), code="required")
    axis = _clean_unit_fields(kind, axis)
    if parent is not None and parent.city_id != city.pk:
        raise InvalidInput(_("上级单位不属于本城市"), code="bad_parent")
    if Unit.objects.filter(city=city, code=code).exists():
        raise InvalidInput(_("单位编码「%(code)s」已存在") % {"code": code}, code="duplicate_code")
    unit = Unit(
        city=city,
        parent=parent,
        code=code,
        name=name,
        kind=kind,
        axis=axis,
        depth=(parent.depth + 1) if parent else 0,
        path="",
    )
    unit.save()
    unit.path = child_path(parent, unit.pk)
    unit.save(update_fields=["path"])
    audit.record(
        "org.unit.created",
        unit,
        actor=acting_user,
        after=audit.snapshot(unit, UNIT_FIELDS),
        summary=name,
    )
    return unit


@transaction.atomic
def update_unit(unit: Unit, *, acting_user: Any, **changes: Any) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    require_office(acting_user, unit.city)
    allowed = {"code", "name", "kind", "axis", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(
            _("不能修改字段：%(unknown)s") % {"unknown": ", ".join(sorted(unknown))},
            code="bad_field",
        )
    before = audit.snapshot(unit, UNIT_FIELDS)
    for key, value in changes.items():
        setattr(unit, key, value.strip() if isinstance(value, str) else value)
    if not unit.code or not unit.name:
        raise InvalidInput(_("单位编码和名称不能为空"), code="required")
    unit.axis = _clean_unit_fields(unit.kind, unit.axis)
    if (
        "code" in changes
        and Unit.objects.filter(city=unit.city, code=unit.code).exclude(pk=unit.pk).exists()
    ):
        raise InvalidInput(
            _("单位编码「%(unit_code)s」已存在") % {"unit_code": unit.code}, code="duplicate_code"
        )
    unit.save(update_fields=[*changes.keys(), "axis", "updated_at"])
    b, a = audit.changes(before, audit.snapshot(unit, UNIT_FIELDS))
    audit.record("org.unit.updated", unit, actor=acting_user, before=b, after=a, summary=unit.name)
    return unit


@transaction.atomic
def move_unit(unit: Unit, new_parent: Unit | None, *, acting_user: Any) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    require_office(acting_user, unit.city)
    if new_parent is not None:
        if new_parent.city_id != unit.city_id:
            raise InvalidInput(_("上级单位不属于本城市"), code="bad_parent")
        if new_parent.path.startswith(unit.path):
            raise InvalidInput(_("不能把单位移到它自己或其下级单位之下"), code="cycle")
    old_parent_id, old_path = unit.parent_id, unit.path
    new_path = move_subtree(Unit.objects.filter(city_id=unit.city_id), unit, new_parent)
    for model, field in unit_path_copies():  # cases, sites … keep copies for scope filters
        rebase_paths(model._default_manager.all(), field, old_path, new_path)
    unit.refresh_from_db()
    audit.record(
        "org.unit.moved",
        unit,
        actor=acting_user,
        before={"parent": old_parent_id},
        after={"parent": unit.parent_id},
        summary=unit.name,
    )
    return unit


# --- people -------------------------------------------------------------------------------


def _check_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone and not is_mobile(phone):
        raise InvalidInput(_("手机号「%(phone)s」格式不正确") % {"phone": phone}, code="bad_phone")
    return phone


USERNAME_RE = re.compile(r"[A-Za-z0-9._@-]+")


def check_username(username: str) -> str:
    """A login name of letters, digits and . _ - @ only (no paths, markup or spaces)."""
    if not USERNAME_RE.fullmatch(username):
        raise InvalidInput(
            _("登录名「%(username)s」只能包含英文字母、数字和 . _ - @") % {"username": username},
            code="bad_username",
        )
    limit = max_lengths(User, username="username")["username"]
    if len(username) > limit:
        raise InvalidInput(
            _("登录名不能超过 %(limit)s 个字符") % {"limit": limit}, code="bad_username"
        )
    return username


@transaction.atomic
def create_person(
    city: City,
    *,
    name: str,
    username: str,
    phone: str = "",
    title: str = "",
    password: str | None = None,
    memberships: Sequence[tuple[Unit, str]] = (),
    acting_user: Any,
) -> Person:
    require_office(acting_user, city)
    name, username = (name or "").strip(), (username or "").strip()
    if not name or not username:
        raise InvalidInput(_("姓名和登录名不能为空"), code="required")
    check_username(username)
    phone = _check_phone(phone)
    if User.objects.filter(username=username).exists():
        raise InvalidInput(
            _("登录名「%(username)s」已被使用") % {"username": username}, code="duplicate_username"
        )
    if password:
        from django.contrib.auth.password_validation import validate_password
        from django.core.exceptions import ValidationError

        try:
            validate_password(password, User(username=username, first_name=name))
        except ValidationError as exc:
            raise InvalidInput("；".join(exc.messages), code="weak_password") from exc
    user = User.objects.create_user(username=username, password=password or None)
    person = Person.objects.create(city=city, user=user, name=name, phone=phone, title=title)
    for unit, role in memberships:
        _add_membership(person, unit, role)
    audit.record(
        "org.person.created",
        person,
        actor=acting_user,
        after={
            **audit.snapshot(person, ["name", "title"]),
            "username": username,
            "memberships": [[u.pk, r] for u, r in memberships],
        },
        summary=name,
    )
    return person


def _add_membership(person: Person, unit: Unit, role: str) -> Membership:
    if role not in Role.values:
        raise InvalidInput(_("角色「%(role)s」无效") % {"role": role}, code="bad_role")
    if unit.city_id != person.city_id:
        raise InvalidInput(_("单位不属于本城市"), code="bad_unit")
    membership, _created = Membership.objects.get_or_create(person=person, unit=unit, role=role)
    return membership


@transaction.atomic
def add_membership(person: Person, unit: Unit, role: str, *, acting_user: Any) -> Membership:
    require_office(acting_user, person.city)
    membership = _add_membership(person, unit, role)
    audit.record(
        "org.membership.added",
        person,
        actor=acting_user,
        after={"unit": unit.pk, "role": role},
        summary=person.name,
    )
    return membership


@transaction.atomic
def remove_membership(membership: Membership, *, acting_user: Any) -> None:
    person = membership.person
    require_office(acting_user, person.city)
    before = {"unit": membership.unit_id, "role": membership.role}
    membership.delete()
    audit.record(
        "org.membership.removed", person, actor=acting_user, before=before, summary=person.name
    )


@transaction.atomic
def update_person(person: Person, *, acting_user: Any, **changes: Any) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    require_office(acting_user, person.city)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise InvalidInput(
            _("不能修改字段：%(unknown)s") % {"unknown": ", ".join(sorted(unknown))},
            code="bad_field",
        )
    if "phone" in changes:
        changes["phone"] = _check_phone(changes["phone"])
    before = audit.snapshot(person, PERSON_FIELDS)
    for key, value in changes.items():
        setattr(person, key, value)
    if not person.name:
        raise InvalidInput(_("姓名不能为空"), code="required")
    person.save(update_fields=[*changes.keys(), "updated_at"])
    if "active" in changes:
        User.objects.filter(pk=person.user_id).update(is_active=person.active)
    b, a = audit.changes(before, audit.snapshot(person, PERSON_FIELDS))
    audit.record(
        "org.person.updated", person, actor=acting_user, before=b, after=a, summary=person.name
    )
    return person


# --- grids and point → grid ---------------------------------------------------------------


def _grid_measures(geom: shapely.Geometry) -> tuple[float, float, float]:
    c = geom.centroid if geom.centroid.within(geom) else geom.representative_point()
    return area_m2(geom), c.x, c.y


def _check_grid_unit(unit: Unit | None, city: City) -> Unit:
    if unit is None or unit.city_id != city.pk:
        raise InvalidInput(_("网格所属单位不存在或不属于本城市"), code="bad_unit")
    if unit.axis != Axis.BLOCK:
        raise InvalidInput(
            _("网格只能属于「块」单位（街道、社区等），「%(unit_name)s」不是")
            % {"unit_name": unit.name},
            code="bad_unit",
        )
    return unit


def _bump_grid_version(city: City) -> None:
    City.objects.filter(pk=city.pk).update(grid_version=F("grid_version") + 1)
    grid_index.invalidate(city.pk)


@transaction.atomic
def create_grid(
    city: City,
    *,
    code: str,
    unit: Unit,
    geometry: dict,
    name: str = "",
    workers: Iterable[Person] = (),
    acting_user: Any,
) -> Grid:
    require_office(acting_user, city)
    code = (code or "").strip()
    if not code:
        raise InvalidInput(_("网格编码不能为空"), code="required")
    _check_grid_unit(unit, city)
    geom = parse_polygon(geometry)
    if Grid.objects.filter(city=city, code=code).exists():
        raise InvalidInput(_("网格编码「%(code)s」已存在") % {"code": code}, code="duplicate_code")
    area, lon, lat = _grid_measures(geom)
    grid = Grid.objects.create(
        city=city,
        code=code,
        name=name,
        unit=unit,
        geometry=shapely.geometry.mapping(geom),
        area_m2=area,
        centroid_lon=lon,
        centroid_lat=lat,
    )
    grid.workers.set(list(workers))
    _bump_grid_version(city)
    audit.record(
        "org.grid.created",
        grid,
        actor=acting_user,
        after=audit.snapshot(grid, GRID_FIELDS),
        summary=code,
    )
    return grid


@transaction.atomic
def update_grid(
    grid: Grid,
    *,
    acting_user: Any,
    geometry: dict | None = None,
    unit: Unit | None = None,
    name: str | None = None,
    workers: Iterable[Person] | None = None,
) -> Grid:
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    require_office(acting_user, grid.city)
    before = audit.snapshot(grid, GRID_FIELDS)
    fields = ["updated_at"]
    if geometry is not None:
        geom = parse_polygon(geometry)
        grid.geometry = shapely.geometry.mapping(geom)
        grid.area_m2, grid.centroid_lon, grid.centroid_lat = _grid_measures(geom)
        fields += ["geometry", "area_m2", "centroid_lon", "centroid_lat"]
    if unit is not None:
        grid.unit = _check_grid_unit(unit, grid.city)
        fields.append("unit")
    if name is not None:
        grid.name = name
        fields.append("name")
    grid.save(update_fields=fields)
    if workers is not None:
        grid.workers.set(list(workers))
    _bump_grid_version(grid.city)
    b, a = audit.changes(before, audit.snapshot(grid, GRID_FIELDS))
    if geometry is not None:
        a["geometry"] = "changed"
    audit.record("org.grid.updated", grid, actor=acting_user, before=b, after=a, summary=grid.code)
    return grid


@dataclass(frozen=True)
class GridHit:
    grid_id: int
    code: str
    unit_id: int


class _GridIndexCache:
    """One PolygonIndex per city, rebuilt when the city's ``grid_version`` moves on.

    The version is read from the database at most once per ``recheck_s`` seconds, so another
    process's grid change is seen within that time; a change made in this process drops the
    city's index at once.
    """

    recheck_s = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_city: dict[int, tuple[int, float, PolygonIndex]] = {}

    def get(self, city_id: int) -> PolygonIndex:
        cached = self._by_city.get(city_id)
        now = time.monotonic()
        if cached and now - cached[1] < self.recheck_s:
            return cached[2]
        version = City.objects.filter(pk=city_id).values_list("grid_version", flat=True).first()
        if version is None:
            raise InvalidInput(_("城市不存在"), code="bad_city")
        if cached and cached[0] == version:
            self._by_city[city_id] = (version, now, cached[2])
            return cached[2]
        with self._lock:
            rows = (
                Grid.objects.filter(city_id=city_id)
                .order_by("code")
                .values_list("pk", "code", "unit_id", "geometry")
            )
            keys, geoms = [], []
            for pk, code, unit_id, geometry in rows:
                keys.append(GridHit(pk, code, unit_id))
                geoms.append(shapely.geometry.shape(geometry))
            index = PolygonIndex(keys, geoms)
            self._by_city[city_id] = (version, now, index)
            return index

    def invalidate(self, city_id: int) -> None:
        self._by_city.pop(city_id, None)

    def clear(self) -> None:
        self._by_city.clear()


grid_index = _GridIndexCache()


def locate_point(
    city: City | int, lon: Coordinate, lat: Coordinate, crs: str = "wgs84"
) -> GridHit | None:
    """The grid containing the point, or None when it lies outside every grid."""
    x, y = to_wgs84(lon, lat, crs)
    return grid_index.get(city if isinstance(city, int) else city.pk).locate(x, y)


def locate_points(
    city: City | int, points: Sequence[tuple[float, float]], crs: str = "wgs84"
) -> list[GridHit | None]:
    """Vectorised ``locate_point`` for many points (imports, benchmarks)."""
    if crs != "wgs84":
        points = [to_wgs84(x, y, crs) for x, y in points]
    index = grid_index.get(city if isinstance(city, int) else city.pk)
    return index.locate_many([p[0] for p in points], [p[1] for p in points])


# --- pairs --------------------------------------------------------------------------------


PAIR_FIELDS = ["unit", "community", "mechanisms", "started_on", "ended_on", "end_reason", "note"]


def _clean_mechanisms(mechanisms: Sequence[str]) -> list[str]:
    bad = [str(m) for m in mechanisms if m not in Mechanism.values]
    if bad:
        raise InvalidInput(
            _("未知的六联机制：%(bad)s") % {"bad": "，".join(bad)}, code="bad_mechanism"
        )
    return list(dict.fromkeys(str(m) for m in mechanisms))


def _check_pair_parties(city: City, unit: Unit, community: Unit) -> None:
    if unit.city_id != city.pk or community.city_id != city.pk:
        raise InvalidInput(_("结对双方必须属于本城市"), code="bad_unit")
    if community.kind not in PAIR_COMMUNITY_KINDS:
        raise InvalidInput(
            _("「%(name)s」不是社区或行政村") % {"name": community.name}, code="bad_community"
        )
    if unit.pk == community.pk:
        raise InvalidInput(_("共建单位不能与结对社区相同"), code="bad_unit")
    if not unit.active or not community.active:
        raise InvalidInput(_("不能与已停用的单位结对"), code="inactive_unit")


def _check_pair_date(value: date | None, label: str) -> None:
    if value is not None and value > timezone.localdate():
        raise InvalidInput(_("%(label)s不能晚于今天") % {"label": label}, code="future_date")


@transaction.atomic
def create_pair(
    city: City,
    *,
    unit: Unit,
    community: Unit,
    mechanisms: Sequence[str],
    started_on: date | None = None,
    note: str = "",
    acting_user: Any,
) -> Pair:
    """结对共建: a unit (机关、企业、学校 …) paired with a community or village."""
    require_office(acting_user, city)
    _check_pair_parties(city, unit, community)
    chosen = _clean_mechanisms(mechanisms)
    _check_pair_date(started_on, _("开始日期"))
    running = Pair.objects.select_for_update().filter(
        unit=unit, community=community, ended_on__isnull=True
    )
    if running.exists():
        raise InvalidInput(_("该单位与社区已结对"), code="duplicate_pair")
    pair = Pair.objects.create(
        city=city,
        unit=unit,
        community=community,
        mechanisms=chosen,
        started_on=started_on,
        note=(note or "").strip(),
    )
    audit.record(
        "org.pair.created",
        pair,
        actor=acting_user,
        after=audit.snapshot(pair, PAIR_FIELDS),
        summary=str(pair),
    )
    return pair


@transaction.atomic
def update_pair(
    pair: Pair,
    *,
    unit: Unit,
    community: Unit,
    mechanisms: Sequence[str],
    started_on: date | None,
    note: str,
    acting_user: Any,
) -> Pair:
    """Edit a running pair (an ended one stays as it was ended)."""
    pair = Pair.objects.select_for_update().select_related("city").get(pk=pair.pk)
    require_office(acting_user, pair.city)
    if pair.ended_on is not None:
        raise InvalidTransition(_("结对已结束，不能修改"), code="pair_ended")
    _check_pair_parties(pair.city, unit, community)
    chosen = _clean_mechanisms(mechanisms)
    _check_pair_date(started_on, _("开始日期"))
    other = Pair.objects.filter(unit=unit, community=community, ended_on__isnull=True)
    if other.exclude(pk=pair.pk).exists():
        raise InvalidInput(_("该单位与社区已结对"), code="duplicate_pair")
    before = audit.snapshot(pair, PAIR_FIELDS)
    pair.unit, pair.community, pair.mechanisms = unit, community, chosen
    pair.started_on, pair.note = started_on, (note or "").strip()
    pair.save(update_fields=["unit", "community", "mechanisms", "started_on", "note", "updated_at"])
    old, new = audit.changes(before, audit.snapshot(pair, PAIR_FIELDS))
    if new:
        audit.record(
            "org.pair.updated", pair, actor=acting_user, before=old, after=new, summary=str(pair)
        )
    return pair


@transaction.atomic
def end_pair(pair: Pair, *, ended_on: date | None, reason: str, acting_user: Any) -> Pair:
    """End a pair: it stays on record with its activities; the two may pair again later."""
    pair = Pair.objects.select_for_update().select_related("city").get(pk=pair.pk)
    require_office(acting_user, pair.city)
    if pair.ended_on is not None:
        raise InvalidTransition(
            _("该结对已于 %(day)s 结束") % {"day": pair.ended_on.isoformat()}, code="pair_ended"
        )
    ended_on = ended_on or timezone.localdate()
    _check_pair_date(ended_on, _("结束日期"))
    if pair.started_on is not None and ended_on < pair.started_on:
        raise InvalidInput(_("结束日期不能早于开始日期"), code="bad_date")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写结束原因"), code="reason_required")
    if len(reason) > 300:
        raise InvalidInput(_("结束原因不能超过 300 字"), code="reason_too_long")
    pair.ended_on, pair.end_reason = ended_on, reason
    pair.save(update_fields=["ended_on", "end_reason", "updated_at"])
    audit.record(
        "org.pair.ended",
        pair,
        actor=acting_user,
        before={"ended_on": None},
        after={"ended_on": ended_on, "end_reason": reason},
        summary=str(pair),
    )
    return pair


# --- imports ------------------------------------------------------------------------------

UNIT_COLUMNS = ["单位编码", "单位名称", "上级单位编码", "类型", "条块"]
PERSON_COLUMNS = ["登录名", "姓名", "手机号", "职务", "单位编码", "角色"]
GRID_COLUMNS = ["网格编码", "网格名称", "所属单位编码", "边界GeoJSON", "网格员登录名"]


def _choice_lookup(choices: Any) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[str(value)] = value
        lookup[str(label)] = value
    return lookup


@transaction.atomic
def import_units(city: City, file: IO[bytes] | bytes, *, acting_user: Any) -> int:
    """Create or update units from Excel. Parents may appear anywhere in the file."""
    require_office(acting_user, city)
    errors = ErrorCollector("单位")
    kinds, axes = _choice_lookup(UnitKind), _choice_lookup(Axis)
    existing = {u.code: u for u in Unit.objects.filter(city=city).select_related("parent")}
    limits = max_lengths(Unit, 单位编码="code", 单位名称="name")
    rows: dict[str, tuple[int, dict]] = {}
    for number, row in read_rows(file, ["单位编码", "单位名称", "类型"], ["上级单位编码", "条块"]):
        code = str(row["单位编码"] or "")
        if not code:
            errors.add(number, "单位编码", _("不能为空"))
            continue
        if not errors.check_lengths(number, row, limits):
            continue
        if code in rows:
            errors.add(
                number,
                "单位编码",
                _("「%(code)s」与第 %(row)s 行重复") % {"code": code, "row": rows[code][0]},
            )
            continue
        if not row["单位名称"]:
            errors.add(number, "单位名称", _("不能为空"))
        kind = kinds.get(str(row["类型"] or ""))
        if kind is None:
            errors.add(
                number, "类型", _("「%(kind)s」不是有效的单位类型") % {"kind": row["类型"] or ""}
            )
        axis = str(row.get("条块") or "")
        if axis and axis not in axes:
            errors.add(number, "条块", _("「%(axis)s」只能是 条 或 块") % {"axis": axis})
        row["类型"], row["条块"] = kind, axes.get(axis, "")
        rows[code] = (number, row)
    if not rows and not errors:
        errors.add(None, "", _("文件中没有数据行"))

    def parent_of(code: str) -> str:  # as it will be after the import
        if code in rows:
            return str(rows[code][1].get("上级单位编码") or "")
        parent = existing[code].parent if code in existing else None
        return parent.code if parent else ""

    # parents: in the file or already in the database; no cycles, also through existing units
    for code, (number, _row) in rows.items():
        parent = parent_of(code)
        if parent and parent not in rows and parent not in existing:
            errors.add(
                number, "上级单位编码", _("上级单位「%(parent)s」不存在") % {"parent": parent}
            )
        chain, cur = [code], parent
        while cur and (cur in rows or cur in existing):
            if cur in chain:
                loop = " → ".join([*chain[chain.index(cur) :], cur])
                errors.add(
                    number, "上级单位编码", _("上下级关系形成循环：%(loop)s") % {"loop": loop}
                )
                break
            chain.append(cur)
            cur = parent_of(cur)
    errors.raise_if_any()
    done: dict[str, Unit] = dict(existing)
    pending = dict(rows)
    count = 0
    while pending:
        progressed = False
        for code, (_number, row) in list(pending.items()):
            parent_code = str(row.get("上级单位编码") or "")
            if parent_code and parent_code in pending:
                continue
            parent_unit = done.get(parent_code) if parent_code else None
            unit = done.get(code)
            if unit is None:
                unit = create_unit(
                    city,
                    code=code,
                    name=row["单位名称"],
                    kind=row["类型"],
                    axis=row["条块"],
                    parent=parent_unit,
                    acting_user=acting_user,
                )
            else:
                update_unit(
                    unit,
                    name=row["单位名称"],
                    kind=row["类型"],
                    axis=row["条块"] or unit.axis,
                    acting_user=acting_user,
                )
                if unit.parent_id != (parent_unit.pk if parent_unit else None):
                    unit = move_unit(unit, parent_unit, acting_user=acting_user)
            done[code] = unit
            del pending[code]
            count += 1
            progressed = True
        if not progressed:  # pragma: no cover - cycles were rejected above
            raise ImportFailed([RowError(None, "上级单位编码", _("上下级关系形成循环"))])
    audit.record(
        "org.units.imported",
        city,
        actor=acting_user,
        city=city,
        after={"rows": count},
        summary=f"导入单位 {count} 条",
    )
    return count


@transaction.atomic
def import_people(city: City, file: IO[bytes] | bytes, *, acting_user: Any) -> int:
    """Create people (one row per membership; repeat the 登录名 for more roles)."""
    require_office(acting_user, city)
    errors = ErrorCollector("人员")
    roles = _choice_lookup(Role)
    role_names = "、".join(str(label) for label in Role.labels)
    units = {u.code: u for u in Unit.objects.filter(city=city)}
    taken = set(User.objects.values_list("username", flat=True))
    limits = {
        **max_lengths(User, 登录名="username"),
        **max_lengths(Person, 姓名="name", 手机号="phone", 职务="title"),
    }
    people: dict[str, dict[str, Any]] = {}
    for number, row in read_rows(file, ["登录名", "姓名", "单位编码", "角色"], ["手机号", "职务"]):
        username = str(row["登录名"] or "")
        if not username:
            errors.add(number, "登录名", _("不能为空"))
            continue
        if not errors.check_lengths(number, row, limits):
            continue
        try:
            check_username(username)
        except InvalidInput as exc:
            errors.add(number, "登录名", str(exc.message))
            continue
        if username in taken:
            errors.add(number, "登录名", _("「%(username)s」已被使用") % {"username": username})
            continue
        if not row["姓名"]:
            errors.add(number, "姓名", _("不能为空"))
        phone = str(row.get("手机号") or "")
        if phone and not is_mobile(phone):
            errors.add(number, "手机号", _("「%(phone)s」格式不正确") % {"phone": phone})
        unit = units.get(str(row["单位编码"] or ""))
        if unit is None:
            errors.add(
                number, "单位编码", _("单位「%(code)s」不存在") % {"code": row["单位编码"] or ""}
            )
        role = roles.get(str(row["角色"] or ""))
        if role is None:
            errors.add(
                number,
                "角色",
                _("「%(role)s」不是有效角色，可选：%(roles)s")
                % {"role": row["角色"] or "", "roles": role_names},
            )
        entry = people.setdefault(
            username,
            {
                "row": number,
                "name": row["姓名"],
                "phone": phone,
                "title": row.get("职务") or "",
                "memberships": [],
            },
        )
        if entry["name"] != row["姓名"]:
            errors.add(
                number, "姓名", _("与第 %(row)s 行同一登录名的姓名不一致") % {"row": entry["row"]}
            )
        if unit is not None and role is not None:
            entry["memberships"].append((unit, role))
    if not people and not errors:
        errors.add(None, "", _("文件中没有数据行"))
    errors.raise_if_any()
    for username, entry in people.items():
        create_person(
            city,
            name=entry["name"],
            username=username,
            phone=entry["phone"],
            title=str(entry["title"]),
            memberships=entry["memberships"],
            acting_user=acting_user,
        )
    audit.record(
        "org.people.imported",
        city,
        actor=acting_user,
        city=city,
        after={"rows": len(people)},
        summary=f"导入人员 {len(people)} 人",
    )
    return len(people)


def _grid_rows_from_geojson(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailed(
            [RowError(None, "", _("GeoJSON 格式错误：%(exc)s") % {"exc": json_error(exc)})]
        ) from exc
    except RecursionError:
        raise ImportFailed(
            [RowError(None, "", _("GeoJSON 嵌套层数过深，不是有效的网格文件"))]
        ) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportFailed([RowError(None, "", _("GeoJSON 必须是 FeatureCollection"))])
    features = doc.get("features") or []
    if not isinstance(features, list):
        raise ImportFailed([RowError(None, "features", _("必须是要素（Feature）数组"))])
    rows = []
    for i, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or not isinstance(feature.get("properties") or {}, dict):
            raise ImportFailed([RowError(i, "", _("要素必须是带 properties 对象的 Feature"))])
        props = feature.get("properties") or {}
        workers = props.get("workers") or props.get("网格员登录名") or ""
        rows.append(
            (
                i,
                {
                    "网格编码": str(props.get("code") or props.get("网格编码") or "") or None,
                    "网格名称": props.get("name") or props.get("网格名称"),
                    "所属单位编码": str(props.get("unit_code") or props.get("所属单位编码") or "")
                    or None,
                    "边界GeoJSON": feature.get("geometry"),
                    "网格员登录名": ",".join(map(str, workers))
                    if isinstance(workers, list)
                    else workers,
                },
            )
        )
    return rows


CITY_RADIUS_DEG = 3.0  # the largest prefecture-level cities reach about 300 km from their centre
GRID_MARGIN_DEG = 0.5
CHINA: Bounds = (72.0, 0.8, 137.9, 55.9)


def city_bounds(city: City) -> Bounds:
    """Where the city's grids may lie: around its centre and its existing grids (with a
    margin), or — for a city with neither — within China."""
    boxes: list[Bounds] = []
    if city.center_lon is not None and city.center_lat is not None:
        r = CITY_RADIUS_DEG
        boxes.append(
            (city.center_lon - r, city.center_lat - r, city.center_lon + r, city.center_lat + r)
        )
    extent = Grid.objects.filter(city=city).values_list(
        "centroid_lon", "centroid_lat"
    )  # centroids are stored; the margin covers the grids' own size
    points = [(x, y) for x, y in extent if x is not None and y is not None]
    if points:
        m = GRID_MARGIN_DEG
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        boxes.append((min(xs) - m, min(ys) - m, max(xs) + m, max(ys) + m))
    if not boxes:
        return CHINA
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _check_grid_geometries(
    city: City,
    parsed: dict[str, dict[str, Any]],
    existing: dict[str, Grid],
    errors: ErrorCollector,
    row_word: str,
) -> None:
    """Every new boundary inside the city, and none overlapping another grid — those kept
    and the other ones of the file — beyond the digitising tolerance."""
    bounds = city_bounds(city)
    new = []
    for code, item in parsed.items():
        geom = item["geom"]
        if geom is None:
            continue
        if not inside_bounds(geom, bounds):
            errors.add(
                item["row"],
                "边界GeoJSON",
                _(
                    "网格「%(code)s」超出本市范围（经度 %(west).2f~%(east).2f，"
                    "纬度 %(south).2f~%(north).2f），请检查坐标是否为 [经度, 纬度]"
                )
                % {
                    "code": code,
                    "west": bounds[0],
                    "east": bounds[2],
                    "south": bounds[1],
                    "north": bounds[3],
                },
            )
            continue
        new.append((code, geom))
    kept = [
        (code, shapely.geometry.shape(g.geometry))
        for code, g in existing.items()
        if code not in parsed
    ]
    for code, other, shared in overlaps(new, kept):
        where = (
            _("文件中第 %(row)s %(row_word)s的网格「%(other)s」")
            % {"row": parsed[other]["row"], "row_word": row_word, "other": other}
            if other in parsed
            else _("已有网格「%(other)s」") % {"other": other}
        )
        errors.add(
            parsed[code]["row"],
            "边界GeoJSON",
            _("网格「%(code)s」与%(where)s重叠约 %(area).0f 平方米")
            % {"code": code, "where": where, "area": shared},
        )


@transaction.atomic
def import_grids(
    city: City, file: IO[bytes] | bytes, *, fmt: str = "xlsx", acting_user: Any
) -> int:
    """Create or update grids from Excel (boundary as GeoJSON text) or a GeoJSON file.

    GeoJSON features carry ``code``, ``name``, ``unit_code`` and optional ``workers``.
    Row numbers of a GeoJSON file are feature numbers (1-based).
    """
    require_office(acting_user, city)
    data = file if isinstance(file, bytes) else file.read()
    if fmt == "geojson":
        errors = ErrorCollector("GeoJSON")
        rows: Iterable[tuple[int, dict[str, Any]]] = _grid_rows_from_geojson(data)
        row_word = _("要素")
    else:
        errors = ErrorCollector("网格")
        rows = read_rows(
            data, ["网格编码", "所属单位编码", "边界GeoJSON"], ["网格名称", "网格员登录名"]
        )
        row_word = _("行")
    units = {u.code: u for u in Unit.objects.filter(city=city)}
    usernames = dict(Person.objects.filter(city=city).values_list("user__username", "pk"))
    existing = {g.code: g for g in Grid.objects.filter(city=city)}
    limits = max_lengths(Grid, 网格编码="code", 网格名称="name")
    parsed: dict[str, dict[str, Any]] = {}
    for number, row in rows:
        code = str(row["网格编码"] or "")
        if not code:
            errors.add(number, "网格编码", _("不能为空"))
            continue
        if not errors.check_lengths(number, row, limits):
            continue
        if code in parsed:
            errors.add(
                number,
                "网格编码",
                _("「%(code)s」与第 %(row)s %(row_word)s重复")
                % {"code": code, "row": parsed[code]["row"], "row_word": row_word},
            )
            continue
        unit = units.get(str(row["所属单位编码"] or ""))
        if unit is None:
            errors.add(
                number,
                "所属单位编码",
                _("单位「%(code)s」不存在") % {"code": row["所属单位编码"] or ""},
            )
        elif unit.axis != Axis.BLOCK:
            errors.add(
                number,
                "所属单位编码",
                _("「%(unit)s」不是块单位，不能拥有网格") % {"unit": unit.name},
            )
        geometry = row["边界GeoJSON"]
        if isinstance(geometry, str):
            try:
                geometry = json.loads(geometry)
            except json.JSONDecodeError:
                errors.add(
                    number, "边界GeoJSON", _("网格「%(code)s」：不是有效的 JSON") % {"code": code}
                )
                geometry = None
            except RecursionError:
                errors.add(
                    number, "边界GeoJSON", _("网格「%(code)s」：JSON 嵌套层数过深") % {"code": code}
                )
                geometry = None
        geom = None
        if geometry is not None or "边界GeoJSON" in row:
            try:
                geom = parse_polygon(geometry)
            except InvalidInput as exc:
                if geometry is not None:
                    errors.add(
                        number,
                        "边界GeoJSON",
                        _("网格「%(code)s」：%(error)s") % {"code": code, "error": exc.message},
                    )
                else:
                    errors.add(number, "边界GeoJSON", _("不能为空"))
        worker_ids = []
        for name in re.split(r"[,，;；\s]+", str(row.get("网格员登录名") or "")):
            if name:
                if name not in usernames:
                    errors.add(number, "网格员登录名", _("人员「%(name)s」不存在") % {"name": name})
                else:
                    worker_ids.append(usernames[name])
        parsed[code] = {
            "row": number,
            "unit": unit,
            "geometry": geometry,
            "geom": geom,
            "name": row.get("网格名称") or "",
            "workers": worker_ids,
        }
    if not parsed and not errors:
        errors.add(None, "", _("文件中没有网格"))
    _check_grid_geometries(city, parsed, existing, errors, row_word)
    errors.raise_if_any()
    for code, item in parsed.items():
        workers = Person.objects.filter(pk__in=item["workers"])
        if code in existing:
            update_grid(
                existing[code],
                geometry=item["geometry"],
                unit=item["unit"],
                name=str(item["name"]),
                workers=workers,
                acting_user=acting_user,
            )
        else:
            create_grid(
                city,
                code=code,
                unit=item["unit"],
                geometry=item["geometry"],
                name=str(item["name"]),
                workers=workers,
                acting_user=acting_user,
            )
    audit.record(
        "org.grids.imported",
        city,
        actor=acting_user,
        city=city,
        after={"rows": len(parsed), "format": fmt},
        summary=f"导入网格 {len(parsed)} 个",
    )
    return len(parsed)
