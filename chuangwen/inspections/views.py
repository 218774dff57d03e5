import json
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangwen.cases.scope import case_q
from chuangwen.cases.widgets import category_rows
from chuangwen.core.documents import DOCX
from chuangwen.core.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import download, form_page, list_template
from chuangwen.indicators.models import CheckItem, SiteType
from chuangwen.org.actors import require_office
from chuangwen.org.models import City, Unit

from . import documents, selectors, services
from .choices import NoticeStatus
from .filters import ActionFilter, MeetingFilter, NoticeFilter, PlanFilter
from .forms import (
    ActionForm,
    ActionUpdateForm,
    MeetingForm,
    MinutesForm,
    NoticeDeadlineForm,
    PlanForm,
)
from .models import ActionItem, CheckResult
from .tables import ActionTable, MeetingTable, NoticeTable, PlanTable


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


def _city(request: HttpRequest) -> City:
    return City.objects.get(pk=_scope(request).city_id)


# --- plans -----------------------------------------------------------------------------------


@member_required
def plan_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.plans_for_user(_scope(request)).select_related("system")
    f = PlanFilter(request.GET, queryset=qs)
    table = PlanTable(request, f.qs)
    template = list_template(request, "inspections/plan_list.html", "inspections/_plan_rows.html")
    return render(request, template, {"filter": f, "table": table, "page": table.page})


@office_required
def plan_create(request: HttpRequest) -> HttpResponse:
    city = _city(request)
    system = services.active_system(city)
    with_items = set(CheckItem.objects.filter(system=system).values_list("site_type_id", flat=True))
    types = [t for t in SiteType.objects.filter(city=city) if t.pk in with_items]
    form = PlanForm(request.POST or None, site_types=types)
    return form_page(
        request,
        form,
        "inspections/plan_form.html",
        {"system": system},
        save=lambda d: services.create_plan(
            city,
            kind=d["kind"],
            title=d["title"],
            seed=d["seed"],
            sample_sizes=form.sample_sizes(),
            stratify=d["stratify"],
            auto_dispatch=d["auto_dispatch"],
            rectify_days=d["rectify_days"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            note=d["note"],
            acting_user=request.user,
        ),
        done=lambda plan: _("已新建督查计划「%(t)s」，请点「抽样」抽取点位") % {"t": plan.title},
        then=lambda plan: redirect("inspections:plan", plan.pk),
        refusal_on_form=True,
    )


@member_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_user(_scope(request), pk)
    samples = selectors.samples_with_progress(plan)
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "samples": samples,
            "reproducible": services.verify_sampling(plan) if plan.sampled_at else None,
            "deadline_form": NoticeDeadlineForm(),
            "n_cases": CheckResult.objects.filter(plan=plan, case__isnull=False).count(),
            "can_check": services.may_check(_scope(request), plan),
        },
    )


@office_required
@require_POST
def plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    plan = selectors.get_plan_for_user(_scope(request), pk)
    if action == "sample":
        rows = services.sample_plan(plan, acting_user=request.user)
        messages.success(request, _("已抽取 %(n)s 个点位") % {"n": len(rows)})
    elif action == "close":
        services.close_plan(plan, acting_user=request.user)
        messages.success(request, _("计划已结束"))
    elif action == "notices":
        form = NoticeDeadlineForm(request.POST)
        if not form.is_valid():
            raise InvalidInput(_("请填写整改时限"), code="deadline_required")
        notices = services.issue_notices_for_plan(
            plan, deadline=form.cleaned_data["deadline"], acting_user=request.user
        )
        messages.success(request, _("已生成督查通知书 %(n)s 份") % {"n": len(notices)})
        return redirect("inspections:notices")
    else:
        raise NotFound()
    return redirect("inspections:plan", plan.pk)


# --- the phone check page --------------------------------------------------------------------


@member_required
def check_page(request: HttpRequest, pk: int, sample_pk: int) -> HttpResponse:
    scope = _scope(request)
    plan = selectors.get_plan_for_user(scope, pk)
    if not services.may_check(scope, plan):  # the page is a form the service would refuse
        raise PermissionDenied(_("只有督查员或创建办可以在检查中的计划里提交检查结果"))
    sample = selectors.get_sample_for_user(scope, plan, sample_pk)
    items = services.checklist(plan, sample)
    done = dict(
        CheckResult.objects.filter(sample=sample)
        .values_list("check_item_id")
        .annotate(n=Count("id"))
    )
    suggested = selectors.suggested_categories(plan.city_id, items)
    for item in items:
        item.n_done = done.get(item.pk, 0)  # type: ignore[attr-defined]
        item.suggested_category = suggested.get(item.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "inspections/check.html",
        {
            "plan": plan,
            "sample": sample,
            "site": sample.site,
            "items": items,
            # the picker searches them on the phone: inspectors on site are often offline
            "categories": category_rows(plan.city_id) if items else [],
        },
    )


def _opt_float(v: Any) -> float | None:
    if v in (None, ""):
        return None
    try:
        return float(v)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("数值格式错误"), code="bad_value") from exc


def check_data_from_json(payload: dict[str, Any]) -> services.CheckData:
    passed = payload.get("passed")
    if isinstance(passed, str):
        passed = {"true": True, "1": True, "false": False, "0": False}.get(passed.lower())
    observed = payload.get("observed_at")
    observed_at = parse_datetime(observed) if isinstance(observed, str) and observed else None
    photos = payload.get("photos") or []
    if not isinstance(photos, list):
        raise InvalidInput(_("照片格式错误"), code="bad_photo")
    try:
        sample_id, item_id = int(payload["sample_id"]), int(payload["check_item_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(_("缺少点位或检查项"), code="required") from exc
    return services.CheckData(
        uuid=payload.get("uuid") or "",
        sample_id=sample_id,
        check_item_id=item_id,
        passed=passed if isinstance(passed, bool) else None,
        value=_opt_float(payload.get("value")),
        missing=payload.get("missing") if payload.get("missing") not in ("",) else None,
        count=payload.get("count") if payload.get("count") not in ("",) else None,
        total=payload.get("total") if payload.get("total") not in ("",) else None,
        duration_min=_opt_float(payload.get("duration_min")),
        lon=payload.get("lon"),
        lat=payload.get("lat"),
        crs=payload.get("crs") or "wgs84",
        note=str(payload.get("note") or ""),
        observed_at=observed_at,
        photos=[services.decode_photo(str(p)) for p in photos],
        category_id=payload.get("category_id") or None,
        category_code=str(payload.get("category") or "")[:20],
    )


@member_required
@require_POST
def check_submit(request: HttpRequest, pk: int) -> JsonResponse:
    """The check page's queue posts here; the same UUID answers the stored row again (200)."""
    scope = _scope(request)
    try:
        plan = selectors.get_plan_for_user(scope, pk)
        try:
            payload = json.loads(request.body or b"{}")
        except json.JSONDecodeError as exc:
            raise InvalidInput(_("请求格式错误"), code="bad_json") from exc
        if not isinstance(payload, dict):
            raise InvalidInput(_("请求格式错误"), code="bad_json")
        out = services.submit_check(plan, check_data_from_json(payload), acting_user=request.user)
    except ServiceError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    r = out.result
    return JsonResponse(
        {
            "id": r.pk,
            "uuid": str(r.uuid),
            "created": out.created,
            "score": r.score,
            "failed": r.failed,
            "case": r.case_id,
            "case_number": r.case.number if r.case is not None else None,
            "place": r.place,
            "recorded": CheckResult.objects.filter(
                sample_id=r.sample_id, check_item_id=r.check_item_id
            ).count(),
        },
        status=201 if out.created else 200,
    )


# --- notices ---------------------------------------------------------------------------------


@member_required
def notice_list(request: HttpRequest) -> HttpResponse:
    f = NoticeFilter(request.GET, queryset=selectors.notice_rows(_scope(request)))
    table = NoticeTable(request, f.qs)
    for notice in table.page:
        notice.late = selectors.is_late(notice)
    template = list_template(
        request, "inspections/notice_list.html", "inspections/_notice_rows.html"
    )
    return render(request, template, {"filter": f, "table": table, "page": table.page})


@member_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    notice = selectors.get_notice_for_user(scope, pk)
    cases = notice.cases.select_related("unit").order_by("pk")
    # a case handed on to another unit since the notice is not the reader's to open
    linked = set(notice.cases.filter(case_q(scope)).values_list("pk", flat=True))
    can_ack = notice.status == NoticeStatus.ISSUED and services.may_acknowledge(scope, notice)
    return render(
        request,
        "inspections/notice_detail.html",
        {"notice": notice, "cases": cases, "linked": linked, "can_acknowledge": can_ack},
    )


@member_required
def notice_docx(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.get_notice_for_user(_scope(request), pk)
    return download(documents.notice_docx(notice), f"督查通知书-{notice.number}.docx", DOCX)


@member_required
@require_POST
def notice_ack(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.get_notice_for_user(_scope(request), pk)
    services.acknowledge_notice(notice, acting_user=request.user)
    messages.success(request, _("已签收 %(number)s") % {"number": notice.number})
    return redirect("inspections:notice", notice.pk)


# --- meetings and action items ---------------------------------------------------------------


@member_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    f = MeetingFilter(request.GET, queryset=selectors.meetings_for_user(_scope(request)))
    table = MeetingTable(request, f.qs.select_related("chair"))
    template = list_template(
        request, "inspections/meeting_list.html", "inspections/_meeting_rows.html"
    )
    context = {"filter": f, "table": table, "page": table.page, "form": MeetingForm()}
    return render(request, template, context)


@office_required
@require_POST
def meeting_create(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("会议信息填写不完整"), code="invalid")
    meeting = services.create_meeting(_city(request), acting_user=request.user, **form.cleaned_data)
    return redirect("inspections:meeting", meeting.pk)


@member_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    meeting = selectors.get_meeting_for_user(scope, pk)
    if request.method == "POST":
        require_office(request.user, meeting.city_id, _("只有创建办可以修改会议"))
        if "minutes" in request.POST:
            form = MinutesForm(request.POST)
            if form.is_valid():
                services.record_minutes(
                    meeting, form.cleaned_data["minutes"], acting_user=request.user
                )
        else:
            aform = ActionForm(request.POST)
            if not aform.is_valid():
                raise InvalidInput(_("议定事项填写不完整"), code="invalid")
            unit = Unit.objects.filter(
                pk=aform.cleaned_data["unit"], city_id=meeting.city_id
            ).first()
            if unit is None:
                raise InvalidInput(_("责任单位不存在"), code="bad_unit")
            services.add_action_item(
                meeting,
                text=aform.cleaned_data["text"],
                unit=unit,
                deadline=aform.cleaned_data["deadline"],
                acting_user=request.user,
            )
        return redirect("inspections:meeting", meeting.pk)
    actions = _with_permissions(
        scope,
        selectors.actions_for_user(scope).filter(meeting=meeting).select_related("unit", "owner"),
    )
    return render(
        request,
        "inspections/meeting_detail.html",
        {
            "meeting": meeting,
            "actions": actions,
            "attendees": meeting.attendees.all(),
            "units": meeting.attendee_units.all(),
            "minutes_form": MinutesForm(initial={"minutes": meeting.minutes}),
            "action_form": ActionForm(),
        },
    )


def _with_permissions(scope: Any, rows: Any) -> list[ActionItem]:
    """The rows, each marked with whether the viewer may report on it (the service's check)."""
    rows = list(rows)
    for item in rows:
        item.can_update = services.may_update_action(scope, item)
    return rows


@member_required
def action_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.actions_for_user(_scope(request)).select_related("unit", "owner", "meeting")
    f = ActionFilter(request.GET, queryset=qs)
    table = ActionTable(request, f.qs)
    _with_permissions(_scope(request), table.page)
    template = list_template(
        request, "inspections/action_list.html", "inspections/_action_rows.html"
    )
    return render(request, template, {"filter": f, "table": table, "page": table.page})


@member_required
@require_POST
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.actions_for_user(_scope(request)).filter(pk=pk).first()
    if item is None:
        raise NotFound()
    form = ActionUpdateForm(request.POST)
    form.is_valid()
    services.update_action_item(
        item,
        status=form.cleaned_data.get("status") or None,
        progress=form.cleaned_data.get("progress") or None,
        acting_user=request.user,
    )
    messages.success(request, _("已更新"))
    return redirect(request.POST.get("next") or "inspections:actions")
