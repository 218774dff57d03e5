"""Platform-level reads: a user's in-app notifications."""

from typing import Any

from django.db.models import QuerySet

from .models import Notification


def notifications_for_user(user: Any) -> QuerySet[Notification]:
    """All of the user's notifications, newest first (none for an anonymous visitor)."""
    return Notification.objects.filter(user_id=user.pk or 0).order_by("-id")


def unread_count(user: Any) -> int:
    """How many notifications the user has not read (0 for an anonymous visitor)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def recent_unread(user: Any, limit: int = 20) -> list[Notification]:
    """The user's newest unread notifications, at most ``limit``."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Notification.objects.filter(user_id=user.pk, read_at__isnull=True).order_by("-id")[:limit]
    )
