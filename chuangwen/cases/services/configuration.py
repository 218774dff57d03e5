"""The office's configuration of the case loop: categories (the standard set and the city's
own), the duplicate rule, and the working-day calendar overrides."""

import json
import re
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput
from chuangwen.org.actors import require_office
from chuangwen.org.models import City, Unit

from ..choices import DeadlineUnit, Family, NoLocationPolicy
from ..models import CalendarOverride, Category, DuplicateSettings

CATEGORIES_FILE = Path(__file__).parent.parent / "data" / "categories.json"


@transaction.atomic
def load_categories(
    city: City, path: Path | str | None = None, *, acting_user: Any
) -> tuple[int, int]:
    """Load (or refresh the defaults of) the standard categories from the data file; the
    office's edits to existing rows are kept. Returns (created, unchanged)."""
    require_office(acting_user, city)
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
    acting_user: Any,
) -> Category:
    """A city's own category (本市增补)."""
    require_office(acting_user, city)
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
def update_category(category: Category, *, acting_user: Any, **changes: Any) -> Category:
    category = Category.objects.select_for_update().get(pk=category.pk)
    require_office(acting_user, category.city_id)
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
    city: City,
    *,
    radius_m: int,
    days: int,
    similarity: float,
    verify_without_location: str | None = None,
    acting_user: Any,
) -> DuplicateSettings:
    """The city's case rules: the duplicate rule, and (when given) whether verification without
    a location needs a recorded reason or is refused."""
    require_office(acting_user, city)
    if not (1 <= radius_m <= 5000 and 0 <= days <= 365 and 0 <= similarity <= 1):
        raise InvalidInput(_("重复案件规则超出范围（距离 1–5000 米，天数 0–365，相似度 0–1）"))
    values: dict[str, Any] = {"radius_m": radius_m, "days": days, "similarity": similarity}
    if verify_without_location is not None:
        if verify_without_location not in NoLocationPolicy.values:
            raise InvalidInput(_("无定位核查规则无效"), code="bad_policy")
        values["verify_without_location"] = verify_without_location
    before = audit.snapshot(duplicate_settings(city.pk), list(values))
    row, _created = DuplicateSettings.objects.update_or_create(city=city, defaults=values)
    audit.record(
        "cases.duplicate_settings.updated",
        row,
        actor=acting_user,
        city=city,
        before=before,
        after=values,
    )
    return row


@transaction.atomic
def set_calendar_override(
    city: City, day: Any, is_workday: bool | None, *, note: str = "", acting_user: Any
) -> CalendarOverride | None:
    """Mark a date a working day or a holiday for this city; ``None`` removes the override."""
    require_office(acting_user, city)
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
