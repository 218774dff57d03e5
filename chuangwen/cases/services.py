"""Every write of the case loop: intake (one or many), the workflow transitions, extensions,
photos, ratings, categories and the calendar, the 12345 import.

Services take explicit arguments and a keyword-only ``acting_user``; ``acting_user=None`` means
the system itself (the public 随手拍 form after its own checks, Open311 with its key, commands,
the demo builder). Every transition locks the case, checks the actor's scope (404 alike for
missing and out of scope), role (403) and the state (409), then writes the case, one CaseEvent
and one audit row, and queues the notifications on commit.
"""

import json
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.db import connection, models, transaction
from django.db.models import Avg, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core import services as core_services
from chuangwen.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from chuangwen.core.geo import Coordinate, distance_m, to_wgs84
from chuangwen.core.models import AuditEvent
from chuangwen.core.text import is_mobile
from chuangwen.core.xlsx import ErrorCollector, read_rows
from chuangwen.org.actors import actor_scope, actor_user
from chuangwen.org.choices import Role
from chuangwen.org.models import City, Grid, Membership, Person, Unit
from chuangwen.org.scope import Scope
from chuangwen.org.services import locate_points

from . import dedupe
from .choices import (
    MERGEABLE,
    Action,
    DeadlineUnit,
    ExtensionStatus,
    Family,
    PhotoKind,
    Resolution,
    Source,
    State,
    target_state,
)
from .models import (
    AddressEntry,
    CalendarOverride,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    DuplicateSettings,
    Extension,
    Report,
    StateCount,
)
from .photos import check_photo
from .scope import can_see
from .workdays import WorkCalendar

CASE_FIELDS = ["state", "category", "unit", "deadline", "resolution"]
MAX_DESCRIPTION = 2000
VERIFY_MAX_DISTANCE_M = 500
INTAKE_ROLES = {
    Role.OFFICE_ADMIN,
    Role.INSPECTOR,
    Role.GRID_WORKER,
    Role.UNIT_LIAISON,
    Role.CITIZEN,
    Role.VOLUNTEER,
}
_SOURCES = frozenset(Source.values)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CATEGORIES_FILE = Path(__file__).parent / "data" / "categories.json"


def new_tracking_code() -> str:
    raw = secrets.token_bytes(10)
    return "".join(_CODE_ALPHABET[b % 32] for b in raw)


# --- helpers --------------------------------------------------------------------------------


def _scope(acting_user: Any) -> Scope | None:
    return None if acting_user is None else actor_scope(acting_user)


def _user(acting_user: Any) -> Any:
    return None if acting_user is None else actor_user(acting_user)


def _paths_for_roles(scope: Scope, roles: set[str]) -> list[str]:
    ids = [u for u, r in scope.memberships if r in roles]
    if not ids:
        return []
    return list(Unit.objects.filter(pk__in=ids, active=True).values_list("path", flat=True))


def _covers(paths: Iterable[str], *targets: str) -> bool:
    return any(t and t.startswith(p) for p in paths for t in targets)


def _bump_counts(city_id: int, deltas: Counter) -> None:
    """Apply (unit_id, state) → delta to the maintained StateCount rows."""
    for (unit_id, state), delta in deltas.items():
        if not delta:
            continue
        updated = StateCount.objects.filter(city_id=city_id, unit_id=unit_id, state=state).update(
            n=F("n") + delta
        )
        if not updated:
            StateCount.objects.create(city_id=city_id, unit_id=unit_id, state=state, n=delta)


def rebuild_state_counts(city: City | int) -> None:
    """Recompute StateCount from the cases (after a raw bulk load or to repair drift)."""
    from django.db.models import Count

    city_id = city if isinstance(city, int) else city.pk
    with transaction.atomic():
        StateCount.objects.filter(city_id=city_id).delete()
        rows = (
            Case.objects.filter(city_id=city_id)
            .values("unit_id", "state")
            .annotate(n=Count("id"))
            .order_by()
        )
        StateCount.objects.bulk_create(
            [
                StateCount(city_id=city_id, unit_id=r["unit_id"] or 0, state=r["state"], n=r["n"])
                for r in rows
            ]
        )


def notify(user_ids: Iterable[int], case: Case | None, text: str) -> None:
    """Queue in-app notifications about the case (leading to its page), written when the
    transaction commits."""
    url = reverse("cases:detail", args=[case.pk]) if case is not None else ""
    core_services.notify(user_ids, text, url=url, topic="cases")


def _unit_users(unit_id: int | None, roles: Sequence[str]) -> list[int]:
    """Users in ``roles`` of the unit, or of its nearest ancestor that has any (a district's
    liaison acts for its communities)."""
    if unit_id is None:
        return []
    path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first() or ""
    ids = [int(x) for x in path.strip(".").split(".") if x]
    rows = Membership.objects.filter(
        unit_id__in=ids, role__in=roles, person__active=True
    ).values_list("unit__depth", "person__user_id")
    if not rows:
        return []
    deepest = max(d for d, _u in rows)
    return sorted({u for d, u in rows if d == deepest})


def _office_users(city_id: int) -> list[int]:
    return list(
        Membership.objects.filter(
            unit__city_id=city_id, role=Role.OFFICE_ADMIN, person__active=True
        )
        .values_list("person__user_id", flat=True)
        .distinct()
    )


def _reporter_users(case: Case) -> list[int]:
    return list(
        Report.objects.filter(case=case, reporter__isnull=False).values_list(
            "reporter__user_id", flat=True
        )
    )


# --- bulk insert ------------------------------------------------------------------------------


def _allocate_ids(model: Any, n: int) -> list[int]:
    """Primary keys for ``n`` new rows, taken inside the caller's transaction: the sequence on
    PostgreSQL; on SQLite the write lock is held from the start of the transaction
    (transaction_mode IMMEDIATE), so the next ids after the highest ever used are ours."""
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [r[0] for r in cur.fetchall()]
        cur.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')
        top = cur.fetchone()[0]
        if connection.vendor == "sqlite":
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cur.fetchone()
            top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + n))


def bulk_insert(model: Any, objs: Sequence[Any], batch_size: int = 1000) -> None:
    """Insert model instances (or dicts of attname → value, for rows nobody reads back) with
    one executemany per batch and set their primary keys.

    The same rows ``bulk_create`` writes (auto_now fields filled, datetimes and JSON adapted
    for the backend), without its per-value SQL compilation, which dominates batch intake.
    Only plain fields: no file fields, no signals (the services never rely on them)."""
    if not objs:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    as_dicts = isinstance(objs[0], dict)
    convs: list[Any] = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for o in objs:
                if as_dicts:
                    o[f.attname] = now
                else:
                    setattr(o, f.attname, now)
        elif as_dicts:
            default = f.get_default()
            for o in objs:
                o.setdefault(f.attname, default)
        if isinstance(f, models.DateTimeField):
            convs.append(connection.ops.adapt_datetimefield_value)
        elif isinstance(f, models.JSONField):
            convs.append(lambda v, f=f: connection.ops.adapt_json_value(v, f.encoder))
        else:
            convs.append(None)
    ids = _allocate_ids(model, len(objs))
    attnames = [f.attname for f in fields]
    plan = list(zip(attnames, convs, strict=True))
    rows = []
    for obj, pk in zip(objs, ids, strict=True):
        if as_dicts:
            d = obj
            d["id"] = pk
        else:
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
            d = obj.__dict__
        rows.append(
            (pk, *[(c(d[a]) if c is not None and d[a] is not None else d[a]) for a, c in plan])
        )
    cols = ", ".join(connection.ops.quote_name(c) for c in ["id", *[f.column for f in fields]])
    marks = ", ".join(["%s"] * (len(fields) + 1))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({cols}) VALUES ({marks})"
    with connection.cursor() as cur:
        for k in range(0, len(rows), batch_size):
            cur.executemany(sql, rows[k : k + batch_size])


# --- categories, settings, calendar, address book ------------------------------------------


def _require_office(acting_user: Any, city_id: int) -> Scope | None:
    scope = _scope(acting_user)
    if scope is not None and not (scope.write_all and scope.city_id == city_id):
        raise PermissionDenied(_("只有创建办管理员可以执行此操作"))
    return scope


@transaction.atomic
def load_categories(
    city: City, path: Path | str | None = None, *, acting_user: Any = None
) -> tuple[int, int]:
    """Load (or refresh the defaults of) the standard categories from the data file; the
    office's edits to existing rows are kept. Returns (created, unchanged)."""
    _require_office(acting_user, city.pk)
    data = json.loads(Path(path or CATEGORIES_FILE).read_text(encoding="utf-8"))
    departments = dict(Unit.objects.filter(city=city).values_list("name", "pk"))
    existing = set(Category.objects.filter(city=city).values_list("code", flat=True))
    new = []
    for i, row in enumerate(data["categories"]):
        family = row["family"]
        if family not in Family.values:
            raise InvalidInput(_("类别文件有误：类型 %(f)s 无效") % {"f": family})
        code = Category.make_code(family, row["major_code"], row["minor_code"])
        if code in existing:
            continue
        existing.add(code)
        new.append(
            Category(
                city=city,
                family=family,
                major_code=row["major_code"],
                major_name=row["major_name"],
                minor_code=row["minor_code"],
                name=row["name"],
                code=code,
                deadline_value=int(row.get("deadline_value", 3)),
                deadline_unit=row.get("deadline_unit", DeadlineUnit.DAYS),
                deadline_working=bool(row.get("deadline_working", True)),
                department_id=departments.get(row.get("department") or ""),
                owner_first=row.get("owner_first", family == Family.COMPONENT),
                sort=i,
            )
        )
    Category.objects.bulk_create(new)
    audit.record(
        "cases.categories.loaded",
        None,
        actor=acting_user,
        city=city,
        after={"created": len(new)},
        summary=f"{len(new)}",
        object_type="cases.category",
    )
    return len(new), len(data["categories"]) - len(new)


CATEGORY_FIELDS = [
    "name",
    "major_name",
    "deadline_value",
    "deadline_unit",
    "deadline_working",
    "department",
    "owner_first",
    "active",
]


def _check_category_fields(city_id: int, changes: dict[str, Any]) -> None:
    if changes.get("deadline_unit", DeadlineUnit.DAYS) not in DeadlineUnit.values:
        raise InvalidInput(_("时限单位无效"), code="bad_deadline")
    if "deadline_value" in changes and not (0 < int(changes["deadline_value"]) <= 1000):
        raise InvalidInput(_("处置时限必须是 1 到 1000 之间的整数"), code="bad_deadline")
    dept = changes.get("department")
    if dept is not None and dept.city_id != city_id:
        raise InvalidInput(_("责任部门不属于本城市"), code="bad_unit")


@transaction.atomic
def create_category(
    city: City,
    *,
    family: str,
    major_code: str,
    major_name: str,
    minor_code: str,
    name: str,
    deadline_value: int = 3,
    deadline_unit: str = DeadlineUnit.DAYS,
    deadline_working: bool = True,
    department: Unit | None = None,
    acting_user: Any = None,
) -> Category:
    """A city's own category (本市增补)."""
    _require_office(acting_user, city.pk)
    if family not in Family.values:
        raise InvalidInput(_("类型无效"), code="bad_family")
    if not (re.fullmatch(r"\d{2}", major_code or "") and re.fullmatch(r"\d{2}", minor_code or "")):
        raise InvalidInput(_("大类和小类代码必须是两位数字"), code="bad_code")
    if not (name or "").strip() or not (major_name or "").strip():
        raise InvalidInput(_("类别名称不能为空"), code="required")
    _check_category_fields(
        city.pk,
        {
            "deadline_unit": deadline_unit,
            "deadline_value": deadline_value,
            "department": department,
        },
    )
    code = Category.make_code(family, major_code, minor_code)
    if Category.objects.filter(city=city, code=code).exists():
        raise InvalidInput(_("类别编码「%(c)s」已存在") % {"c": code}, code="duplicate_code")
    cat = Category.objects.create(
        city=city,
        family=family,
        major_code=major_code,
        major_name=major_name.strip(),
        minor_code=minor_code,
        name=name.strip(),
        code=code,
        deadline_value=deadline_value,
        deadline_unit=deadline_unit,
        deadline_working=deadline_working,
        department=department,
        owner_first=family == Family.COMPONENT,
        city_added=True,
    )
    audit.record(
        "cases.category.created",
        cat,
        actor=acting_user,
        after=audit.snapshot(cat, ["code", *CATEGORY_FIELDS]),
        summary=str(cat),
    )
    return cat


@transaction.atomic
def update_category(category: Category, *, acting_user: Any = None, **changes: Any) -> Category:
    category = Category.objects.select_for_update().get(pk=category.pk)
    _require_office(acting_user, category.city_id)
    unknown = set(changes) - set(CATEGORY_FIELDS) - {"indicators"}
    if unknown:
        raise InvalidInput(_("不能修改字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    _check_category_fields(category.city_id, changes)
    indicators = changes.pop("indicators", None)
    before = audit.snapshot(category, CATEGORY_FIELDS)
    for key, value in changes.items():
        setattr(category, key, value)
    category.save(update_fields=[*changes.keys(), "updated_at"])
    if indicators is not None:
        category.indicators.set(list(indicators))
    b, a = audit.changes(before, audit.snapshot(category, CATEGORY_FIELDS))
    if indicators is not None:
        a["indicators"] = [getattr(i, "pk", i) for i in indicators]
    audit.record(
        "cases.category.updated",
        category,
        actor=acting_user,
        before=b,
        after=a,
        summary=str(category),
    )
    return category


def duplicate_settings(city_id: int) -> DuplicateSettings:
    row = DuplicateSettings.objects.filter(city_id=city_id).first()
    return row or DuplicateSettings(city_id=city_id)


@transaction.atomic
def update_duplicate_settings(
    city: City, *, radius_m: int, days: int, similarity: float, acting_user: Any = None
) -> DuplicateSettings:
    _require_office(acting_user, city.pk)
    if not (1 <= radius_m <= 5000 and 0 <= days <= 365 and 0 <= similarity <= 1):
        raise InvalidInput(_("重复案件规则超出范围（距离 1–5000 米，天数 0–365，相似度 0–1）"))
    row, _created = DuplicateSettings.objects.update_or_create(
        city=city, defaults={"radius_m": radius_m, "days": days, "similarity": similarity}
    )
    audit.record(
        "cases.duplicate_settings.updated",
        row,
        actor=acting_user,
        city=city,
        after={"radius_m": radius_m, "days": days, "similarity": similarity},
    )
    return row


@transaction.atomic
def set_calendar_override(
    city: City, day: Any, is_workday: bool | None, *, note: str = "", acting_user: Any = None
) -> CalendarOverride | None:
    """Mark a date a working day or a holiday for this city; ``None`` removes the override."""
    _require_office(acting_user, city.pk)
    before = CalendarOverride.objects.filter(city=city, date=day).first()
    if is_workday is None:
        if before:
            before.delete()
        row = None
    else:
        row, _created = CalendarOverride.objects.update_or_create(
            city=city, date=day, defaults={"is_workday": is_workday, "note": note[:100]}
        )
    audit.record(
        "cases.calendar.override",
        row,
        actor=acting_user,
        city=city,
        before={"date": day, "is_workday": before.is_workday} if before else None,
        after={"date": day, "is_workday": is_workday},
        object_type="cases.calendaroverride",
    )
    return row


@transaction.atomic
def add_address(
    city: City,
    keyword: str,
    *,
    grid: Grid | None = None,
    unit: Unit | None = None,
    acting_user: Any = None,
) -> AddressEntry:
    _require_office(acting_user, city.pk)
    keyword = (keyword or "").strip()
    if len(keyword) < 2 or (grid is None and unit is None):
        raise InvalidInput(_("地名至少两个字，并指定网格或单位"))
    if any(x is not None and x.city_id != city.pk for x in (grid, unit)):
        raise InvalidInput(_("网格或单位不属于本城市"))
    entry, _created = AddressEntry.objects.update_or_create(
        city=city,
        keyword=keyword,
        defaults={
            "grid": grid,
            "unit": unit or (grid.unit if grid else None),
            "lon": grid.centroid_lon if grid else None,
            "lat": grid.centroid_lat if grid else None,
        },
    )
    audit.record("cases.address.saved", entry, actor=acting_user, after={"keyword": keyword})
    return entry


class AddressBook:
    """Address → (grid, unit): the office's address book first, then street and community
    names. The longest name contained in the address wins."""

    def __init__(self, city_id: int):
        entries = AddressEntry.objects.filter(city_id=city_id).values_list(
            "keyword", "grid_id", "unit_id"
        )
        self.entries: list[tuple[str, int | None, int | None]] = sorted(
            entries, key=lambda e: -len(e[0])
        )
        units = Unit.objects.filter(
            city_id=city_id, active=True, kind__in=["community", "street", "district"]
        ).values_list("name", "pk")
        self.units = sorted(((n, pk) for n, pk in units if len(n) >= 2), key=lambda e: -len(e[0]))

    def match(self, address: str) -> tuple[int | None, int | None]:
        if not address:
            return None, None
        for keyword, grid_id, unit_id in self.entries:
            if keyword in address:
                return grid_id, unit_id
        for name, pk in self.units:
            if name in address:
                return None, pk
        return None, None


# --- intake --------------------------------------------------------------------------------


@dataclass
class IntakeData:
    """One report as it arrives from any channel (form, 随手拍, 12345, Open311 …)."""

    source: str
    description: str = ""
    category: Category | str | None = None  # a Category or its code (Open311 service_code)
    lon: Coordinate = None
    lat: Coordinate = None
    crs: str = "wgs84"
    address: str = ""
    external_id: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    reporter: Person | None = None
    photos: Sequence[IO[bytes] | bytes] = ()
    reported_at: datetime | None = None
    indicator_id: int | None = None


@dataclass
class IntakeResult:
    case: Case
    report: Report
    merged: bool  # attached to an existing open case (并单) instead of opening a new one


@dataclass
class _Prepared:
    data: IntakeData
    category: Category | None
    lon: float | None
    lat: float | None
    reported_at: datetime
    photos: list = field(default_factory=list)
    grid_id: int | None = None
    area_unit_id: int | None = None


def _category_map(city_id: int) -> dict[Any, Category]:
    cats = Category.objects.filter(city_id=city_id, active=True).select_related("department")
    out: dict[Any, Category] = {}
    for c in cats:
        out[c.code] = c
        out[c.pk] = c
    return out


def _prepare(item: IntakeData, categories: dict[Any, Category], now: datetime) -> _Prepared:
    if item.source not in _SOURCES:
        raise InvalidInput(_("来源「%(s)s」无效") % {"s": item.source}, code="bad_source")
    description = (item.description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(_("问题描述不能超过 2000 字"), code="too_long")
    item.description = description
    item.address = (item.address or "").strip()[:300]
    category = None
    if item.category is not None and item.category != "":
        key = item.category.pk if isinstance(item.category, Category) else item.category
        category = categories.get(key)
        if category is None:
            raise InvalidInput(
                _("案件类别「%(c)s」不存在或已停用") % {"c": item.category}, code="bad_category"
            )
    lon = lat = None
    if item.lon not in (None, "") or item.lat not in (None, ""):
        lon, lat = to_wgs84(item.lon, item.lat, item.crs)
    if lon is None and not item.address and not description:
        raise InvalidInput(_("请提供问题位置（坐标或地址）或描述"), code="required")
    phone = re.sub(r"[\s-]", "", item.reporter_phone or "")
    if phone and not (is_mobile(phone) or re.fullmatch(r"\d{7,12}", phone)):
        raise InvalidInput(_("联系电话「%(p)s」格式不正确") % {"p": phone}, code="bad_phone")
    item.reporter_phone = phone
    reported_at = item.reported_at or now
    if reported_at > now + timedelta(minutes=5):
        raise InvalidInput(_("上报时间不能晚于当前时间"), code="bad_time")
    photos = [check_photo(p) for p in item.photos]
    return _Prepared(item, category, lon, lat, reported_at, photos)


def suggest_unit(
    category: Category | None, area_unit_id: int | None
) -> tuple[int | None, Unit | None]:
    """条块 rule: 部件 先属主、后属地 (the asset's owner department first), 事件 先属地、后属主
    (the grid's 块 unit first). Returns (unit_id, the department when it was chosen)."""
    dept = category.department if category is not None else None
    if dept is not None and category is not None and category.owner_first:
        return dept.pk, dept
    if area_unit_id is not None:
        return area_unit_id, None
    if dept is not None:
        return dept.pk, dept
    return None, None


def _check_intake_actor(scope: Scope | None, city: City) -> None:
    if scope is None:
        return
    if scope.city_id != city.pk or not scope.roles & INTAKE_ROLES:
        raise PermissionDenied(_("无权在本城市上报问题"))


def intake_case(city: City, data: IntakeData, *, acting_user: Any = None) -> IntakeResult:
    """Take one report in: locate it, apply the category's defaults, check for a duplicate
    (then attach to the existing case, 并单), write the case, report, event and audit rows."""
    return intake_cases(city, [data], acting_user=acting_user)[0]


@transaction.atomic
def intake_cases(
    city: City,
    items: Sequence[IntakeData],
    *,
    acting_user: Any = None,
    check_duplicates: bool = True,
) -> list[IntakeResult]:
    """Batch intake: the same validation, grid lookup, defaults and duplicate check as
    ``intake_case`` for many reports at once (imports, Open311 bulk, the benchmark)."""
    scope = _scope(acting_user)
    _check_intake_actor(scope, city)
    user = _user(acting_user)
    user_id = user.pk if user is not None else None
    reporter_person = None
    if scope is not None and scope.roles <= {Role.CITIZEN, Role.VOLUNTEER}:
        reporter_person = scope.person_id
    now = timezone.now()
    categories = _category_map(city.pk)
    prepared: list[_Prepared] = []
    for i, item in enumerate(items):
        try:
            prepared.append(_prepare(item, categories, now))
        except ServiceError as exc:
            if len(items) == 1:
                raise
            raise InvalidInput(
                _("第 %(n)d 条：%(m)s") % {"n": i + 1, "m": exc.message}, code=exc.code
            ) from exc

    # point → grid (vectorised), address → grid/unit
    located = [p for p in prepared if p.lon is not None]
    if located:
        hits = locate_points(city, [(p.lon, p.lat) for p in located])  # type: ignore[misc]
        for p, hit in zip(located, hits, strict=True):
            if hit is not None:
                p.grid_id, p.area_unit_id = hit.grid_id, hit.unit_id
    book = None
    for p in prepared:
        if p.grid_id is None and p.data.address:
            book = book or AddressBook(city.pk)
            p.grid_id, unit_id = book.match(p.data.address)
            p.area_unit_id = unit_id
    grid_units: dict[int, int] = {}
    need_grids = {p.grid_id for p in prepared if p.grid_id and p.area_unit_id is None}
    if need_grids:
        grid_units = dict(Grid.objects.filter(pk__in=need_grids).values_list("pk", "unit_id"))
        for p in prepared:
            if p.grid_id and p.area_unit_id is None:
                p.area_unit_id = grid_units.get(p.grid_id)
    unit_ids = {p.area_unit_id for p in prepared if p.area_unit_id}
    paths = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "path")) if unit_ids else {}

    # duplicate candidates: one indexed query over (city, category, cell, reported_at)
    rule = duplicate_settings(city.pk)
    pool = dedupe.CandidatePool(rule.radius_m, rule.similarity)
    window = timedelta(days=rule.days)
    dup_items = [p for p in prepared if p.lon is not None and p.category is not None]
    if check_duplicates and dup_items:
        since = min(p.reported_at for p in dup_items) - window
        wanted = dedupe.wanted_cells(
            ((p.category.pk, p.lon, p.lat) for p in dup_items),  # type: ignore[union-attr,misc]
            rule.radius_m,
        )
        for chunk in dedupe.pair_chunks(wanted):
            pairs = Q()
            for category_id, cells in chunk:
                pairs |= Q(category_id=category_id, cell__in=cells)
            rows = Case.objects.filter(
                pairs, city_id=city.pk, reported_at__gte=since, state__in=MERGEABLE
            ).values_list("pk", "category_id", "lon", "lat", "description", "reported_at")
            pool.extend(dedupe.Candidate(*row) for row in rows)  # type: ignore[arg-type]

    new_cases: list[Case] = []
    reports: list[Report] = []
    merged_into: list[tuple[Report, Any, _Prepared]] = []  # (report, case or pk, item)
    results: list[tuple[Report, Any, bool]] = []
    counts: Counter = Counter()
    for p in prepared:
        d = p.data
        match = None
        if check_duplicates and p.lon is not None and p.category is not None:
            match = pool.match(p.category.pk, p.lon, p.lat, d.description)  # type: ignore[arg-type]
            if match is not None and match.reported_at < p.reported_at - window:  # type: ignore[operator]
                match = None
        report = Report(
            city_id=city.pk,
            source=d.source,
            tracking_code=new_tracking_code(),
            description=d.description,
            address=d.address,
            lon=p.lon,
            lat=p.lat,
            external_id=(d.external_id or "")[:64],
            reporter_name=(d.reporter_name or "").strip()[:50],
            reporter_phone=d.reporter_phone,
            reporter_email=(d.reporter_email or "").strip()[:100],
            reporter_id=d.reporter.pk if d.reporter is not None else reporter_person,
            reported_at=p.reported_at,
        )
        reports.append(report)
        if match is not None:
            target = match.key
            if isinstance(target, Case):
                target.report_count += 1
            merged_into.append((report, target, p))
            results.append((report, target, True))
            continue
        unit_id, _dept = suggest_unit(p.category, p.area_unit_id)
        unit_path = ""
        if unit_id is not None:
            unit_path = paths.get(unit_id) or (_dept.path if _dept is not None else "")
        case = Case(
            city_id=city.pk,
            source=d.source,
            category=p.category,
            indicator_id=d.indicator_id,
            description=d.description,
            address=d.address,
            lon=p.lon,
            lat=p.lat,
            cell=dedupe.cell_of(p.lon, p.lat) if p.lon is not None and p.lat is not None else None,
            grid_id=p.grid_id,
            area_unit_id=p.area_unit_id,
            area_path=paths.get(p.area_unit_id, "") if p.area_unit_id else "",
            unit_id=unit_id,
            unit_path=unit_path,
            state=State.REPORTED,
            external_id=(d.external_id or "")[:64],
            reported_at=p.reported_at,
            created_by=user,
            report_count=1,
        )
        new_cases.append(case)
        counts[(unit_id or 0, State.REPORTED)] += 1
        results.append((report, case, False))
        if check_duplicates and p.lon is not None and p.category is not None:
            pool.add(
                dedupe.Candidate(case, p.category.pk, p.lon, p.lat, d.description, p.reported_at)  # type: ignore[arg-type]
            )

    bulk_insert(Case, new_cases)
    existing_merges: Counter = Counter()
    for report, target, _p in merged_into:
        if isinstance(target, Case):
            report.case = target
        else:
            report.case_id = target
            existing_merges[target] += 1
    for report, target, merged in results:
        if not merged:
            report.case = target
    bulk_insert(Report, reports)
    for case_id, n in existing_merges.items():
        Case.objects.filter(pk=case_id).update(report_count=F("report_count") + n)

    events: list[dict] = []
    audits: list[dict] = []
    for report, target, merged in results:
        case_id = report.case_id
        data = {"report": report.pk, "source": report.source}
        if merged:
            events.append(
                {
                    "case_id": case_id,
                    "at": report.reported_at,
                    "actor_id": user_id,
                    "action": Action.MERGED,
                    "note": _("并单：新的上报 %(code)s") % {"code": report.tracking_code},
                    "data": data,
                }
            )
            audit_code, summary = "cases.case.merged", report.tracking_code
        else:
            events.append(
                {
                    "case_id": case_id,
                    "at": report.reported_at,
                    "actor_id": user_id,
                    "action": Action.INTAKE,
                    "to_state": State.REPORTED,
                    "data": data,
                }
            )
            audit_code, summary = "cases.case.reported", report.description[:100]
        audits.append(
            {
                "city_id": city.pk,
                "actor_id": user_id,
                "code": audit_code,
                "object_type": "cases.case",
                "object_id": str(case_id),
                "summary": summary,
                "after": {**data, "unit": target_unit(target)},
            }
        )
    bulk_insert(CaseEvent, events)
    bulk_insert(AuditEvent, audits)
    _bump_counts(city.pk, counts)

    out = []
    case_by_id: dict[int, Case] = {c.pk: c for c in new_cases}
    missing = {r.case_id for r, _t, m in results if m and r.case_id not in case_by_id}
    if missing:
        case_by_id.update(Case.objects.in_bulk(list(missing)))
    for (report, _t, merged), p in zip(results, prepared, strict=True):
        case = case_by_id[report.case_id]
        for photo in p.photos:
            _save_photo(case, photo, PhotoKind.BEFORE, report=report, user=user)
        out.append(IntakeResult(case, report, merged))
    return out


def target_unit(target: Any) -> int | None:
    return target.unit_id if isinstance(target, Case) else None


def _save_photo(
    case: Case, photo: Any, kind: str, *, report: Report | None = None, user: Any = None
) -> CasePhoto:
    row = CasePhoto(
        case=case,
        report=report,
        kind=kind,
        width=photo.width,
        height=photo.height,
        size=photo.size,
        exif_lon=photo.lon,
        exif_lat=photo.lat,
        taken_at=photo.taken_at,
        uploaded_by=user,
    )
    row.original.save(photo.original.name, photo.original, save=False)
    row.public.save(photo.public.name, photo.public, save=False)
    row.save()
    return row


# --- transitions ----------------------------------------------------------------------------


def _begin(case: Case | int, action: str, acting_user: Any) -> tuple[Case, Scope | None, str]:
    """Lock the case, check it is visible to the actor (404 alike) and return the target state
    (or raise InvalidTransition). Role checks follow in each service."""
    pk = case if isinstance(case, int) else case.pk
    locked = Case.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound()
    scope = _scope(acting_user)
    if scope is not None and not can_see(scope, locked):
        raise NotFound()
    return locked, scope, action


def _target(case: Case, action: str) -> str:
    try:
        return target_state(action, case.state)  # type: ignore[return-value]
    except KeyError:
        raise InvalidTransition(
            _("案件当前状态为「%(s)s」，不能执行「%(a)s」")
            % {"s": State(case.state).label, "a": Action(action).label}
        ) from None


def _need_office(scope: Scope | None) -> None:
    if scope is not None and not scope.write_all:
        raise PermissionDenied(_("只有创建办管理员可以执行此操作"))


def _need_unit(scope: Scope | None, case: Case) -> None:
    """The responsible unit's liaisons (its subtree) act for the unit; the office may too."""
    if scope is None or scope.write_all:
        return
    if not _covers(_paths_for_roles(scope, {Role.UNIT_LIAISON}), case.unit_path):
        raise PermissionDenied(_("只有责任单位的联络员可以执行此操作"))


def _need_verifier(scope: Scope | None, case: Case, acting_user: Any) -> None:
    """Verification: the office, an inspector over the case, or a grid worker of its area —
    never the person who reported the handling."""
    if scope is not None and not scope.write_all:
        inspectors = _paths_for_roles(scope, {Role.INSPECTOR})
        workers = _paths_for_roles(scope, {Role.GRID_WORKER})
        if not (
            _covers(inspectors, case.unit_path, case.area_path) or _covers(workers, case.area_path)
        ):
            raise PermissionDenied(_("只有督查员、网格员或创建办可以核查"))
    if acting_user is not None and case.handled_by_id == acting_user.pk:
        raise PermissionDenied(_("核查人不能是处置人本人"), code="same_person")


def _finish(
    case: Case,
    action: str,
    from_state: str,
    fields: Sequence[str],
    *,
    acting_user: Any,
    before: dict[str, Any],
    old_unit_id: int | None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    case.save(update_fields=[*fields, "updated_at"])
    event = CaseEvent.objects.create(
        case=case,
        actor=_user(acting_user),
        action=action,
        from_state=from_state,
        to_state=case.state if case.state != from_state else "",
        note=note,
        data=data or {},
    )
    b, a = audit.changes(before, audit.snapshot(case, CASE_FIELDS))
    audit.record(
        f"cases.case.{action}",
        case,
        actor=acting_user,
        before=b,
        after={**a, **({"note": note} if note else {})},
        summary=f"{case.number} {note}"[:300],
    )
    if from_state != case.state or old_unit_id != case.unit_id:
        _bump_counts(
            case.city_id,
            Counter({(old_unit_id or 0, from_state): -1, (case.unit_id or 0, case.state): 1}),
        )
    return event


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if len(text) < 2:
        raise InvalidInput(_("请填写%(w)s") % {"w": what}, code="reason_required")
    return text[:1000]


@transaction.atomic
def register_case(
    case: Case | int,
    *,
    category: Category | None = None,
    note: str = "",
    acting_user: Any = None,
) -> Case:
    """立案: the office accepts the report as a case (optionally fixing its category)."""
    case, scope, _a = _begin(case, Action.REGISTER, acting_user)
    _need_office(scope)
    target = _target(case, Action.REGISTER)
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    fields = ["state", "registered_at"]
    if category is not None:
        if category.city_id != case.city_id:
            raise InvalidInput(_("类别不属于本城市"), code="bad_category")
        case.category = category
        unit_id, dept = suggest_unit(category, case.area_unit_id)
        if unit_id != case.unit_id:
            case.unit_id = unit_id
            case.unit_path = (
                dept.path
                if dept is not None
                else Unit.objects.filter(pk=unit_id or 0).values_list("path", flat=True).first()
                or ""
            )
            fields += ["unit", "unit_path"]
        fields.append("category")
    case.state, case.registered_at = target, timezone.now()
    _finish(
        case,
        Action.REGISTER,
        from_state,
        fields,
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
    )
    return case


@transaction.atomic
def reject_case(
    case: Case | int,
    *,
    reason: str,
    duplicate_of: Case | None = None,
    acting_user: Any = None,
) -> Case:
    """不予立案: not a case, or a duplicate of another (its reports move to that case, so every
    reporter still hears the outcome)."""
    case, scope, _a = _begin(case, Action.REJECT, acting_user)
    _need_office(scope)
    target = _target(case, Action.REJECT)
    reason = _reason(reason, _("不予立案的理由"))
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    fields = ["state", "resolution", "closed_at"]
    data: dict[str, Any] = {}
    if duplicate_of is not None:
        if duplicate_of.pk == case.pk or duplicate_of.city_id != case.city_id:
            raise InvalidInput(_("重复案件的原案件无效"), code="bad_duplicate")
        original = Case.objects.select_for_update().get(pk=duplicate_of.pk)
        if original.state not in MERGEABLE and original.state not in (State.CLOSED, State.RATED):
            raise InvalidInput(_("原案件已不予立案，不能并入"), code="bad_duplicate")
        moved = Report.objects.filter(case=case).update(case=original)
        Case.objects.filter(pk=original.pk).update(report_count=F("report_count") + moved)
        CaseEvent.objects.create(
            case=original,
            actor=_user(acting_user),
            action=Action.MERGED,
            note=_("并单：案件 %(n)s 的 %(k)d 条上报并入") % {"n": case.number, "k": moved},
            data={"from_case": case.pk},
        )
        case.duplicate_of = original
        case.resolution = Resolution.DUPLICATE
        fields.append("duplicate_of")
        data["duplicate_of"] = original.pk
    else:
        case.resolution = Resolution.INVALID
    case.state, case.closed_at = target, timezone.now()
    _finish(
        case,
        Action.REJECT,
        from_state,
        fields,
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=reason,
        data=data,
    )
    notify(
        _reporter_users(case),
        case,
        _("您反映的问题 %(n)s 不予立案：%(r)s") % {"n": case.number, "r": reason},
    )
    return case


@transaction.atomic
def dispatch_case(
    case: Case | int,
    *,
    unit: Unit | None = None,
    category: Category | None = None,
    deadline: datetime | None = None,
    note: str = "",
    acting_user: Any = None,
) -> Case:
    """派遣 (and re-dispatch after a return): to the suggested unit unless another is named;
    the deadline comes from the category (working days on the Chinese calendar) unless given."""
    case, scope, _a = _begin(case, Action.DISPATCH, acting_user)
    _need_office(scope)
    target = _target(case, Action.DISPATCH)
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    if category is not None:
        if category.city_id != case.city_id:
            raise InvalidInput(_("类别不属于本城市"), code="bad_category")
        case.category = category
    cat = case.category
    if unit is None:
        if from_state == State.RETURNED:
            raise InvalidInput(_("退回的案件请改派给其他单位"), code="unit_required")
        if case.unit_id is None:
            unit_id, _dept = suggest_unit(cat, case.area_unit_id)
            if unit_id is None:
                raise InvalidInput(_("无法确定责任单位，请手工指定"), code="unit_required")
            case.unit_id = unit_id
        unit = Unit.objects.get(pk=case.unit_id)
    if unit.city_id != case.city_id or not unit.active:
        raise InvalidInput(_("责任单位无效"), code="bad_unit")
    now = timezone.now()
    if deadline is not None:
        if deadline <= now:
            raise InvalidInput(_("处置时限必须晚于当前时间"), code="bad_deadline")
        case.deadline_overridden = True
    elif cat is not None:
        deadline = WorkCalendar.for_city(case.city_id).deadline(
            now, cat.deadline_value, cat.deadline_unit, cat.deadline_working
        )
        case.deadline_overridden = False
    else:
        raise InvalidInput(_("请选择案件类别或指定处置时限"), code="deadline_required")
    case.unit, case.unit_path = unit, unit.path
    case.deadline, case.dispatched_at, case.state = deadline, now, target
    _finish(
        case,
        Action.DISPATCH,
        from_state,
        [
            "state",
            "category",
            "unit",
            "unit_path",
            "deadline",
            "deadline_overridden",
            "dispatched_at",
        ],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
        data={"unit": unit.pk, "deadline": deadline.isoformat()},
    )
    notify(
        _unit_users(unit.pk, [Role.UNIT_LIAISON]),
        case,
        _("新派遣案件 %(n)s，请在 %(d)s 前处置")
        % {"n": case.number, "d": f"{timezone.localtime(deadline):%m-%d %H:%M}"},
    )
    return case


@transaction.atomic
def return_case(case: Case | int, *, reason: str, acting_user: Any = None) -> Case:
    """退回: the unit disputes the dispatch; the office re-dispatches."""
    case, scope, _a = _begin(case, Action.RETURN, acting_user)
    _need_unit(scope, case)
    target = _target(case, Action.RETURN)
    reason = _reason(reason, _("退回理由"))
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    case.state = target
    _finish(
        case,
        Action.RETURN,
        from_state,
        ["state"],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=reason,
        data={"unit": case.unit_id},
    )
    notify(
        _office_users(case.city_id),
        case,
        _("案件 %(n)s 被退回：%(r)s") % {"n": case.number, "r": reason},
    )
    return case


@transaction.atomic
def accept_case(case: Case | int, *, note: str = "", acting_user: Any = None) -> Case:
    """签收: the responsible unit starts handling."""
    case, scope, _a = _begin(case, Action.ACCEPT, acting_user)
    _need_unit(scope, case)
    target = _target(case, Action.ACCEPT)
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    case.state = target
    _finish(
        case,
        Action.ACCEPT,
        from_state,
        ["state"],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
    )
    return case


@transaction.atomic
def handle_case(
    case: Case | int,
    *,
    note: str,
    photos: Sequence[IO[bytes] | bytes] = (),
    acting_user: Any = None,
) -> Case:
    """处置反馈: the unit reports the problem handled, with after-photos."""
    case, scope, _a = _begin(case, Action.HANDLE, acting_user)
    _need_unit(scope, case)
    target = _target(case, Action.HANDLE)
    note = _reason(note, _("处置情况"))
    checked = [check_photo(p) for p in photos]
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    case.state, case.handled_at, case.handled_by = target, timezone.now(), _user(acting_user)
    for photo in checked:
        _save_photo(case, photo, PhotoKind.AFTER, user=_user(acting_user))
    _finish(
        case,
        Action.HANDLE,
        from_state,
        ["state", "handled_at", "handled_by"],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
        data={"photos": len(checked), "on_time": not case.is_overdue},
    )
    notify(_office_users(case.city_id), case, _("案件 %(n)s 已处置，待核查") % {"n": case.number})
    return case


@transaction.atomic
def verify_case(
    case: Case | int,
    *,
    passed: bool,
    note: str = "",
    photos: Sequence[IO[bytes] | bytes] = (),
    lon: Coordinate = None,
    lat: Coordinate = None,
    acting_user: Any = None,
) -> Case:
    """核查 on site by someone other than the handler, with a photo: passed → verified,
    failed → rework (back to the unit)."""
    action = Action.VERIFY if passed else Action.REWORK
    case, scope, _a = _begin(case, action, acting_user)
    _need_verifier(scope, case, acting_user)
    target = _target(case, action)
    if not photos:
        raise InvalidInput(_("核查需要上传现场照片"), code="photo_required")
    if not passed:
        note = _reason(note, _("核查不通过的原因"))
    checked = [check_photo(p) for p in photos]
    where: tuple[float, float] | None = None
    if lon not in (None, "") and lat not in (None, ""):
        where = to_wgs84(lon, lat)
    else:
        where = next(
            ((p.lon, p.lat) for p in checked if p.lon is not None and p.lat is not None), None
        )
    if where is not None and case.lon is not None:
        far = distance_m(where[0], where[1], case.lon, case.lat)  # type: ignore[arg-type]
        if far > VERIFY_MAX_DISTANCE_M:
            raise InvalidInput(
                _("核查位置距案件位置 %(d)d 米，需在现场核查") % {"d": far}, code="not_on_site"
            )
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    fields = ["state"]
    case.state = target
    if passed:
        case.verified_at = timezone.now()
        fields.append("verified_at")
    else:
        case.rework_count += 1
        fields.append("rework_count")
    for photo in checked:
        _save_photo(case, photo, PhotoKind.VERIFY, user=_user(acting_user))
    _finish(
        case,
        action,
        from_state,
        fields,
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
        data={"lon": where[0], "lat": where[1]} if where else {},
    )
    if not passed:
        notify(
            _unit_users(case.unit_id, [Role.UNIT_LIAISON]),
            case,
            _("案件 %(n)s 核查未通过，请返工：%(r)s") % {"n": case.number, "r": note},
        )
    return case


@transaction.atomic
def close_case(
    case: Case | int,
    *,
    resolution: str = Resolution.FIXED,
    note: str = "",
    acting_user: Any = None,
) -> Case:
    """结案. Only a verified case closes as fixed; a case closed as not ours or unfixable (from
    any open state after registration) never counts as fixed."""
    case, scope, _a = _begin(case, Action.CLOSE, acting_user)
    _need_office(scope)
    target = _target(case, Action.CLOSE)
    if resolution not in (Resolution.FIXED, Resolution.NOT_OURS, Resolution.UNFIXABLE):
        raise InvalidInput(_("结案结果无效"), code="bad_resolution")
    if case.state == State.VERIFIED and resolution != Resolution.FIXED:
        raise InvalidInput(_("已核查通过的案件只能以「已解决」结案"), code="bad_resolution")
    if case.state != State.VERIFIED:
        if resolution == Resolution.FIXED:
            raise InvalidTransition(_("案件未经核查，不能以「已解决」结案"))
        note = _reason(note, _("结案说明"))
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    case.state, case.resolution, case.closed_at = target, resolution, timezone.now()
    _finish(
        case,
        Action.CLOSE,
        from_state,
        ["state", "resolution", "closed_at"],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
        data={"resolution": resolution},
    )
    notify(
        _reporter_users(case),
        case,
        _("您反映的问题 %(n)s 已办结（%(r)s），欢迎评价")
        % {"n": case.number, "r": Resolution(resolution).label},
    )
    return case


@transaction.atomic
def rate_report(
    report: Report | int, *, rating: int, comment: str = "", acting_user: Any = None
) -> Report:
    """满意度评价 by the reporter (their account, or the tracking code on the public page with
    acting_user=None), or the office on a 回访 call. The case becomes ``rated``."""
    pk = report if isinstance(report, int) else report.pk
    found = Report.objects.select_related("reporter").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    report = found
    scope = _scope(acting_user)
    if scope is not None and not (
        (scope.write_all and scope.city_id == report.city_id)
        or (scope.person_id is not None and report.reporter_id == scope.person_id)
    ):
        raise (
            NotFound()
            if scope.city_id != report.city_id
            else PermissionDenied(_("只有上报人本人可以评价"))
        )
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(_("满意度必须是 1 到 5"), code="bad_rating")
    if report.rating is not None:
        raise InvalidTransition(_("该上报已评价过"))
    case = Case.objects.select_for_update().get(pk=report.case_id)
    target = _target(case, Action.RATE)
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    report.rating, report.rating_comment, report.rated_at = (
        rating,
        comment.strip()[:300],
        timezone.now(),
    )
    report.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    avg = Report.objects.filter(case=case, rating__isnull=False).aggregate(a=Avg("rating"))["a"]
    case.rating = round(avg) if avg is not None else rating
    case.state = target
    _finish(
        case,
        Action.RATE,
        from_state,
        ["state", "rating"],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=report.rating_comment,
        data={"report": report.pk, "rating": rating},
    )
    return report


# --- extensions -----------------------------------------------------------------------------


@transaction.atomic
def request_extension(
    case: Case | int, *, until: datetime, reason: str, acting_user: Any = None
) -> Extension:
    """The unit asks for more time, before the deadline passes."""
    case, scope, _a = _begin(case, Action.EXTENSION_REQUEST, acting_user)
    _need_unit(scope, case)
    _target(case, Action.EXTENSION_REQUEST)
    reason = _reason(reason, _("延期理由"))
    now = timezone.now()
    if case.deadline is None or now >= case.deadline:
        raise InvalidTransition(_("已超过处置时限，不能再申请延期"), code="too_late")
    if until <= case.deadline:
        raise InvalidInput(_("申请的时限必须晚于当前时限"), code="bad_deadline")
    if Extension.objects.filter(case=case, status=ExtensionStatus.PENDING).exists():
        raise InvalidTransition(_("已有待审批的延期申请"), code="pending_exists")
    ext = Extension.objects.create(
        case=case,
        requested_by=_user(acting_user),
        old_deadline=case.deadline,
        requested_deadline=until,
        reason=reason,
    )
    _finish(
        case,
        Action.EXTENSION_REQUEST,
        case.state,
        [],
        acting_user=acting_user,
        before=audit.snapshot(case, CASE_FIELDS),
        old_unit_id=case.unit_id,
        note=reason,
        data={"extension": ext.pk, "until": until.isoformat()},
    )
    notify(_office_users(case.city_id), case, _("案件 %(n)s 申请延期") % {"n": case.number})
    return ext


@transaction.atomic
def decide_extension(
    extension: Extension | int,
    *,
    approve: bool,
    note: str = "",
    until: datetime | None = None,
    acting_user: Any = None,
) -> Extension:
    """The office approves (the deadline moves, optionally to another date) or refuses."""
    pk = extension if isinstance(extension, int) else extension.pk
    ext = Extension.objects.select_for_update().filter(pk=pk).first()
    if ext is None:
        raise NotFound()
    action = Action.EXTENSION_APPROVE if approve else Action.EXTENSION_REFUSE
    case, scope, _a = _begin(ext.case_id, action, acting_user)
    _need_office(scope)
    if ext.status != ExtensionStatus.PENDING:
        raise InvalidTransition(_("该延期申请已审批"))
    _target(case, action)
    if not approve:
        note = _reason(note, _("不同意的理由"))
    before = audit.snapshot(case, CASE_FIELDS)
    fields: list[str] = []
    if approve:
        new = until or ext.requested_deadline
        if case.deadline is not None and new <= case.deadline:
            raise InvalidInput(_("新的时限必须晚于当前时限"), code="bad_deadline")
        case.deadline, case.deadline_overridden = new, True
        fields = ["deadline", "deadline_overridden"]
    ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    ext.decided_by, ext.decided_at, ext.decision_note = (
        _user(acting_user),
        timezone.now(),
        note[:300],
    )
    ext.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    _finish(
        case,
        action,
        case.state,
        fields,
        acting_user=acting_user,
        before=before,
        old_unit_id=case.unit_id,
        note=note,
        data={"extension": ext.pk},
    )
    notify(
        [ext.requested_by_id] if ext.requested_by_id else [],
        case,
        (_("案件 %(n)s 延期申请已同意") if approve else _("案件 %(n)s 延期申请未同意"))
        % {"n": case.number},
    )
    return ext


@transaction.atomic
def add_photos(
    case: Case | int,
    photos: Sequence[IO[bytes] | bytes],
    *,
    kind: str = PhotoKind.BEFORE,
    acting_user: Any = None,
) -> list[CasePhoto]:
    """More before-photos from anyone who may see the case (e.g. an inspector on site)."""
    case, scope, _a = _begin(case, Action.PHOTO, acting_user)
    if scope is not None and scope.read_only and not scope.person_id:
        raise PermissionDenied()
    if scope is not None and Role.LEADER in scope.roles and not scope.write_all:
        raise PermissionDenied(_("领导账号只读"))
    if kind not in PhotoKind.values:
        raise InvalidInput(_("照片类型无效"))
    checked = [check_photo(p) for p in photos]
    if not checked:
        raise InvalidInput(_("请选择照片"), code="photo_required")
    rows = [_save_photo(case, p, kind, user=_user(acting_user)) for p in checked]
    CaseEvent.objects.create(
        case=case,
        actor=_user(acting_user),
        action=Action.PHOTO,
        data={"n": len(rows), "kind": kind},
    )
    return rows


# --- 12345 import -----------------------------------------------------------------------------

HOTLINE_REQUIRED = ["工单编号", "诉求内容"]
HOTLINE_OPTIONAL = ["来电时间", "来电人", "联系电话", "问题地址", "经度", "纬度", "类别编码"]


def import_hotline_orders(
    city: City, file: IO[bytes] | bytes, *, acting_user: Any = None
) -> list[IntakeResult]:
    """12345 work orders from Excel; all or nothing, every bad cell reported.

    Columns: 工单编号* (unique), 诉求内容*, 来电时间 (yyyy-mm-dd hh:mm), 来电人, 联系电话,
    问题地址, 经度, 纬度 (WGS-84; both or neither), 类别编码 (e.g. SJ0102). A row needs
    coordinates or an address. 工单编号 already imported is an error.
    """
    _require_office(acting_user, city.pk)
    errors = ErrorCollector()
    categories = _category_map(city.pk)
    items: list[IntakeData] = []
    seen: dict[str, int] = {}
    rows = list(read_rows(file, HOTLINE_REQUIRED, HOTLINE_OPTIONAL))
    ids = [str(r.get("工单编号") or "") for _n, r in rows]
    known = set(
        Report.objects.filter(city=city, source=Source.HOTLINE, external_id__in=ids).values_list(
            "external_id", flat=True
        )
    )
    now = timezone.now()
    for number, row in rows:
        order = str(row.get("工单编号") or "").strip()
        text = str(row.get("诉求内容") or "").strip()
        if not order:
            errors.add(number, "工单编号", _("不能为空"))
        elif order in seen:
            errors.add(number, "工单编号", _("与第 %(n)d 行重复") % {"n": seen[order]})
        elif order in known:
            errors.add(number, "工单编号", _("已导入过"))
        seen.setdefault(order, number)
        if not text:
            errors.add(number, "诉求内容", _("不能为空"))
        when = row.get("来电时间")
        if isinstance(when, str):
            try:
                when = datetime.strptime(when[:16], "%Y-%m-%d %H:%M")
            except ValueError:
                errors.add(number, "来电时间", _("格式应为 yyyy-mm-dd hh:mm"))
                when = None
        if isinstance(when, datetime):
            when = timezone.make_aware(when) if timezone.is_naive(when) else when
            if when > now:
                errors.add(number, "来电时间", _("不能晚于当前时间"))
        elif when is not None:
            errors.add(number, "来电时间", _("格式应为 yyyy-mm-dd hh:mm"))
            when = None
        lon, lat = row.get("经度"), row.get("纬度")
        if (lon is None) != (lat is None):
            errors.add(number, "经度", _("经度和纬度须同时填写"))
        elif lon is not None:
            try:
                to_wgs84(lon, lat)
            except InvalidInput as exc:
                errors.add(number, "经度", str(exc.message))
        address = str(row.get("问题地址") or "").strip()
        if lon is None and not address:
            errors.add(number, "问题地址", _("没有坐标时必须填写地址"))
        code = str(row.get("类别编码") or "").strip()
        if code and code not in categories:
            errors.add(number, "类别编码", _("类别「%(c)s」不存在") % {"c": code})
        phone = re.sub(r"[\s-]", "", str(row.get("联系电话") or ""))
        if phone and not (is_mobile(phone) or re.fullmatch(r"\d{7,12}", phone)):
            errors.add(number, "联系电话", _("格式不正确"))
        items.append(
            IntakeData(
                source=Source.HOTLINE,
                description=text,
                category=code or None,
                lon=lon,
                lat=lat,
                address=address,
                external_id=order,
                reporter_name=str(row.get("来电人") or ""),
                reporter_phone=phone,
                reported_at=when if isinstance(when, datetime) else None,
            )
        )
    if not rows:
        errors.add(None, "", _("文件中没有工单"))
    errors.raise_if_any()
    return intake_cases(city, items, acting_user=acting_user)
