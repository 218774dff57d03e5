"""Scoped reads of inspections. Plans and results: the office, leaders and inspectors see the
city's; a unit sees the notices and action items addressed to its subtree. Out of scope answers
exactly like missing (NotFound)."""

from collections.abc import Iterable
from datetime import timedelta
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from chuangwen.cases.choices import OPEN
from chuangwen.cases.models import Category
from chuangwen.core.errors import NotFound
from chuangwen.indicators.models import CheckItem
from chuangwen.org.choices import Role
from chuangwen.org.scope import Scope

from .choices import ActionStatus, NoticeStatus
from .models import ActionItem, CheckResult, InspectionPlan, Meeting, Notice, PlanSample

ACK_DAYS = 2  # a notice not acknowledged within two days counts as late


def _paths_q(scope: Scope, field: str) -> Q:
    if scope.see_all:
        return Q()
    if not scope.unit_paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in scope.unit_paths))


def can_see_plans(scope: Scope) -> bool:
    return scope.city_id is not None and (scope.see_all or scope.has_role(Role.INSPECTOR))


def plans_for_user(scope: Scope) -> QuerySet[InspectionPlan]:
    if not can_see_plans(scope):
        return InspectionPlan.objects.none()
    return InspectionPlan.objects.filter(city_id=scope.city_id or 0)


def get_plan_for_user(scope: Scope, pk: int) -> InspectionPlan:
    plan = plans_for_user(scope).select_related("system").filter(pk=pk).first()
    if plan is None:
        raise NotFound()
    return plan


def get_sample_for_user(scope: Scope, plan: InspectionPlan, pk: int) -> PlanSample:
    sample = (
        PlanSample.objects.select_related("site", "site_type", "district")
        .filter(plan=plan, pk=pk)
        .first()
    )
    if sample is None:
        raise NotFound()
    return sample


def samples_with_progress(plan: InspectionPlan) -> QuerySet[PlanSample]:
    return (
        PlanSample.objects.filter(plan=plan)
        .select_related("site", "site_type", "district")
        .annotate(
            n_results=Count("results", distinct=True),
            n_failed=Count("results", filter=Q(results__failed=True), distinct=True),
        )
        .order_by("site_type__sort", "rank")
    )


def results_for_user(scope: Scope) -> QuerySet[CheckResult]:
    if not can_see_plans(scope):
        return CheckResult.objects.none()
    return CheckResult.objects.filter(city_id=scope.city_id or 0)


def notices_for_user(scope: Scope) -> QuerySet[Notice]:
    if scope.city_id is None:
        return Notice.objects.none()
    return Notice.objects.filter(city_id=scope.city_id).filter(_paths_q(scope, "unit_path"))


def notice_rows(scope: Scope) -> QuerySet[Notice]:
    """Notices with their open-case count (for "who is late")."""
    from chuangwen.cases.models import Case

    through = Notice.cases.through
    open_cases = through.objects.filter(
        notice_id=OuterRef("pk"),
        case_id__in=Case.objects.filter(state__in=OPEN).values("pk"),
    )
    return (
        notices_for_user(scope)
        .select_related("unit", "plan")
        .annotate(n_cases=Count("cases", distinct=True))
        .annotate(has_open=Exists(open_cases))
        .order_by("-issued_at", "-id")
    )


def is_late(notice: Notice) -> bool:
    """Late: not acknowledged within ACK_DAYS, or past the deadline with cases still open."""
    today = timezone.localdate()
    unacknowledged = (
        notice.status == NoticeStatus.ISSUED
        and timezone.now() - notice.issued_at > timedelta(days=ACK_DAYS)
    )
    overdue = today > notice.deadline and bool(getattr(notice, "has_open", False))
    return unacknowledged or overdue


def get_notice_for_user(scope: Scope, pk: int) -> Notice:
    notice = notices_for_user(scope).select_related("unit", "plan").filter(pk=pk).first()
    if notice is None:
        raise NotFound()
    return notice


def actions_for_user(scope: Scope) -> QuerySet[ActionItem]:
    if scope.city_id is None:
        return ActionItem.objects.none()
    return ActionItem.objects.filter(city_id=scope.city_id).filter(_paths_q(scope, "unit_path"))


def meetings_for_user(scope: Scope) -> QuerySet[Meeting]:
    if scope.city_id is None:
        return Meeting.objects.none()
    qs = Meeting.objects.filter(city_id=scope.city_id)
    if scope.see_all:
        return qs
    mine = ActionItem.objects.filter(meeting=OuterRef("pk")).filter(_paths_q(scope, "unit_path"))
    invited = Meeting.attendee_units.through.objects.filter(
        meeting_id=OuterRef("pk"), unit_id__in=list(scope.unit_ids)
    )
    return qs.filter(Q(Exists(mine)) | Q(Exists(invited)))


def get_meeting_for_user(scope: Scope, pk: int) -> Meeting:
    meeting = meetings_for_user(scope).select_related("chair").filter(pk=pk).first()
    if meeting is None:
        raise NotFound()
    return meeting


def overdue_actions(scope: Scope) -> QuerySet[ActionItem]:
    return actions_for_user(scope).filter(
        status=ActionStatus.OPEN, deadline__lt=timezone.localdate()
    )


def suggested_categories(city_id: int, items: Iterable[CheckItem]) -> dict[int, Category]:
    """check item id → the case category a failure of it is filed under by default: the first
    active category (by code) the office linked to one of the item's standards."""
    by_standard: dict[int, list[int]] = {}
    for item in items:
        for standard in item.standards.all():
            by_standard.setdefault(standard.pk, []).append(item.pk)
    chosen: dict[int, int] = {}
    rows = (
        Category.objects.filter(city_id=city_id, active=True, indicators__in=list(by_standard))
        .order_by("family", "major_code", "minor_code")
        .values_list("pk", "indicators")
    )
    for category_id, standard_id in rows:
        for item_id in by_standard.get(standard_id, ()):
            chosen.setdefault(item_id, category_id)
    categories = Category.objects.in_bulk(set(chosen.values()))
    return {item_id: categories[pk] for item_id, pk in chosen.items()}
