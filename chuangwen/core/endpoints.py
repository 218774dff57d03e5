"""What a write endpoint of the JSON API does once it has found what it acts on: call the
service as the caller (its ``acting_user``, whom the audit trail names) and, for what the call
made, answer 201 Created."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Status

T = TypeVar("T")


def act(request: HttpRequest, service: Callable[..., T], /, *args: Any, **fields: Any) -> T:
    """``service(*args, **fields)`` done by the API's caller."""
    return service(*args, **fields, acting_user=request.auth)  # type: ignore[attr-defined]


def created(
    request: HttpRequest, service: Callable[..., Any], /, *args: Any, **fields: Any
) -> Status:
    """``act``, answered 201 with what the service made."""
    return Status(201, act(request, service, *args, **fields))
