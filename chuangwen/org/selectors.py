"""Scoped reads of the organisation. Out of scope answers exactly like missing (NotFound)."""

from django.db.models import Count, Exists, OuterRef, QuerySet

from chuangwen.core.errors import NotFound

from .models import Grid, Membership, Pair, Person, Unit
from .scope import Scope


def units_for_user(scope: Scope) -> QuerySet[Unit]:
    return scope.filter(Unit.objects.all(), unit_field="")


def get_unit_for_user(scope: Scope, pk: int) -> Unit:
    unit = units_for_user(scope).filter(pk=pk).first()
    if unit is None:
        raise NotFound()
    return unit


def grids_for_user(scope: Scope) -> QuerySet[Grid]:
    return scope.filter(Grid.objects.all())


def get_grid_for_user(scope: Scope, pk: int) -> Grid:
    grid = grids_for_user(scope).select_related("unit").filter(pk=pk).first()
    if grid is None:
        raise NotFound()
    return grid


def people_for_user(scope: Scope) -> QuerySet[Person]:
    qs = Person.objects.filter(city_id=scope.city_id) if scope.city_id else Person.objects.none()
    if scope.see_all or scope.city_id is None:
        return qs
    in_scope = Membership.objects.filter(person=OuterRef("pk")).filter(scope.units_q("unit__"))
    return qs.filter(Exists(in_scope))


def get_person_for_user(scope: Scope, pk: int) -> Person:
    person = people_for_user(scope).select_related("user").filter(pk=pk).first()
    if person is None:
        raise NotFound()
    return person


def pairs_for_user(scope: Scope) -> QuerySet[Pair]:
    return scope.filter(Pair.objects.all()).select_related("unit", "community")


def unit_tree_rows(scope: Scope) -> list[Unit]:
    """Units in scope in tree order, annotated with member, grid and child counts."""
    return list(
        units_for_user(scope)
        .annotate(
            n_members=Count("memberships__person", distinct=True),
            n_grids=Count("grids", distinct=True),
        )
        .order_by("path")
    )
