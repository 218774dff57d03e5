"""分解: turning the standards of an evaluation-system version into tasks, in bulk.

- ``DecompositionRule`` rows the office writes once ("standards checked at 农贸市场 → the market
  regulator leads, the street of each market supports") are applied to the whole tree by
  ``apply_rules`` in a fixed, small number of queries whatever the size of the tree;
- ``import_decomposition`` reads an Excel decomposition table, all-or-nothing, every bad cell
  named in Chinese.

Applying is idempotent: a task is one (standard, lead unit); an open task that already exists
keeps what the office edited and only gains missing supporting units.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.apps import apps
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput
from chuangwen.core.xlsx import ErrorCollector, Sheet, read_rows, write_workbook
from chuangwen.indicators.choices import Level, Method, SystemStatus
from chuangwen.indicators.models import CheckItem, EvaluationSystem, Indicator, SiteType
from chuangwen.org.actors import require_office
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import City, Unit

from .choices import LeadMode, SupportFromSites, TaskSource, TaskStatus
from .models import DecompositionRule, Task, TaskSupport
from .services import OFFICE_TASKS

RULE_FIELDS = [
    "name",
    "sort",
    "active",
    "site_type",
    "code_prefix",
    "method",
    "lead_mode",
    "lead_unit",
    "lead_kind",
    "support_from_sites",
    "content",
    "target",
    "deadline",
]
IMPORT_COLUMNS = ["指标编号", "牵头单位", "配合单位", "工作要求", "目标", "完成时限"]
_SPLIT = re.compile(r"[、,，;；\s]+")


# --- rules --------------------------------------------------------------------------------


def _clean_rule(rule: DecompositionRule, city: City) -> None:
    rule.name = (rule.name or "").strip()
    rule.code_prefix = (rule.code_prefix or "").strip()
    if not rule.name:
        raise InvalidInput(_("请填写规则名称"), code="required")
    if rule.site_type_id is None and not rule.code_prefix and not rule.method:
        raise InvalidInput(
            _("请至少指定一个匹配条件：点位类型、指标编号前缀或测评方法"), code="no_criteria"
        )
    if rule.method and rule.method not in Method.values:
        raise InvalidInput(
            _("未知的测评方法「%(rule_method)s」") % {"rule_method": rule.method}, code="bad_method"
        )
    if rule.site_type is not None and rule.site_type.city_id != city.pk:
        raise InvalidInput(_("点位类型不属于本城市"), code="bad_site_type")
    if rule.lead_mode == LeadMode.FIXED:
        if rule.lead_unit is None or rule.lead_unit.city_id != city.pk:
            raise InvalidInput(_("请指定本城市的牵头单位"), code="lead_required")
        rule.lead_kind = ""
    elif rule.lead_mode == LeadMode.EACH_OF_KIND:
        if rule.lead_kind not in UnitKind.values:
            raise InvalidInput(
                _("请指定牵头单位类型（如：每个社区各自牵头）"), code="lead_required"
            )
        rule.lead_unit = None
    else:
        raise InvalidInput(
            _("未知的牵头方式「%(rule_lead_mode)s」") % {"rule_lead_mode": rule.lead_mode},
            code="bad_lead_mode",
        )
    if rule.support_from_sites not in SupportFromSites.values:
        raise InvalidInput(_("按点位推导配合单位的方式无效"), code="bad_support")
    if rule.support_from_sites and rule.site_type_id is None:
        raise InvalidInput(_("按点位推导配合单位时须指定点位类型"), code="bad_support")


@transaction.atomic
def create_rule(
    city: City,
    *,
    name: str,
    site_type: SiteType | None = None,
    code_prefix: str = "",
    method: str = "",
    lead_mode: str = LeadMode.FIXED,
    lead_unit: Unit | None = None,
    lead_kind: str = "",
    supporting_units: Sequence[Unit] = (),
    support_from_sites: str = SupportFromSites.NONE,
    content: str = "",
    target: str = "",
    deadline: dt.date | None = None,
    sort: int = 0,
    acting_user: Any,
) -> DecompositionRule:
    require_office(acting_user, city, OFFICE_TASKS)
    rule = DecompositionRule(
        city=city,
        name=name,
        site_type=site_type,
        code_prefix=code_prefix,
        method=method,
        lead_mode=lead_mode,
        lead_unit=lead_unit,
        lead_kind=lead_kind,
        support_from_sites=support_from_sites,
        content=content,
        target=target[:300],
        deadline=deadline,
        sort=sort,
    )
    _clean_rule(rule, city)
    bad = [u.name for u in supporting_units if u.city_id != city.pk]
    if bad:
        raise InvalidInput(
            _("配合单位不属于本城市：%(bad)s") % {"bad": "、".join(bad)}, code="bad_unit"
        )
    rule.save()
    rule.supporting_units.set(list(supporting_units))
    after = audit.snapshot(rule, RULE_FIELDS)
    after["supporting_units"] = [u.pk for u in supporting_units]
    audit.record("tasks.rule.created", rule, actor=acting_user, after=after, summary=rule.name)
    return rule


@transaction.atomic
def update_rule(
    rule: DecompositionRule,
    *,
    acting_user: Any,
    supporting_units: Sequence[Unit] | None = None,
    **changes: Any,
) -> DecompositionRule:
    rule = DecompositionRule.objects.select_for_update().select_related("city").get(pk=rule.pk)
    require_office(acting_user, rule.city, OFFICE_TASKS)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise InvalidInput(
            _("不能修改字段：%(unknown)s") % {"unknown": ", ".join(sorted(unknown))},
            code="bad_field",
        )
    before = audit.snapshot(rule, RULE_FIELDS)
    for key, value in changes.items():
        setattr(rule, key, value)
    _clean_rule(rule, rule.city)
    rule.save()
    if supporting_units is not None:
        rule.supporting_units.set(list(supporting_units))
    b, a = audit.changes(before, audit.snapshot(rule, RULE_FIELDS))
    audit.record(
        "tasks.rule.updated", rule, actor=acting_user, before=b, after=a, summary=rule.name
    )
    return rule


# --- applying rules ----------------------------------------------------------------------


@dataclass
class DecompositionResult:
    system: EvaluationSystem
    created: int = 0
    existing: int = 0
    supports_added: int = 0
    matched: dict[int, int] = field(default_factory=dict)  # rule id → standards matched
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.existing


def site_units_by_type(
    city_id: int, site_type_ids: Sequence[int]
) -> dict[int, set[tuple[int | None, int | None]]] | None:
    """(owner unit id, 属地 unit id) of the active sites of each type, from the sites registry
    (None when it is not installed). Read through the app registry, not by import."""
    try:
        Site = apps.get_model("sites", "Site")
    except LookupError:
        return None
    found: dict[int, set[tuple[int | None, int | None]]] = defaultdict(set)
    rows = Site._default_manager.filter(
        city_id=city_id, site_type_id__in=list(site_type_ids), active=True
    ).values_list("site_type_id", "owner_id", "area_unit_id")
    for type_id, owner_id, area_id in rows:
        found[type_id].add((owner_id, area_id))
    return found


def _ancestor_of_kind(path: str, kind: str, units: dict[int, tuple[str, str]]) -> int | None:
    for part in reversed(path.strip(".").split(".")):
        uid = int(part)
        if units.get(uid, ("", ""))[1] == kind:
            return uid
    return None


def _matches(rule: DecompositionRule, std: Any, site_links: dict[int, set[int]]) -> bool:
    if rule.site_type_id is not None and std["pk"] not in site_links.get(rule.site_type_id, ()):
        return False
    if rule.code_prefix:
        prefix = rule.code_prefix
        code = std["code"]
        if not (code == prefix or code.startswith(prefix.rstrip(".") + ".")):
            return False
    return not (rule.method and f"|{rule.method}|" not in (std["method_tags"] or ""))


def check_active(system: EvaluationSystem) -> None:
    status = EvaluationSystem.objects.filter(pk=system.pk).values_list("status", flat=True).get()
    if status != SystemStatus.ACTIVE:
        raise InvalidInput(
            _("「%(system_name)s」不是现行（已启用）版本，只能分解现行版本")
            % {"system_name": system.name},
            code="inactive_system",
        )


def apply_rules(
    system: EvaluationSystem,
    *,
    rules: Sequence[DecompositionRule] | None = None,
    acting_user: Any,
) -> DecompositionResult:
    """Apply the active rules of the city (or ``rules``) to every standard of ``system``."""
    city = system.city
    require_office(acting_user, city, OFFICE_TASKS)
    check_active(system)
    result = DecompositionResult(system)
    with transaction.atomic():
        rule_list = list(
            (
                DecompositionRule.objects.filter(pk__in=[r.pk for r in rules])
                if rules is not None
                else DecompositionRule.objects.filter(city=city, active=True)
            )
            .order_by("sort", "id")
            .prefetch_related("supporting_units")
        )
        standards = list(
            Indicator.objects.filter(system=system, level=Level.STANDARD, retired=False)
            .order_by("path")
            .values("pk", "code", "method_tags")
        )
        site_links: dict[int, set[int]] = defaultdict(set)
        if any(r.site_type_id for r in rule_list):
            through = CheckItem.standards.through
            for type_id, ind_id in through.objects.filter(
                checkitem__system=system, checkitem__retired=False
            ).values_list("checkitem__site_type_id", "indicator_id"):
                site_links[type_id].add(ind_id)
        units = {
            pk: (path, kind)
            for pk, path, kind in Unit.objects.filter(city=city, active=True).values_list(
                "pk", "path", "kind"
            )
        }
        by_kind: dict[str, list[int]] = defaultdict(list)
        for pk, (_path, kind) in sorted(units.items(), key=lambda kv: kv[1][0]):
            by_kind[kind].append(pk)
        site_types = [r.site_type_id for r in rule_list if r.support_from_sites and r.site_type_id]
        site_units = site_units_by_type(city.pk, site_types) if site_types else {}
        if site_types and site_units is None:
            result.warnings.append("点位库尚未启用，未能按点位推导配合单位")
            site_units = {}

        # (standard, lead) → [rule, supporting unit ids]
        wanted: dict[tuple[int, int], tuple[DecompositionRule, set[int]]] = {}
        for rule in rule_list:
            leads = (
                [rule.lead_unit_id]
                if rule.lead_mode == LeadMode.FIXED
                else by_kind.get(rule.lead_kind, [])
            )
            leads = [u for u in leads if u in units]
            support = {u.pk for u in rule.supporting_units.all() if u.active}
            if rule.support_from_sites and rule.site_type_id:
                ancestor_kind = {
                    SupportFromSites.SITE_STREET: UnitKind.STREET,
                    SupportFromSites.SITE_DISTRICT: UnitKind.DISTRICT,
                }.get(SupportFromSites(rule.support_from_sites))
                for owner_id, area_id in (site_units or {}).get(rule.site_type_id, ()):
                    if ancestor_kind is None:  # the site's own unit: its owner, else where it lies
                        target = owner_id or area_id
                    else:  # the street / district the site lies in
                        base = area_id or owner_id
                        target = (
                            _ancestor_of_kind(units[base][0], ancestor_kind, units)
                            if base in units
                            else None
                        )
                    if target is not None and target in units:
                        support.add(target)
            n = 0
            for std in standards:
                if not _matches(rule, std, site_links):
                    continue
                n += 1
                for lead in leads:
                    key = (std["pk"], lead)
                    if key in wanted:
                        wanted[key][1].update(support)
                    else:
                        wanted[key] = (rule, set(support))
            result.matched[rule.pk] = n

        existing: dict[tuple[int, int], int] = {
            (ind, lead): pk
            for pk, ind, lead in Task.objects.filter(city=city, indicator__system=system)
            .exclude(status=TaskStatus.CLOSED)
            .values_list("pk", "indicator_id", "lead_unit_id")
        }
        have_support: dict[int, set[int]] = defaultdict(set)
        if existing:
            for task_id, unit_id in TaskSupport.objects.filter(
                task__city=city, task__indicator__system=system
            ).values_list("task_id", "unit_id"):
                have_support[task_id].add(unit_id)
        new_keys = [k for k in wanted if k not in existing]
        new_tasks = [
            Task(
                city=city,
                indicator_id=ind,
                lead_unit_id=lead,
                content=wanted[(ind, lead)][0].content,
                target=wanted[(ind, lead)][0].target,
                deadline=wanted[(ind, lead)][0].deadline,
                source=TaskSource.RULE,
                rule=wanted[(ind, lead)][0],
            )
            for ind, lead in new_keys
        ]
        Task.objects.bulk_create(new_tasks, batch_size=1000)
        if new_tasks and new_tasks[0].pk is None:  # a backend that does not return ids
            created_ids = dict(
                ((ind, lead), pk)
                for pk, ind, lead in Task.objects.filter(city=city, indicator__system=system)
                .exclude(status=TaskStatus.CLOSED)
                .values_list("pk", "indicator_id", "lead_unit_id")
            )
            for t in new_tasks:
                t.pk = created_ids[(t.indicator_id, t.lead_unit_id)]
        task_ids = {**existing, **{(t.indicator_id, t.lead_unit_id): t.pk for t in new_tasks}}
        supports = []
        for key, (_rule, support) in wanted.items():
            task_id = task_ids[key]
            for unit_id in sorted(support - have_support[task_id] - {key[1]}):
                supports.append(TaskSupport(task_id=task_id, unit_id=unit_id))
        TaskSupport.objects.bulk_create(supports, batch_size=2000)
        result.created = len(new_tasks)
        result.existing = len(wanted) - len(new_tasks)
        result.supports_added = len(supports)
        audit.record(
            "tasks.rules.applied",
            system,
            actor=acting_user,
            city=city,
            after={
                "rules": [r.pk for r in rule_list],
                "created": result.created,
                "existing": result.existing,
                "supports_added": result.supports_added,
            },
            summary=f"按 {len(rule_list)} 条规则分解，新建任务 {result.created} 项",
        )
    return result


# --- the Excel decomposition table -------------------------------------------------------


def parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if not m:
        raise ValueError(text)
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def _unit_lookup(city: City) -> tuple[dict[str, Unit], dict[str, list[Unit]]]:
    by_code: dict[str, Unit] = {}
    by_name: dict[str, list[Unit]] = defaultdict(list)
    for unit in Unit.objects.filter(city=city, active=True):
        by_code[unit.code] = unit
        by_name[unit.name].append(unit)
    return by_code, by_name


def _find_unit(
    text: str, by_code: dict[str, Unit], by_name: dict[str, list[Unit]]
) -> tuple[Unit | None, str]:
    if text in by_code:
        return by_code[text], ""
    found = by_name.get(text, [])
    if len(found) == 1:
        return found[0], ""
    if len(found) > 1:
        return None, f"单位名称「{text}」不唯一，请填写单位编码"
    return None, f"单位「{text}」不存在"


def import_decomposition(
    system: EvaluationSystem, file: IO[bytes] | bytes, *, acting_user: Any
) -> int:
    """Create or update tasks from the decomposition table; nothing changes unless every row
    is valid. Returns the number of rows written."""
    city = system.city
    require_office(acting_user, city, OFFICE_TASKS)
    check_active(system)
    errors = ErrorCollector("任务分解")
    standards = {
        code: (pk, level)
        for pk, code, level in Indicator.objects.filter(system=system).values_list(
            "pk", "code", "level"
        )
    }
    by_code, by_name = _unit_lookup(city)
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[int, int], int] = {}
    for number, row in read_rows(
        file, ["指标编号", "牵头单位"], ["配合单位", "工作要求", "目标", "完成时限"]
    ):
        code = str(row["指标编号"] or "").strip()
        indicator_id = None
        if not code:
            errors.add(number, "指标编号", _("不能为空"))
        elif code not in standards:
            errors.add(
                number,
                "指标编号",
                _("「%(code)s」不在「%(system)s」中") % {"code": code, "system": system.name},
            )
        elif standards[code][1] != Level.STANDARD:
            errors.add(
                number,
                "指标编号",
                _("「%(code)s」不是测评标准，只能分解到测评标准") % {"code": code},
            )
        else:
            indicator_id = standards[code][0]
        lead = None
        lead_text = str(row["牵头单位"] or "").strip()
        if not lead_text:
            errors.add(number, "牵头单位", _("不能为空"))
        else:
            lead, message = _find_unit(lead_text, by_code, by_name)
            if message:
                errors.add(number, "牵头单位", message)
        supporting = []
        for part in _SPLIT.split(str(row.get("配合单位") or "")):
            if not part:
                continue
            unit, message = _find_unit(part, by_code, by_name)
            if message:
                errors.add(number, "配合单位", message)
            elif unit is not None and (lead is None or unit.pk != lead.pk):
                supporting.append(unit)
        try:
            deadline = parse_date(row.get("完成时限"))
        except (ValueError, TypeError):
            errors.add(
                number,
                "完成时限",
                _("「%(value)s」不是有效日期（如 2026-06-30）") % {"value": row.get("完成时限")},
            )
            deadline = None
        target = str(row.get("目标") or "")
        if len(target) > 300:
            errors.add(number, "目标", _("不能超过 300 字"))
        if indicator_id is not None and lead is not None:
            key = (indicator_id, lead.pk)
            if key in seen:
                errors.add(
                    number,
                    "牵头单位",
                    _("与第 %(row)s 行的指标和牵头单位重复") % {"row": seen[key]},
                )
            seen[key] = number
            rows.append(
                {
                    "indicator_id": indicator_id,
                    "lead": lead,
                    "supporting": supporting,
                    "content": str(row.get("工作要求") or ""),
                    "target": target,
                    "deadline": deadline,
                }
            )
    if not rows and not errors:
        errors.add(None, "", _("文件中没有任何任务"))
    errors.raise_if_any()
    with transaction.atomic():
        existing = {
            (t.indicator_id, t.lead_unit_id): t
            for t in Task.objects.select_for_update()
            .filter(city=city, indicator__system=system)
            .exclude(status=TaskStatus.CLOSED)
        }
        created = updated = 0
        for row in rows:
            task = existing.get((row["indicator_id"], row["lead"].pk))
            if task is None:
                task = Task.objects.create(
                    city=city,
                    indicator_id=row["indicator_id"],
                    lead_unit=row["lead"],
                    content=row["content"],
                    target=row["target"],
                    deadline=row["deadline"],
                    source=TaskSource.IMPORT,
                )
                created += 1
            else:
                task.content, task.target = row["content"], row["target"]
                task.deadline = row["deadline"]
                task.save(update_fields=["content", "target", "deadline", "updated_at"])
                TaskSupport.objects.filter(task=task).delete()
                updated += 1
            TaskSupport.objects.bulk_create(
                [TaskSupport(task=task, unit=u) for u in dict.fromkeys(row["supporting"])]
            )
        audit.record(
            "tasks.tasks.imported",
            system,
            actor=acting_user,
            city=city,
            after={"created": created, "updated": updated},
            summary=f"导入任务分解表：新建 {created} 项，更新 {updated} 项",
        )
    return created + updated


def export_decomposition(tasks: QuerySet[Task]) -> bytes:
    """The same columns the import reads (round trip), plus status for reading."""
    rows = []
    qs = tasks.select_related("indicator", "lead_unit").prefetch_related("supporting_units")
    for t in qs.order_by("indicator__path", "lead_unit__path"):
        rows.append(
            [
                t.indicator.code,
                t.lead_unit.code,
                "、".join(u.code for u in t.supporting_units.all()),
                t.content,
                t.target,
                t.deadline.isoformat() if t.deadline else "",
                t.indicator.title,
                t.lead_unit.name,
                t.display_status_label,
            ]
        )
    headers = [*IMPORT_COLUMNS, "标准名称", "牵头单位名称", "状态"]
    return write_workbook([Sheet("任务分解", headers, rows, [12, 14, 30, 40, 24, 12, 40, 24, 10])])
