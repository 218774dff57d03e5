"""What a user may see and do, following the unit tree.

- office admins see and act on everything of their city;
- leaders read everything of their city and change nothing;
- everyone else sees and acts on the units they belong to and those units' descendants.

Selectors filter every scoped read through ``Scope``; out-of-scope objects are answered 404
exactly like missing ones.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet

from .choices import Role


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    city_id: int | None
    person_id: int | None = None
    roles: frozenset[str] = frozenset()
    unit_paths: tuple[str, ...] = ()
    unit_ids: frozenset[int] = frozenset()
    see_all: bool = False
    write_all: bool = False
    memberships: tuple[tuple[int, str], ...] = field(default=())

    @property
    def is_anonymous(self) -> bool:
        return self.city_id is None

    @property
    def is_office(self) -> bool:
        return Role.OFFICE_ADMIN in self.roles

    @property
    def read_only(self) -> bool:
        return not self.write_all and not self.unit_paths

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def units_q(self, prefix: str = "") -> Q:
        """Q limiting a queryset to rows whose unit (``prefix`` + ``path``) is in scope."""
        if self.city_id is None:
            return Q(pk__in=[])
        if self.see_all:
            return Q()
        if not self.unit_paths:
            return Q(pk__in=[])
        lookup = f"{prefix}path__startswith"
        return reduce(or_, (Q(**{lookup: p}) for p in self.unit_paths))

    def filter(
        self, qs: QuerySet, unit_field: str | None = "unit", city_field: str = "city"
    ) -> QuerySet:
        """Limit ``qs`` to the user's city and (unless they see all) to units in scope."""
        if self.city_id is None:
            return qs.none()
        qs = qs.filter(**{f"{city_field}_id": self.city_id})
        if self.see_all or unit_field is None:
            return qs
        prefix = f"{unit_field}__" if unit_field else ""
        return qs.filter(self.units_q(prefix))

    def covers_path(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.unit_paths)

    def can_read_unit(self, unit: Any) -> bool:
        if unit is None or unit.city_id != self.city_id:
            return False
        return self.see_all or self.covers_path(unit.path)

    def can_write_unit(self, unit: Any) -> bool:
        if unit is None or unit.city_id != self.city_id:
            return False
        return self.write_all or self.covers_path(unit.path)


ANONYMOUS = Scope(user_id=None, city_id=None)


def scope_for_user(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    from .models import Membership, Person

    person = Person.objects.filter(user_id=user.pk, active=True).only("id", "city_id").first()
    if person is None:
        return Scope(user_id=user.pk, city_id=None)
    rows = list(
        Membership.objects.filter(person_id=person.pk, unit__active=True).values_list(
            "unit_id", "unit__path", "role"
        )
    )
    roles = frozenset(r for _, _, r in rows)
    see_all = bool(roles & {Role.OFFICE_ADMIN, Role.LEADER})
    write_all = Role.OFFICE_ADMIN in roles
    # unit-bound roles act on their subtree; citizens and volunteers act on their own rows only
    unit_roles = {Role.UNIT_LIAISON, Role.INSPECTOR, Role.GRID_WORKER, Role.OFFICE_ADMIN}
    paths = sorted({p for _, p, r in rows if r in unit_roles})
    # drop paths already covered by an ancestor path
    minimal = tuple(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
    return Scope(
        user_id=user.pk,
        city_id=person.city_id,
        person_id=person.pk,
        roles=roles,
        unit_paths=minimal,
        unit_ids=frozenset(u for u, _, _ in rows),
        see_all=see_all,
        write_all=write_all,
        memberships=tuple((u, r) for u, _, r in rows),
    )


def scope_of(request: Any) -> Scope:
    """The scope of an API caller: ``request.auth`` is the user the API's auth classes found."""
    return scope_for_user(getattr(request, "auth", None))
