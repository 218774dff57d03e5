"""Scoped reads of volunteer service and of the moral bank (two sections). Out of scope answers
exactly like missing (NotFound).

Who sees what (volunteers): the office every volunteer of its city; a unit the volunteers whose
area is its own or below; a volunteer themselves. Activities are calls for volunteers: every
member of the city reads them; only the organising unit (and above, and the office) manages
one.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from chuangwen.core.errors import NotFound
from chuangwen.org.scope import Scope

from .choices import ActivityStatus, RecordKind, SignupStatus
from .models import Activity, Attendance, ServiceRecord, Team, Volunteer

# ==== volunteers ==============================================================================


def volunteer_of(scope: Scope) -> Volunteer | None:
    """The logged-in person's own volunteer row, if they are a registered volunteer."""
    if scope.person_id is None or scope.city_id is None:
        return None
    return (
        Volunteer.objects.select_related("person", "area")
        .filter(person_id=scope.person_id, city_id=scope.city_id)
        .first()
    )


def volunteers_for_user(scope: Scope) -> QuerySet[Volunteer]:
    return scope.filter(Volunteer.objects.all(), unit_field="area")


def volunteer_list_qs(scope: Scope) -> QuerySet[Volunteer]:
    return volunteers_for_user(scope).select_related("person", "area").order_by("-id")


def get_volunteer_for_user(scope: Scope, pk: int) -> Volunteer:
    row = volunteer_list_qs(scope).filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


def teams_for_city(scope: Scope) -> QuerySet[Team]:
    """Every active team of the city (volunteers pick one to join)."""
    if scope.city_id is None:
        return Team.objects.none()
    return (
        Team.objects.filter(city_id=scope.city_id, active=True)
        .select_related("unit")
        .annotate(n_members=Count("members", distinct=True))
        .order_by("name")
    )


def teams_managed(scope: Scope) -> QuerySet[Team]:
    return scope.filter(Team.objects.all(), unit_field="unit")


def get_team_for_user(scope: Scope, pk: int) -> Team:
    row = teams_for_city(scope).filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


def activities_for_user(scope: Scope) -> QuerySet[Activity]:
    """Every activity of the city (members read them all)."""
    if scope.city_id is None:
        return Activity.objects.none()
    return Activity.objects.filter(city_id=scope.city_id)


def activity_list_qs(scope: Scope) -> QuerySet[Activity]:
    return (
        activities_for_user(scope)
        .select_related("unit", "team")
        .annotate(
            n_signed=Count(
                "signups", filter=Q(signups__status=SignupStatus.SIGNED_UP), distinct=True
            )
        )
        .order_by("-starts_at", "-id")
    )


def managed_activities(scope: Scope) -> QuerySet[Activity]:
    """The activities the user organises: their units' and below (the office: all)."""
    return scope.filter(activity_list_qs(scope), unit_field="unit")


def get_activity_for_user(scope: Scope, pk: int) -> Activity:
    row = activity_list_qs(scope).filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


def can_manage(scope: Scope, activity: Activity) -> bool:
    return scope.can_write_unit(activity.unit)


def open_activities(scope: Scope, now: dt.datetime | None = None) -> QuerySet[Activity]:
    """Activities a volunteer may still sign up for, soonest first."""
    return (
        activity_list_qs(scope)
        .filter(status=ActivityStatus.PUBLISHED, ends_at__gt=now or timezone.now())
        .order_by("starts_at", "id")
    )


def attendances_of(activity: Activity) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(activity=activity)
        .select_related("volunteer__person")
        .order_by("checked_in_at", "id")
    )


def my_activities(volunteer: Volunteer) -> list[dict[str, Any]]:
    """The volunteer's signed-up activities with their check-in state, newest first."""
    attendance = {a.activity_id: a for a in Attendance.objects.filter(volunteer=volunteer)}
    rows = []
    for activity in (
        Activity.objects.filter(
            signups__volunteer=volunteer, signups__status=SignupStatus.SIGNED_UP
        )
        .select_related("unit", "team")
        .order_by("-starts_at", "-id")[:100]
    ):
        rows.append({"activity": activity, "attendance": attendance.get(activity.pk)})
    return rows


def records_of(volunteer: Volunteer) -> QuerySet[ServiceRecord]:
    return (
        ServiceRecord.objects.filter(volunteer=volunteer)
        .select_related("activity", "recorded_by__person")
        .order_by("-id")
    )


def records_of_activity(activity: Activity) -> QuerySet[ServiceRecord]:
    return (
        ServiceRecord.objects.filter(activity=activity)
        .select_related("volunteer__person", "corrects")
        .order_by("id")
    )


def service_summary(volunteer: Volunteer) -> tuple[list[dict[str, Any]], int]:
    """Per activity: date, title, organiser, place and minutes (service plus corrections), and
    the total minutes — what a certificate states."""
    rows = (
        ServiceRecord.objects.filter(volunteer=volunteer)
        .values(
            "activity_id",
            "activity__title",
            "activity__place",
            "activity__starts_at",
            "activity__unit__name",
            "activity__team__name",
        )
        .annotate(minutes=Sum("minutes"))
        .order_by("activity__starts_at", "activity_id")
    )
    out = []
    for r in rows:
        if not r["minutes"]:
            continue
        start = r["activity__starts_at"]
        out.append(
            {
                "date": timezone.localtime(start).date().isoformat() if start else "",
                "title": r["activity__title"] or "",
                "organiser": r["activity__team__name"] or r["activity__unit__name"] or "",
                "place": r["activity__place"] or "",
                "minutes": r["minutes"],
            }
        )
    return out, sum(r["minutes"] for r in out)


def confirmed_records(
    city_id: int, *, since: dt.datetime | None = None, after_id: int | None = None
) -> QuerySet[ServiceRecord]:
    """The hours ledger of a city in order (the moral bank's catch-up and recount): confirmed
    service rows and corrections, written at or after ``since`` and/or with an id above
    ``after_id``."""
    qs = ServiceRecord.objects.filter(city_id=city_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if after_id is not None:
        qs = qs.filter(pk__gt=after_id)
    return qs.select_related("volunteer__person", "activity").order_by("id")


def confirmed_minutes(
    city_id: int, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> int:
    qs = ServiceRecord.objects.filter(city_id=city_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs.aggregate(s=Sum("minutes"))["s"] or 0


def registered_count(city_id: int) -> int:
    return Volunteer.objects.filter(city_id=city_id, active=True).count()


def hours_by_volunteer(
    volunteers: QuerySet[Volunteer], since: dt.date | None, until: dt.date | None
) -> QuerySet[Volunteer]:
    """The volunteers with their confirmed minutes in the period (by the date each ledger row
    was written) and their number of service rows."""
    q = Q()
    if since is not None:
        q &= Q(records__created_at__date__gte=since)
    if until is not None:
        q &= Q(records__created_at__date__lte=until)
    return volunteers.annotate(
        period_minutes=Sum("records__minutes", filter=q),
        period_services=Count("records", filter=q & Q(records__kind=RecordKind.SERVICE)),
    )


# ==== end of volunteers ========================================================================
