"""The figures the workbenches and the cockpit share, each in a fixed number of queries.

Per-unit figures are counted per responsible unit *path* (what the partial indexes of the case
table hold) and rolled up in Python to the units being compared (区县, 职能部门), whose
subtrees the paths' prefixes give: a city of a million cases answers from a few thousand
grouped rows.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from chuangwen.assessment.models import MockEvaluation
from chuangwen.assessment.selectors import rounds_for_user
from chuangwen.assessment.services import RiskItem, points_at_risk
from chuangwen.cases.choices import WITH_UNIT
from chuangwen.cases.models import Case
from chuangwen.cases.selectors import standard_counts
from chuangwen.core.tree import PATH_WIDTH
from chuangwen.inspections.choices import OPEN_FOR_CHECKS
from chuangwen.inspections.models import CheckResult, InspectionPlan, PlanSample
from chuangwen.inspections.selectors import plans_for_user, results_for_user
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import Unit
from chuangwen.org.scope import Scope
from chuangwen.tasks.choices import TaskStatus
from chuangwen.tasks.models import Task
from chuangwen.tasks.selectors import overdue_q as task_overdue_q
from chuangwen.tasks.selectors import tasks_for_user

WINDOW_DAYS = 30  # closure rates are over the cases reported in the last 30 days
COMPARED_KINDS = (UnitKind.DISTRICT, UnitKind.DEPARTMENT)
RISK_CACHE_SECONDS = 600


@dataclass
class UnitFigures:
    """One compared unit (and its subtree): closure in the window, what is late now."""

    unit_id: int
    name: str
    kind: str
    path: str
    due: int = 0  # dispatched in the window and past the deadline or closed (应结案)
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0  # still with the unit past the deadline, any age
    overdue_tasks: int = 0

    @property
    def close_rate(self) -> float | None:
        return round(100 * self.closed / self.due, 1) if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.closed_on_time / self.due, 1) if self.due else None


def _ancestor(path: str, targets: dict[str, UnitFigures]) -> UnitFigures | None:
    """The compared unit whose subtree holds ``path`` (the nearest one)."""
    for end in range(len(path), 0, -(PATH_WIDTH + 1)):
        hit = targets.get(path[:end])
        if hit is not None:
            return hit
    return None


def unit_figures(
    city_id: int, now: datetime, kinds: Iterable[str] = COMPARED_KINDS
) -> list[UnitFigures]:
    """Closure (cases reported in the last WINDOW_DAYS days), open overdue cases and overdue
    tasks of every unit of ``kinds``, in four queries."""
    units = Unit.objects.filter(city_id=city_id, active=True, kind__in=list(kinds)).order_by("path")
    targets = {
        path: UnitFigures(pk, name, kind, path)
        for pk, name, kind, path in units.values_list("pk", "name", "kind", "path")
    }
    if not targets:
        return []
    counts = standard_counts(now, field="unit_path")  # covered by the case_reported_at index
    window = (
        Case.objects.filter(
            city_id=city_id,
            reported_at__gte=now - timedelta(days=WINDOW_DAYS),
            dispatched_at__isnull=False,
        )
        .values("unit_path")
        .annotate(due=counts["due"], closed=counts["closed"], on_time=counts["closed_on_time"])
        .order_by()
    )
    for row in window:
        hit = _ancestor(row["unit_path"], targets)
        if hit is not None:
            hit.due += row["due"]
            hit.closed += row["closed"]
            hit.closed_on_time += row["on_time"]
    overdue = (
        Case.objects.filter(city_id=city_id, state__in=WITH_UNIT, deadline__lt=now)
        .values_list("unit_path")
        .annotate(n=Count("*"))  # from the case_with_unit_path index alone
        .order_by()
    )
    for path, n in overdue:
        hit = _ancestor(path, targets)
        if hit is not None:
            hit.overdue += n
    tasks = (
        Task.objects.filter(city_id=city_id)
        .filter(task_overdue_q(timezone.localdate(now)))
        .values_list("lead_unit__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, n in tasks:
        hit = _ancestor(path, targets)
        if hit is not None:
            hit.overdue_tasks += n
    return list(targets.values())


def lagging(figures: list[UnitFigures], limit: int = 5) -> tuple[list, list]:
    """The units with the worst on-time closure (those with cases due) and with the most
    overdue tasks."""
    by_closure = sorted(
        (f for f in figures if f.due), key=lambda f: (f.on_time_rate or 0, -f.due, f.name)
    )[:limit]
    by_tasks = sorted(
        (f for f in figures if f.overdue_tasks), key=lambda f: (-f.overdue_tasks, f.name)
    )[:limit]
    return by_closure, by_tasks


# --- the mock evaluation ---------------------------------------------------------------------


def computed_rounds(scope: Scope, limit: int = 12) -> list[MockEvaluation]:
    """The latest computed rounds of mock evaluation, oldest first (the score's trend)."""
    rows = rounds_for_user(scope).filter(computed_at__isnull=False).order_by("-as_of", "-id")
    return list(reversed(list(rows[:limit])))


def risks_of(rnd: MockEvaluation) -> list[RiskItem]:
    """``points_at_risk`` of a round, kept for RISK_CACHE_SECONDS: it reads every open case of
    the city, too much to repeat on every workbench view and every poll of the wall. The key
    holds the round's computation time, so a new computation is seen at once."""
    stamp = rnd.computed_at.timestamp() if rnd.computed_at else 0
    key = f"dashboard:risks:{rnd.pk}:{stamp}"
    found = cache.get(key)
    if found is None:
        found = points_at_risk(rnd, limit=None)
        cache.set(key, found, RISK_CACHE_SECONDS)
    return found


# --- tasks: the burn-down --------------------------------------------------------------------

MAX_WEEKS = 52


@dataclass
class Burndown:
    weeks: list[date]  # the Monday of each week
    remaining: list[int | None]  # unfinished at the end of the week (None: the future)
    planned: list[int]  # not yet due at the end of the week
    total: int
    overdue: int


def task_burndown(scope: Scope, today: date) -> Burndown | None:
    """Tasks (not withdrawn) still to finish, week by week, against the deadlines: three
    queries whatever the number of tasks."""
    qs = tasks_for_user(scope).exclude(status=TaskStatus.CLOSED).order_by()
    span = qs.aggregate(
        total=Count("id"),
        first=Min("created_at"),
        last=Max("deadline"),
        overdue=Count("id", filter=task_overdue_q(today)),
    )
    if not span["total"]:
        return None
    start = timezone.localdate(span["first"])
    end = max(span["last"] or today, today)
    start -= timedelta(days=start.weekday())
    weeks = []
    week = start
    while week <= end:
        weeks.append(week)
        week += timedelta(days=7)
    weeks = weeks[-MAX_WEEKS:]
    done = dict(
        qs.filter(done_at__isnull=False, status=TaskStatus.DONE)
        .annotate(w=TruncWeek("done_at"))
        .values_list("w")
        .annotate(n=Count("id"))
    )
    due = dict(
        qs.filter(deadline__isnull=False)
        .annotate(w=TruncWeek("deadline"))
        .values_list("w")
        .annotate(n=Count("id"))
    )
    done_by_week = _by_monday(done)
    due_by_week = _by_monday(due)
    remaining: list[int | None] = []
    planned: list[int] = []
    finished = sum(n for w, n in done_by_week.items() if w < weeks[0])
    fell_due = sum(n for w, n in due_by_week.items() if w < weeks[0])
    for w in weeks:
        finished += done_by_week.get(w, 0)
        fell_due += due_by_week.get(w, 0)
        remaining.append(span["total"] - finished if w <= today else None)
        planned.append(span["total"] - fell_due)
    return Burndown(weeks, remaining, planned, span["total"], span["overdue"])


def _by_monday(rows: dict[Any, int]) -> dict[date, int]:
    out: dict[date, int] = defaultdict(int)
    for key, n in rows.items():
        if key is None:
            continue
        day = timezone.localdate(key) if isinstance(key, datetime) else key
        out[day - timedelta(days=day.weekday())] += n
    return out


# --- inspections -----------------------------------------------------------------------------


def open_plans(scope: Scope, today: date) -> QuerySet[InspectionPlan]:
    """Plans being checked today: sampled or in progress, and today inside their dates."""
    return (
        plans_for_user(scope)
        .filter(status__in=list(OPEN_FOR_CHECKS))
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("ends_on", "id")
    )


def plan_progress(plans: list[InspectionPlan], today: date) -> dict[int, dict[str, int]]:
    """Per plan: sampled sites, sites still unchecked, checks made today (two queries)."""
    ids = [p.pk for p in plans]
    out = {pk: {"sites": 0, "remaining": 0, "today": 0} for pk in ids}
    checked = CheckResult.objects.filter(plan_id__in=ids).values("sample_id")
    samples = (
        PlanSample.objects.filter(plan_id__in=ids)
        .values_list("plan_id")
        .annotate(n=Count("id"), remaining=Count("id", filter=~Q(pk__in=checked)))
        .order_by()
    )
    for pk, n, remaining in samples:
        out[pk].update(sites=n, remaining=remaining)
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    checks = (
        CheckResult.objects.filter(plan_id__in=ids, observed_at__gte=start)
        .values_list("plan_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for pk, n in checks:
        out[pk]["today"] = n
    return out


def my_remaining_samples(scope: Scope, today: date, limit: int) -> tuple[int, list[PlanSample]]:
    """Sites not yet checked in the open plans the inspector is on (a plan naming no
    inspectors is everyone's): how many, and the first ``limit`` with their site."""
    mine = Q(inspectors__isnull=True) | Q(inspectors__pk=scope.person_id or 0)
    plans = list(open_plans(scope, today).filter(mine).values_list("pk", flat=True).distinct())
    qs = PlanSample.objects.filter(plan_id__in=plans).exclude(
        pk__in=CheckResult.objects.filter(plan_id__in=plans).values("sample_id")
    )
    rows = list(
        qs.select_related("site", "site_type", "plan", "district").order_by(
            "plan_id", "site_type__sort", "rank"
        )[:limit]
    )
    return qs.count(), rows


def inspection_points(scope: Scope, since: datetime, limit: int = 2000) -> list[dict[str, Any]]:
    """Sites checked since ``since``: where, how many checks, how many found a problem."""
    rows: Any = (
        results_for_user(scope)
        .filter(observed_at__gte=since)
        .values("site_id", "site__name", "site__lon", "site__lat")
        .annotate(n=Count("id"), failed=Count("id", filter=Q(failed=True)))
        .order_by("-failed", "site_id")[:limit]
    )
    return list(rows)
