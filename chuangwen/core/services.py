"""Platform-level writes: API tokens, in-app notifications."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import audit
from .errors import InvalidInput
from .models import ApiToken, Notification


@transaction.atomic
def issue_api_token(user: Any, *, name: str, acting_user: Any) -> tuple[ApiToken, str]:
    """Create a token for ``user``; the raw token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("令牌名称不能为空", code="required")
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name, digest=ApiToken.hash(raw))
    audit.record(
        "core.api_token.issued",
        token,
        actor=acting_user,
        after={"user": user.pk, "name": name},
        summary=name,
        city=getattr(getattr(user, "person", None), "city", None),
    )
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, acting_user: Any) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record("core.api_token.revoked", token, actor=acting_user, summary=token.name)
    return token


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
