"""Thin views over the services and selectors; htmx partials from the same views."""

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chuangwen.core import ratelimit, submissions
from chuangwen.core import selectors as core_selectors
from chuangwen.core.errors import (
    Busy,
    ImportFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import download, list_template
from chuangwen.core.widgets import pick_response
from chuangwen.org import places as org_places
from chuangwen.org.actors import PUBLIC
from chuangwen.org.models import City, Person, Unit
from chuangwen.sites import places as site_places

from . import exports, registry, selectors, services
from . import jobs as case_jobs
from .choices import PUBLIC_STATE, WITH_UNIT, Action, Channel, ExtensionStatus, Source, State
from .filters import CaseFilter, search_cases
from .forms import (
    ActionForm,
    CaseIntakeForm,
    CaseSettingsForm,
    ImportForm,
    PublicReportForm,
    RatingForm,
)
from .models import CasePhoto, Category, Report
from .services.intake import suggest_unit
from .tables import CaseTable, CategoryTable, InboxTable, SummaryTable
from .widgets import category_row

LIST_CAP = 10_000
PUBLIC_LIMIT = (10, 3600)  # reports per client address per hour
PUBLIC_MAP_LIMIT = (120, 60)  # base layers and place look-ups per client address per minute
SUGGEST_LIMIT = (60, 60)  # category suggestions per client address per minute (as one types)
PUBLIC_REPORT = "cases.public_report"  # the purpose of the 随手拍 form's one-time tokens


class CappedPaginator(Paginator):
    """Counts at most LIST_CAP + 1 rows (or takes a count already made that way)."""

    def __init__(self, object_list: Any, per_page: int, count: int | None = None) -> None:
        super().__init__(object_list, per_page)
        if count is not None:
            self.__dict__["count"] = count

    @cached_property
    def count(self) -> int:
        return selectors.capped_count(self.object_list, LIST_CAP)  # type: ignore[arg-type]


def _table(
    request: HttpRequest, qs: Any, count: int | None, table_class: type[CaseTable] = CaseTable
) -> CaseTable:
    table = table_class(request, qs, paginator_class=CappedPaginator, count=count)
    table.page.capped = table.page.paginator.count > LIST_CAP  # type: ignore[attr-defined]
    table.page.cap = LIST_CAP  # type: ignore[attr-defined]
    return table


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


def _filtered(request: HttpRequest, cap: int) -> tuple[CaseFilter, int]:
    """The list's filter over the user's cases, and its count capped at ``cap`` + 1."""
    scope = _scope(request)
    f = CaseFilter(request.GET, queryset=selectors.case_list_qs(scope))
    count = selectors.capped_case_count(
        scope, f.qs, cap, lambda qs: CaseFilter(request.GET, queryset=qs).qs
    )
    return f, count


@member_required
def case_list(request: HttpRequest) -> HttpResponse:
    f, count = _filtered(request, LIST_CAP)
    table = _table(request, f.qs, count)
    template = list_template(request, "cases/case_list.html", "cases/_case_rows.html")
    context = {"filter": f, "table": table, "page": table.page, "now": timezone.now()}
    return render(request, template, context)


@member_required
def case_export(request: HttpRequest) -> HttpResponse:
    f, n = _filtered(request, exports.DIRECT_EXPORT_ROWS)
    if n > exports.DIRECT_EXPORT_ROWS:  # a big export is made in the background
        city = City.objects.get(pk=_scope(request).city_id)
        job = case_jobs.submit_export(city, request.GET, acting_user=request.user)
        messages.success(request, _("案件较多，已提交后台导出，完成后在本页下载"))
        return redirect("job", pk=job.pk)
    data = exports.cases_workbook(f.qs)
    return download(data, f"案件-{timezone.localdate():%Y%m%d}.xlsx")


@member_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    case = selectors.get_case_for_user(scope, pk)
    reports = list(case.reports.all())
    actions = services.allowed_actions(case, acting_user=request.user)
    returned_by = case.unit if case.state == State.RETURNED else None
    context = {
        "case": case,
        "events": selectors.case_timeline(case),
        "photos": list(case.photos.all()),
        "reports": reports,
        "extensions": list(case.extensions.select_related("requested_by__person")),
        "actions": actions,
        # re-dispatch after a return: the unit that returned it is not offered again
        "returned_by": returned_by,
        "category_hints": (
            selectors.category_hints(case.city_id, case.description, case.area_unit_id)
            if Action.REGISTER in actions
            else []
        ),
        "handlers": (selectors.pass_down_targets(case) if Action.ASSIGN in actions else None),
        "public_state": PUBLIC_STATE.get(State(case.state)),
        "pending_extensions": ExtensionStatus.PENDING,
        "can_reveal": scope.write_all,
    }
    return render(request, "cases/case_detail.html", context)


@member_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One endpoint per transition, all through the services."""
    scope = _scope(request)
    case = selectors.get_case_for_user(scope, pk)
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("提交的内容有误：%s") % form.errors.as_text())
        return redirect("cases:detail", pk=pk)
    d, user = form.cleaned_data, request.user
    photos = d.get("photos") or []
    try:
        category = None
        if d.get("category"):
            category = Category.objects.filter(city_id=case.city_id, code=d["category"]).first()
        if action == "register":
            old_unit = case.unit
            done = services.register_case(case, category=category, note=d["note"], acting_user=user)
            if done.unit_id != (old_unit.pk if old_unit else None):
                messages.info(
                    request,
                    _("类别已改，责任单位随之由「%(a)s」改为「%(b)s」，请在派遣前确认")
                    % {
                        "a": old_unit.name if old_unit else _("未定"),
                        "b": done.unit.name if done.unit else _("未定"),
                    },
                )
        elif action == "reject":
            dup = None
            if d.get("duplicate_of"):
                dup = selectors.get_case_for_user(scope, d["duplicate_of"])
            services.reject_case(case, reason=d["note"], duplicate_of=dup, acting_user=user)
        elif action == "dispatch":
            unit = None
            if d.get("unit"):
                unit = Unit.objects.filter(city_id=case.city_id, pk=d["unit"]).first()
            services.dispatch_case(
                case,
                unit=unit,
                category=category,
                deadline=d.get("deadline"),
                note=d["note"],
                acting_user=user,
            )
        elif action == "assign":
            target_unit = person = None
            if d.get("unit"):
                target_unit = Unit.objects.filter(city_id=case.city_id, pk=d["unit"]).first()
            if d.get("person"):
                person = Person.objects.filter(city_id=case.city_id, pk=d["person"]).first()
            if target_unit is None and person is None:
                raise InvalidInput(_("请选择下派到的下级单位或网格员"), code="handler_required")
            services.assign_case(
                case, unit=target_unit, person=person, note=d["note"], acting_user=user
            )
        elif action == "return":
            services.return_case(case, reason=d["note"], acting_user=user)
        elif action == "accept":
            services.accept_case(case, note=d["note"], acting_user=user)
        elif action == "handle":
            services.handle_case(case, note=d["note"], photos=photos, acting_user=user)
        elif action == "verify":
            services.verify_case(
                case,
                passed=d["passed"],
                note=d["note"],
                photos=photos,
                lon=d.get("lon"),
                lat=d.get("lat"),
                no_location_reason=d.get("no_location_reason") or "",
                acting_user=user,
            )
        elif action == "close":
            services.close_case(
                case, resolution=d.get("resolution") or "fixed", note=d["note"], acting_user=user
            )
        elif action == "extension":
            if d.get("until") is None:
                raise ServiceError(_("请填写申请延至的时间"))
            services.request_extension(case, until=d["until"], reason=d["note"], acting_user=user)
        elif action == "decide":
            ext = get_object_or_404(case.extensions, pk=d.get("extension"))
            services.decide_extension(
                ext, approve=d["approve"], note=d["note"], until=d.get("until"), acting_user=user
            )
        elif action == "photo":
            services.add_photos(case, photos, acting_user=user)
        else:
            raise Http404()
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("操作成功"))
    return redirect("cases:detail", pk=pk)


@office_required
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The reporter's full number for a follow-up call; the service audits each reveal."""
    report = get_object_or_404(Report, pk=pk, city_id=_scope(request).city_id)
    phone = services.reveal_reporter_phone(report, acting_user=request.user)
    return render(request, "cases/_phone.html", {"phone": phone})


@member_required
def case_new(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    sources = services.sources_for_scope(scope)
    if not sources:  # a read-only role: the intake service would refuse whatever they typed
        raise PermissionDenied(_("您的账号不能上报问题"))
    categories = selectors.categories_for_city(scope.city_id)
    form = CaseIntakeForm(
        request.POST or None, request.FILES or None, categories=categories, sources=sources
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        city = City.objects.get(pk=scope.city_id)
        try:
            res = services.intake_case(
                city,
                services.IntakeData(
                    source=d["source"],
                    description=d["description"],
                    category=d["category"] or None,
                    lon=d.get("lon"),
                    lat=d.get("lat"),
                    crs=d.get("crs") or "wgs84",
                    address=d.get("address") or "",
                    photos=d.get("photos") or [],
                ),
                acting_user=request.user,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            if res.merged:
                messages.info(request, _("与已有案件重复，已并单"))
            else:
                messages.success(request, _("已上报，案件编号 %s") % res.case.number)
            return redirect("cases:detail", pk=res.case.pk)
    return render(request, "cases/case_new.html", {"form": form})


@member_required
def inbox(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    box = selectors.inbox_for_user(scope)
    tabs = [
        ("to_dispatch", _("待立案/派遣"), box.to_dispatch),
        ("to_handle", _("待处置"), box.to_handle),
        ("to_verify", _("待核查"), box.to_verify),
        ("to_close", _("待结案"), box.to_close),
        ("overdue", _("已超期"), box.overdue),
    ]
    tabs = [t for t in tabs if t[2] is not None]  # "overdue" is always there
    current = request.GET.get("tab", "")
    if current not in {key for key, _label, _q in tabs}:
        current = tabs[0][0]
    qs = next(q for key, _label, q in tabs if key == current)
    # oldest first, along the (city, state, id) index; the unit's lists by deadline
    order = {"to_dispatch": ("id",), "to_close": ("verified_at", "id")}.get(
        current, ("deadline", "id")
    )
    qs = qs.select_related("category", "unit", "grid").order_by(*order)  # type: ignore[union-attr]
    counts = box.counts(cap=LIST_CAP)
    table = _table(request, qs, counts.get(current), InboxTable)
    notes = core_selectors.recent_unread(request.user)
    extensions = (
        list(box.extensions.select_related("case", "requested_by__person")[:50])
        if box.extensions is not None
        else []
    )
    template = list_template(request, "cases/inbox.html", "cases/_case_rows.html")
    return render(
        request,
        template,
        {
            "tabs": [(k, label, counts[k]) for k, label, _q in tabs],
            "current": current,
            "cap": LIST_CAP,
            "table": table,
            "page": table.page,
            "notes": notes,
            "extensions": extensions,
            "now": timezone.now(),
        },
    )


@member_required
def case_map(request: HttpRequest) -> HttpResponse:
    """Cases as clustered points or a heat map, with the case list's filters (open cases
    when no state is chosen) over the city's base layers."""
    scope = _scope(request)
    city = City.objects.get(pk=scope.city_id)
    f = CaseFilter(request.GET, queryset=selectors.cases_for_user(scope))
    return render(request, "cases/case_map.html", {"city": city, "filter": f})


@member_required
@require_GET
def case_points(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    f = CaseFilter(request.GET, queryset=selectors.cases_for_user(_scope(request)))
    rows = selectors.case_points(f.qs, open_only=not request.GET.get("state"))
    features = [
        {
            "type": "Feature",
            "id": pk,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "number": number,
                "state": str(State(state).label),
                "category": cat or "",
                "place": place,
                "overdue": bool(deadline and deadline < now and state in WITH_UNIT),
                "url": reverse("cases:detail", args=[pk]),
            },
        }
        for pk, number, lon, lat, state, cat, deadline, place in rows
    ]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features, "limit": selectors.MAP_LIMIT}
    )


@member_required
def summary(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    group = request.GET.get("group", "unit")
    f = CaseFilter(request.GET, queryset=selectors.cases_for_user(scope))
    table = SummaryTable(request, selectors.summary_rows(f.qs, group))
    total = selectors.total_row(f.qs)
    states = selectors.state_totals(scope)
    state_chart = [
        {"name": str(s.label), "value": states.get(s.value, 0)}
        for s in State
        if states.get(s.value)
    ]
    return render(
        request,
        "cases/summary.html",
        {
            "filter": f,
            "table": table,
            "rows": table.page,
            "total": total,
            "group": group,
            "state_chart": state_chart,
            "groups": [
                ("unit", _("责任单位")),
                ("grid", _("网格")),
                ("category", _("类别")),
                ("month", _("月份")),
            ],
        },
    )


@member_required
def categories(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if request.method == "POST":
        cat = get_object_or_404(Category, city_id=scope.city_id, pk=request.POST.get("pk"))
        dept_id = request.POST.get("department") or None
        try:
            services.update_category(
                cat,
                deadline_value=int(request.POST.get("deadline_value") or cat.deadline_value),
                deadline_unit=request.POST.get("deadline_unit") or cat.deadline_unit,
                deadline_working=request.POST.get("deadline_working") == "on",
                department=Unit.objects.filter(city_id=scope.city_id, pk=dept_id).first()
                if dept_id
                else None,
                acting_user=request.user,
            )
        except (ServiceError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        else:
            messages.success(request, _("已保存"))
        return redirect(request.get_full_path())
    qs = Category.objects.filter(city_id=scope.city_id).select_related("department")
    q = request.GET.get("q", "").strip()[:50]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(major_name__icontains=q) | Q(code__startswith=q))
    table = CategoryTable(request, qs)
    context = {"table": table, "rows": table.page, "q": q}
    return render(request, "cases/categories.html", context)


@office_required
def case_settings(request: HttpRequest) -> HttpResponse:
    """The office's case rules: the duplicate rule and verification without a location."""
    city = City.objects.get(pk=_scope(request).city_id)
    row = services.duplicate_settings(city.pk)
    initial = {
        "radius_m": row.radius_m,
        "days": row.days,
        "similarity": row.similarity,
        "verify_without_location": row.verify_without_location,
    }
    form = CaseSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_duplicate_settings(city, **form.cleaned_data, acting_user=request.user)
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已保存"))
            return redirect("cases:settings")
    return render(request, "cases/settings.html", {"form": form})


@office_required
def import_hotline(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    failure = None
    if request.method == "POST" and form.is_valid():
        city = City.objects.get(pk=_scope(request).city_id)
        try:
            done = services.import_hotline(
                city, form.cleaned_data["file"].read(), acting_user=request.user
            )
        except ImportFailed as exc:
            failure = exc
        else:
            text = _("导入成功：%(n)d 张工单，新建案件 %(c)d 件，并单 %(m)d 件") % {
                "n": done.orders,
                "c": len(done.cases) - done.merged,
                "m": done.merged,
            }
            for kind, count in sorted(done.handed.items()):
                text += _("，「%(k)s」类 %(c)d 张转为%(to)s") % {
                    "k": kind,
                    "c": count,
                    "to": registry.hotline_becomes(kind),
                }
            messages.success(request, text)
            return redirect("cases:list")
    return render(request, "cases/import.html", {"form": form, "failure": failure})


@member_required
def photo(request: HttpRequest, pk: int) -> Any:
    """The stripped copy for everyone who may see the case; the original for the office."""
    row = get_object_or_404(CasePhoto, pk=pk)
    scope = _scope(request)
    try:
        selectors.get_case_for_user(scope, row.case_id)
    except NotFound:
        raise Http404() from None
    f = row.original if request.GET.get("original") and scope.write_all else row.public
    response = FileResponse(f.open("rb"), content_type="image/jpeg" if f is row.public else None)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- public (no account): 随手拍, tracking, rating ---------------------------------------------


def _client_key(request: HttpRequest) -> str:
    addr = request.META.get("REMOTE_ADDR", "")
    return "cases:public:" + hashlib.sha256(addr.encode()).hexdigest()[:24]


def _rate_limited(request: HttpRequest, phone: str) -> bool:
    """Counts the submit against the client address and the phone number, in the cache all
    worker processes share; True when either has used up PUBLIC_LIMIT."""
    limit, window = PUBLIC_LIMIT
    keys = [
        _client_key(request),
        "cases:public:phone:" + hashlib.sha256(phone.encode()).hexdigest()[:24],
    ]
    return not ratelimit.hit(keys, limit, window)


@login_not_required
def public_report(request: HttpRequest, city_code: str) -> HttpResponse:
    """随手拍. The form carries a one-time token: sent twice (a double tap, a resend), it files
    one report and both answers lead to the same tracking code."""
    city = get_object_or_404(City, code=city_code)
    form = PublicReportForm(
        request.POST or None,
        request.FILES or None,
        initial={"token": submissions.issue(PUBLIC_REPORT)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def file() -> str:
            res = services.intake_case(
                city,
                services.IntakeData(
                    source=Source.CITIZEN,
                    description=d["description"],
                    lon=d.get("lon"),
                    lat=d.get("lat"),
                    crs=d.get("crs") or "wgs84",
                    address=d.get("address") or "",
                    reporter_name=d.get("name") or "",
                    reporter_phone=d["phone"],
                    photos=d.get("photos") or [],
                    category=d.get("category") or None,
                ),
                acting_user=PUBLIC,
                channel=Channel.PUBLIC,
            )
            return res.report.tracking_code

        try:
            code = submissions.result_of(d["token"], PUBLIC_REPORT)
            if code is None:
                if _rate_limited(request, d["phone"]):
                    raise InvalidInput(_("提交过于频繁，请稍后再试"), code="rate_limited")
                code, _new = submissions.once(d["token"], PUBLIC_REPORT, file)
        except ServiceError as exc:
            if isinstance(exc, Busy):  # 503 + Retry-After (core.busy)
                raise
            if exc.code == "stale_form":  # the re-shown form gets a token that works
                data = request.POST.copy()
                data["token"] = submissions.issue(PUBLIC_REPORT)
                form.data = data
            form.add_error(None, str(exc.message))
        else:
            # the tracking page greets a new report with "保存您的查询码" and a copy button
            return redirect(reverse("cases:track", kwargs={"code": code}) + "?new=1")
    return render(request, "cases/public_report.html", {"form": form, "city": city})


@login_not_required
@require_GET
def public_layer(request: HttpRequest, city_code: str, name: str) -> JsonResponse:
    """The 随手拍 map's base layers: district / street / community boundaries and grid
    outlines (names and outlines only, nothing personal). Rate-limited per address."""
    city = get_object_or_404(City, code=city_code)
    if name not in org_places.LAYERS:
        raise Http404
    limit, window = PUBLIC_MAP_LIMIT
    if not ratelimit.hit([_client_key(request) + ":map"], limit, window):
        return JsonResponse({"error": _("请求过于频繁，请稍后再试")}, status=429)
    response = JsonResponse(
        org_places.boundary_collection(city.pk, layer=name),
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=600"
    return response


@login_not_required
@require_GET
def public_place(request: HttpRequest, city_code: str) -> JsonResponse:
    """The readable place of the spot the citizen picked, as feedback on the 随手拍 map."""
    city = get_object_or_404(City, code=city_code)
    limit, window = PUBLIC_MAP_LIMIT
    if not ratelimit.hit([_client_key(request) + ":map"], limit, window):
        return JsonResponse({"error": _("请求过于频繁，请稍后再试")}, status=429)
    try:
        found = site_places.describe(
            city, request.GET.get("lon"), request.GET.get("lat"), request.GET.get("crs", "wgs84")
        )
    except InvalidInput as exc:
        return JsonResponse(exc.as_dict(), status=400)
    return JsonResponse({"text": found.text, "inside": found.area is not None})


@login_not_required
@require_GET
def public_suggest(request: HttpRequest, city_code: str) -> JsonResponse:
    """The 随手拍 page asks as the citizen types: the top 3 categories the city's model
    suggests for the text, each with the unit it would go to. Rate-limited per address."""
    city = get_object_or_404(City, code=city_code)
    limit, window = SUGGEST_LIMIT
    if not ratelimit.hit([_client_key(request) + ":suggest"], limit, window):
        return JsonResponse({"error": _("请求过于频繁，请稍后再试")}, status=429)
    text = request.GET.get("text", "")[:500]
    hints = selectors.category_hints(city.pk, text) if len(text.strip()) >= 4 else []
    return JsonResponse({"suggestions": selectors.hint_dicts(hints)})


@login_not_required
def track(request: HttpRequest, code: str | None = None) -> HttpResponse:
    code = code or request.GET.get("code", "")
    report = selectors.report_by_code(code) if code else None
    if code and report is None:
        messages.error(request, _("查询码不存在"))
    form = None
    if report is not None and report.awaits_rating:
        form = RatingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.rate_report(
                    report,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    acting_user=PUBLIC,
                )
            except ServiceError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("感谢您的评价"))
            return redirect("cases:track", code=report.tracking_code)
    events: list[selectors.PublicStep] = []
    photos: list[CasePhoto] = []
    if report is not None:
        events = selectors.public_timeline(report.case)
        photos = list(report.case.photos.filter(kind__in=["before", "after"]).order_by("id"))
    return render(
        request,
        "cases/track.html",
        {
            "report": report,
            "city": report.city if report else None,
            "code": code,
            "events": events,
            "photos": photos,
            "form": form,
            "public_state": PUBLIC_STATE.get(State(report.case.state)) if report else None,
            "new": bool(report and request.GET.get("new")),
        },
    )


@login_not_required
def public_photo(request: HttpRequest, code: str, pk: int) -> FileResponse:
    report = selectors.report_by_code(code)
    if report is None:
        raise Http404()
    row = get_object_or_404(CasePhoto, pk=pk, case_id=report.case_id, kind__in=["before", "after"])
    response = FileResponse(row.public.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- pickers (searchable selects, see core/widgets.py) ---------------------------------------


@member_required
@require_GET
def pick_categories(request: HttpRequest) -> JsonResponse:
    """The city's active categories by name, major name or code; the value is the code.
    With ``?case=`` (a case the user may see) each row also names the responsible unit the
    条块 rule gives that case under the category (the register form shows a change of unit)."""
    scope = _scope(request)
    raw = request.GET.get("case", "")
    case = None
    if raw.isdigit() and len(raw) < 10:
        case = (
            selectors.cases_for_user(scope).select_related("area_unit").filter(pk=int(raw)).first()
        )

    def rows(cats: list[Category]) -> list[dict[str, Any]]:
        out = []
        for c in cats:
            row = category_row(c)
            if case is not None:
                unit_id, dept = suggest_unit(c, case.area_unit_id)
                area = case.area_unit.name if case.area_unit_id else ""  # type: ignore[union-attr]
                row["unit"] = dept.name if dept is not None else area if unit_id else ""
            out.append(row)
        return out

    return pick_response(
        request,
        selectors.categories_for_city(scope.city_id).select_related("department"),
        search=lambda qs, q: qs.filter(
            Q(name__icontains=q) | Q(major_name__icontains=q) | Q(code__istartswith=q)
        ),
        rows=rows,
        value_field="code",
    )


@member_required
@require_GET
def pick_cases(request: HttpRequest) -> JsonResponse:
    """Cases the user may see, newest first, by number, description or address."""
    return pick_response(
        request,
        selectors.cases_for_user(_scope(request)).order_by("-id"),
        search=search_cases,
        rows=lambda cases: [
            {
                "value": str(c.pk),
                "text": c.number,
                "hint": (c.description or c.address)[:60],
            }
            for c in cases
        ],
    )
