"""A write that cannot proceed right now answers 503 with Retry-After, never 500.

``busy_from(exc)`` says whether an exception means "the database is busy or unreachable, try
again": ``chuangwen.core.errors.Busy`` itself, SQLite's "database is locked", and on PostgreSQL
a lost or refused connection, a lock or statement timeout, a deadlock or a serialization
failure. Anything else (a missing table, bad SQL) stays a real error.

``BusyMiddleware`` turns those into a 503 with ``Retry-After``: JSON under ``/api/``, the
Chinese error page elsewhere; an app with its own error format registers a renderer for its
path prefix in ``error_renderers`` from its ``AppConfig.ready`` (the api app does for
``/open311/``). It also adds ``Retry-After`` to every 503 a view answers by itself (the API's
``Busy`` handler, Open311's error array).
"""

from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import escape

from .errors import Busy

RETRY_AFTER_S = 3

# path prefix → renderer of a Busy error in that part of the site's own format
error_renderers: dict[str, Callable[[HttpRequest, Busy], HttpResponse]] = {}

# PostgreSQL SQLSTATEs worth a retry: connection exceptions (class 08), serialization failure,
# deadlock, lock not available (lock_timeout), query canceled (statement_timeout), too many
# connections, and the server shutting down or starting up (57P01–57P03)
_RETRYABLE_STATES = {"40001", "40P01", "55P03", "57014", "53300", "57P01", "57P02", "57P03"}
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def busy_from(exc: BaseException) -> Busy | None:
    """The ``Busy`` error ``exc`` amounts to, or ``None`` when it is not a retryable one."""
    if isinstance(exc, Busy):
        return exc
    if isinstance(exc, InterfaceError):  # the connection is gone
        return Busy()
    if not isinstance(exc, OperationalError):
        return None
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None)
    if state is not None:
        return Busy() if state in _RETRYABLE_STATES or state.startswith("08") else None
    message = str(exc).lower()
    if any(m in message for m in _SQLITE_BUSY):
        return Busy()
    # psycopg raises connection failures (refused, server gone) without a SQLSTATE
    if cause is not None and type(cause).__module__.startswith("psycopg"):
        return Busy()
    return None


def busy_response(request: HttpRequest, error: Busy) -> HttpResponse:
    for prefix, renderer in error_renderers.items():
        if request.path.startswith(prefix):
            response = renderer(request, error)
            break
    else:
        if request.path.startswith("/api/"):
            response = JsonResponse(error.as_dict(), status=error.status)
        else:
            try:
                response = render(request, "error.html", {"error": error}, status=error.status)
            except (OperationalError, InterfaceError):  # the page itself needs the database
                response = HttpResponse(
                    f"<!doctype html><meta charset=utf-8><p>{escape(error.message)}</p>",
                    status=error.status,
                )
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


class BusyMiddleware:
    """503 + Retry-After for writes that cannot proceed right now (see the module text)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 503 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(RETRY_AFTER_S)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        error = busy_from(exception)
        if error is None:
            return None
        return busy_response(request, error)
