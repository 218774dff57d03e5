"""Scoped reads of pairs and their 六联 activities.

A unit sees the pairs where it, or a unit below it, is a party (the unit or the community /
village side); the office and leaders see every pair of the city. Out of scope answers 404
like missing. A running pair is *inactive* when its last activity (or, without any, its start)
lies more than the city's N months back (N = PairSettings.inactive_months, default 3); a pair
with neither an activity nor a start date counts from the day it was entered.
"""

import calendar
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from chuangwen.core.errors import NotFound
from chuangwen.org.choices import PAIR_COMMUNITY_KINDS
from chuangwen.org.models import Pair, Unit
from chuangwen.org.scope import Scope

from .models import DEFAULT_INACTIVE_MONTHS, PairActivity, PairActivityPhoto, PairSettings


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's end)."""
    y, m = divmod(day.year * 12 + (day.month - 1) - months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def inactive_months(city_id: int | None) -> int:
    if city_id is None:
        return DEFAULT_INACTIVE_MONTHS
    value = PairSettings.objects.filter(city_id=city_id).values_list("inactive_months", flat=True)
    return value.first() or DEFAULT_INACTIVE_MONTHS


def inactive_cutoff(city_id: int | None, today: date | None = None) -> date:
    return months_before(today or timezone.localdate(), inactive_months(city_id))


def _party_q(scope: Scope) -> Q:
    return scope.units_q("unit__") | scope.units_q("community__")


def pairs_for_user(scope: Scope) -> QuerySet[Pair]:
    if scope.city_id is None:
        return Pair.objects.none()
    qs = Pair.objects.filter(city_id=scope.city_id)
    if not scope.see_all:
        qs = qs.filter(_party_q(scope))
    return qs


def with_stats(qs: QuerySet[Pair], cutoff: date) -> QuerySet[Pair]:
    """Each pair with ``n_activities``, ``last_activity`` and ``inactive`` (running pairs only)."""
    qs = qs.annotate(
        n_activities=Count("liulian_activities"), last_activity=Max("liulian_activities__held_on")
    )
    stale = Q(ended_on__isnull=True) & (
        Q(last_activity__lt=cutoff)
        | Q(last_activity__isnull=True, started_on__isnull=True, created_at__date__lt=cutoff)
        | Q(last_activity__isnull=True, started_on__lt=cutoff)
    )
    return qs.annotate(
        inactive=Case(
            When(stale, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def pair_list_qs(scope: Scope, cutoff: date) -> QuerySet[Pair]:
    qs = pairs_for_user(scope).select_related("unit", "community", "community__parent")
    return with_stats(qs, cutoff).order_by(
        F("ended_on").asc(nulls_first=True), "community__path", "unit__path", "id"
    )


def get_pair_for_user(scope: Scope, pk: int) -> Pair:
    pair = pairs_for_user(scope).select_related("unit", "community").filter(pk=pk).first()
    if pair is None:
        raise NotFound()
    return pair


def activities_for_user(scope: Scope) -> QuerySet[PairActivity]:
    if scope.city_id is None:
        return PairActivity.objects.none()
    qs = PairActivity.objects.filter(city_id=scope.city_id)
    if not scope.see_all:
        qs = qs.filter(pair__in=pairs_for_user(scope).values("pk"))
    return qs


def get_activity_for_user(scope: Scope, pk: int) -> PairActivity:
    activity = activities_for_user(scope).filter(pk=pk).first()
    if activity is None:
        raise NotFound()
    return activity


def pair_activities(pair: Pair) -> QuerySet[PairActivity]:
    return (
        PairActivity.objects.filter(pair=pair)
        .select_related("recorded_by__person")
        .prefetch_related("photos")
        .order_by("-held_on", "-id")
    )


def get_photo_for_user(scope: Scope, pk: int) -> PairActivityPhoto:
    photo = (
        PairActivityPhoto.objects.filter(pk=pk, activity__in=activities_for_user(scope))
        .select_related("activity")
        .first()
    )
    if photo is None:
        raise NotFound()
    return photo


def units_to_pick(scope: Scope, q: str, communities: bool, limit: int = 20) -> list[Unit]:
    """The search picker's answers: active units of the city whose name or code holds ``q``
    (the community side: communities and villages only)."""
    q = (q or "").strip()[:50]
    if scope.city_id is None or not q:
        return []
    qs = Unit.objects.filter(city_id=scope.city_id, active=True).filter(
        Q(name__icontains=q) | Q(code__icontains=q)
    )
    if communities:
        qs = qs.filter(kind__in=PAIR_COMMUNITY_KINDS)
    return list(qs.select_related("parent").order_by("path")[:limit])
