"""Scoped reads of cases. Out of scope answers exactly like missing (NotFound)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.errors import NotFound
from chuangwen.core.text import public_text
from chuangwen.org.choices import Role
from chuangwen.org.models import Unit
from chuangwen.org.scope import Scope

from .choices import FINISHED, TO_DISPATCH, WITH_UNIT, Action, Resolution, State
from .models import Case, CaseEvent, Category, Extension, ExtensionStatus, Report, StateCount
from .scope import case_q


def cases_for_user(scope: Scope) -> QuerySet[Case]:
    return Case.objects.filter(case_q(scope))


def capped_count(qs: QuerySet, cap: int) -> int:
    """The number of rows, counting at most cap + 1: lists stay fast on millions of cases.
    (Ordering does not change a count, and would force a walk along the sort index.)"""
    return qs.order_by()[: cap + 1].count()


def capped_case_count(
    scope: Scope,
    filtered: QuerySet[Case],
    cap: int,
    refine: Callable[[QuerySet[Case]], QuerySet[Case]],
) -> int:
    """Capped count of ``filtered``: the scope's cases with the list's filters, which
    ``refine`` applies to any case queryset.

    A scope is an OR of path prefixes (responsible unit, territory), which no single index
    answers: counting it means walking the table until cap + 1 rows match. Each prefix alone is
    one index range, so the prefixes are tried one by one first: when one of them already holds
    more than ``cap`` cases, so does the scope."""
    if not scope.see_all:
        for path in scope.unit_paths:
            for field in ("unit_path", "area_path"):
                n = capped_count(refine(Case.objects.filter(**{f"{field}__startswith": path})), cap)
                if n > cap:
                    return n
    return capped_count(filtered, cap)


def case_list_qs(scope: Scope) -> QuerySet[Case]:
    """What the list page, the API list and the export read: one JOIN for the names."""
    return cases_for_user(scope).select_related("category", "unit", "grid").order_by("-id")


def get_case_for_user(scope: Scope, pk: int) -> Case:
    case = (
        cases_for_user(scope)
        .select_related("category", "unit", "grid", "area_unit", "indicator", "handled_by")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def overdue_q(now: datetime | None = None) -> Q:
    """Overdue is computed, never typed in: still with the unit past the deadline, or handled
    after it."""
    now = now or timezone.now()
    return Q(state__in=WITH_UNIT, deadline__lt=now) | Q(handled_at__gt=F("deadline"))


def open_overdue_q(now: datetime | None = None) -> Q:
    return Q(state__in=WITH_UNIT, deadline__lt=now or timezone.now())


def case_timeline(case: Case) -> QuerySet:
    return case.events.select_related("actor__person").order_by("at", "id")


# The one public history of a case (the tracking page and the Open311 feed): which steps a
# reporter sees, what each means in plain words, and whose note is shown (masked).
PUBLIC_STEPS: dict[str, Any] = {
    Action.INTAKE: _("您的反映已收到，等待创建办审核立案"),
    Action.REGISTER: _("已立案，正在派遣到责任单位"),
    Action.REJECT: _("经审核不予立案，原因见说明"),
    Action.DISPATCH: _("已派遣给责任单位，按时限处置"),
    Action.HANDLE: _("责任单位已处置，等待现场核查"),
    Action.VERIFY: _("现场核查通过"),
    Action.REWORK: _("现场核查未通过，责任单位重新处置"),
    Action.CLOSE: _("已结案"),
    Action.RATE: _("已评价，感谢您的参与"),
}
PUBLIC_ACTIONS = frozenset(PUBLIC_STEPS)
PUBLIC_NOTES = frozenset({Action.REJECT, Action.HANDLE, Action.CLOSE})


@dataclass(frozen=True)
class PublicStep:
    at: datetime
    action: str
    label: str
    explanation: Any
    note: str


def public_note(event: CaseEvent) -> str:
    """The event's note as the public may read it: only for public-note steps, and masked."""
    return public_text(event.note) if event.action in PUBLIC_NOTES and event.note else ""


def public_timeline(case: Case) -> list[PublicStep]:
    return [
        PublicStep(
            at=e.at,
            action=e.action,
            label=str(Action(e.action).label),
            explanation=PUBLIC_STEPS[e.action],
            note=public_note(e),
        )
        for e in case.events.filter(action__in=PUBLIC_ACTIONS).order_by("at", "id")
    ]


def report_by_code(code: str) -> Report | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 12:
        return None
    return (
        Report.objects.select_related("case", "case__category", "city")
        .filter(tracking_code=code)
        .first()
    )


def reports_of_account(user: Any, city_id: int, limit: int = 50) -> list[Report]:
    """The reports a logged-in person filed in ``city_id`` (newest first): the portal's 我的上报
    lists them beside the codes the device remembers. None for anyone else."""
    if not user.is_authenticated:
        return []
    return list(
        Report.objects.select_related("case")
        .filter(city_id=city_id, reporter__user_id=user.pk)
        .order_by("-reported_at", "-id")[:limit]
    )


def categories_for_city(city_id: int | None) -> QuerySet[Category]:
    return Category.objects.filter(city_id=city_id or 0, active=True).order_by(
        "family", "major_code", "minor_code"
    )


def categories_with_units(case: Case) -> list[Category]:
    """The city's categories, each with ``unit_name``: the responsible unit the 条块 rule gives
    the case under that category (the register and dispatch forms show a change of unit)."""
    from .services.intake import suggest_unit

    area_name = case.area_unit.name if case.area_unit_id else ""  # type: ignore[union-attr]
    out = list(categories_for_city(case.city_id).select_related("department"))
    for c in out:
        unit_id, dept = suggest_unit(c, case.area_unit_id)
        c.unit_name = (  # type: ignore[attr-defined]
            dept.name if dept is not None else area_name if unit_id is not None else ""
        )
    return out


@dataclass(frozen=True)
class PassDownTargets:
    units: list[Unit]
    workers: list[Any]


def pass_down_targets(case: Case) -> PassDownTargets:
    """下派: the responsible unit's own active units, and the grid workers in its area."""
    from chuangwen.org.models import Person

    if case.unit_id is None:
        return PassDownTargets([], [])
    units = list(
        Unit.objects.filter(city_id=case.city_id, active=True, path__startswith=case.unit_path)
        .exclude(pk=case.unit_id)
        .order_by("path")[:500]
    )
    workers = list(
        Person.objects.filter(
            city_id=case.city_id,
            active=True,
            memberships__role=Role.GRID_WORKER,
            memberships__unit__path__startswith=case.unit_path,
        )
        .distinct()
        .order_by("name", "id")[:500]
    )
    return PassDownTargets(units, workers)


def _role_paths(scope: Scope, roles: set[str]) -> list[str]:
    ids = [u for u, r in scope.memberships if r in roles]
    if not ids:
        return []
    return list(Unit.objects.filter(pk__in=ids).values_list("path", flat=True))


def _prefix_q(field: str, paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


@dataclass
class Inbox:
    to_dispatch: QuerySet | None
    to_handle: QuerySet | None
    to_verify: QuerySet | None
    to_close: QuerySet | None
    overdue: QuerySet
    extensions: QuerySet | None

    def counts(self, cap: int | None = None) -> dict[str, int]:
        """Per tab; with ``cap``, counting stops at cap + 1 (the page shows "cap+")."""
        out = {}
        for key in ("to_dispatch", "to_handle", "to_verify", "to_close", "overdue", "extensions"):
            qs = getattr(self, key)
            out[key] = 0 if qs is None else qs.count() if cap is None else capped_count(qs, cap)
        return out


def inbox_for_user(scope: Scope) -> Inbox:
    """我的待办: what waits for this user's roles."""
    base = Case.objects.filter(city_id=scope.city_id) if scope.city_id else Case.objects.none()
    to_verify: QuerySet | None
    office = scope.write_all
    to_dispatch = base.filter(state__in=TO_DISPATCH) if office else None
    liaison = _role_paths(scope, {Role.UNIT_LIAISON})
    # the responsible unit's cases, those passed down (下派) to my units, and those passed to me
    handling = _prefix_q("unit_path", liaison) | _prefix_q("handler_path", liaison)
    passed_to_me = Role.GRID_WORKER in scope.roles and scope.person_id is not None
    if passed_to_me:
        handling |= Q(handler_id=scope.person_id)
    to_handle = (
        base.filter(state__in=WITH_UNIT).filter(handling) if liaison or passed_to_me else None
    )
    if office:
        to_verify = base.filter(state=State.HANDLED)
    else:
        inspectors = _role_paths(scope, {Role.INSPECTOR})
        workers = _role_paths(scope, {Role.GRID_WORKER})
        q = _prefix_q("unit_path", inspectors) | _prefix_q("area_path", inspectors)
        q |= _prefix_q("area_path", workers)
        to_verify = (
            base.filter(state=State.HANDLED).filter(q).exclude(handled_by_id=scope.user_id)
            if inspectors or workers
            else None
        )
    to_close = base.filter(state=State.VERIFIED) if office else None
    overdue: QuerySet
    if (liaison or passed_to_me) and not office:  # their own overdue cases (inside their scope)
        overdue = base.filter(open_overdue_q()).filter(handling)
    else:
        overdue = cases_for_user(scope).filter(open_overdue_q())
    extensions = (
        Extension.objects.filter(case__city_id=scope.city_id or 0, status=ExtensionStatus.PENDING)
        if office
        else None
    )
    return Inbox(to_dispatch, to_handle, to_verify, to_close, overdue, extensions)


# --- summary (数字城管 standard counts) -----------------------------------------------------

CLOSED_STATES = [State.CLOSED, State.RATED]
SATISFIED_RATING = 4  # a rating of 4 or 5 (of 5) counts as satisfied


def standard_counts(now: datetime | None = None, field: str = "id") -> dict[str, Any]:
    """Conditional aggregates for 上报, 立案, 派遣, 按期处置, 超期, 应结案, 结案, 按期结案, 返工,
    解决 (closed as fixed), 已评价 and 满意 (closed cases rated, and rated 4 or 5);
    应结案 = dispatched cases whose deadline has passed or that are already closed. ``field`` is
    the (never null) column counted: one an index covers lets PostgreSQL count from the index
    alone (see the ``case_reported_at`` index)."""
    now = now or timezone.now()
    closed = Q(state__in=CLOSED_STATES)
    on_time = Q(handled_at__isnull=False, handled_at__lte=F("deadline"))
    return {
        "reported": Count(field),
        "registered": Count(field, filter=Q(registered_at__isnull=False)),
        "dispatched": Count(field, filter=Q(dispatched_at__isnull=False)),
        "handled_on_time": Count(field, filter=on_time),
        "overdue": Count(field, filter=overdue_q(now)),
        "due": Count(field, filter=Q(dispatched_at__isnull=False) & (Q(deadline__lt=now) | closed)),
        "closed": Count(field, filter=closed),
        "closed_on_time": Count(field, filter=closed & on_time),
        "fixed": Count(field, filter=closed & Q(resolution=Resolution.FIXED)),
        "rework": Count(field, filter=Q(rework_count__gt=0)),
        "rated": Count(field, filter=closed & Q(rating__isnull=False)),
        "satisfied": Count(field, filter=closed & Q(rating__gte=SATISFIED_RATING)),
    }


# rate → (numerator, denominator) of the standard counts: the one definition of each rate,
# read by the summary page and by unit assessment (chuangwen.assessment.quantities)
RATES = {
    "close_rate": ("closed", "due"),  # 结案率
    "on_time_close_rate": ("closed_on_time", "due"),  # 按期结案率
    "rework_rate": ("rework", "due"),  # 返工率
    "satisfaction_rate": ("satisfied", "due"),  # 满意率 (over 应结案数, like the others)
}


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    for rate, (num, den) in RATES.items():
        d = row.get(den) or 0
        row[rate] = round(100 * row[num] / d, 1) if d else None
    return row


GROUPS = {
    "unit": ("unit_id", "unit__name"),
    "grid": ("grid_id", "grid__code"),
    "category": ("category_id", "category__name"),
    "month": (None, None),
}


def summary_rows(qs: QuerySet[Case], group: str = "unit", limit: int = 200) -> list[dict]:
    """Standard counts per unit, grid, category or month over an already filtered queryset."""
    from django.db.models.functions import TruncMonth

    if group not in GROUPS:
        group = "unit"
    if group == "month":
        grouped = qs.annotate(key=TruncMonth("reported_at")).values("key")
        rows: Any = grouped.annotate(**standard_counts()).order_by("key")
        out = []
        for r in rows:
            r["label"] = f"{r['key']:%Y-%m}" if r["key"] else "—"
            out.append(with_rates(r))
        return out
    key, label = GROUPS[group]
    assert key is not None and label is not None
    rows = qs.values(key, label).annotate(**standard_counts()).order_by("-reported")[:limit]
    return [with_rates({**r, "key": r[key], "label": r[label] or "—"}) for r in rows]


def total_row(qs: QuerySet[Case]) -> dict[str, Any]:
    return with_rates(qs.aggregate(**standard_counts()))


def state_counts_by_unit(scope: Scope) -> list[dict[str, Any]]:
    """Cases per responsible unit and state from the maintained StateCount table (cheap at any
    size); units outside the scope are left out, the office and leaders see all."""
    city_id = scope.city_id or 0
    qs = StateCount.objects.filter(city_id=city_id, n__gt=0)
    names: dict[int, tuple[str, str]] = {
        pk: (name, path)
        for pk, name, path in Unit.objects.filter(city_id=city_id).values_list("pk", "name", "path")
    }
    table: dict[int, dict[str, Any]] = {}
    for unit_id, state, n in qs.values_list("unit_id", "state", "n"):
        name, path = names.get(unit_id, ("（未确定责任单位）", ""))
        if not scope.see_all and not (path and scope.covers_path(path)):
            continue
        row = table.setdefault(unit_id, {"unit_id": unit_id, "unit": name, "total": 0})
        row[state] = row.get(state, 0) + n
        row["total"] += n
    return sorted(table.values(), key=lambda r: -r["total"])


def state_totals(scope: Scope) -> dict[str, int]:
    if scope.see_all:
        rows = (
            StateCount.objects.filter(city_id=scope.city_id or 0)
            .values_list("state")
            .annotate(t=Sum("n"))
        )
        return {s: t for s, t in rows}
    out: dict[str, int] = {}
    for row in state_counts_by_unit(scope):
        for s in State.values:
            out[s] = out.get(s, 0) + row.get(s, 0)
    return out


def open_case_points(scope: Scope, limit: int = 5000) -> list[tuple]:
    return list(
        cases_for_user(scope)
        .exclude(state__in=FINISHED)
        .filter(lon__isnull=False)
        .order_by("-id")
        .values_list("pk", "lon", "lat", "state", "category__name", "deadline")[:limit]
    )


MAP_LIMIT = 20_000  # points on the case map at most (clusters and the heat map stay fluid)


def case_points(qs: QuerySet[Case], *, open_only: bool, limit: int = MAP_LIMIT) -> list[tuple]:
    """(pk, number, lon, lat, state, category name, deadline, place) of the filtered cases
    with a point, newest first — open ones only unless the filter chose a state."""
    if open_only:
        qs = qs.exclude(state__in=FINISHED)
    rows = (
        qs.filter(lon__isnull=False, lat__isnull=False)
        .order_by("-id")
        .values_list(
            "pk", "reported_at", "lon", "lat", "state", "category__name", "deadline", "place"
        )[:limit]
    )
    return [(pk, f"{timezone.localtime(at):%Y%m%d}{pk:07d}", *rest) for pk, at, *rest in rows]


@dataclass
class CategoryHint:
    code: str
    name: str
    confidence: float
    unit: str


def category_hints(city_id: int, text: str, area_unit_id: int | None = None) -> list[CategoryHint]:
    """The top 3 categories the model suggests for ``text``, each with the unit the 条块 rule
    would dispatch it to (the area's unit when the case has one)."""
    from .registry import suggest_categories
    from .services.intake import suggest_unit

    text = (text or "").strip()[:2000]
    if not text:
        return []
    top = suggest_categories(city_id, [text], 3)[0]
    if not top:
        return []
    cats = {
        c.code: c
        for c in Category.objects.filter(
            city_id=city_id, code__in=[c for c, _p in top], active=True
        ).select_related("department")
    }
    area_name = ""
    if area_unit_id:
        area_name = (
            Unit.objects.filter(pk=area_unit_id).values_list("name", flat=True).first() or ""
        )
    out = []
    for code, p in top:
        cat = cats.get(code)
        if cat is None:
            continue
        _unit_id, dept = suggest_unit(cat, area_unit_id)
        unit = dept.name if dept is not None else area_name or str(_("属地街道/社区"))
        out.append(CategoryHint(code, f"{cat.major_name}/{cat.name}", p, unit))
    return out


def hint_dicts(hints: list[CategoryHint]) -> list[dict[str, Any]]:
    return [
        {"code": h.code, "name": h.name, "confidence": h.confidence, "unit": h.unit} for h in hints
    ]
