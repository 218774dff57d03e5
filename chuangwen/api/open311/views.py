"""Open311 GeoReport v2 views. Thin: parse, call the selectors/services, render XML or JSON.

Every GET is public (GeoReport v2 has no login); POST requests needs an ``api_key`` issued with
``manage.py open311_key``. POSTs come from other systems, so they are exempt from CSRF; there is
no session involved (the key is the credential).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from chuangwen.api.models import Open311Client
from chuangwen.core.errors import ServiceError

from . import selectors, services
from .serializers import render, render_errors
from .services import Open311Error

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-25T00:00:00+08:00"  # when this endpoint last changed shape


def open311_view(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., Any]]:
    """Allowed methods, errors in the spec's format, no login, no CSRF."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., Any]:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = render_errors(fmt, 405, [f"不支持 {request.method} 方法"])
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return render_errors(fmt, exc.status, exc.descriptions)
            except ServiceError as exc:
                err = Open311Error.from_service_error(exc)
                return render_errors(fmt, err.status, err.descriptions)

        return csrf_exempt(login_not_required(inner))

    return wrap


def _params(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else request.GET


def _client(request: HttpRequest, *, required: bool) -> Open311Client | None:
    raw = _params(request).get("api_key", "")
    if not raw:
        if required:
            raise Open311Error(403, "缺少 api_key")
        return None
    client = services.client_for_key(raw)
    if client is None:
        raise Open311Error(403, "api_key 无效或已吊销")
    return client


def _city(request: HttpRequest, *, key_required: bool = False) -> Any:
    client = _client(request, required=key_required)
    return selectors.jurisdiction(
        _params(request).get("jurisdiction_id", ""), client.city if client else None
    )


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    base = base.rsplit("/", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": "文明城市创建工作平台（创文）Open311 接口，请联系本市创建办",
        "key_service": "api_key 由创建办签发：manage.py open311_key --create 名称 --city 城市代码",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, data, "discovery")


@open311_view("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    city = _city(request)
    return render(fmt, selectors.service_rows(city), "services", "service")


@open311_view("GET")
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    city = _city(request)
    return render(fmt, selectors.service_definition(city, service_code), "service_definition")


@open311_view("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        client = _client(request, required=True)
        if client is None:  # pragma: no cover - _client raises when required
            raise Open311Error(403, "缺少 api_key")
        selectors.jurisdiction(request.POST.get("jurisdiction_id", ""), client.city)
        filed = services.file_request(client, request.POST)
        row = {
            "service_request_id": filed.service_request_id,
            "service_notice": filed.service_notice,
            "account_id": filed.account_id,
        }
        return render(fmt, [row], "service_requests", "request", status=201)
    city = _city(request)
    rows = selectors.request_rows(selectors.find_requests(city, request.GET))
    return render(fmt, rows, "service_requests", "request")


@open311_view("GET")
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    city = _city(request)
    rows = selectors.request_rows([selectors.get_request(city, service_request_id)])
    return render(fmt, rows, "service_requests", "request")


@open311_view("GET")
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    city = _city(request)
    return render(fmt, [selectors.token_row(city, token)], "service_requests", "request")


@open311_view("GET")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    city = _city(request)
    rows = selectors.update_rows(city, request.GET)
    return render(fmt, rows, "service_requests_updates", "request_update")
