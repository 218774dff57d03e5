"""Login throttling on top of django-axes: the account lock-out, an address lock-out next to it,
and the checks the API tokens and the change-password page share with the login.

Axes locks by one set of parameters with one limit (``AXES_LOCKOUT_PARAMETERS``,
``AXES_FAILURE_LIMIT``). We keep its per-account lock-out (``["username"]``: a whole office
often shares one NAT address, so a handful of typos must not lock every colleague out) and add
a much higher per-address limit (``LOGIN_IP_FAILURE_LIMIT``) for password spraying: many
failures from one address across different accounts refuse that address for the cool-off time.
A success resets only the account's own failures (axes' reset follows the lock-out parameters),
so a valid account cannot be used to wipe an address's count.
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.http import HttpRequest


class AxesHandler(AxesDatabaseHandler):
    """Axes' database handler with the per-address limit added (``settings.AXES_HANDLER``)."""

    def account_failures(self, request: HttpRequest, username: str) -> int:
        return super().get_failures(request, get_credentials(username))

    def address_failures(self, request: HttpRequest) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The account's failures; an address over its own limit counts as a full lock-out."""
        failures = super().get_failures(request, credentials)
        if self.address_failures(request) >= settings.LOGIN_IP_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def account_locked(request: HttpRequest, username: str) -> bool:
    """The account is locked out by failed logins. Its address is not considered: a device's
    token, or a colleague's open session on the change-password page, keeps working behind an
    address someone else is spraying from (the login form itself refuses that address)."""
    AxesProxyHandler.update_request(request)
    return AxesHandler().account_failures(request, username) >= get_failure_limit(
        request, get_credentials(username)
    )


def record_failed_password(request: HttpRequest, user: Any) -> None:
    """A wrong password typed outside the login form (the old password on the change-password
    page) counts towards the same lock-out as a failed login."""
    user_login_failed.send(
        sender=__name__,
        credentials=get_credentials(user.get_username()),
        request=request,
    )
