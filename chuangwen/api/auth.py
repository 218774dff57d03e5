"""API authentication: bearer tokens for devices and systems, the session for the web pages."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from chuangwen.core.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """The token's user, while the token is neither revoked nor expired, was issued after
        the user's last password change, and the user may log in: active account, active
        person (if any), not locked out by failed logins."""
        from django.db.models import Exists, OuterRef, Q

        from chuangwen.core.lockout import account_locked
        from chuangwen.core.models import PasswordHistory

        now = timezone.now()
        password_changed_since = PasswordHistory.objects.filter(
            user_id=OuterRef("user_id"), created_at__gt=OuterRef("created_at")
        )
        row = (
            ApiToken.objects.select_related("user")
            .filter(
                Q(user__person__isnull=True) | Q(user__person__active=True),
                digest=ApiToken.hash(token),
                revoked_at__isnull=True,
                expires_at__gt=now,
                user__is_active=True,
            )
            .exclude(Exists(password_changed_since))
            .first()
        )
        if row is None or account_locked(request, row.user.get_username()):
            return None
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class SessionWithCsrf(SessionAuth):
    """The logged-in browser session (CSRF checked on writes by ninja)."""
