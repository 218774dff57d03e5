"""What every part of the case services shares: the audited case fields, tracking codes, the
actor's scope and role paths, the maintained state counts, notifications and whom they reach,
the bulk insert and saving a checked photo."""

import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from chuangwen.core import services as core_services
from chuangwen.org.choices import Role
from chuangwen.org.models import City, Membership, Person, Unit
from chuangwen.org.scope import Scope

from ..models import Case, CasePhoto, Report, StateCount

CASE_FIELDS = ["state", "category", "unit", "deadline", "resolution", "handler_unit", "handler"]
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_tracking_code() -> str:
    raw = secrets.token_bytes(10)
    return "".join(_CODE_ALPHABET[b % 32] for b in raw)


# --- helpers --------------------------------------------------------------------------------


def _paths_for_roles(scope: Scope, roles: set[str]) -> list[str]:
    ids = [u for u, r in scope.memberships if r in roles]
    if not ids:
        return []
    return list(Unit.objects.filter(pk__in=ids, active=True).values_list("path", flat=True))


def _covers(paths: Iterable[str], *targets: str) -> bool:
    return any(t and t.startswith(p) for p in paths for t in targets)


def _bump_counts(city_id: int, deltas: Counter) -> None:
    """Apply (unit_id, state) → delta to the maintained StateCount rows: in one sorted order
    (concurrent intakes lock the rows alike, no deadlock); a row another transaction created
    meanwhile is updated instead (unique key), not a 500."""
    for (unit_id, state), delta in sorted(deltas.items()):
        if not delta:
            continue
        row = StateCount.objects.filter(city_id=city_id, unit_id=unit_id, state=state)
        if row.update(n=F("n") + delta):
            continue
        try:
            with transaction.atomic():
                StateCount.objects.create(city_id=city_id, unit_id=unit_id, state=state, n=delta)
        except IntegrityError:
            row.update(n=F("n") + delta)


def rebuild_state_counts(city: City | int) -> None:
    """Recompute StateCount from the cases (after a raw bulk load or to repair drift)."""
    from django.db.models import Count

    city_id = city if isinstance(city, int) else city.pk
    with transaction.atomic():
        StateCount.objects.filter(city_id=city_id).delete()
        rows = (
            Case.objects.filter(city_id=city_id)
            .values("unit_id", "state")
            .annotate(n=Count("id"))
            .order_by()
        )
        StateCount.objects.bulk_create(
            [
                StateCount(city_id=city_id, unit_id=r["unit_id"] or 0, state=r["state"], n=r["n"])
                for r in rows
            ]
        )


def notify(user_ids: Iterable[int], case: Case | None, text: str) -> None:
    """Queue in-app notifications about the case (leading to its page), written when the
    transaction commits."""
    url = reverse("cases:detail", args=[case.pk]) if case is not None else ""
    core_services.notify(user_ids, text, url=url, topic="cases")


def _unit_users(unit_id: int | None, roles: Sequence[str]) -> list[int]:
    """Users in ``roles`` of the unit, or of its nearest ancestor that has any (a district's
    liaison acts for its communities)."""
    if unit_id is None:
        return []
    path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first() or ""
    ids = [int(x) for x in path.strip(".").split(".") if x]
    rows = Membership.objects.filter(
        unit_id__in=ids, role__in=roles, person__active=True
    ).values_list("unit__depth", "person__user_id")
    if not rows:
        return []
    deepest = max(d for d, _u in rows)
    return sorted({u for d, u in rows if d == deepest})


def _grid_worker_users(case: Case) -> list[int]:
    """The grid workers of the case's grid (they verify handled cases on site)."""
    if case.grid_id is None:
        return []
    return list(
        Person.objects.filter(grids=case.grid_id, active=True).values_list("user_id", flat=True)
    )


def _office_users(city_id: int) -> list[int]:
    return list(
        Membership.objects.filter(
            unit__city_id=city_id, role=Role.OFFICE_ADMIN, person__active=True
        )
        .values_list("person__user_id", flat=True)
        .distinct()
    )


def _reporter_users(case: Case) -> list[int]:
    return list(
        Report.objects.filter(case=case, reporter__isnull=False).values_list(
            "reporter__user_id", flat=True
        )
    )


def save_photo(
    case: Case, photo: Any, kind: str, *, report: Report | None = None, user: Any = None
) -> CasePhoto:
    row = CasePhoto(
        case=case,
        report=report,
        kind=kind,
        width=photo.width,
        height=photo.height,
        size=photo.size,
        exif_lon=photo.lon,
        exif_lat=photo.lat,
        taken_at=photo.taken_at,
        uploaded_by=user,
    )
    row.store(photo)
    return row
