"""Scoped reads of the evaluation system. Every person of a city reads its active and archived
versions; drafts (imported, not yet adopted) are the office's. Missing and out-of-scope answer
alike (NotFound)."""

from django.db.models import Count, Prefetch, Q, QuerySet

from chuangwen.core.errors import NotFound
from chuangwen.org.scope import Scope

from .choices import CityTitle, SystemKind, SystemStatus
from .models import (
    CheckItem,
    EvaluationSystem,
    Indicator,
    IndicatorMapping,
    IndicatorMove,
    NegativeListItem,
    SiteType,
    StandardLink,
)


def systems_for_user(scope: Scope) -> QuerySet[EvaluationSystem]:
    if scope.city_id is None:
        return EvaluationSystem.objects.none()
    qs = EvaluationSystem.objects.filter(city_id=scope.city_id)
    if not scope.write_all:
        qs = qs.exclude(status=SystemStatus.DRAFT)
    return qs


def get_system_for_user(scope: Scope, pk: int) -> EvaluationSystem:
    system = systems_for_user(scope).select_related("previous").filter(pk=pk).first()
    if system is None:
        raise NotFound()
    return system


def active_system(
    scope: Scope, kind: str = SystemKind.MAIN, title: str = CityTitle.CIVILIZED
) -> EvaluationSystem | None:
    """The city's active system of ``kind`` for a title (default: the civilized-city one)."""
    qs = systems_for_user(scope).filter(kind=kind, title=title, status=SystemStatus.ACTIVE)
    return qs.first()


def current_system(scope: Scope, pk: int | str | None = None) -> EvaluationSystem | None:
    """The version asked for (``?system=``), else the active main system, else the newest."""
    if pk:
        try:
            return get_system_for_user(scope, int(pk))
        except (TypeError, ValueError) as exc:
            raise NotFound() from exc
    return active_system(scope) or systems_for_user(scope).first()


def indicators_for_user(
    scope: Scope, system: EvaluationSystem | None = None
) -> QuerySet[Indicator]:
    qs = Indicator.objects.filter(system__in=systems_for_user(scope))
    if system is not None:
        qs = qs.filter(system=system)
    return qs


def get_indicator_for_user(scope: Scope, pk: int) -> Indicator:
    node = indicators_for_user(scope).select_related("system", "parent").filter(pk=pk).first()
    if node is None:
        raise NotFound()
    return node


def tree_rows(scope: Scope, system: EvaluationSystem) -> list[Indicator]:
    """The whole tree in order, with check-item and child counts, in one query."""
    return list(
        indicators_for_user(scope, system)
        .annotate(n_checks=Count("check_items", distinct=True))
        .order_by("path")
    )


def ancestors(node: Indicator) -> QuerySet[Indicator]:
    return Indicator.objects.filter(pk__in=node.ancestor_ids()).order_by("path")


def node_history(node: Indicator) -> QuerySet[IndicatorMove]:
    return IndicatorMove.objects.filter(old=node) | IndicatorMove.objects.filter(new=node)


def site_types_for_user(scope: Scope) -> QuerySet[SiteType]:
    if scope.city_id is None:
        return SiteType.objects.none()
    return SiteType.objects.filter(city_id=scope.city_id)


def get_site_type_for_user(scope: Scope, pk: int) -> SiteType:
    site_type = site_types_for_user(scope).filter(pk=pk).first()
    if site_type is None:
        raise NotFound()
    return site_type


def checklist(system: EvaluationSystem, site_type: SiteType | None = None) -> QuerySet[CheckItem]:
    qs = CheckItem.objects.filter(system=system).select_related("site_type")
    if site_type is not None:
        qs = qs.filter(site_type=site_type)
    return qs.prefetch_related(
        Prefetch(
            "standards",
            queryset=Indicator.objects.order_by("path").only("id", "code", "title", "path"),
        )
    )


def site_types_with_checklists(system: EvaluationSystem, scope: Scope) -> list[SiteType]:
    items = list(checklist(system).order_by("site_type__sort", "sort"))
    by_type: dict[int, list[CheckItem]] = {}
    for item in items:
        by_type.setdefault(item.site_type_id, []).append(item)
    types = list(site_types_for_user(scope))
    for t in types:
        t.items = by_type.get(t.pk, [])  # type: ignore[attr-defined]
    return types


def negative_list(system: EvaluationSystem) -> QuerySet[NegativeListItem]:
    return NegativeListItem.objects.filter(system=system)


def mappings(system: EvaluationSystem) -> QuerySet[IndicatorMapping]:
    return IndicatorMapping.objects.filter(system=system).select_related("old", "new")


# --- 多城联创: standards linked across systems ------------------------------------------------


def links_for_user(scope: Scope) -> QuerySet[StandardLink]:
    """Links between standards of systems the user may read (drafts: the office only)."""
    if scope.city_id is None:
        return StandardLink.objects.none()
    systems = systems_for_user(scope).values("pk")
    return StandardLink.objects.filter(
        city_id=scope.city_id, a__system__in=systems, b__system__in=systems
    ).select_related("a__system", "b__system")


def get_link_for_user(scope: Scope, pk: int) -> StandardLink:
    link = links_for_user(scope).filter(pk=pk).first()
    if link is None:
        raise NotFound()
    return link


def linked_standards(indicator_id: int) -> QuerySet[Indicator]:
    """The standards of other systems linked to this one (either side of a link)."""
    a_side = StandardLink.objects.filter(b_id=indicator_id).values("a_id")
    b_side = StandardLink.objects.filter(a_id=indicator_id).values("b_id")
    return (
        Indicator.objects.filter(Q(pk__in=a_side) | Q(pk__in=b_side))
        .select_related("system")
        .order_by("system_id", "path")
    )


def standards_to_pick(
    scope: Scope, q: str, system_id: int | None = None, limit: int = 20
) -> list[Indicator]:
    """The search picker's answers: standards (leaves) whose code or title holds ``q``."""
    q = (q or "").strip()[:50]
    if not q:
        return []
    qs = indicators_for_user(scope).filter(
        system__status__in=[SystemStatus.ACTIVE, SystemStatus.DRAFT]
    )
    if system_id:
        qs = qs.filter(system_id=system_id)
    qs = qs.filter(Q(code__startswith=q) | Q(title__icontains=q) | Q(text__icontains=q))
    qs = qs.filter(Q(level="standard") | Q(children__isnull=True)).distinct()
    return list(qs.select_related("system").order_by("system_id", "path")[:limit])
