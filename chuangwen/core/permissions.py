"""View decorators for role-bound pages (object scope is the selectors' job)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .errors import PermissionDenied


def office_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.scope.is_office:  # type: ignore[attr-defined]
            raise PermissionDenied(_("此页面仅限创建办管理员使用"))
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in and a person of some city (a bare Django account sees nothing)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.scope.city_id is None:  # type: ignore[attr-defined]
            raise PermissionDenied(_("您的账号尚未关联到任何城市和单位，请联系创建办管理员"))
        return view(request, *args, **kwargs)

    return wrapper
