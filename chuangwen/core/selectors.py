"""Platform-level reads: a user's in-app notifications, the background jobs a user may see."""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from .errors import NotFound
from .models import Job, Notification

M = TypeVar("M", bound=Model)


def one(qs: QuerySet[M], pk: int) -> M:
    """Row ``pk`` of ``qs`` (a scoped read): NotFound when it is not there, so a missing row and
    one out of scope answer alike."""
    row = qs.filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


def notifications_for_user(user: Any) -> QuerySet[Notification]:
    """All of the user's notifications, newest first (none for an anonymous visitor)."""
    return Notification.objects.filter(user_id=user.pk or 0).order_by("-id")


def _unread(user: Any) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return notifications_for_user(user).filter(read_at__isnull=True)


def unread_count(user: Any) -> int:
    """How many notifications the user has not read (0 for an anonymous visitor)."""
    return _unread(user).count()


def recent_unread(user: Any, limit: int = 20) -> list[Notification]:
    """The user's newest unread notifications, at most ``limit``."""
    return list(_unread(user)[:limit])


def jobs_for_user(scope: Any) -> QuerySet[Job]:
    """The background jobs of the user's city the user may see, newest first: all of them for
    the office, the ones they submitted for everyone else (none without a city)."""
    if scope.city_id is None:
        return Job.objects.none()
    qs = Job.objects.filter(city_id=scope.city_id)
    if not scope.is_office:
        qs = qs.filter(created_by_id=scope.user_id)
    return qs.order_by("-id")


def get_job_for_user(scope: Any, pk: int) -> Job:
    """One job the user may see; missing and out-of-scope alike answer 404."""
    return one(jobs_for_user(scope).select_related("created_by__person"), pk)
