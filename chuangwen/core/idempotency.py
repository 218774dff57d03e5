"""``Idempotency-Key`` on the POSTs of the JSON API and Open311: a retried request is done once.

A client that sends a POST and gets no answer (a dropped connection, a timeout, a 503 while the
database restarts) cannot know whether it was done. Open311 has no idempotency key of its own,
and the duplicate check (并单) is no guarantee: it attaches a second *report* to the case, only
when category and location are given, and only while the case is open. So a client sends
``Idempotency-Key: <its own unique id>`` (a UUID) and retries with the same key:

- the key row is written in the same transaction as the request's own writes, so it exists if
  and only if the request committed (a UNIQUE (sender, key) constraint makes a concurrent
  duplicate wait and then fail instead of writing a second time);
- a retry of a committed request gets the stored answer again (same status and body, header
  ``Idempotent-Replayed: true``), nothing is written;
- a request that did not succeed (any answer but 2xx) leaves no key and rolls back, so its
  retry runs afresh;
- the same key with a different request body is refused (422).

The sender is a digest of the credential (bearer token, Open311 api_key, or the session user),
so two clients using the same key never see each other's answers. Anonymous POSTs and other
paths are passed through untouched.
"""

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .errors import Busy
from .models import IdempotentRequest

HEADER = "Idempotency-Key"
PATHS = ("/api/", "/open311/")
MAX_KEY = 100


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def sender_of(request: HttpRequest) -> str | None:
    """Who sent the request, as a digest of its credential; ``None`` for anonymous requests."""
    auth = request.headers.get("Authorization", "")
    if auth:
        return "auth:" + _digest(auth.encode())[:64]
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        api_key = request.POST.get("api_key", "")
        if api_key:
            return "key:" + _digest(api_key.encode())[:64]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def fingerprint_of(request: HttpRequest) -> str:
    """What the request asks for: path and body (form fields and uploaded files' names and
    sizes for multipart, which must not be read whole into memory)."""
    parts = [request.path.encode(), request.META.get("QUERY_STRING", "").encode()]
    if request.content_type == "multipart/form-data":
        for name in sorted(request.POST):
            parts.append(f"{name}={request.POST.getlist(name)!r}".encode())
        for name in sorted(request.FILES):
            for f in request.FILES.getlist(name):
                parts.append(f"{name}:{f.name}:{f.size}".encode())
    else:
        parts.append(request.body)
    return _digest(*parts)


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/open311/"):  # the GeoReport v2 error shape
        return JsonResponse([{"code": status, "description": message}], status=status, safe=False)
    return JsonResponse({"code": code, "message": message}, status=status)


def _replay(request: HttpRequest, row: IdempotentRequest, fingerprint: str) -> HttpResponse:
    if row.fingerprint != fingerprint:
        return _error(
            request,
            422,
            "idempotency_key_reused",
            _("Idempotency-Key「%(k)s」已用于内容不同的另一个请求，请为新请求换一个键")
            % {"k": row.key},
        )
    response = HttpResponse(row.body, status=row.status, content_type=row.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith(PATHS):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY or not key.isascii() or not key.isprintable():
            return _error(
                request,
                400,
                "bad_idempotency_key",
                _("Idempotency-Key 必须是 1 到 100 个可见 ASCII 字符（建议用 UUID）"),
            )
        sender = sender_of(request)
        if sender is None:
            return self.get_response(request)
        fingerprint = fingerprint_of(request)
        try:
            return self._once(request, sender, key, fingerprint)
        except (OperationalError, InterfaceError):
            busy = Busy()
            return _error(request, busy.status, busy.code, str(busy.message))

    def _once(self, request: HttpRequest, sender: str, key: str, fingerprint: str) -> HttpResponse:
        done = IdempotentRequest.objects.filter(sender=sender, key=key).first()
        if done is not None:
            return _replay(request, done, fingerprint)
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    sender=sender, key=key, fingerprint=fingerprint
                )
                response = self.get_response(request)
                if not 200 <= response.status_code < 300 or response.streaming:
                    transaction.set_rollback(True)  # not done: no key, nothing kept
                    return response
                row.status = response.status_code
                row.content_type = response.get("Content-Type", "")
                row.body = response.content.decode(response.charset or "utf-8")
                row.save(update_fields=["status", "content_type", "body"])
                return response
        except IntegrityError:
            # the same key committed by a concurrent request while this one waited for it
            done = IdempotentRequest.objects.filter(sender=sender, key=key).first()
            if done is None:
                raise
            return _replay(request, done, fingerprint)
