"""Platform-level writes: API tokens."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from . import audit
from .errors import InvalidInput
from .models import ApiToken


@transaction.atomic
def issue_api_token(user: Any, *, name: str, acting_user: Any = None) -> tuple[ApiToken, str]:
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
def revoke_api_token(token: ApiToken, *, acting_user: Any = None) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record("core.api_token.revoked", token, actor=acting_user, summary=token.name)
    return token
