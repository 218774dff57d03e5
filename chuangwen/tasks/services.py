"""Every write of tasks: create, assign, progress reports with evidence, review, close; pledges'
signed scans; webhooks. Decomposition (rules, Excel import) lives in ``decomposition.py``.

Services take explicit arguments and a keyword-only ``acting_user`` (a user, or
``chuangwen.org.actors.SYSTEM`` for management commands, scheduled jobs and the demo builder).
The office (``scope.write_all``) creates and reviews; a unit reports on tasks it leads or supports
(its subtree); leaders read only.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.core.services import notify
from chuangwen.indicators.choices import Level, SystemStatus
from chuangwen.indicators.models import EvaluationSystem, Indicator, StandardLink
from chuangwen.indicators.selectors import linked_standards
from chuangwen.indicators.services import is_linkable
from chuangwen.org.actors import actor_scope, actor_user, require_office, require_unit
from chuangwen.org.models import City, Unit
from chuangwen.org.scope import Scope

from .choices import (
    REPORT_TRANSITIONS,
    TASK_TRANSITIONS,
    ReportStatus,
    TaskSource,
    TaskStatus,
    WebhookKind,
)
from .evidence import MAX_EVIDENCE_BYTES, MAX_FILES_PER_REPORT, CheckedFile, check_file
from .models import (
    DecompositionRule,
    Evidence,
    Pledge,
    ProgressReport,
    Task,
    TaskStandard,
    TaskSupport,
    Webhook,
)

TASK_FIELDS = ["indicator", "lead_unit", "content", "target", "deadline", "status"]


OFFICE_TASKS = "只有创建办管理员可以分解、分派和审核任务"


def task_unit_paths(task: Task) -> list[str]:
    return [
        task.lead_unit.path,
        *TaskSupport.objects.filter(task=task).values_list("unit__path", flat=True),
    ]


def can_act_on(scope: Scope, task: Task) -> bool:
    """The office, or a unit whose subtree holds the lead or a supporting unit."""
    if scope.city_id != task.city_id:
        return False
    if scope.write_all:
        return True
    return any(scope.covers_path(p) for p in task_unit_paths(task))


def _transition(task: Task, to: str) -> None:
    if to not in TASK_TRANSITIONS[TaskStatus(task.status)]:
        raise InvalidTransition(
            _("任务当前为「%(task_status)s」，不能改为「%(to_label)s」")
            % {"task_status": task.get_status_display(), "to_label": TaskStatus(to).label}
        )


def _check_indicator(city: City | int, indicator: Indicator) -> None:
    city_id = getattr(city, "pk", city)
    # read the version afresh: a cached ``indicator.system`` may predate an adoption
    row = EvaluationSystem.objects.filter(pk=indicator.system_id).values_list(
        "city_id", "status", "name"
    )
    system_city, status, name = row.get()
    if system_city != city_id:
        raise InvalidInput(_("测评标准不属于本城市"), code="bad_indicator")
    if status != SystemStatus.ACTIVE:
        raise InvalidInput(
            _("「%(name)s」不是现行（已启用）版本，任务只能分解到现行版本的测评标准")
            % {"name": name},
            code="inactive_system",
        )
    if indicator.level != Level.STANDARD:
        raise InvalidInput(
            _("「%(indicator_code)s %(indicator_title)s」不是测评标准，任务只能分解到测评标准")
            % {"indicator_code": indicator.code, "indicator_title": indicator.title},
            code="not_standard",
        )


def _check_units(city: City | int, lead: Unit, supporting: Iterable[Unit]) -> list[Unit]:
    city_id = getattr(city, "pk", city)
    if lead.city_id != city_id:
        raise InvalidInput(_("牵头单位不属于本城市"), code="bad_unit")
    units = list(dict.fromkeys(supporting))
    for unit in units:
        if unit.city_id != city_id:
            raise InvalidInput(
                _("配合单位「%(unit_name)s」不属于本城市") % {"unit_name": unit.name},
                code="bad_unit",
            )
    return [u for u in units if u.pk != lead.pk]


def _snapshot(task: Task) -> dict[str, Any]:
    data = audit.snapshot(task, TASK_FIELDS)
    data["supporting_units"] = sorted(
        TaskSupport.objects.filter(task=task).values_list("unit_id", flat=True)
    )
    return data


# --- tasks --------------------------------------------------------------------------------


@transaction.atomic
def create_task(
    city: City,
    *,
    indicator: Indicator,
    lead_unit: Unit,
    supporting_units: Sequence[Unit] = (),
    content: str = "",
    target: str = "",
    deadline: date | None = None,
    source: str = TaskSource.MANUAL,
    rule: DecompositionRule | None = None,
    acting_user: Any,
) -> Task:
    require_office(acting_user, city, OFFICE_TASKS)
    _check_indicator(city, indicator)
    supporting = _check_units(city, lead_unit, supporting_units)
    task = Task.objects.create(
        city=city,
        indicator=indicator,
        lead_unit=lead_unit,
        content=(content or "").strip(),
        target=(target or "").strip()[:300],
        deadline=deadline,
        source=source,
        rule=rule,
    )
    TaskSupport.objects.bulk_create([TaskSupport(task=task, unit=u) for u in supporting])
    audit.record(
        "tasks.task.created",
        task,
        actor=acting_user,
        after=_snapshot(task),
        summary=f"{indicator.code} {lead_unit.name}",
    )
    return task


@transaction.atomic
def update_task(
    task: Task,
    *,
    acting_user: Any,
    supporting_units: Sequence[Unit] | None = None,
    **changes: Any,
) -> Task:
    """Assign (lead, supporting units), move to another standard, change target or deadline."""
    task = Task.objects.select_for_update().select_related("lead_unit").get(pk=task.pk)
    require_office(acting_user, task.city_id, OFFICE_TASKS)
    allowed = {"indicator", "lead_unit", "content", "target", "deadline"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(
            _("不能修改字段：%(unknown)s") % {"unknown": ", ".join(sorted(unknown))},
            code="bad_field",
        )
    if task.status == TaskStatus.CLOSED:
        raise InvalidTransition(_("任务已撤销，不能修改"))
    before = _snapshot(task)
    if "indicator" in changes:
        _check_indicator(task.city_id, changes["indicator"])
    for key, value in changes.items():
        setattr(task, key, value.strip() if isinstance(value, str) else value)
    current = list(Unit.objects.filter(task_supports__task=task))
    supporting = _check_units(
        task.city_id, task.lead_unit, current if supporting_units is None else supporting_units
    )
    task.save(update_fields=[*changes.keys(), "updated_at"])
    if "indicator" in changes:  # the evidence stays with its task's standard
        Evidence.objects.filter(task=task).update(indicator=task.indicator)
    if supporting_units is not None or "lead_unit" in changes:
        TaskSupport.objects.filter(task=task).delete()
        TaskSupport.objects.bulk_create([TaskSupport(task=task, unit=u) for u in supporting])
    b, a = audit.changes(before, _snapshot(task))
    audit.record("tasks.task.updated", task, actor=acting_user, before=b, after=a)
    return task


@transaction.atomic
def close_task(task: Task, *, reason: str, acting_user: Any) -> Task:
    """撤销: a task no longer needed (e.g. its standard vanished from the new version)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    require_office(acting_user, task.city_id, OFFICE_TASKS)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写撤销原因"), code="reason_required")
    _transition(task, TaskStatus.CLOSED)
    before = task.status
    task.status = TaskStatus.CLOSED
    task.closed_reason = reason[:300]
    task.save(update_fields=["status", "closed_reason", "updated_at"])
    audit.record(
        "tasks.task.closed",
        task,
        actor=acting_user,
        before={"status": before},
        after={"status": task.status, "reason": task.closed_reason},
    )
    return task


@transaction.atomic
def reopen_task(task: Task, *, reason: str = "", acting_user: Any) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    require_office(acting_user, task.city_id, OFFICE_TASKS)
    _transition(task, TaskStatus.IN_PROGRESS)
    before = task.status
    task.status = TaskStatus.IN_PROGRESS
    task.done_at = None
    task.save(update_fields=["status", "done_at", "updated_at"])
    audit.record(
        "tasks.task.reopened",
        task,
        actor=acting_user,
        before={"status": before},
        after={"status": task.status, "reason": reason},
    )
    return task


# --- progress and evidence --------------------------------------------------------------


def _reporting_unit(task: Task, unit: Unit | None, *, acting_user: Any) -> Unit:
    scope = actor_scope(acting_user)
    units = [task.lead_unit, *Unit.objects.filter(task_supports__task=task)]
    if unit is not None:
        if unit.pk not in {u.pk for u in units}:
            raise InvalidInput(
                _("「%(unit_name)s」不是该任务的牵头或配合单位") % {"unit_name": unit.name},
                code="bad_unit",
            )
        require_unit(acting_user, unit, _("只能以本单位（或下级单位）名义报送"))
        return unit
    if scope is None or scope.write_all:
        return task.lead_unit
    for candidate in units:
        if scope.covers_path(candidate.path):
            return candidate
    raise PermissionDenied(_("只有牵头单位、配合单位可以报送该任务的进展"))


def _store_evidence(
    report: ProgressReport, task: Task, checked: CheckedFile, *, acting_user: Any
) -> Evidence:
    evidence = Evidence(
        report=report,
        task=task,
        indicator_id=task.indicator_id,
        original_name=checked.name,
        kind=checked.kind,
        size=len(checked.data),
        sha256=checked.sha256,
        uploaded_by=actor_user(acting_user),
    )
    evidence.file.save(checked.stored_name, ContentFile(checked.data), save=False)
    evidence.save()
    return evidence


def _read_file(item: Any) -> tuple[str, bytes]:
    if isinstance(item, tuple):
        return str(item[0]), bytes(item[1])
    name = getattr(item, "name", "file")
    if getattr(item, "size", 0) > MAX_EVIDENCE_BYTES:  # refuse before reading it into memory
        raise InvalidInput(
            _("文件「%(name)s」超过 %(value)s MB 上限")
            % {"name": name, "value": MAX_EVIDENCE_BYTES // (1024 * 1024)},
            code="too_large",
        )
    return name, item.read()


@transaction.atomic
def report_progress(
    task: Task,
    *,
    text: str,
    files: Sequence[Any] = (),
    complete: bool = False,
    unit: Unit | None = None,
    acting_user: Any,
) -> ProgressReport:
    """A unit reports progress (with files: ``UploadedFile`` or ``(name, bytes)``)."""
    task = Task.objects.select_for_update().select_related("lead_unit").get(pk=task.pk)
    scope = actor_scope(acting_user)
    if scope is not None and not can_act_on(scope, task):
        raise PermissionDenied(_("只有牵头单位、配合单位可以报送该任务的进展"))
    if task.status in (TaskStatus.CLOSED, TaskStatus.DONE):
        raise InvalidTransition(
            _("任务%(task_status)s，不能再报送进展") % {"task_status": task.get_status_display()}
        )
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写进展说明"), code="text_required")
    if len(files) > MAX_FILES_PER_REPORT:
        raise InvalidInput(
            _("每次最多上传 %(max_files_per_report)s 个文件")
            % {"max_files_per_report": MAX_FILES_PER_REPORT},
            code="too_many_files",
        )
    checked = [check_file(*_read_file(f)) for f in files]  # all validated before any write
    reporting_unit = _reporting_unit(task, unit, acting_user=acting_user)
    report = ProgressReport.objects.create(
        city_id=task.city_id,
        task=task,
        unit=reporting_unit,
        text=text,
        complete=bool(complete),
        submitted_by=actor_user(acting_user),
    )
    for item in checked:
        _store_evidence(report, task, item, acting_user=acting_user)
    if task.status == TaskStatus.NOT_STARTED:
        task.status = TaskStatus.IN_PROGRESS
        task.save(update_fields=["status", "updated_at"])
    audit.record(
        "tasks.progress.reported",
        report,
        actor=acting_user,
        city=task.city,
        after={
            "task": task.pk,
            "unit": reporting_unit.pk,
            "complete": report.complete,
            "files": [c.name for c in checked],
        },
        summary=text[:100],
    )
    return report


@transaction.atomic
def review_report(
    report: ProgressReport, *, accept: bool, comment: str = "", acting_user: Any
) -> ProgressReport:
    """The office accepts a report (a completion request then finishes the task) or returns it
    with a comment."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    require_office(acting_user, report.city_id, OFFICE_TASKS)
    to = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    if to not in REPORT_TRANSITIONS[ReportStatus(report.status)]:
        raise InvalidTransition(
            _("该报送已%(report_status)s，不能重复审核")
            % {"report_status": report.get_status_display()}
        )
    comment = (comment or "").strip()
    if not accept and not comment:
        raise InvalidInput(_("退回时请填写意见"), code="comment_required")
    report.status = to
    report.review_comment = comment[:500]
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor_user(acting_user)
    report.save(update_fields=["status", "review_comment", "reviewed_at", "reviewed_by"])
    task = Task.objects.select_for_update().get(pk=report.task_id)
    if accept and report.complete and task.status != TaskStatus.DONE:
        _transition(task, TaskStatus.DONE)
        task.status = TaskStatus.DONE
        task.done_at = timezone.now()
        task.save(update_fields=["status", "done_at", "updated_at"])
    audit.record(
        "tasks.progress.accepted" if accept else "tasks.progress.returned",
        report,
        actor=acting_user,
        city=task.city,
        before={"status": ReportStatus.SUBMITTED},
        after={"status": to, "comment": report.review_comment, "task_status": task.status},
    )
    if report.submitted_by_id:
        text = (
            f"您报送的「{task.indicator.code}」任务进展已通过"
            if accept
            else f"您报送的「{task.indicator.code}」任务进展被退回：{report.review_comment}"
        )
        notify(
            [report.submitted_by_id],
            text,
            url=reverse("tasks:detail", args=[task.pk]),
            topic="tasks",
        )
    return report


# --- pledges ------------------------------------------------------------------------------


@transaction.atomic
def upload_signed_pledge(pledge: Pledge, *, name: str, data: bytes, acting_user: Any) -> Pledge:
    """The signed scan (PDF or photo) of a generated pledge, uploaded by the unit or the office."""
    pledge = Pledge.objects.select_for_update().select_related("unit").get(pk=pledge.pk)
    require_unit(acting_user, pledge.unit, _("只能上传本单位的责任书"))
    checked = check_file(name, data)
    if checked.kind not in ("pdf", "jpeg", "png"):
        raise InvalidInput(_("签署扫描件须为 PDF 或 JPEG / PNG 图片"), code="bad_file_type")
    pledge.signed_scan.save(f"signed-{checked.stored_name}", ContentFile(data), save=False)
    pledge.signed_at = timezone.now()
    pledge.signed_by = actor_user(acting_user)
    pledge.save(update_fields=["signed_scan", "signed_at", "signed_by", "updated_at"])
    audit.record(
        "tasks.pledge.signed",
        pledge,
        actor=acting_user,
        after={"file": checked.name, "sha256": checked.sha256},
        summary=pledge.title,
    )
    return pledge


# --- webhooks -----------------------------------------------------------------------------


@transaction.atomic
def create_webhook(
    city: City,
    *,
    name: str,
    kind: str,
    url: str,
    unit: Unit | None = None,
    acting_user: Any,
) -> Webhook:
    require_office(acting_user, city, OFFICE_TASKS)
    if kind not in WebhookKind.values:
        raise InvalidInput(_("未知的机器人格式「%(kind)s」") % {"kind": kind}, code="bad_kind")
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(_("机器人地址须以 http:// 或 https:// 开头"), code="bad_url")
    if unit is not None and unit.city_id != city.pk:
        raise InvalidInput(_("单位不属于本城市"), code="bad_unit")
    hook = Webhook.objects.create(
        city=city, name=name.strip() or kind, kind=kind, url=url, unit=unit
    )
    audit.record(
        "tasks.webhook.created",
        hook,
        actor=acting_user,
        after={"name": hook.name, "kind": kind, "unit": unit.pk if unit else None},
        summary=hook.name,
    )
    return hook


# --- 多城联创: the other systems' standards a task also serves -----------------------------------

MAX_EXTRA_STANDARDS = 50


def proposed_standards(task: Task) -> list[Indicator]:
    """Standards of other (not archived) systems linked to the task's standard and not yet
    attached: what the office is offered to add."""
    attached = set(task.extra_standards.values_list("indicator_id", flat=True))
    return [
        i
        for i in linked_standards(task.indicator_id).exclude(system__status=SystemStatus.ARCHIVED)
        if i.pk not in attached and i.system_id != task.indicator.system_id
    ]


@transaction.atomic
def set_task_standards(
    task: Task, *, indicators: Sequence[Indicator], acting_user: Any
) -> list[Indicator]:
    """Replace the other systems' standards ``task`` also serves (its own standard stays the
    primary link). Each must be a standard of another system of the city, not archived."""
    task = Task.objects.select_for_update().select_related("indicator").get(pk=task.pk)
    require_office(acting_user, task.city_id, OFFICE_TASKS)
    chosen = list({i.pk: i for i in indicators}.values())
    if len(chosen) > MAX_EXTRA_STANDARDS:
        raise InvalidInput(
            _("每个任务最多兼顾 %(max_extra_standards)s 条其他体系的标准")
            % {"max_extra_standards": MAX_EXTRA_STANDARDS}
        )
    rows = {
        i.pk: i
        for i in Indicator.objects.filter(pk__in=[i.pk for i in chosen]).select_related("system")
    }
    for ind in chosen:
        node = rows.get(ind.pk)
        if node is None or node.system.city_id != task.city_id:
            raise InvalidInput(_("测评标准不属于本城市"), code="bad_indicator")
        if node.system_id == task.indicator.system_id:
            raise InvalidInput(
                _("「%(node_code)s」与任务的测评标准属于同一体系，只能添加其他体系的标准")
                % {"node_code": node.code},
                code="same_system",
            )
        if node.system.status == SystemStatus.ARCHIVED:
            raise InvalidInput(
                _("「%(node_system_name)s」已归档") % {"node_system_name": node.system.name},
                code="archived",
            )
        if not is_linkable(node):
            raise InvalidInput(
                _("「%(node_code)s %(node_title)s」不是测评标准")
                % {"node_code": node.code, "node_title": node.title},
                code="not_standard",
            )
    linked = set(linked_standards(task.indicator_id).values_list("pk", flat=True))
    before = sorted(task.extra_standards.values_list("indicator_id", flat=True))
    after = sorted(rows)
    if before == after:
        return [rows[pk] for pk in after]
    TaskStandard.objects.filter(task=task).exclude(indicator_id__in=after).delete()
    TaskStandard.objects.bulk_create(
        [
            TaskStandard(task=task, indicator_id=pk, from_link=pk in linked)
            for pk in after
            if pk not in before
        ]
    )
    audit.record(
        "tasks.task.standards_set",
        task,
        actor=acting_user,
        before={"extra_standards": before},
        after={"extra_standards": after},
        summary=f"任务 {task.pk} 兼顾其他体系标准 {len(after)} 条",
    )
    return [rows[pk] for pk in after]


@transaction.atomic
def apply_links_to_tasks(city: City, *, acting_user: Any) -> int:
    """Add to every open task of the city the linked standards it does not serve yet (the
    office may remove any afterwards). Returns how many were added."""
    require_office(acting_user, city, OFFICE_TASKS)
    links = StandardLink.objects.filter(city=city).exclude(a__system__status=SystemStatus.ARCHIVED)
    links = links.exclude(b__system__status=SystemStatus.ARCHIVED)
    partners: dict[int, set[int]] = {}
    for a, b in links.values_list("a_id", "b_id"):
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    if not partners:
        return 0
    tasks = Task.objects.filter(city=city, indicator_id__in=list(partners)).exclude(
        status=TaskStatus.CLOSED
    )
    have = set(TaskStandard.objects.filter(task__in=tasks).values_list("task_id", "indicator_id"))
    new = [
        TaskStandard(task_id=t, indicator_id=i, from_link=True)
        for t, ind in tasks.values_list("pk", "indicator_id")
        for i in sorted(partners[ind])
        if (t, i) not in have
    ]
    TaskStandard.objects.bulk_create(new, ignore_conflicts=True)
    audit.record(
        "tasks.task.links_applied",
        city,
        actor=acting_user,
        city=city,
        after={"added": len(new)},
        summary=f"按跨体系对应关系为任务关联标准 {len(new)} 条",
    )
    return len(new)
