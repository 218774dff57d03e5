"""Open311 GeoReport v2 views. Thin: parse, call the selectors/services, render XML or JSON.

Every GET is public (GeoReport v2 has no login; a key sent along only picks its city, and a
wrong one is ignored); POST requests and POST servicerequestupdates need an ``api_key`` issued
with ``manage.py open311_key``. POSTs come from other systems, so they are exempt from CSRF;
there is no session involved (the key is the credential).

Nothing under /open311/ answers an HTML page: every refusal is a GeoReport v2 error list, in
XML unless JSON was asked for — bad input 400, unknown paths 404, oversized bodies 413, a write
that cannot proceed right now 503 with ``Retry-After``.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import unquote_to_bytes

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from chuangwen.api.models import Open311Client
from chuangwen.core.errors import ServiceError

from . import selectors, services
from .serializers import FORMATS, render, render_errors
from .services import Open311Error

logger = logging.getLogger(__name__)
RETRY_AFTER = 30  # seconds a client waits before retrying a write that could not proceed

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-25T00:00:00+08:00"  # when this endpoint last changed shape


def _utf8(raw: bytes | str, where: str) -> None:
    """Form-encoded text must be UTF-8 once unquoted (Django would silently replace bad bytes)."""
    data = raw.encode("latin-1", "replace") if isinstance(raw, str) else raw
    try:
        unquote_to_bytes(data.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise Open311Error(400, _("%(where)s必须是 UTF-8 编码") % {"where": where}) from None


def _check_input(request: HttpRequest) -> None:
    _utf8(request.META.get("QUERY_STRING", ""), _("查询参数"))
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        _utf8(request.body, _("请求内容"))


def _errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    response = render_errors(fmt, status, descriptions)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


def answer_errors(request: HttpRequest, fmt: str, call: Callable[[], HttpResponse]) -> HttpResponse:
    """Run ``call`` and turn every failure into the GeoReport v2 error list."""
    try:
        _check_input(request)
        return call()
    except Open311Error as exc:
        return _errors(fmt, exc.status, exc.descriptions)
    except ServiceError as exc:  # Busy (503) included
        err = Open311Error.from_service_error(exc)
        return _errors(fmt, err.status, err.descriptions)
    except OperationalError:
        logger.warning("open311: database unavailable", exc_info=True)
        return _errors(fmt, 503, [_("系统繁忙，请稍后重试")])
    except RequestDataTooBig:
        return _errors(fmt, 413, [_("请求内容过大")])
    except SuspiciousOperation as exc:  # too many fields, a broken multipart body …
        return _errors(fmt, 400, [(_("请求格式有误：%(error)s") % {"error": exc})[:200]])
    except Exception:  # never an HTML page, even for a bug: logged, answered in the spec's shape
        logger.exception("open311: unexpected error on %s", request.path)
        return _errors(fmt, 500, [_("服务器内部错误，已记录")])


def open311_view(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., Any]]:
    """Allowed methods and formats, errors in the spec's format, no login, no CSRF."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., Any]:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                return _errors(
                    "xml",
                    400,
                    [_("不支持的格式「%(fmt)s」，只能是 xml 或 json") % {"fmt": fmt[:20]}],
                )
            if request.method not in methods:
                response = _errors(
                    fmt, 405, [_("不支持 %(method)s 方法") % {"method": request.method}]
                )
                response["Allow"] = ", ".join(methods)
                return response
            return answer_errors(request, fmt, lambda: view(request, *args, fmt=fmt, **kwargs))

        return csrf_exempt(login_not_required(inner))

    return wrap


@csrf_exempt
@login_not_required
def unknown_path(request: HttpRequest, path: str) -> HttpResponse:
    """Anything else under /open311/v2/: a 404 in the spec's shape (JSON if asked for)."""
    fmt = "json" if path.endswith(".json") else "xml"
    return _errors(fmt, 404, [_("没有这个接口：%(path)s，见 discovery.xml") % {"path": path[:80]}])


def _params(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else request.GET


def _client(request: HttpRequest, *, required: bool) -> Open311Client | None:
    """The key's client. A read needs no key: a wrong one there is ignored (FixMyStreet sends
    its key, possibly empty, with every updates read)."""
    raw = _params(request).get("api_key", "")
    if not raw:
        if required:
            raise Open311Error(403, _("缺少 api_key"))
        return None
    client = services.client_for_key(raw)
    if client is None and required:
        raise Open311Error(403, _("api_key 无效或已吊销"))
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
            raise Open311Error(403, _("缺少 api_key"))
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


@open311_view("GET", "POST")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: the public steps, newest first (see ``selectors.update_rows``). POST: a citizen's
    update to a request (FixMyStreet's ``post_service_request_update``), answered with our
    ``update_id``."""
    if request.method == "POST":
        client = _client(request, required=True)
        if client is None:  # pragma: no cover - _client raises when required
            raise Open311Error(403, _("缺少 api_key"))
        selectors.jurisdiction(request.POST.get("jurisdiction_id", ""), client.city)
        update, created = services.post_update(client, request.POST)
        row = {"update_id": f"U{update.pk}"}
        status = 201 if created else 200
        return render(fmt, [row], "service_request_updates", "request_update", status=status)
    city = _city(request)
    rows = selectors.update_rows(city, request.GET)
    return render(fmt, rows, "service_request_updates", "request_update")
