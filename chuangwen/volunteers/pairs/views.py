"""Pages of 结对共建 and 六联 activities (thin: the writes are org.services and .services)."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chuangwen.core.errors import InvalidInput, NotFound, ServiceError
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import download, list_template, stored_file
from chuangwen.core.xlsx import XLSX
from chuangwen.org import services as org_services
from chuangwen.org.models import City, Pair
from chuangwen.volunteers.tables import PairTable

from . import selectors, services
from .exports import export_pairs
from .filters import PairFilter
from .forms import ActivityForm, EndPairForm, PairForm, PairSettingsForm


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


def _filtered_pairs(request: HttpRequest) -> tuple[PairFilter, Any]:
    scope = _scope(request)
    cutoff = selectors.inactive_cutoff(scope.city_id)
    f = PairFilter(request.GET, queryset=selectors.pair_list_qs(scope, cutoff))
    return f, cutoff


@member_required
@require_GET
def pair_list(request: HttpRequest) -> HttpResponse:
    f, cutoff = _filtered_pairs(request)
    page = PairTable(request, f.qs).page
    template = list_template(
        request, "volunteers/pairs/pair_list.html", "volunteers/pairs/_pair_rows.html"
    )
    scope = _scope(request)
    months = selectors.inactive_months(scope.city_id)
    return render(
        request,
        template,
        {
            "filter": f,
            "page": page,
            "cutoff": cutoff,
            "months": months,
            "settings_form": PairSettingsForm(initial={"inactive_months": months}),
        },
    )


@member_required
@require_GET
def pair_export(request: HttpRequest) -> HttpResponse:
    f, _cutoff = _filtered_pairs(request)
    if not f.is_valid():
        raise InvalidInput(_("筛选条件有误"), code="bad_filter")
    return download(export_pairs(f.qs), "结对共建.xlsx", XLSX)


def _picked(form: PairForm) -> dict[str, Any]:
    """The units picked so far (to show them checked again when the form comes back)."""
    out = {}
    for name in ("unit", "community"):
        value = form[name].value()
        unit = None
        if value not in (None, ""):
            try:
                unit = form.fields[name].queryset.filter(pk=int(value)).first()  # type: ignore[attr-defined]
            except (TypeError, ValueError):
                unit = None
        out[name] = unit
    return out


def _pair_form_page(request: HttpRequest, form: PairForm, pair: Pair | None, error: Any) -> Any:
    return render(
        request,
        "volunteers/pairs/pair_form.html",
        {"form": form, "pair": pair, "error": error, "picked": _picked(form)},
        status=400 if error or form.errors else 200,
    )


@office_required
def pair_create(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = PairForm(request.POST or None, city_id=scope.city_id)
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            pair = org_services.create_pair(
                City.objects.get(pk=scope.city_id),
                unit=d["unit"],
                community=d["community"],
                mechanisms=d["mechanisms"],
                started_on=d["started_on"],
                note=d["note"],
                acting_user=request.user,
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, _("已建立结对"))
            return redirect("volunteers:pair", pair.pk)
    return _pair_form_page(request, form, None, error)


@office_required
def pair_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    pair = selectors.get_pair_for_user(scope, pk)
    initial = {
        "unit": pair.unit_id,
        "community": pair.community_id,
        "mechanisms": pair.mechanisms,
        "started_on": pair.started_on,
        "note": pair.note,
    }
    form = PairForm(request.POST or None, initial=initial, city_id=scope.city_id)
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            org_services.update_pair(
                pair,
                unit=d["unit"],
                community=d["community"],
                mechanisms=d["mechanisms"],
                started_on=d["started_on"],
                note=d["note"],
                acting_user=request.user,
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, _("已保存"))
            return redirect("volunteers:pair", pair.pk)
    return _pair_form_page(request, form, pair, error)


@office_required
@require_POST
def pair_end(request: HttpRequest, pk: int) -> HttpResponse:
    pair = selectors.get_pair_for_user(_scope(request), pk)
    form = EndPairForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("请填写结束原因和正确的结束日期"), code="reason_required")
    org_services.end_pair(
        pair,
        ended_on=form.cleaned_data["ended_on"],
        reason=form.cleaned_data["reason"],
        acting_user=request.user,
    )
    messages.success(request, _("结对已结束"))
    return redirect("volunteers:pair", pair.pk)


def _detail(request: HttpRequest, pair: Pair, form: ActivityForm, status: int = 200) -> Any:
    scope = _scope(request)
    cutoff = selectors.inactive_cutoff(scope.city_id)
    stats = selectors.with_stats(Pair.objects.filter(pk=pair.pk), cutoff).get()
    return render(
        request,
        "volunteers/pairs/pair_detail.html",
        {
            "pair": pair,
            "stats": stats,
            "months": selectors.inactive_months(scope.city_id),
            "activities": selectors.pair_activities(pair),
            "can_record": not scope.read_only and services.can_record(request.user, pair),
            "form": form,
            "end_form": EndPairForm(),
        },
        status=status,
    )


@member_required
@require_GET
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pair = selectors.get_pair_for_user(_scope(request), pk)
    form = ActivityForm(initial={"held_on": timezone.localdate()})
    return _detail(request, pair, form)


@member_required
@require_POST
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    pair = selectors.get_pair_for_user(_scope(request), pk)
    form = ActivityForm(request.POST)
    if not form.is_valid():
        return _detail(request, pair, form, status=400)
    d = form.cleaned_data
    services.record_activity(
        pair,
        kind=d["kind"],
        held_on=d["held_on"],
        title=d["title"],
        participants=d["participants"],
        result=d["result"],
        photos=request.FILES.getlist("photos"),
        acting_user=request.user,
    )
    messages.success(request, _("已记录六联活动"))
    return redirect("volunteers:pair", pair.pk)


@member_required  # type: ignore[arg-type]
@require_GET
def activity_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = selectors.get_photo_for_user(_scope(request), pk)
    return stored_file(photo.public, f"六联活动照片-{photo.pk}.jpg")


@member_required
@require_GET
def unit_search(request: HttpRequest, side: str) -> HttpResponse:
    """The search picker (htmx): units whose name or code holds ``q`` as radio buttons."""
    if side not in ("unit", "community"):
        raise NotFound()
    q = (request.GET.get("q") or request.GET.get(f"q_{side}") or "")[:50]
    units = selectors.units_to_pick(_scope(request), q, communities=side == "community")
    return render(
        request, "volunteers/pairs/_unit_choices.html", {"units": units, "side": side, "q": q}
    )


@office_required
@require_POST
def pair_settings(request: HttpRequest) -> HttpResponse:
    form = PairSettingsForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("月数应为 1 至 24 之间的整数"), code="bad_months")
    services.set_inactive_months(
        City.objects.get(pk=_scope(request).city_id),
        months=form.cleaned_data["inactive_months"],
        acting_user=request.user,
    )
    messages.success(request, _("已保存"))
    return redirect("volunteers:pairs")
