"""Platform-level writes: in-app notifications (API tokens: ``chuangwen.api.services``)."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Notification


def notify(user_ids: Iterable[int | None], text: str, *, url: str = "", topic: str = "") -> None:
    """Queue an in-app notification to each user, written (one INSERT) when the transaction
    commits, so a rolled-back change never announces itself. ``url`` is the page the message
    leads to, ``topic`` the app that sent it."""
    ids = sorted({u for u in user_ids if u})
    if not ids:
        return
    text = text[:300]

    def write() -> None:
        Notification.objects.bulk_create(
            [Notification(user_id=u, topic=topic, text=text, url=url) for u in ids]
        )

    transaction.on_commit(write)


def mark_notifications_read(user: Any, ids: Sequence[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those of ``ids``) read; how many were."""
    qs = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
