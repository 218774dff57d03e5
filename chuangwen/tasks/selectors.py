"""Scoped reads of tasks. A unit sees the tasks it leads or supports (its subtree); the office
and leaders see every task of the city. Out of scope answers exactly like missing (NotFound)."""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from chuangwen.core.errors import NotFound
from chuangwen.indicators.choices import CityTitle, SystemStatus
from chuangwen.indicators.models import EvaluationSystem, Indicator, Metric, StandardLink
from chuangwen.indicators.selectors import indicators_for_user
from chuangwen.org.models import Unit
from chuangwen.org.scope import Scope

from .choices import OPEN_STATUSES, ReportStatus, TaskStatus
from .models import (
    Evidence,
    MetricValue,
    Pledge,
    ProgressReport,
    Task,
    TaskStandard,
    TaskSupport,
)


def unit_tasks_q(paths: list[str] | tuple[str, ...]) -> Q:
    """Tasks led or supported by a unit under any of ``paths``."""
    if not paths:
        return Q(pk__in=[])
    lead = reduce(or_, (Q(lead_unit__path__startswith=p) for p in paths))
    support = reduce(or_, (Q(unit__path__startswith=p) for p in paths))
    return lead | Q(Exists(TaskSupport.objects.filter(support, task_id=OuterRef("pk"))))


def tasks_for_user(scope: Scope) -> QuerySet[Task]:
    if scope.city_id is None:
        return Task.objects.none()
    qs = Task.objects.filter(city_id=scope.city_id)
    if scope.see_all:
        return qs
    return qs.filter(unit_tasks_q(scope.unit_paths))


def task_list_qs(scope: Scope) -> QuerySet[Task]:
    """What the list page, the battle map, the API and the export read."""
    return (
        tasks_for_user(scope)
        .select_related("indicator", "lead_unit")
        .prefetch_related(Prefetch("supporting_units", queryset=Unit.objects.order_by("path")))
        .order_by("deadline", "id")
    )


def get_task_for_user(scope: Scope, pk: int) -> Task:
    task = (
        tasks_for_user(scope)
        .select_related("indicator", "indicator__system", "lead_unit", "rule")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise NotFound()
    return task


def title_q(title: str) -> Q:
    """Tasks that serve a 创建称号: their own standard's system, or one of the other systems'
    standards they also serve (多城联创)."""
    extra = TaskStandard.objects.filter(indicator__system__title=title).values("task_id")
    return Q(indicator__system__title=title) | Q(pk__in=extra)


def overdue_q(today: date | None = None) -> Q:
    """Overdue is computed: unfinished past the deadline."""
    return Q(status__in=list(OPEN_STATUSES), deadline__lt=today or timezone.localdate())


def task_reports(task: Task) -> QuerySet[ProgressReport]:
    return (
        ProgressReport.objects.filter(task=task)
        .select_related("unit", "submitted_by__person", "reviewed_by__person")
        .prefetch_related("files")
        .order_by("-id")
    )


def pending_reports(scope: Scope) -> QuerySet[ProgressReport]:
    return (
        ProgressReport.objects.filter(task__in=tasks_for_user(scope), status=ReportStatus.SUBMITTED)
        .select_related("task__indicator", "unit")
        .order_by("id")
    )


def get_report_for_user(scope: Scope, pk: int) -> ProgressReport:
    report = (
        ProgressReport.objects.filter(task__in=tasks_for_user(scope), pk=pk)
        .select_related("task", "task__indicator")
        .first()
    )
    if report is None:
        raise NotFound()
    return report


def get_evidence_for_user(scope: Scope, pk: int) -> Evidence:
    evidence = Evidence.objects.filter(task__in=tasks_for_user(scope), pk=pk).first()
    if evidence is None:
        raise NotFound()
    return evidence


def stranded_tasks(scope: Scope) -> QuerySet[Task]:
    """Open tasks still on an indicator of an archived version: their standard had no mapping
    when the new version was adopted, so the office closes them or moves them by hand."""
    return (
        tasks_for_user(scope)
        .exclude(status=TaskStatus.CLOSED)
        .filter(indicator__system__status=SystemStatus.ARCHIVED)
        .select_related("indicator", "indicator__system", "lead_unit")
        .order_by("indicator__path", "lead_unit__path")
    )


def status_counts(qs: QuerySet[Task]) -> dict[str, int]:
    today = timezone.localdate()
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    counts["overdue"] = qs.filter(overdue_q(today)).count()
    return {k: int(v) for k, v in counts.items()}


CARDS_PER_MONTH = 30


@dataclass
class BattleMap:
    """作战图: counts by displayed status and per deadline month over every task of the
    filter, and the first ``CARDS_PER_MONTH`` task cards of each month (and of "no deadline")."""

    counts: dict[str, int]
    months: list[dict[str, Any]]  # month, last (day), total, overdue, done, open, cards, more
    no_deadline: list[Task]
    no_deadline_total: int

    @property
    def total(self) -> int:
        return sum(m["total"] for m in self.months) + self.no_deadline_total


def battle_map(qs: QuerySet[Task], per_month: int | None = None) -> BattleMap:
    """Four queries whatever the number of tasks: the counts, the months, and the cards (ranked
    within their month by deadline with a window function)."""
    today = timezone.localdate()
    qs = qs.prefetch_related(None).order_by()
    late = overdue_q(today)
    counts = qs.aggregate(
        overdue=Count("id", filter=late),
        in_progress=Count("id", filter=Q(status=TaskStatus.IN_PROGRESS) & ~late),
        not_started=Count("id", filter=Q(status=TaskStatus.NOT_STARTED) & ~late),
        done=Count("id", filter=Q(status=TaskStatus.DONE)),
    )
    months: list[dict[str, Any]] = [
        dict(row)
        for row in qs.filter(deadline__isnull=False)
        .annotate(month=TruncMonth("deadline"))
        .values("month")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=late),
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
        )
        .order_by("month")
    ]
    ranked = qs.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[TruncMonth("deadline")],
            order_by=[F("deadline").asc(), F("id").asc()],
        )
    ).filter(rank__lte=per_month or CARDS_PER_MONTH)
    cards: dict[Any, list[Task]] = {}
    no_deadline: list[Task] = []
    for task in ranked.order_by("deadline", "id"):
        if task.deadline is None:
            no_deadline.append(task)
        else:
            cards.setdefault((task.deadline.year, task.deadline.month), []).append(task)
    for m in months:
        m["open"] = m["total"] - m["overdue"] - m["done"]
        m["cards"] = cards.get((m["month"].year, m["month"].month), [])
        m["more"] = m["total"] - len(m["cards"])
        m["last"] = (m["month"] + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    return BattleMap(
        counts={k: int(v) for k, v in counts.items()},
        months=months,
        no_deadline=no_deadline,
        no_deadline_total=qs.filter(deadline__isnull=True).count(),
    )


def pledges_for_user(scope: Scope) -> QuerySet[Pledge]:
    return scope.filter(Pledge.objects.all()).select_related("unit")


def get_pledge_for_user(scope: Scope, pk: int) -> Pledge:
    pledge = pledges_for_user(scope).filter(pk=pk).first()
    if pledge is None:
        raise NotFound()
    return pledge


def metrics_for_user(scope: Scope) -> QuerySet[Metric]:
    if scope.city_id is None:
        return Metric.objects.none()
    return Metric.objects.filter(city_id=scope.city_id).select_related("indicator")


def get_metric_for_user(scope: Scope, pk: int) -> Metric:
    metric = metrics_for_user(scope).select_related("indicator__system").filter(pk=pk).first()
    if metric is None:
        raise NotFound()
    return metric


def indicators_for_metric_pick(scope: Scope, q: str, limit: int = 20) -> list[Indicator]:
    """The metric editor's indicator search: any node (项目, 指标, 标准) of the city's active
    and draft versions whose code starts with, or title holds, ``q``."""
    q = (q or "").strip()[:50]
    if not q or scope.city_id is None:
        return []
    qs = indicators_for_user(scope).filter(
        system__status__in=[SystemStatus.ACTIVE, SystemStatus.DRAFT]
    )
    qs = qs.filter(Q(code__startswith=q) | Q(title__icontains=q))
    return list(qs.select_related("system").order_by("system_id", "path")[:limit])


def metric_trend(metric: Metric, limit: int = 30) -> list[MetricValue]:
    return list(
        reversed(list(MetricValue.objects.filter(metric=metric).order_by("-at", "-id")[:limit]))
    )


def metric_trends(metrics: list[Metric], limit: int = 30) -> dict[int, list[MetricValue]]:
    """The last ``limit`` values of each metric, oldest first, in one query."""
    out: dict[int, list[MetricValue]] = {}
    rows = MetricValue.objects.filter(metric__in=metrics).order_by("metric_id", "-at", "-id")
    for value in rows:
        bucket = out.setdefault(value.metric_id, [])
        if len(bucket) < limit:
            bucket.append(value)
    return {k: list(reversed(v)) for k, v in out.items()}


def evidence_review_ratios(system: Any) -> dict[int, float]:
    """Per standard of ``system`` with tasks: the share of its tasks (not withdrawn) that have
    evidence in an accepted progress report (0–1). Read by the assessment app's mock evaluation
    for the document-review (材料审核) part."""
    tasks = Task.objects.filter(indicator__system=system).exclude(status=TaskStatus.CLOSED)
    totals = dict(
        tasks.order_by().values_list("indicator_id").annotate(n=Count("id", distinct=True))
    )
    with_evidence = Evidence.objects.filter(
        task__in=tasks, report__status=ReportStatus.ACCEPTED
    ).order_by()
    done = dict(
        with_evidence.values_list("task__indicator_id").annotate(n=Count("task_id", distinct=True))
    )
    return {ind: done.get(ind, 0) / n for ind, n in totals.items() if n}


# --- 多城联创: the leader's overview by title ----------------------------------------------------


@dataclass
class TitleRow:
    title: str
    label: str
    systems: list[Any]
    standards: int
    covered: int
    linked: int
    tasks: int
    done: int
    overdue: int

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.tasks) if self.tasks else 0

    @property
    def percent_covered(self) -> int:
        return round(100 * self.covered / self.standards) if self.standards else 0


def titles_overview(scope: Scope, title: str = "") -> list[TitleRow]:
    """Per title with an active system: its standards, how many a task serves (its own or as an
    extra standard), how many are linked to another system's, and the tasks' progress."""
    if scope.city_id is None:
        return []
    systems = EvaluationSystem.objects.filter(
        city_id=scope.city_id, status=SystemStatus.ACTIVE
    ).order_by("id")
    if title:
        systems = systems.filter(title=title)
    by_title: dict[str, list[EvaluationSystem]] = {}
    for system in systems:
        by_title.setdefault(system.title, []).append(system)
    order = list(CityTitle.values)
    tasks = tasks_for_user(scope)
    today = timezone.localdate()
    rows = []
    for key in sorted(by_title, key=order.index):
        members = by_title[key]
        leaves = Indicator.objects.filter(system__in=members).filter(
            Q(level="standard") | Q(children__isnull=True)
        )
        leaf_ids = set(leaves.values_list("pk", flat=True))
        served = tasks.filter(title_q(key))
        own = set(served.values_list("indicator_id", flat=True))
        extra = set(
            TaskStandard.objects.filter(task__in=served).values_list("indicator_id", flat=True)
        )
        linked_pairs = StandardLink.objects.filter(Q(a_id__in=leaf_ids) | Q(b_id__in=leaf_ids))
        linked = {i for pair in linked_pairs.values_list("a_id", "b_id") for i in pair} & leaf_ids
        counts = served.aggregate(
            n=Count("id"),
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
            overdue=Count("id", filter=overdue_q(today)),
        )
        rows.append(
            TitleRow(
                title=key,
                label=members[0].title_label
                if key == CityTitle.OTHER
                else str(CityTitle(key).label),
                systems=members,
                standards=len(leaf_ids),
                covered=len((own | extra) & leaf_ids),
                linked=len(linked),
                tasks=counts["n"],
                done=counts["done"],
                overdue=counts["overdue"],
            )
        )
    return rows
