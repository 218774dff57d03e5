"""API tokens: issue and revoke. A token belongs to one user; the user manages their own, the
city's office manages every token of its city, and the system (``manage.py api_token``) any."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.core.models import ApiToken
from chuangwen.org.actors import actor_user, is_system, require_office
from chuangwen.org.models import City


def _require_owner_or_office(actor: Any, user: Any, message: str) -> City | None:
    """The actor is the user, the office of the user's city, or the system; the user's city."""
    city = City.objects.filter(person__user_id=user.pk).first()
    if is_system(actor):
        return city
    me = actor_user(actor)
    if me is not None and me.pk == user.pk:
        return city
    if city is None:
        raise PermissionDenied(message)
    require_office(actor, city, message)
    return city


def token_days(days: Any) -> int:
    """The lifetime asked for, in whole days: 1 … ``API_TOKEN_MAX_DAYS``; empty: the default."""
    if days is None or days == "":
        return int(settings.API_TOKEN_DAYS)
    try:
        value = int(str(days).strip())
    except ValueError:
        raise InvalidInput(_("有效天数须为整数"), code="bad_days") from None
    if not 1 <= value <= settings.API_TOKEN_MAX_DAYS:
        raise InvalidInput(
            _("有效天数须在 1 到 %(max)s 之间") % {"max": settings.API_TOKEN_MAX_DAYS},
            code="bad_days",
        )
    return value


@transaction.atomic
def issue_api_token(
    user: Any, *, name: str, days: Any = None, acting_user: Any
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` valid for ``days`` (default ``API_TOKEN_DAYS``); the raw
    token is returned once and only its hash and first characters are stored."""
    city = _require_owner_or_office(acting_user, user, _("只能为自己或本市人员签发令牌"))
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("令牌名称不能为空"), code="required")
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise InvalidInput(_("令牌名称过长"), code="too_long")
    if not user.is_active:
        raise InvalidInput(_("该账号已停用，不能签发令牌"), code="inactive")
    lifetime = token_days(days)
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=ApiToken.hash(raw),
        prefix=raw[: ApiToken.SHOWN_PREFIX],
        expires_at=timezone.now() + timedelta(days=lifetime),
    )
    audit.record(
        "core.api_token.issued",
        token,
        actor=acting_user,
        city=city,
        after={"user": user.pk, "name": name, "prefix": token.prefix, "days": lifetime},
        summary=f"{name} ({token.prefix}…)",
    )
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, acting_user: Any) -> ApiToken:
    """Revoke the token now (already revoked: nothing changes, nothing is written)."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    city = _require_owner_or_office(acting_user, token.user, _("只能吊销自己或本市人员的令牌"))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            "core.api_token.revoked",
            token,
            actor=acting_user,
            city=city,
            after={"user": token.user_id, "prefix": token.prefix, "revoked_at": token.revoked_at},
            summary=f"{token.name} ({token.prefix}…)",
        )
    return token
