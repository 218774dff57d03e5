"""Which cases a scope sees: a unit sees the cases whose responsible unit, whose grid's unit or
whose handling unit (下派) is in its subtree, and a person the cases passed down to them; the
office and leaders see every case of the city; a citizen sees the cases of their own reports."""

from functools import reduce
from operator import or_

from django.db.models import Q

from chuangwen.org.scope import Scope


def case_q(scope: Scope) -> Q:
    if scope.city_id is None:
        return Q(pk__in=[])
    q = Q(city_id=scope.city_id)
    if scope.see_all:
        return q
    parts = [
        Q(unit_path__startswith=p) | Q(area_path__startswith=p) | Q(handler_path__startswith=p)
        for p in scope.unit_paths
    ]
    if scope.person_id is not None:
        parts.append(Q(handler_id=scope.person_id))  # cases passed down to the person
        from .models import Report

        # the few cases of the person's own reports, as a list: an EXISTS per case row would
        # keep the database from answering the path prefixes from their indexes
        own = set(
            Report.objects.filter(reporter_id=scope.person_id).values_list("case_id", flat=True)
        )
        if own:
            parts.append(Q(pk__in=sorted(own)))
    if not parts:
        return Q(pk__in=[])
    return q & reduce(or_, parts)


def can_see(scope: Scope, case: object) -> bool:
    """The same rule as ``case_q`` for one loaded case (the citizen rule needs a query)."""
    if scope.city_id is None or scope.city_id != case.city_id:  # type: ignore[attr-defined]
        return False
    if scope.see_all:
        return True
    paths = [case.unit_path, case.area_path, case.handler_path]  # type: ignore[attr-defined]
    if any(p and scope.covers_path(p) for p in paths):
        return True
    if scope.person_id is not None and case.handler_id == scope.person_id:  # type: ignore[attr-defined]
        return True
    if scope.person_id is not None:
        from .models import Report

        return Report.objects.filter(case_id=case.pk, reporter_id=scope.person_id).exists()  # type: ignore[attr-defined]
    return False
