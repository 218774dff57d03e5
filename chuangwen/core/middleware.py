from collections.abc import Callable

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequired
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import ServiceError


class ServiceErrorMiddleware:
    """Answer ServiceErrors raised by page views as their status with the Chinese message
    (the API answers them itself, as JSON)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ServiceError) or request.path.startswith("/api/"):
            return None
        return render(request, "error.html", {"error": exception}, status=exception.status)


class LoginRequiredMiddleware(BaseLoginRequired):
    """Every page needs a login unless marked ``login_not_required``; the API, Open311 and
    static files authenticate (or not) on their own."""

    exempt_prefixes = ("/api/", "/open311/", "/static/", "/media/public/")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(self.exempt_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
