"""The home page (a workbench per role) and the leaders' cockpit (数据大屏): thin views over the
providers of ``registry``."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.core.permissions import member_required
from chuangwen.org.models import City

from .registry import SECTIONS, Item, Panel, cockpit_panels, section_items, sections_for

MIN_REFRESH, MAX_REFRESH = 10, 3600


@dataclass
class Section:
    key: str
    label: str
    items: list[Item]

    @property
    def todo(self) -> list[Item]:
        return [i for i in self.items if not i.empty]

    @property
    def done(self) -> list[Item]:
        return [i for i in self.items if i.empty]


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


@member_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: for each of the viewer's roles, what to do today and what is late. A section
    none of whose items concerns the viewer (a citizen who is no clerk, holds no points and
    reported nothing) is left out."""
    scope = _scope(request)
    today = timezone.localdate()
    sections = [
        Section(key, str(SECTIONS[key][1]), items)
        for key in sections_for(scope)
        if (items := section_items(key, scope, today))
    ]
    overview: list[Panel] = []
    if "leader" in {s.key for s in sections}:
        overview = [p for p in cockpit_panels(scope, today) if not p.pending and not p.map]
    return render(
        request,
        "dashboard/home.html",
        {
            "sections": sections,
            "overview": overview,
            "today": today,
            "city": City.objects.filter(pk=scope.city_id).only("name").first(),
            "can_cockpit": scope.see_all,
        },
    )


def _cockpit_scope(request: HttpRequest) -> Any:
    scope = _scope(request)
    if not scope.see_all:
        raise PermissionDenied(_("数据大屏仅限创建办和领导查看"))
    return scope


def _data(scope: Any) -> dict[str, Any]:
    panels = cockpit_panels(scope, timezone.localdate())
    return {
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "panels": [p.as_json() for p in panels],
    }


def _refresh(request: HttpRequest) -> int:
    value = request.GET.get("refresh", "")
    if not value:
        return int(settings.DASHBOARD_REFRESH_SECONDS)
    try:
        seconds = int(value)
    except ValueError:
        seconds = 0
    if not MIN_REFRESH <= seconds <= MAX_REFRESH:
        raise InvalidInput(
            _("刷新间隔须为 %(a)d–%(b)d 秒之间的整数") % {"a": MIN_REFRESH, "b": MAX_REFRESH},
            code="bad_refresh",
        )
    return seconds


@member_required
@require_GET
def cockpit(request: HttpRequest) -> HttpResponse:
    """数据大屏: a full-screen page for a wall or a projector that refreshes its figures by
    polling ``cockpit_data``; ``?kiosk=1`` for the wall (no links, no cursor)."""
    scope = _cockpit_scope(request)
    refresh = _refresh(request)
    return render(
        request,
        "dashboard/cockpit.html",
        {
            "data": _data(scope),
            "refresh": refresh,
            "kiosk": request.GET.get("kiosk") in ("1", "true", "on"),
            "time_zone": settings.TIME_ZONE,
            "city": City.objects.filter(pk=scope.city_id).only("name").first(),
        },
    )


@member_required
@require_GET
def cockpit_data(request: HttpRequest) -> JsonResponse:
    """The cockpit's figures as JSON (polled by the page; strings are plain text)."""
    return JsonResponse(_data(_cockpit_scope(request)))
