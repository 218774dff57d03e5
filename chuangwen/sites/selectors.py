"""Scoped reads of sites: a unit sees the sites in its area, those it owns and those it 包保s."""

from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet

from chuangwen.core.errors import NotFound
from chuangwen.org.scope import Scope

from .models import Site, SiteAssignment


def units_q(scope: Scope) -> Q:
    """Sites whose area, owner or a 包保 unit lies in one of the scope's subtrees."""
    if scope.see_all:
        return Q()
    if not scope.unit_paths:
        return Q(pk__in=[])
    assigned = SiteAssignment.objects.filter(site=OuterRef("pk")).filter(
        reduce(or_, (Q(unit_path__startswith=p) for p in scope.unit_paths))
    )
    return reduce(
        or_,
        (Q(area_path__startswith=p) | Q(owner_path__startswith=p) for p in scope.unit_paths),
    ) | Q(Exists(assigned))


def sites_for_user(scope: Scope) -> QuerySet[Site]:
    if scope.city_id is None:
        return Site.objects.none()
    return Site.objects.filter(city_id=scope.city_id).filter(units_q(scope))


def get_site_for_user(scope: Scope, pk: int) -> Site:
    site = (
        sites_for_user(scope)
        .select_related("site_type", "grid", "area_unit", "district", "owner")
        .filter(pk=pk)
        .first()
    )
    if site is None:
        raise NotFound()
    return site
